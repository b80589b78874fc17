import pytest

from nlu.language import detect_language


@pytest.mark.parametrize(
    ("text", "kwargs", "expected"),
    [
        pytest.param("Скільки коштує доставка до Львова?", {}, "uk", id="uk-sentence"),
        pytest.param("Сколько стоит доставка до Львова?", {}, "ru", id="ru-sentence"),
        pytest.param("How much is delivery to Lviv?", {}, "en", id="en-sentence"),
        pytest.param(
            "Сколько стоит доставка до Львова?", {"previous": "uk"}, "ru", id="long-message-switches"
        ),
        pytest.param("оператор", {"previous": "uk"}, "uk", id="one-word-keeps-previous-uk"),
        pytest.param("доставка?", {"previous": "ru"}, "ru", id="one-shared-word-does-not-flip-ru"),
        pytest.param("менеджер", {"previous": "uk", "hint": "ru"}, "uk", id="one-shared-word-keeps-uk-over-hint"),
        pytest.param("так", {"previous": "ru"}, "ru", id="tak-is-shared"),
        pytest.param("ok", {"previous": "ru"}, "ru", id="one-latin-word-does-not-flip-ru"),
        pytest.param("расскажи анекдот", {"previous": "en"}, "ru", id="short-cyrillic-after-en-switches"),
        pytest.param("оператор", {"previous": "en", "hint": "uk"}, "uk", id="cyrillic-after-en-follows-hint"),
        pytest.param("доставка", {"hint": "uk"}, "uk", id="one-word-follows-hint"),
        # Found by QA: Ukrainians with Telegram in English were answered in Russian.
        pytest.param("доставка", {"hint": "en"}, "uk", id="shared-word-with-en-hint-takes-default"),
        pytest.param("оператор", {}, "uk", id="shared-word-without-hint-takes-default"),
        pytest.param("оператор", {"default": "ru"}, "ru", id="shared-word-takes-ru-default"),
        pytest.param("доставка", {"hint": "en", "default": "en"}, "ru", id="no-cyrillic-choice-leaves-lingua"),
        pytest.param("нова пошта", {"hint": "en"}, "uk", id="shared-looking-words-not-belarusian"),
        pytest.param("оператор", {"hint": "ru"}, "ru", id="shared-word-follows-ru-hint"),
        pytest.param("расскажи анекдот", {"hint": "en"}, "ru", id="confident-ru-without-marks"),
        pytest.param("😀👍", {"previous": "en"}, "en", id="emoji-keeps-previous"),
        pytest.param("", {}, "uk", id="empty-default"),
        pytest.param("😀", {"hint": "ru-RU"}, "ru", id="hint-with-region"),
        pytest.param("Колькі каштуе дастаўка ў Мінск?", {}, "ru", id="belarusian-answered-in-russian"),
        pytest.param("???", {"hint": "de"}, "uk", id="unsupported-hint-default"),
        # Product names are Latin in every language: they do not switch a Cyrillic conversation.
        pytest.param("iPhone 15 Pro Max", {"previous": "ru"}, "ru", id="product-name-keeps-ru"),
        pytest.param("Samsung Galaxy S24 Ultra 512GB", {"previous": "uk"}, "uk", id="long-product-name-keeps-uk"),
        pytest.param("Nike Air Max 90", {"previous": "uk"}, "uk", id="brand-keeps-uk"),
        pytest.param("Where is my order?", {"previous": "uk"}, "en", id="english-sentence-after-uk-switches"),
        pytest.param("Do you ship to Poland", {"previous": "ru"}, "en", id="english-question-after-ru-switches"),
        pytest.param("iPhone 15 Pro Max", {}, "en", id="product-name-alone-is-latin"),
        # Found by QA: a stray key of the Russian layout switched a Ukrainian shopper to Russian.
        pytest.param("скільки коштує доставка ы", {"hint": "uk"}, "uk", id="stray-letter-keeps-uk"),
        pytest.param("скільки коштує доствка ы", {"hint": "uk"}, "uk", id="stray-letter-and-typo-keep-uk"),
        pytest.param("и где мой заказ сейчас", {"hint": "uk"}, "ru", id="one-letter-words-still-count"),
    ],
)
def test_detect_language(text, kwargs, expected):
    assert detect_language(text, **kwargs) == expected


# Found by QA: after one Russian message a shopper's Ukrainian thanks and greetings were answered in Russian.
@pytest.mark.parametrize(
    "text",
    ["Привіт", "дякую", "дуже дякую", "дякую, Тарасе!", "ок дякую", "будь ласка", "добрий день", "ні",
     "є знижка?", "ґудзик"],
)
@pytest.mark.parametrize("kwargs", [{"previous": "ru"}, {"hint": "ru"}, {"previous": "en"}, {"hint": "en"}, {}])
def test_words_only_ukrainian_writes_answer_in_ukrainian(text, kwargs):
    assert detect_language(text, **kwargs) == "uk"


@pytest.mark.parametrize(
    "text", ["спасибо", "пожалуйста", "Привет", "спасибо, Тарас!", "ок, спасибо", "добрый день", "ещё", "эх", "ы?"],
)
@pytest.mark.parametrize("kwargs", [{"previous": "uk"}, {"hint": "uk"}, {"previous": "en"}, {"hint": "en"}, {}])
def test_words_only_russian_writes_answer_in_russian(text, kwargs):
    assert detect_language(text, **kwargs) == "ru"


@pytest.mark.parametrize(
    ("text", "kwargs", "expected"),
    [
        # Both languages' marks: neither decides ("спасибо" and "дякую" together).
        pytest.param("спасибо, дякую", {"previous": "uk"}, "uk", id="both-marks-keep-previous"),
        # Place names keep their Ukrainian spelling in Russian sentences.
        pytest.param("Сколько стоит доставка в Київ?", {"previous": "uk"}, "ru", id="ukrainian-place-in-ru"),
        pytest.param("Оформите доставку в Київ, пожалуйста, мне очень надо", {"hint": "uk"}, "ru",
                     id="more-ru-marks-than-uk"),
        pytest.param("Доставка в Київ будет завтра или послезавтра?", {"hint": "uk"}, "ru",
                     id="ru-words-outweigh-place"),
        pytest.param("Замовте доставку в Київ, потрібно завтра", {"hint": "ru"}, "uk", id="uk-marks-decide"),
        # A longer message lingua reads confidently is not overruled by one word of the other language.
        pytest.param("Доставку в Київ отправите вечером?", {"hint": "uk"}, "ru", id="confident-long-ru-keeps-lingua"),
    ],
)
def test_marks_of_both_or_a_confident_sentence(text, kwargs, expected):
    assert detect_language(text, **kwargs) == expected


def test_default_language_is_used_when_nothing_is_known():
    assert detect_language("!!!", default="en") == "en"


@pytest.mark.parametrize("text", ["مرحبا، كم تكلفة التوصيل؟", "שלום, כמה עולה משלוח?", "送料はいくらですか"])
def test_a_script_none_of_the_languages_uses_keeps_what_is_known(text):
    # Found on the demo: lingua gives every language 0 for these, and the first of them (Belarusian,
    # answered in Russian) won, so a Ukrainian browser got Russian answers from then on.
    assert detect_language(text, hint="uk") == "uk"
    assert detect_language(text, previous="en", hint="uk") == "en"
    assert detect_language(text, default="en") == "en"
