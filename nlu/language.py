"""Answer-language detection: lingua's guess weighed against channel hints and the conversation so far."""

from __future__ import annotations

import threading
import unicodedata

from lingua import Language, LanguageDetectorBuilder

from nlu.text import has_letters, normalize, script_of, tokenize

SUPPORTED = ("uk", "ru", "en")
_SCRIPT = {"uk": "cyrillic", "ru": "cyrillic", "be": "cyrillic", "en": "latin"}
# Belarusian is detected so that it is not mistaken for Ukrainian; the shop answers in Russian,
# the language Belarusian shoppers most often read, unless the conversation already has one.
_FALLBACK = {"be": "ru"}
# A message this short says little about its language ("оператор", "ok", "доставка").
_SHORT_WORDS = 2
_SWITCH_CONFIDENCE = 0.6
# Below this lingua cannot tell Ukrainian from Russian in a short message: it gives "доставка" 0.67 Russian,
# "оператор" 0.60, "нова пошта" 0.63 Belarusian. (A longer one is uncertain below _SWITCH_CONFIDENCE.)
_TELLS_CYRILLIC = 0.8
# Words almost every English sentence has and product names do not: a Latin message without any of
# them in a Ukrainian or Russian conversation names a product ("iPhone 15 Pro Max", "Nike Air Max 90"),
# it does not switch the conversation to English.
_ENGLISH_GLUE = frozenset((
    "a", "an", "the", "i", "me", "my", "you", "your", "we", "our", "it", "its", "this", "that", "these",
    "those", "there", "here", "is", "are", "am", "was", "were", "be", "been", "do", "does", "did", "have",
    "has", "had", "can", "could", "will", "would", "should", "may", "must", "to", "of", "in", "on", "at",
    "for", "with", "from", "by", "about", "into", "and", "or", "but", "if", "not", "no", "yes", "please",
    "how", "what", "where", "when", "why", "which", "who", "whom", "whose", "hello", "hi", "hey", "thanks",
    "thank",
))

# What only one of the two languages writes: its letters, and everyday words that are not words of the
# other (found by QA: after one Russian message "дякую" and "Привіт" were answered in Russian). "так"
# is left out: it is "yes" in Ukrainian and "so" in Russian.
_UK_LETTERS = frozenset("іїєґ")
_RU_LETTERS = frozenset("ыэъё")
_UK_WORDS = frozenset((
    "дякую", "дякуємо", "дяки", "ласка", "добрий", "ранку", "дуже", "що", "як", "якщо", "чи", "або", "добре",
    "вже", "ще", "теж", "треба", "зараз", "можна", "буде", "мене", "чому", "коли",
))
_RU_WORDS = frozenset((
    "спасибо", "спасибки", "пожалуйста", "привет", "здравствуйте", "здравствуй", "что", "чтобы", "как",
    "где", "когда", "сколько", "можно", "нужно", "надо", "хорошо", "нет", "очень", "уже", "еще", "тоже",
    "только", "или", "если", "какой", "какая", "какое", "какие", "почему", "мне", "меня", "будет", "сегодня",
    "понятно", "понял", "поняла", "подскажите", "скажите",
))
# Belarusian writes both "і" and "ы"; its "ў" says the marks above do not apply.
_BELARUSIAN_LETTER = "ў"

# Letters that are words on their own in uk, ru or en ("і", "в", "я", "a"); any other lone letter is a slip.
_ONE_LETTER_WORDS = frozenset("аиійвузскояжбєai")

_detector_lock = threading.Lock()
_detector = None


def _lingua():
    # The high-accuracy models take ~0.5 s and ~150 MB: build once per process, on first use.
    global _detector
    with _detector_lock:
        if _detector is None:
            _detector = (
                LanguageDetectorBuilder.from_languages(
                    Language.UKRAINIAN, Language.RUSSIAN, Language.BELARUSIAN, Language.ENGLISH
                )
                .with_preloaded_language_models()
                .build()
            )
        return _detector


def lingua_confidences(text: str) -> dict[str, float]:
    """Return lingua's confidence per ISO 639-1 code ("uk", "ru", "be", "en") for ``text``."""
    values = _lingua().compute_language_confidence_values(text)
    return {v.language.iso_code_639_1.name.lower(): v.value for v in values}


def _usable(code: str | None) -> str | None:
    if not code:
        return None
    code = code.lower().split("-")[0].split("_")[0]
    code = _FALLBACK.get(code, code)
    return code if code in SUPPORTED else None


def _reads_as_english(normalized: str) -> bool:
    return any(token in _ENGLISH_GLUE for token in tokenize(normalized))


