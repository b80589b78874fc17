"""Follow-up questions on the demo knowledge base, with the real engine: a short "а …?" after an answer is
read in the context of the question just answered; everything else decides as before."""

import pytest

from nlu.types import PreviousAnswer

DELIVERY_COST = PreviousAnswer("Скільки коштує доставка до Львова?", "delivery-cost")
RETURNS = PreviousAnswer("Як повернути товар?", "returns")


def test_the_previous_answer_is_what_the_demo_bot_answers(demo_engine) -> None:
    for previous in (DELIVERY_COST, RETURNS):
        decision = demo_engine.decide(previous.question)
        assert (decision.action, decision.article_id) == ("answer", previous.article_id)


@pytest.mark.parametrize(("follow_up", "language", "sibling"), [
    ("а скільки їде?", "uk", "delivery-time"),
    ("а до Києва?", "uk", "delivery-time"),
])
def test_a_follow_up_the_message_alone_misses_offers_the_topic_and_its_neighbours(
        demo_engine, follow_up, language, sibling) -> None:
    alone = demo_engine.decide(follow_up, previous_language=language)
    assert alone.action == "fallback"  # what the shopper got before: "I could not find an answer"

    decision = demo_engine.decide(follow_up, previous_language=language, previous_answer=DELIVERY_COST)
    assert decision.action == "clarify"
    slugs = [candidate.article_id for candidate in decision.candidates]
    assert slugs[0] == "delivery-cost" and sibling in slugs
    assert decision.language == language
    assert decision.explanation["follow_up_of"] == "delivery-cost"


@pytest.mark.parametrize(("question", "follow_up", "language"), [
    ("скільки коштує доставка?", "а скільки днів?", "uk"),
    ("how much is delivery?", "and how long?", "en"),
    ("сколько стоит доставка?", "а сколько дней?", "ru"),
    # The longer question outweighs the follow-up more: zeroing the cost after fusing its lead over every
    # other article left the time at 0.06, below the answer threshold ("Did you mean" again).
    ("Скільки коштує доставка до Львова?", "а скільки днів?", "uk"),
    # Found by QA: "йде" where the knowledge base writes "іде" (the same word) got "Did you mean".
    ("скільки коштує доставка?", "а скільки вона йде?", "uk"),
])
def test_a_follow_up_asking_what_else_is_answered_with_it(demo_engine, question, follow_up, language) -> None:
    # Found by QA: in context the cost just answered led, so uk and en got "Did you mean" with it first; ru
    # matched the delivery time alone. Without the answered article, context points to the time, clearly.
    previous = PreviousAnswer(question, "delivery-cost")
    decision = demo_engine.decide(follow_up, previous_language=language, previous_answer=previous)
    assert (decision.action, decision.article_id, decision.language) == ("answer", "delivery-time", language)


def test_russian_follow_up_after_a_russian_answer(demo_engine) -> None:
    previous = PreviousAnswer("Сколько стоит доставка?", "delivery-cost")
    assert demo_engine.decide("а в Одессу?", previous_language="ru").action == "fallback"
    decision = demo_engine.decide("а в Одессу?", previous_language="ru", previous_answer=previous)
    assert (decision.action, decision.language) == ("clarify", "ru")
    assert decision.candidates[0].title == "Стоимость доставки"


def test_a_follow_up_answered_on_its_own_keeps_its_answer(demo_engine) -> None:
    # In context the returns article would win; the message alone names what it wants.
    decision = demo_engine.decide("а обміняти можна?", previous_language="uk", previous_answer=RETURNS)
    assert (decision.action, decision.article_id) == ("answer", "exchange")
    assert "follow_up_of" not in decision.explanation


@pytest.mark.parametrize("text", ["розкажи анекдот", "скільки буде два плюс два"])
def test_chatter_after_an_answer_is_not_read_in_its_context(demo_engine, text) -> None:
    decision = demo_engine.decide(text, previous_language="uk", previous_answer=DELIVERY_COST)
    assert decision.action == "fallback"
    assert "follow_up_of" not in decision.explanation


@pytest.mark.parametrize(("text", "language"), [
    ("а погода завтра?", "uk"),
    ("а футбол дивишся?", "uk"),
    ("and the weather tomorrow?", "en"),
])
def test_chatter_worded_as_a_follow_up_gets_no_buttons_of_the_previous_topic(demo_engine, text, language) -> None:
    # Read after the delivery question it would point back to delivery and get "Did you mean" buttons;
    # it reads far more like everyday chatter than like any question of the knowledge base.
    decision = demo_engine.decide(text, previous_language=language, previous_answer=DELIVERY_COST)
    assert decision.action == "fallback"
    assert "follow_up_of" not in decision.explanation


def test_a_request_for_a_person_worded_as_a_follow_up_still_goes_to_a_person(demo_engine) -> None:
    decision = demo_engine.decide("а можна оператора?", previous_language="uk", previous_answer=DELIVERY_COST)
    assert (decision.action, decision.reason) == ("handoff", "explicit_request")


@pytest.mark.parametrize(("previous", "text", "language"), [
    (PreviousAnswer("скільки коштує доставка?", "delivery-cost"), "а до Львова?", "uk"),
    (PreviousAnswer("how long does delivery take?", "delivery-time"), "and to Lviv?", "en"),
])
def test_a_follow_up_naming_a_store_city_asks_between_the_topic_and_the_store(demo_engine, previous, text,
                                                                              language) -> None:
    # Found by QA: "а до Львова?" after the delivery cost got the Lviv store's hours. Alone it matches the
    # stores weakly; in context it points back to delivery strongly: both are offered.
    assert demo_engine.decide(text).article_id == "stores-hours"
    decision = demo_engine.decide(text, previous_answer=previous)
    assert (decision.action, decision.language) == ("clarify", language)
    assert [c.article_id for c in decision.candidates] == [previous.article_id, "stores-hours"]


def test_a_follow_up_after_did_you_mean_is_read_against_the_question_offered_for(demo_engine) -> None:
    # No article was answered (None): the shopper was asked "Did you mean" for "delivery?".
    assert demo_engine.decide("and how much?").action == "clarify"
    assert demo_engine.decide("а скільки коштує?").action == "fallback"
    for follow_up in ("and how much?", "а скільки коштує?"):
        decision = demo_engine.decide(follow_up, previous_answer=PreviousAnswer("delivery?", None))
        assert (decision.action, decision.article_id) == ("answer", "delivery-cost"), follow_up
