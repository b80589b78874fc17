"""Follow-up questions: "а скільки їде?" right after an answer about delivery.

A short follow-up leaves out its topic, because the shopper just read it. On its own such a message
matches nothing ("а до Києва?"), so the engine scores it once more together with the question the
bot has just answered, and uses that reading when the message alone gave no answer:

- the question in context points to a *different* article: answer it (or ask about it, if unsure);
- it points back to the article just answered: ask "Did you mean …?" with that article and its
  neighbours rather than send the same text again. The previous question outweighs the few words
  that were added, so this is where "а скільки їде?" after delivery *cost* lands; the delivery
  *time* is one tap away, and "а до Києва?" gets the cost back with one tap too;
- it is no clearer: the message alone decides, as without context.

A message that is answered alone keeps its answer ("а гарантія?" is about the warranty), unless the
reading in context points back to the article just answered with a higher score: "а до Львова?"
after the delivery cost matches the Lviv store's hours alone, weakly, and the delivery cost in
context, strongly. Then the shopper is asked, with both as buttons (found by QA: the stores' hours
were sent).

Only messages that read as follow-ups get this: at most :data:`MAX_WORDS` words, opening with a
connective ("а", "и", "and", "what about"). Chatter that happens to come after an answer
("розкажи анекдот") keeps its own decision, and so does chatter with a connective ("а погода
завтра?"), which the engine tells by its closeness to everyday chatter (:mod:`nlu.off_topic`).
"""

from __future__ import annotations

import re
from dataclasses import replace

from nlu.types import Decision, PreviousAnswer

MAX_WORDS = 6
# Only the end of a long previous question is kept: the message is cut to nlu.text.MAX_CHARS, and the
# follow-up itself must not be what is cut off.
MAX_CONTEXT_CHARS = 300
# How follow-ups open in uk, ru and en: "а …?", "і/й/та …?", "и …?", "and …?", "what about …?".
_OPENING = re.compile(r"^(?:ну\s+)?(?:а|і|й|та|и|and|also|what about|how about|what if)\b")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def reads_as_follow_up(normalized: str) -> bool:
    """Whether a normalised message is short and opens like a follow-up question."""
    return len(_WORD.findall(normalized)) <= MAX_WORDS and _OPENING.match(normalized.strip()) is not None


def with_context(text: str, previous: PreviousAnswer) -> str:
    """The message as read in context: the answered question, then the follow-up."""
    return f"{previous.question.strip()[-MAX_CONTEXT_CHARS:]} {text.strip()}"


def decide_in_context(alone: Decision, in_context: Decision, previous: PreviousAnswer) -> Decision:
    """The decision for a follow-up, from the message scored alone and scored in context (see the module)."""
    if in_context.action not in ("answer", "clarify") or not in_context.candidates:
        return alone
    back_to_previous = in_context.candidates[0].article_id == previous.article_id
    explanation = {**alone.explanation, "follow_up_of": previous.article_id,
                   "in_context": {"fused": in_context.explanation.get("fused"),
                                  "second": in_context.explanation.get("second")}}
    if alone.action == "answer":
        if not back_to_previous or in_context.confidence <= alone.confidence or not alone.candidates:
            return alone
        # Both readings are plausible: the previous topic (stronger in context) and what the words match alone.
        both = (in_context.candidates[0], alone.candidates[0])
        return replace(in_context, action="clarify", article_id=None, candidates=both, explanation=explanation)
    if back_to_previous:
        return replace(in_context, action="clarify", article_id=None, explanation=explanation)
    return replace(in_context, explanation=explanation)
