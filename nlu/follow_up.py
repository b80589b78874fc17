"""Follow-up questions: "а скільки їде?" right after an answer about delivery.

A short follow-up leaves out its topic, because the shopper just read it. On its own such a message
matches nothing ("а до Києва?"), so the engine scores it once more together with the question the
bot has just answered, and uses that reading when the message alone gave no answer:

- the question in context points to a *different* article: answer it (or ask about it, if unsure);
- it points back to the article just answered: the previous question outweighs the few words that
  were added, so what the follow-up adds is read with that article left out (the shopper has just
  read it). When that reading answers confidently, and with a higher score than the previous
  question alone gives that article without the answered one ("and how long?" after the delivery
  cost: the delivery time), it is the answer (found by QA: "а скільки днів?" and "and how long?" got
  "Did you mean" with the cost first, while ru "а сколько дней?" matched the time alone and was
  answered). The comparison is what tells what the words added: with the answered article left out,
  the previous question alone already points to its nearest neighbour (the delivery cost's question
  to the delivery time), and "а до Києва?" does not make the time any likelier;
- otherwise the shopper is asked "Did you mean …?" with that article and its neighbours rather than
  sent the same text again: "а до Києва?" gets the cost back with one tap;
- it is no clearer: the message alone decides, as without context.

A message that is answered alone keeps its answer ("а гарантія?" is about the warranty), unless the
reading in context points back to the article just answered with a higher score. Then the reading
without that article answers, when it is confident and more so than the message alone ("а скільки
днів?" matches the returns' "14 днів" weakly alone); else the shopper is asked, with both as
buttons: "а до Львова?" after the delivery cost matches the Lviv store's hours alone, weakly, and
the delivery cost in context, strongly (found by QA: the stores' hours were sent).

Right after "Did you mean …?" buttons there is no answered article (:attr:`PreviousAnswer.article_id` is
None): the message is read after the question the buttons were offered for, and the reading in context
answers when it is confident ("delivery?", buttons, then "and how much?": the delivery cost).

Only messages that read as follow-ups get this: at most :data:`MAX_WORDS` words, opening with a
connective ("а", "и", "and", "what about"). Chatter that happens to come after an answer
("розкажи анекдот") keeps its own decision, and so does chatter with a connective ("а погода
завтра?"), which the engine tells by its closeness to everyday chatter (:mod:`nlu.off_topic`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
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


def decide_in_context(alone: Decision, in_context: Decision, elsewhere: Decision, previous: PreviousAnswer, *,
                      before: Mapping[str, float] | None = None) -> Decision:
    """The decision for a follow-up (see the module).

    Args:
        alone: The message scored on its own.
        in_context: The message scored after the answered question.
        elsewhere: The same, with the article just answered left out (fused as if it were absent).
        previous: The answer (or the "Did you mean", with no article) the message follows.
        before: Each article's score for the answered question alone, with the same article left out;
            none given: no article had a score before.
    """
    if in_context.action not in ("answer", "clarify") or not in_context.candidates:
        return alone
    back_to_previous = in_context.candidates[0].article_id == previous.article_id
    explanation = {**alone.explanation, "follow_up_of": previous.article_id,
                   "in_context": {"fused": in_context.explanation.get("fused"),
                                  "second": in_context.explanation.get("second")}}
    if alone.action == "answer" and (not back_to_previous or in_context.confidence <= alone.confidence
                                     or not alone.candidates):
        return alone
    added = elsewhere.action == "answer" and elsewhere.confidence > (before or {}).get(elsewhere.article_id, 0.0)
    if back_to_previous and added and (alone.action != "answer" or elsewhere.confidence > alone.confidence):
        # What the few added words ask about, besides the article the shopper has just read.
        return replace(elsewhere, explanation={**explanation, "in_context": {
            **explanation["in_context"], "without_previous": elsewhere.explanation.get("fused")}})
    if alone.action == "answer":
        # Both readings are plausible: the previous topic (stronger in context) and what the words match alone.
        both = (in_context.candidates[0], alone.candidates[0])
        return replace(in_context, action="clarify", article_id=None, candidates=both, explanation=explanation)
    if back_to_previous:
        return replace(in_context, action="clarify", article_id=None, explanation=explanation)
    return replace(in_context, explanation=explanation)
