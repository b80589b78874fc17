"""Reasons to hand a conversation to a person that do not depend on retrieval confidence.

All patterns run on normalised text (lower-case, ё→е, one kind of apostrophe), except CAPS and
exclamation marks, which need the raw message.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from nlu.text import lemmas, normalize

_PERSON_EN = (
    r"(?:a |an |the |some |real |live |actual )?"
    r"(?:person|someone|somebody|agent|operator|human|representative|manager|staff|people)"
)
_EXPLICIT = re.compile(
    "|".join(
        [
            # uk / ru, short forms included: "оператор", "людина", "менеджер", "живой человек"
            r"\bоператор\w*",
            r"\bлюдин\w*",
            r"\bчеловек\w*",
            r"\bменеджер\w*",
            r"\bконсультант\w*",
            r"\bспівробітник\w*",
            r"\bпрацівник\w*",
            r"\bсотрудник\w*",
            r"\bспециалист\w*",
            r"\bфахів\w*",
            r"\bагент\w*",
            r"\bз'?єднайте\b",
            r"\bпокличте\b",
            r"\bсоедините\b",
            r"\bпозовите\b",
            r"\bживо(?:му|го|й)\b",
            r"\bжив(?:ий|ою|им|ої)\b",
            # en
            r"\bhuman\b",
            r"\bagents?\b",
            r"\boperators?\b",
            r"\brepresentative\b",
            r"\bmanager\b",
            r"\b(?:real|live|actual) (?:person|people)\b",
            rf"\b(?:talk|speak|chat|connect|transfer)\w* (?:me )?(?:to|with) {_PERSON_EN}\b",
        ]
    )
)
_INSULT = re.compile(
    "|".join(
        [
            r"\b(?:ідіот|идиот|дебіл|дебил|кретин|придур|дурн|дурак|тупи|тупо|тупа|тупой|сука)\w*",
            r"\b(?:відстій|отстой|ганьба|позор|жах|ужас|кошмар|достали|задолбал|набридл|надоел)\w*",
            r"\b(?:бесит|бесят|бісить|бісять|дратує|раздражает|задрали|достало)\b",
            r"\b(?:скільки можна (?:чекати|ждати)|сколько можно ждать)\b",
            r"\b(?:idiot|stupid|dumb|moron|useless|pathetic|ridiculous|bullshit|wtf)\w*",
            r"\b(?:fed up|sick of waiting|how long do i have to wait)\b",
        ]
    )
)
# Swearing used to stress a question ("where do I see your damn payment options?") is not aimed at
# anyone: with a confident answer the bot answers; without one it hands off like any frustration.
_SWEARING = re.compile(
    "|".join(
        [
            r"\b(?:бля|хуй|хуе|хуї|хер|хрен|хрін|пизд|пізд|єба|еба|ебан|їба|говн|гівн|жоп|срак)\w*",
            r"\b(?:fuck|shit|crap|damn|bloody|freaking|frigging)\w*",
        ]
    )
)
_SHOUT = re.compile(r"!{3,}|(?:\?!|!\?){2,}")
_CAPS_WORD = re.compile(r"\b[^\W\d_]{3,}\b")
_LANGUAGES = ("uk", "ru", "en")


def asks_for_person(normalized: str) -> bool:
    """Tell whether the shopper asks for a person ("оператор", "з людиною", "живой человек", "human")."""
    return _EXPLICIT.search(normalized) is not None


def swears(normalized: str) -> bool:
    """Tell whether the message contains swear words ("damn", "fucking", "бля"): a milder signal."""
    return _SWEARING.search(normalized) is not None


def is_frustrated(raw: str, normalized: str) -> bool:
    """Tell whether the message shows frustration: insults, complaints ("кошмар"), CAPS, or "!!!".

    Swearing alone is not counted here (see :func:`swears`).

    CAPS needs at least two all-capital words of three letters or more, so "OK", "COD" or a shouted
    product name alone are not taken for anger.
    """
    if _INSULT.search(normalized) or _SHOUT.search(raw):
        return True
    words = _CAPS_WORD.findall(raw[: len(raw) if len(raw) < 2000 else 2000])
    shouted = [w for w in words if w.isupper()]
    return len(shouted) >= 2 and len(shouted) >= 0.7 * len(words)


@dataclass(frozen=True)
class SensitiveTopics:
    """Configured topics that always go to a person (e.g. "chargeback", "суд", "lawyer").

    A topic matches when its normalised text occurs in the message as whole words, or when all its
    lemmas do (so "судом" matches "суд", and "посуд" does not). Lemmas are prepared for every
    language, since the message language may differ from the one the topic was written in.
    """

    phrases: re.Pattern[str] | None
    lemma_sets: tuple[frozenset[str], ...]

    @classmethod
    def build(cls, topics: Sequence[str]) -> SensitiveTopics:
        """Prepare ``topics`` for matching."""
        phrases = tuple(p for p in (normalize(t) for t in topics) if p)
        sets = {frozenset(lemmas(p, language)) for p in phrases for language in _LANGUAGES}
        pattern = re.compile("|".join(rf"(?<!\w){re.escape(p)}(?!\w)" for p in phrases)) if phrases else None
        return cls(pattern, tuple(s for s in sets if s))

    def matches(self, normalized: str, message_lemmas: set[str]) -> bool:
        """Tell whether the message touches any topic."""
        if self.phrases is not None and self.phrases.search(normalized):
            return True
        return any(topic <= message_lemmas for topic in self.lemma_sets)
