"""The decision policy: from signals and fused scores to answer / clarify / handoff / fallback."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from nlu.calibration import Thresholds
from nlu.types import Candidate, Decision

TOP_CANDIDATES = 3
# Two answers above the threshold this close together are a coin toss: ask instead of guessing.
CLOSE_CALL = 0.05
# From this many unanswered messages in a row, not understanding the shopper again is frustrating.
FRUSTRATING_FAILURES = 2
_CONTENT = re.compile(r"[^\W_]")


@dataclass(frozen=True)
class DecisionContext:
    """What is known about one message besides its retrieval scores."""

    language: str
    normalized: str
    asks_for_person: bool
    frustrated: bool
    sensitive: bool
    recent_failures: int
    thresholds: Thresholds
    signal_articles: frozenset[int]
    article_ids: list[str]
    titles: dict[tuple[str, str], str] = field(default_factory=dict)
    fusion_weights: dict[str, float] = field(default_factory=dict)
    swearing: bool = False
    # The message reads far more like everyday chatter than like any question of the knowledge base.
    chatter: bool = False

    @property
    def has_content(self) -> bool:
        """Whether the message has any letter or digit (emoji, punctuation and blanks do not count)."""
        return _CONTENT.search(self.normalized) is not None


def decide_action(context: DecisionContext, fused: np.ndarray, parts: dict[str, np.ndarray]) -> Decision:
    """Turn signals and scores into a decision.

    Order of precedence: nothing to read -> fallback ("empty"); a sensitive topic -> handoff; a request
    for a person or frustration -> handoff, unless the knowledge base has a confident answer written for
    exactly such messages; swearing -> answer when confident, else handoff; then the scores: answer;
    everyday chatter -> fallback ("chatter"), whatever failed before; clarify when two candidates are
    close or the best falls just short; after a failure handoff, else fallback.

    Args:
        context: Signals, thresholds and article metadata.
        fused: Fused score per article (empty when there are no articles or no content).
        parts: Per-part scores per article, for the explanation.

    Returns:
        The decision.
    """
    order = np.argsort(-fused)[:TOP_CANDIDATES] if len(fused) else np.zeros(0, dtype=np.int64)
    candidates = tuple(_candidate(context, int(i), float(fused[i])) for i in order)
    top1 = candidates[0].score if candidates else 0.0
    top2 = candidates[1].score if len(candidates) > 1 else 0.0
    th = context.thresholds
    explanation = {
        "language": context.language,
        "fused": round(top1, 4),
        "second": round(top2, 4),
        "parts": {name: round(float(s[order[0]]), 4) for name, s in parts.items()} if candidates else {},
        "thresholds": {
            "answer": round(th.answer, 4),
            "clarify": round(th.clarify, 4),
            "calibrated": th.calibrated,
        },
        "fusion_weights": context.fusion_weights,
        "signals": {
            "asks_for_person": context.asks_for_person,
            "frustrated": context.frustrated,
            "swearing": context.swearing,
            "sensitive": context.sensitive,
            "chatter": context.chatter,
            "recent_failures": context.recent_failures,
        },
    }

    def make(action, reason=None, article_id=None) -> Decision:
        return Decision(action, context.language, article_id, top1, candidates, reason, explanation)

    if not context.has_content:
        return make("fallback", "empty")
    if context.sensitive:
        return make("handoff", "sensitive_topic")
    # Chatter that shares a word with an article ("What's the weather in Lviv?" and the Lviv store's
    # hours) is neither answered nor offered buttons: the match is a coincidence of words.
    confident = (
        bool(candidates)
        and not context.chatter
        and top1 >= th.answer
        and not (top2 >= th.answer and top1 - top2 < CLOSE_CALL)
    )
    if context.asks_for_person or context.frustrated:
        if confident and int(order[0]) in context.signal_articles:
            return make("answer", article_id=candidates[0].article_id)
        return make("handoff", "explicit_request" if context.asks_for_person else "frustration")
    if context.swearing and not confident:
        # An angry shopper the bot does not understand goes to a person at once, not after a failure.
        return make("handoff", "frustration")
    if not candidates:
        reason = "no_articles"
        return make("handoff", reason) if context.recent_failures >= 1 else make("fallback", reason)
    if confident:
        return make("answer", article_id=candidates[0].article_id)
    if context.chatter:
        # Weather or football is no question the bot failed: no buttons, and never a hand-off for
        # earlier failures (QA: two chatter messages queued the shopper for an agent).
        return make("fallback", "chatter")
    ambiguous = top2 >= th.clarify and top1 + top2 >= th.answer
    # A best guess that falls just short is worth a "Did you mean …?" button rather than "I did not
    # understand": one tap answers the shopper, and a wrong guess costs nothing. Only calibrated
    # thresholds say what "just short" is.
    near_miss = th.calibrated and top1 >= th.clarify
    if (ambiguous or near_miss) and context.recent_failures < FRUSTRATING_FAILURES:
        return make("clarify")
    if context.recent_failures >= FRUSTRATING_FAILURES:
        return make("handoff", "frustration")
    if context.recent_failures >= 1:
        return make("handoff", "low_confidence")
    return make("fallback", "low_confidence")


def _candidate(context: DecisionContext, position: int, score: float) -> Candidate:
    article_id = context.article_ids[position]
    # Show the title in the answer language when the article has it, else in any language it has.
    for language in (context.language, "en", "uk", "ru"):
        title = context.titles.get((article_id, language))
        if title:
            return Candidate(article_id, title, round(score, 4), language)
    return Candidate(article_id, article_id, round(score, 4), context.language)
