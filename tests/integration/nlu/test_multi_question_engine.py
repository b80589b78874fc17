"""A message that asks two or three things gets an answer to each, on the demo knowledge base."""

import pytest

from nlu.multi_question import split_questions


@pytest.mark.parametrize("text, first, others", [
    pytest.param("Скільки коштує доставка? І як можна оплатити?", "delivery-cost", ["payment-methods"], id="uk"),
    pytest.param("Сколько стоит доставка? Можно ли вернуть товар?", "delivery-cost", ["returns"], id="ru"),
    pytest.param("How much is delivery?\nWhere is your store in Lviv?", "delivery-cost", ["stores-hours"],
                 id="en-line-break"),
    # Found by QA: "і як …" with no second question mark got the first answer only.
    pytest.param("скока стоит доставка в кіев і як оплатить", "delivery-cost", ["payment-methods"],
                 id="surzhyk-and"),
    pytest.param("What is the price of delivery and when will it ship?", "delivery-cost", ["delivery-time"],
                 id="en-and"),
    # Found by QA: the whole message matched the later question best, and its answer went first.
    pytest.param("Добрий день! Хочу замовити куртку, але не знаю розмір. Я 176 см, 70 кг. Яку брати, M чи L?\n"
                 "І скільки буде доставка в Житомир?", "size-guide", ["delivery-time"],
                 id="uk-whole-matches-the-second"),
    pytest.param("Как можно оплатить? И сколько идёт доставка?", "payment-methods", ["delivery-time"],
                 id="ru-whole-matches-the-first"),
])
def test_each_question_gets_its_answer_in_the_order_asked(demo_engine, text, first, others) -> None:
    decision = demo_engine.decide(text)
    # The whole message's answer stays the main one (what `nlu eval` scores); each answer records where
    # its question stands, and the bot sends them in that order.
    in_order_asked = sorted((decision, *decision.also), key=lambda d: d.explanation["asked_at"])

    assert [(d.action, d.article_id) for d in in_order_asked] == [("answer", slug) for slug in [first, *others]]
    # Each answer keeps the question it answers: the figures record that, not the whole message.
    assert [d.explanation["question"] for d in in_order_asked] == split_questions(text)
    assert [d.explanation["asked_at"] for d in in_order_asked] == list(range(len(split_questions(text))))


def test_a_question_asked_twice_in_other_words_is_answered_once(demo_engine) -> None:
    decision = demo_engine.decide("Скільки коштує доставка? Яка ціна доставки?")
    assert (decision.action, decision.article_id, decision.also) == ("answer", "delivery-cost", ())


def test_chatter_beside_a_question_adds_no_answer(demo_engine) -> None:
    decision = demo_engine.decide("Скільки коштує доставка? Яка завтра погода?")
    assert (decision.article_id, decision.also) == ("delivery-cost", ())


def test_a_request_for_a_person_is_not_split(demo_engine) -> None:
    decision = demo_engine.decide("Скільки коштує доставка? Покличте оператора, будь ласка")
    assert (decision.action, decision.reason, decision.also) == ("handoff", "explicit_request", ())
