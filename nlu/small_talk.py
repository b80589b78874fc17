"""Small talk: a message that is only a greeting, thanks, an acknowledgement or a "no, not that".

In Ukrainian, Russian or English. Only the whole message counts: "Привіт!", "дуже дякую за допомогу 🙏",
"ок, понял" and "ні, не те" are small talk, "Привіт, скільки коштує доставка?" is a question (its
greeting is politeness around it). Detection is a closed list of phrases over tokens, so an unknown
word anywhere makes the message a question.
"""

from __future__ import annotations

import re

from nlu.text import normalize, tokenize

GREETING = "greeting"
THANKS = "thanks"
ACKNOWLEDGEMENT = "acknowledgement"
# "ні", "не то", "no, that's not it": the shopper turns down what the bot said; not a question.
NEGATION = "negation"

_GREETINGS = (
    # uk
    "привіт", "привітик", "вітаю", "добрий день", "доброго дня", "день добрий", "добрий ранок", "доброго ранку",
    "добрий вечір", "доброго вечора", "здрастуйте", "здрастє", "здоровенькі були",
    # ru
    "привет", "приветик", "приветствую", "здравствуйте", "здравствуй", "здраствуйте", "здрасте", "здрасьте",
    "добрый день", "доброе утро", "добрый вечер", "доброго времени суток", "доброго утра", "доброго вечера",
    # en
    "hi", "hello", "hey", "hiya", "good morning", "good afternoon", "good evening", "greetings",
    # "how are you?" greets; the knowledge base answered it with the contacts article.
    "як справи", "как дела", "how are you", "how r u",
)
_THANKS = (
    "дякую", "дякуємо", "спасибі", "спасибо", "благодарю", "спс", "thanks", "thank you", "thank u", "thx", "ty",
    "cheers", "many thanks",
)
# "Ok", "got it": the shopper read the answer. Shoppers say it after almost every answer (QA: two of
# them in a row handed the shopper to a person as two questions the bot could not answer).
_ACKNOWLEDGEMENTS = (
    "ок", "окей", "добре", "гаразд", "ясно", "зрозуміло", "зрозумів", "зрозуміла", "зрозуміло все",
    "супер", "чудово", "класно", "круто", "ага", "угу", "хорошо", "понятно", "понял", "поняла", "ладно",
    "отлично", "ясненько", "все ясно", "все понятно", "все зрозуміло",
    "ok", "okay", "k", "kk", "got it", "i see", "cool", "great", "perfect", "fine", "alright", "noted",
    "understood", "lol", "nice",
)
_NEGATIONS = (
    # uk
    "ні", "не те", "не то", "не це", "це не те", "не про це", "я не про це", "я про інше", "не так",
    "неправильно", "зовсім не те", "не та відповідь",
    # ru
    "нет", "не это", "это не то", "не про это", "не об этом", "я не об этом", "я про другое", "совсем не то",
    "не тот ответ",
    # en
    "no", "nope", "not that", "not it", "that's not it", "thats not it", "not what i asked", "wrong",
    "wrong answer", "that's wrong",
)
# Words that may stand around small talk without making it a question ("thanks a lot", "hi there").
_AROUND = (
    "there", "all", "everyone", "бот", "bot",
    "дуже", "щиро", "велике", "вам", "большое", "огромное", "very much", "so much", "a lot", "you",
    "за допомогу", "за відповідь", "за помощь", "за ответ", "for your help", "for the help", "for help",
    "for the answer",
    # "дякую ще раз" after the agent resolved (found by QA: the fallback, and a new conversation that
    # ended the wait for the rating).
    "ще раз", "еще раз", "знову", "again", "once again", "за все", "for everything",
)
_PHRASES = {
    **{tuple(p.split()): None for p in _AROUND},
    **{tuple(p.split()): ACKNOWLEDGEMENT for p in _ACKNOWLEDGEMENTS},
    **{tuple(p.split()): NEGATION for p in _NEGATIONS},
    **{tuple(p.split()): GREETING for p in _GREETINGS},
    **{tuple(p.split()): THANKS for p in _THANKS},
}
_LONGEST = max(len(words) for words in _PHRASES)
# A thumbs-up, folded hands or a heart alone says thanks; skin tones, the emoji variation selector,
# punctuation and spaces around it are only how it is drawn.
_THANKS_EMOJI = frozenset("👍🙏❤♥👌")
_DRAWING = re.compile("[\ufe0f\U0001f3fb-\U0001f3ff!.,)]|\\s")


def small_talk(text: str) -> str | None:
    """Return :data:`THANKS`, :data:`NEGATION`, :data:`GREETING` or :data:`ACKNOWLEDGEMENT` when ``text``
    is nothing else; None for anything else.

    In one message, thanks wins ("hi, thanks!" answers what was said last; "ні, дякую" declines
    politely), then a negation ("ні, ок"), a greeting ("ok, hi"), an acknowledgement.
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
    return next((kind for kind in (THANKS, NEGATION, GREETING, ACKNOWLEDGEMENT) if kind in kinds), None)
