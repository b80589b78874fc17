"""Which messages read as follow-ups, and which reading of a follow-up wins (nlu.follow_up)."""

import pytest

from nlu.follow_up import decide_in_context, reads_as_follow_up, with_context
from nlu.text import normalize
from nlu.types import Candidate, Decision, PreviousAnswer

PREVIOUS = PreviousAnswer("Скільки коштує доставка до Львова?", "delivery-cost")


@pytest.mark.parametrize("text", [
    "а скільки їде?", "А до Києва?", "і кур'єром теж?", "ну а графік?", "а сколько идет?", "и в Одессу?",
    "and how long does it take?", "What about returns?", "how about Kyiv?",
])
def test_short_messages_opening_with_a_connective_read_as_follow_ups(text) -> None:
    assert reads_as_follow_up(normalize(text))


@pytest.mark.parametrize("text", [
    "розкажи анекдот",  # chatter: no connective
    "скільки їде посилка?",  # a full question of its own
    "анекдот",  # "а" must be a word, not a prefix
    "андрій тут?",
    "а якщо я замовлю сьогодні ввечері до дев'ятої, то коли приблизно прийде посилка у Львів?",  # too long
    "",
])
def test_other_messages_do_not(text) -> None:
    assert not reads_as_follow_up(normalize(text))


def test_the_message_is_read_after_the_answered_question() -> None:
    assert with_context(" а до Києва? ", PREVIOUS) == "Скільки коштує доставка до Львова? а до Києва?"


def test_a_long_previous_question_cannot_push_the_follow_up_out_of_the_text_read() -> None:
    long_question = PreviousAnswer("Добрий день! " * 500 + "Скільки коштує доставка?", "delivery-cost")
    in_context = with_context("а до Києва?", long_question)
    assert in_context.endswith("Скільки коштує доставка? а до Києва?")
    assert len(normalize(in_context)) == len(in_context.lower())  # nothing cut by normalisation


def _decision(action: str, *slugs: str, article_id: str | None = None, reason: str | None = None) -> Decision:
    candidates = tuple(Candidate(slug, slug.title(), 0.9 - 0.1 * n, "uk") for n, slug in enumerate(slugs))
    return Decision(action, "uk", article_id, candidates[0].score if candidates else 0.0, candidates, reason,
                    {"fused": 0.9, "second": 0.8})


ALONE_FALLBACK = _decision("fallback", "stores-hours", "warranty", reason="low_confidence")
# In context with the answered article left out, nothing stands out.
NOWHERE_ELSE = _decision("fallback", "delivery-time", "delivery-regions", reason="low_confidence")


def test_context_pointing_back_to_the_answered_article_asks_instead_of_repeating_it() -> None:
    in_context = _decision("answer", "delivery-cost", "delivery-time", "delivery-regions", article_id="delivery-cost")
    decision = decide_in_context(ALONE_FALLBACK, in_context, NOWHERE_ELSE, PREVIOUS)
    assert (decision.action, decision.article_id, decision.reason) == ("clarify", None, None)
    assert [c.article_id for c in decision.candidates] == ["delivery-cost", "delivery-time", "delivery-regions"]
    assert decision.explanation["follow_up_of"] == "delivery-cost"


def test_context_pointing_to_another_article_answers_it() -> None:
    in_context = _decision("answer", "refund-time", "returns", article_id="refund-time")
    decision = decide_in_context(ALONE_FALLBACK, in_context, NOWHERE_ELSE, PREVIOUS)
    assert (decision.action, decision.article_id) == ("answer", "refund-time")
    assert decision.explanation["follow_up_of"] == "delivery-cost"


def test_an_answer_of_the_message_alone_stands() -> None:
    alone = _decision("answer", "installments", article_id="installments")
    in_context = _decision("answer", "payment-methods", article_id="payment-methods")
    assert decide_in_context(alone, in_context, NOWHERE_ELSE, PREVIOUS) is alone


