"""Text normalisation, tokenisation and lemmas for Ukrainian, Russian and English."""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache

import pymorphy3
import Stemmer

# Longer messages carry no more intent than their start; cutting them keeps latency bounded.
MAX_CHARS = 1000

_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_APOSTROPHES = re.compile("[\u2019\u2018\u02bc\u02b9\u0060\u00b4\u2032]")
_SPACES = re.compile(r"\s+")
_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_LETTER = re.compile(r"[^\W\d_]")
_CYRILLIC = re.compile("[\u0400-\u04ff]")
_LATIN = re.compile("[a-zA-Z]")
# Ukrainian writes a word's opening і before a consonant as й after a vowel ("вона йде", "він іде"): the
# same word either way, and an opening й before a consonant is never anything else. One spelling lets
# every part of the score see it (the knowledge base's "Скільки днів іде доставка?" and a shopper's "а
# скільки вона йде?"); a merge of lemmas alone did not, as the character n-grams weigh most.
_OPENING_Y = re.compile(r"(?<![\w'])й(?=[бвгґджзклмнпрстфхцчшщ])")

_morph_lock = threading.Lock()
_analyzers: dict[str, pymorphy3.MorphAnalyzer] = {}
_stemmer = Stemmer.Stemmer("english")


def normalize(text: str) -> str:
    """Return ``text`` lower-cased, NFKC-folded, without invisible characters, cut to ``MAX_CHARS``.

    Spellings that are the same word are written one way: ё as е, a Ukrainian word opening with й before
    a consonant with і ("йде" as "іде").

    Args:
        text: Raw message text.

    Returns:
        The normalised text ("" when nothing readable is left).
    """
    text = unicodedata.normalize("NFKC", text[: MAX_CHARS * 2])
    text = _INVISIBLE.sub("", text)
    text = _APOSTROPHES.sub("'", text)
    # Slugs and intent names ("cancel_order") read as words.
    text = text.replace("_", " ")
    # ё and е are interchangeable in everyday Russian writing.
    text = _OPENING_Y.sub("і", text.lower().replace("ё", "е"))
    return _SPACES.sub(" ", text).strip()[:MAX_CHARS]


def tokenize(normalized: str) -> list[str]:
    """Split normalised text into word tokens (letters and digits, inner apostrophes kept)."""
    return _TOKEN.findall(normalized)


def has_letters(text: str) -> bool:
    """Tell whether ``text`` holds at least one letter (emoji and punctuation alone do not count)."""
    return _LETTER.search(text) is not None


def script_of(text: str) -> str | None:
    """Return "cyrillic", "latin" or None, by which letters dominate ``text``."""
    cyr = len(_CYRILLIC.findall(text))
    lat = len(_LATIN.findall(text))
    if cyr == lat == 0:
        return None
    return "cyrillic" if cyr >= lat else "latin"


def _analyzer(language: str) -> pymorphy3.MorphAnalyzer:
    # Building an analyzer loads a dictionary (~20 MB); do it once per language per process.
    with _morph_lock:
        if language not in _analyzers:
            _analyzers[language] = pymorphy3.MorphAnalyzer(lang=language)
        return _analyzers[language]


@lru_cache(maxsize=200_000)
def lemma(token: str, language: str) -> str:
    """Return the dictionary form of one token.

    Cyrillic words go through pymorphy3 with the Ukrainian or Russian dictionary (Ukrainian for
    anything that is not Russian, so surzhyk and Belarusian get the closer grammar); Latin words
    through the English Snowball stemmer.

    Args:
        token: A lower-cased token.
        language: The message language, used to pick the dictionary for Cyrillic tokens.

    Returns:
        The lemma or stem.
    """
    if _CYRILLIC.search(token):
        if len(token) < 3:
            return token
        parsed = _analyzer("ru" if language == "ru" else "uk").parse(token)
        return parsed[0].normal_form.replace("ё", "е") if parsed else token
    if token.isascii() and token.isalpha():
        return _stemmer.stemWord(token)
    return token


def lemmas(normalized: str, language: str) -> list[str]:
    """Lemmatise every token of normalised text (see :func:`lemma`)."""
    return [lemma(token, language) for token in tokenize(normalized)]


def warm_up() -> None:
    """Load both pymorphy3 dictionaries now rather than on the first message."""
    lemma("доставка", "uk")
    lemma("доставка", "ru")
