"""Answer-language detection: lingua's guess weighed against channel hints and the conversation so far."""

from __future__ import annotations

import threading

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

# Letters that are words on their own in uk, ru or en ("і", "в", "я", "a"); any other lone letter is a slip.
_ONE_LETTER_WORDS = frozenset("аиійвузскояжбai")

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


def _words_that_tell(normalized: str) -> str:
    # A letter standing alone that is no word of these languages is a slip ("скільки коштує доставка ы": a
    # Ukrainian hit a key of the Russian layout), yet "ы" alone made lingua read Russian (found by QA).
    tokens = tokenize(normalized)
    words = [token for token in tokens if len(token) > 1 or token in _ONE_LETTER_WORDS]
    return " ".join(words) if words and len(words) < len(tokens) else normalized


def detect_language(
    text: str, *, hint: str | None = None, previous: str | None = None, default: str = "uk"
) -> str:
    """Pick the language to answer ``text`` in.

    A long enough message decides by itself. A short one ("оператор", "ok") keeps the conversation's
    previous language, so one word never flips the conversation (unless it is Cyrillic after English:
    then a Cyrillic language is certain and the message decides). Latin text without a word of English
    grammar (product names: "iPhone 15 Pro Max") does not switch a Ukrainian or Russian conversation to
    English, however long. Without a previous language the
    channel hint wins when the message is written in the hint's script. An uncertain guess on a longer
    message also defers to them. Text without letters keeps whatever is known.

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
