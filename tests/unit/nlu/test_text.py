import pytest

from nlu.text import MAX_CHARS, has_letters, lemmas, normalize, script_of, tokenize


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("До\u200bставка\u200d", "доставка", id="zero-width-removed"),
        pytest.param("  ЁЛКА   ёж ", "елка еж", id="yo-folded-and-spaces-collapsed"),
        pytest.param("кур\u2019єр", "кур'єр", id="apostrophes-unified"),
        pytest.param("\ufeff", "", id="only-invisible"),
        pytest.param("ＤＥＬＩＶＥＲＹ", "delivery", id="fullwidth-folded"),
        pytest.param("Вона йде, йти ймовірно", "вона іде, іти імовірно", id="uk-opening-y-as-i"),
        pytest.param("мій йогурт, п'йте", "мій йогурт, п'йте", id="other-y-kept"),
    ],
)
def test_normalize(raw, expected):
    assert normalize(raw) == expected


def test_normalize_cuts_long_messages():
    assert len(normalize("доставка " * 5000)) <= MAX_CHARS


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        pytest.param("замовленням кур'єрами", "uk", ["замовлення", "кур'єр"], id="uk"),
        pytest.param("заказами курьерам", "ru", ["заказ", "курьер"], id="ru"),
        pytest.param("deliveries returned", "en", ["deliveri", "return"], id="en-stems"),
    ],
)
def test_lemmas(text, language, expected):
    assert lemmas(normalize(text), language) == expected


@pytest.mark.parametrize(
    ("text", "letters", "script"),
    [
        pytest.param("😀😀 !!!", False, None, id="emoji"),
        pytest.param("12345", False, None, id="digits"),
        pytest.param("доставка delivery", True, "cyrillic", id="mixed-cyrillic-wins-tie"),
        pytest.param("where is my доставка", True, "latin", id="mixed-latin"),
    ],
)
def test_letters_and_script(text, letters, script):
    assert has_letters(text) is letters
    assert script_of(text) == script


def test_tokenize_keeps_inner_apostrophes():
    assert tokenize("пам'ять, don't") == ["пам'ять", "don't"]
