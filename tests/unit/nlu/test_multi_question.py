"""Where a message splits into separate questions (nlu.multi_question)."""

import pytest

from nlu.multi_question import split_questions


@pytest.mark.parametrize("text, questions", [
    pytest.param("Скільки коштує доставка? І як можна оплатити?",
                 ["Скільки коштує доставка?", "І як можна оплатити?"], id="two-question-marks"),
    pytest.param("Сколько стоит доставка\nКак оплатить картой", ["Сколько стоит доставка", "Как оплатить картой"],
                 id="line-break"),
    pytest.param("Где мой заказ?? Когда привезут?", ["Где мой заказ??", "Когда привезут?"], id="doubled-mark"),
    pytest.param("How much is delivery? Can I pay by card? Do you ship to Lviv?",
                 ["How much is delivery?", "Can I pay by card?", "Do you ship to Lviv?"], id="three"),
    # Found by QA: a second question joined by "and" got no answer.
    pytest.param("Де моє замовлення і чи можна повернути товар?",
                 ["Де моє замовлення", "чи можна повернути товар?"], id="uk-and-then-question-word"),
    pytest.param("скока стоит доставка в кіев і як оплатить", ["скока стоит доставка в кіев", "як оплатить"],
                 id="surzhyk-and-no-mark"),
    pytest.param("Сколько стоит доставка, и можно ли оплатить картой?",
                 ["Сколько стоит доставка", "можно ли оплатить картой?"], id="ru-comma-and"),
    pytest.param("What is the price and when will it ship?", ["What is the price", "when will it ship?"],
                 id="en-and"),
])
def test_questions_split_at_question_marks_and_line_breaks(text, questions) -> None:
    assert split_questions(text) == questions


@pytest.mark.parametrize("text", [
    pytest.param("Скільки коштує доставка?", id="one-question"),
    pytest.param("Привіт! Скільки коштує доставка?", id="greeting-then-question"),
    pytest.param("What? Where is my order?", id="one-word-piece-left-out"),
    pytest.param("Where is my new card? I have been waiting a week!", id="a-question-and-why"),
    pytest.param("I ordered my card 2 weeks ago and it still isn't here? It was sent to Kyiv.",
                 id="what-follows-the-last-mark-explains"),
    pytest.param("a b? c d? e f? g h?", id="four-questions-read-whole"),
    pytest.param("Can I return and exchange items?", id="and-joining-two-words"),
    pytest.param("доставка і оплата", id="and-without-a-question-word"),
    pytest.param("Where is my order and why?", id="and-then-one-word"),
    pytest.param("скажіть де і коли можна забрати замовлення", id="and-between-two-question-words"),
    pytest.param("", id="empty"),
    pytest.param("?\n?\n\n", id="only-marks"),
])
def test_other_messages_are_read_whole(text) -> None:
    assert split_questions(text) == []