def test_context_no_clearer_than_the_message_leaves_its_own_decision() -> None:
    in_context = _decision("fallback", "warranty", "delivery-cost", reason="low_confidence")
    assert decide_in_context(ALONE_FALLBACK, in_context, NOWHERE_ELSE, PREVIOUS) is ALONE_FALLBACK
    no_articles = _decision("fallback", reason="no_articles")
    assert decide_in_context(ALONE_FALLBACK, no_articles, NOWHERE_ELSE, PREVIOUS) is ALONE_FALLBACK


def test_context_pointing_back_answers_what_the_added_words_ask_besides_it() -> None:
    # "and how long?" after the delivery cost: the cost leads in context, the time leads without it.
    in_context = _decision("answer", "delivery-cost", "delivery-time", article_id="delivery-cost")
    elsewhere = _decision("answer", "delivery-time", "cash-on-delivery", article_id="delivery-time")
    decision = decide_in_context(ALONE_FALLBACK, in_context, elsewhere, PREVIOUS)
    assert (decision.action, decision.article_id) == ("answer", "delivery-time")
    assert decision.explanation["follow_up_of"] == "delivery-cost"
    assert decision.explanation["in_context"]["without_previous"] == 0.9


def test_a_weak_answer_alone_gives_way_to_a_stronger_one_besides_the_answered_article() -> None:
    alone = Decision("answer", "uk", "returns", 0.1, (Candidate("returns", "Returns", 0.1, "uk"),), None, {})
    in_context = _decision("answer", "delivery-cost", "delivery-time", article_id="delivery-cost")
    elsewhere = _decision("answer", "delivery-time", "returns", article_id="delivery-time")
    assert decide_in_context(alone, in_context, elsewhere, PREVIOUS).article_id == "delivery-time"


def test_an_answer_alone_stronger_than_the_reading_besides_the_answered_article_is_asked_about() -> None:
    alone = _decision("answer", "stores-hours", article_id="stores-hours")
    in_context = Decision("answer", "uk", "delivery-cost", 0.95, (Candidate("delivery-cost", "Cost", 0.95, "uk"),),
                          None, {})
    elsewhere = Decision("answer", "uk", "cash-on-delivery", 0.5,
                         (Candidate("cash-on-delivery", "Cod", 0.5, "uk"),), None, {})
    decision = decide_in_context(alone, in_context, elsewhere, PREVIOUS)
    assert (decision.action, [c.article_id for c in decision.candidates]) == (
        "clarify", ["delivery-cost", "stores-hours"])


def test_context_pointing_elsewhere_is_not_overridden_by_the_reading_without_the_answered_article() -> None:
    in_context = _decision("answer", "refund-time", "returns", article_id="refund-time")
    elsewhere = _decision("answer", "returns", article_id="returns")
    assert decide_in_context(ALONE_FALLBACK, in_context, elsewhere, PREVIOUS).article_id == "refund-time"


def test_the_reading_besides_the_answered_article_answers_only_what_the_added_words_made_likelier() -> None:
    # "а до Києва?" after the delivery cost: without the cost, the previous question alone already points to
    # the delivery time (its nearest neighbour) as strongly; the added words asked nothing about it.
    in_context = _decision("answer", "delivery-cost", "delivery-time", article_id="delivery-cost")
    elsewhere = _decision("answer", "delivery-time", "delivery-regions", article_id="delivery-time")
    decision = decide_in_context(ALONE_FALLBACK, in_context, elsewhere, PREVIOUS, before={"delivery-time": 0.9})
    assert (decision.action, decision.candidates[0].article_id) == ("clarify", "delivery-cost")
    raised = decide_in_context(ALONE_FALLBACK, in_context, elsewhere, PREVIOUS, before={"delivery-time": 0.4})
    assert (raised.action, raised.article_id) == ("answer", "delivery-time")
