"""Whole-message greetings and thanks in Ukrainian, Russian and English; anything more is a question."""

import pytest

from nlu.small_talk import GREETING, THANKS, small_talk


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
    pytest.param("Thanks a lot", id="en-a-lot"),
    pytest.param("hi, thanks!", id="greeting-and-thanks"),
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
    pytest.param("ok", id="ok-alone"),
    pytest.param("very much", id="filler-alone"),
    pytest.param("👍 10234", id="emoji-and-number"),
    pytest.param("", id="empty"),
    pytest.param("hello world", id="unknown-word"),
])
def test_anything_more_is_not_small_talk(text):
    assert small_talk(text) is None
