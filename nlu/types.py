"""Value objects that cross the NLU boundary: what goes in (knowledge entries) and what comes out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Action = Literal["answer", "clarify", "handoff", "fallback"]
# Reasons of a reply that answered nothing without the bot failing: nothing to read ("🙂"), everyday
# chatter ("яка погода?") and a bare "no, not that" (bots/steps/answer.py). Analytics counts them
# neither as unanswered questions nor as a conversation left without help, and a VIP saying them is
# not handed to a person; the stored decision keeps its action, so past replies count the same way.
NO_FAILURE_REASONS = ("empty", "chatter", "not_that")


@dataclass(frozen=True)
class KnowledgeEntry:
    """One article in one language, as the knowledge base hands it over.

    Attributes:
        article_id: The article's slug.
        language: "uk", "ru" or "en".
        title: The article title; indexed like one more example question.
        questions: Example questions that this article answers.
        answer: The answer text (the NLU does not index it; it only travels along).
    """

    article_id: str
    language: str
    title: str
    questions: tuple[str, ...]
    answer: str = ""


@dataclass(frozen=True)
class Candidate:
    """One article the message may be about.

    Attributes:
        article_id: The article's slug.
        title: The title in ``language``.
        score: Fused confidence in [0, 1], comparable to the calibrated thresholds.
        language: The language of the variant shown (the answer language when the article has it).
    """

    article_id: str
    title: str
    score: float
    language: str


@dataclass(frozen=True)
class Decision:
    """What the bot should do with one message.

    Attributes:
        action: "answer", "clarify" (ask "did you mean ...?"), "handoff" (to a person) or "fallback"
            (no confident answer, no reason to involve a person yet).
        language: The language to answer in.
        article_id: The article to answer with, for "answer".
        confidence: The fused score of the best candidate (0 when nothing matched).
        candidates: The best matches, best first (clarify buttons, the editor's "test a question").
        reason: Why no answer was given: "explicit_request", "frustration", "sensitive_topic",
            "low_confidence", "empty", "no_articles", "chatter" (everyday chatter), "not_that" (a bare "no,
            not that", a fallback or clarify of the answer step's); None for other answers and clarifies.
            :data:`NO_FAILURE_REASONS` are no failure of the bot's.
        explanation: Per-part scores and thresholds, for editors.
        also: For a message that asks several questions, the answers to the others, each an "answer"
            of another article in the order asked (:mod:`nlu.multi_question`); empty otherwise.
    """

    action: Action
    language: str
    article_id: str | None
    confidence: float
    candidates: tuple[Candidate, ...]
    reason: str | None
    explanation: dict = field(default_factory=dict)
    also: tuple[Decision, ...] = ()


@dataclass(frozen=True)
class PreviousAnswer:
    """The bot's latest answer in a conversation: the shopper's question and the article that answered it.

    ``article_id`` is None when the bot asked "Did you mean …?" instead: the question is then the one the
    buttons were offered for, and no article was read yet.
    """

    question: str
    article_id: str | None