def _telling_tokens(tokens: list[str]) -> list[str]:
    # A letter standing alone that is no word of these languages is a slip ("скільки коштує доставка ы": a
    # Ukrainian hit a key of the Russian layout), yet "ы" alone made lingua read Russian (found by QA).
    words = [token for token in tokens if len(token) > 1 or token in _ONE_LETTER_WORDS]
    return words or tokens


def _words_that_tell(normalized: str) -> str:
    tokens = tokenize(normalized)
    words = _telling_tokens(tokens)
    return " ".join(words) if len(words) < len(tokens) else normalized


def _marked_language(text: str) -> str | None:
    """"uk" or "ru" when more words of ``text`` hold letters or words of that language only than of the other
    (a Ukrainian place name in a Russian sentence: "Оформите доставку в Київ, пожалуйста"), else None."""
    # Read before normalize(), which folds "ё" into "е".
    words = _telling_tokens(tokenize(unicodedata.normalize("NFKC", text).lower()))
    if any(_BELARUSIAN_LETTER in word for word in words):
        return None
    uk = sum(word in _UK_WORDS or not _UK_LETTERS.isdisjoint(word) for word in words)
    ru = sum(word in _RU_WORDS or not _RU_LETTERS.isdisjoint(word) for word in words)
    if uk == ru:
        return None
    return "uk" if uk > ru else "ru"


def detect_language(
    text: str, *, hint: str | None = None, previous: str | None = None, default: str = "uk"
) -> str:
    """Pick the language to answer ``text`` in.

    Letters or everyday words only Ukrainian or only Russian writes ("і", "дякую"; "ы", "спасибо") decide a
    short Cyrillic message, and a longer one lingua is unsure of.
    Cyrillic text that cannot tell Ukrainian from Russian ("доставка", "оператор"; or a longer message lingua
    is unsure of) takes the first Cyrillic one of: the conversation's previous language, the channel hint,
    ``default``; only then lingua's guess.
    Otherwise a long enough message decides by itself. A short one ("ok") keeps the conversation's
    previous language, so an ambiguous word never flips the conversation (unless it is Cyrillic after
    English: then a Cyrillic language is certain and the message decides). Latin text without a word of
    English grammar (product names: "iPhone 15 Pro Max") does not switch a Ukrainian or Russian
    conversation to English, however long. Without a previous language the channel hint wins when the
    message is written in the hint's script. An uncertain guess on a longer message also defers to them.
    Text without letters keeps whatever is known.

    Args:
        text: The raw message.
        hint: The channel's language code (Telegram ``language_code``, Viber ``language``), if any.
        previous: The language the conversation has used so far, if any.
        default: Used when nothing else is known.

    Returns:
        "uk", "ru" or "en".
    """
    hint, previous, default = _usable(hint), _usable(previous), _usable(default) or "uk"
    known = previous or hint
    normalized = normalize(text)
    if not has_letters(normalized):
        return known or default
    script = script_of(normalized)
    if script is None:
        # Letters of a script none of the languages uses (Arabic, Hebrew, CJK): lingua scores every
        # language 0, which says nothing.
        return known or default
    confidences = lingua_confidences(_words_that_tell(normalized))
    if not confidences:
        return known or default
    best = max(confidences, key=confidences.__getitem__)
    detected = _usable(best)
    short = len(tokenize(normalized)) <= _SHORT_WORDS
    if script == "cyrillic":
        marked = _marked_language(text)
        # A place keeps its Ukrainian spelling in a Russian sentence ("доставку в Київ отправите?"): in a
        # longer message the marks only settle what lingua is unsure of.
        if marked and (short or marked == detected or confidences[best] < _SWITCH_CONFIDENCE):
            return marked
        if not marked and confidences[best] < (_TELLS_CYRILLIC if short else _SWITCH_CONFIDENCE):
            # Equally Ukrainian and Russian: lingua's lean says nothing about this shopper (found by QA:
            # Ukrainians with Telegram in English got Russian answers to "доставка?").
            told = [c for c in (previous, hint, default) if c and _SCRIPT[c] == "cyrillic"]
            return told[0] if told else detected or default
    # Latin words are everyday in Ukrainian and Russian chats ("ok", "iPhone"); Cyrillic ones are not
    # in English chats: a short Cyrillic message after English is a shopper switching, not an aside.
    if previous and short and not (script == "cyrillic" and _SCRIPT[previous] != script):
        return previous
    if previous and _SCRIPT[previous] == "cyrillic" and script == "latin" and not _reads_as_english(normalized):
        return previous
    same_script = [c for c in (previous, hint) if c and _SCRIPT[c] == script]
    if same_script and (short or confidences[best] < _SWITCH_CONFIDENCE):
        return same_script[0]
    if detected is None:
        return known or default
    return detected
