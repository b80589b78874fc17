"""Small talk: a message that is only a greeting or only thanks, in Ukrainian, Russian or English.

Only the whole message counts: "Привіт!" and "дуже дякую за допомогу 🙏" are small talk, "Привіт,
скільки коштує доставка?" is a question (its greeting is politeness around it). Detection is a
closed list of phrases over tokens, so an unknown word anywhere makes the message a question.
"""

from __future__ import annotations

import re

from nlu.text import normalize, tokenize

GREETING = "greeting"
THANKS = "thanks"

_GREETINGS = (
    # uk
    "привіт", "привітик", "вітаю", "добрий день", "доброго дня", "день добрий", "добрий ранок", "доброго ранку",
    "добрий вечір", "доброго вечора", "здрастуйте", "здрастє", "здоровенькі були",
    # ru
    "привет", "приветик", "приветствую", "здравствуйте", "здравствуй", "здраствуйте", "здрасте", "здрасьте",
    "добрый день", "доброе утро", "добрый вечер", "доброго времени суток", "доброго утра", "доброго вечера",
    # en
    "hi", "hello", "hey", "hiya", "good morning", "good afternoon", "good evening", "greetings",
)
_THANKS = (
    "дякую", "дякуємо", "спасибі", "спасибо", "благодарю", "спс", "thanks", "thank you", "thank u", "thx", "ty",
    "cheers", "many thanks",
)
# Words that may stand around a greeting or thanks without making it a question ("ok, thanks a lot").
_AROUND = (
    "ок", "окей", "добре", "хорошо", "ясно", "зрозуміло", "понятно", "супер", "чудово", "отлично",
    "ok", "okay", "great", "perfect", "there", "all", "everyone", "бот", "bot",
    "дуже", "щиро", "велике", "вам", "большое", "огромное", "very much", "so much", "a lot", "you",
    "за допомогу", "за відповідь", "за помощь", "за ответ", "for your help", "for the help", "for help",
    "for the answer",
)
_PHRASES = {
    **{tuple(p.split()): None for p in _AROUND},
    **{tuple(p.split()): GREETING for p in _GREETINGS},
    **{tuple(p.split()): THANKS for p in _THANKS},
}
_LONGEST = max(len(words) for words in _PHRASES)
# A thumbs-up, folded hands or a heart alone says thanks; skin tones, the emoji variation selector,
# punctuation and spaces around it are only how it is drawn.
_THANKS_EMOJI = frozenset("👍🙏❤♥👌")
_DRAWING = re.compile("[\ufe0f\U0001f3fb-\U0001f3ff!.,)]|\\s")


def small_talk(text: str) -> str | None:
    """Return :data:`GREETING` or :data:`THANKS` when ``text`` is nothing else; None for anything else.

    Thanks wins over a greeting in one message ("hi, thanks!"): it answers what was said last.
    """
    emoji = _DRAWING.sub("", text)
    if emoji and set(emoji) <= _THANKS_EMOJI:
        return THANKS
    tokens = tokenize(normalize(text))
    kinds = set()
    position = 0
    while position < len(tokens):
        for size in range(min(_LONGEST, len(tokens) - position), 0, -1):
            words = tuple(tokens[position:position + size])
            if words in _PHRASES:
                kinds.add(_PHRASES[words])
                position += size
                break
        else:
            return None
    if THANKS in kinds:
        return THANKS
    return GREETING if GREETING in kinds else None
