"""Whole-message greetings and thanks in Ukrainian, Russian and English; anything more is a question."""

import pytest

from nlu.small_talk import ACKNOWLEDGEMENT, GREETING, NEGATION, THANKS, small_talk


@pytest.mark.parametrize("text", [
    pytest.param("Привіт!", id="uk-hi"),
    pytest.param("Здрастуйте", id="uk-hello"),
    pytest.param("Добрий день", id="uk-good-day"),
    pytest.param("доброго ранку)", id="uk-morning"),
    pytest.param("Здравствуйте!", id="ru-hello"),
    pytest.param("Привет, добрый вечер", id="ru-two-greetings"),
    pytest.param("Доброго времени суток", id="ru-any-time"),
    pytest.param("Hello", id="en-hello"),
    pytest.param("hi there", id="en-hi-there"),
    pytest.param("Good morning!", id="en-morning"),
])
def test_greetings(text):
    assert small_talk(text) == GREETING


@pytest.mark.parametrize("text", [
    pytest.param("дякую!", id="uk"),
    pytest.param("Дуже дякую за допомогу 🙏", id="uk-for-the-help"),
    pytest.param("ок, дякую", id="uk-ok"),
    pytest.param("Спасибо большое", id="ru"),
    pytest.param("спс", id="ru-short"),
    pytest.param("thank you!", id="en"),
    pytest.param("дякую ще раз", id="uk-again"),
    pytest.param("Спасибо ещё раз за всё!", id="ru-again-for-everything"),
    pytest.param("thanks again", id="en-again"),
    pytest.param("Thanks a lot", id="en-a-lot"),
    pytest.param("hi, thanks!", id="greeting-and-thanks"),
    pytest.param("cool thanks", id="en-cool"),
    pytest.param("ні, дякую", id="uk-no-thanks"),
    pytest.param("👍", id="thumbs-up"),
    pytest.param("👍🏽", id="thumbs-up-skin-tone"),
    pytest.param("❤️", id="heart"),
])
def test_thanks(text):
    assert small_talk(text) == THANKS


@pytest.mark.parametrize("text", [
    pytest.param("Привіт, скільки коштує доставка?", id="uk-greeting-then-question"),
    pytest.param("Здравствуйте, где мой заказ", id="ru-greeting-then-question"),
    pytest.param("Hi, can I pay by card?", id="en-greeting-then-question"),
    pytest.param("дякую, а коли прийде?", id="uk-thanks-then-question"),
    pytest.param("very much", id="filler-alone"),
    pytest.param("👍 10234", id="emoji-and-number"),
    pytest.param("", id="empty"),
    pytest.param("hello world", id="unknown-word"),
])
def test_anything_more_is_not_small_talk(text):
    assert small_talk(text) is None


@pytest.mark.parametrize("text", [
    pytest.param("ок", id="uk-ok"),
    pytest.param("зрозуміло", id="uk-understood"),
    pytest.param("ясно", id="uk-clear"),
    pytest.param("добре!", id="uk-fine"),
    pytest.param("ок, понял", id="ru-ok-got-it"),
    pytest.param("понятно", id="ru-understood"),
    pytest.param("ok", id="en-ok"),
    pytest.param("Got it.", id="en-got-it"),
    pytest.param("lol ok", id="en-lol-ok"),
])
def test_acknowledgements(text):
    assert small_talk(text) == ACKNOWLEDGEMENT


@pytest.mark.parametrize("text", [
    pytest.param("ні", id="uk-no"),
    pytest.param("не це", id="uk-not-this"),
    pytest.param("ні, не те", id="uk-no-not-that"),
    pytest.param("ні, я про інше", id="uk-something-else"),
    pytest.param("нет", id="ru-no"),
    pytest.param("Не то!", id="ru-not-that"),
    pytest.param("нет, не то", id="ru-no-not-that"),
    pytest.param("no", id="en-no"),
    pytest.param("No, that's not it", id="en-not-it"),
])
def test_negations(text):
    assert small_talk(text) == NEGATION


@pytest.mark.parametrize("text", [
    pytest.param("не", id="particle-alone"),
    pytest.param("ні, не отримав посилку", id="uk-no-then-story"),
    pytest.param("нет, не то пришло", id="ru-wrong-item-came"),
    pytest.param("no, the parcel never arrived", id="en-no-then-story"),
    pytest.param("ok, where is my order?", id="en-ok-then-question"),
])
def test_a_no_or_ok_with_more_is_a_question(text):
    assert small_talk(text) is None
