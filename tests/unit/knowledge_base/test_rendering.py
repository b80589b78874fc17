"""The Markdown subset rendered for Telegram HTML, Viber plain text and web HTML, safely."""

import pytest

from knowledge_base.rendering import render

ANSWER = ("Delivery is **free** from *1500 UAH*, see [terms](https://shop.ua/terms?a=1&b=2).\n"
          "Code: `FREE<1>`\n\n- courier\n- post office\n\n1. pay\n2. wait")


def test_telegram_html() -> None:
    assert render(ANSWER, "telegram") == (
        'Delivery is <b>free</b> from <i>1500 UAH</i>, see <a href="https://shop.ua/terms?a=1&amp;b=2">terms</a>.\n'
        "Code: <code>FREE&lt;1&gt;</code>\n\n• courier\n• post office\n\n1. pay\n2. wait")


def test_viber_plain_text() -> None:
    assert render(ANSWER, "viber") == (
        "Delivery is free from 1500 UAH, see terms (https://shop.ua/terms?a=1&b=2).\n"
        "Code: FREE<1>\n\n• courier\n• post office\n\n1. pay\n2. wait")


def test_web_html() -> None:
    assert render(ANSWER, "web") == (
        '<p>Delivery is <strong>free</strong> from <em>1500 UAH</em>, see <a href="https://shop.ua/terms?a=1&amp;b=2"'
        ' rel="nofollow noopener noreferrer" target="_blank">terms</a>.<br>Code: <code>FREE&lt;1&gt;</code></p>\n'
        "<ul><li>courier</li><li>post office</li></ul>\n<ol><li>pay</li><li>wait</li></ol>")


@pytest.mark.parametrize("target", ["telegram", "web"])
@pytest.mark.parametrize("evil", [
    pytest.param("<script>alert(1)</script>", id="script"),
    pytest.param('<img src=x onerror="alert(1)">', id="img-onerror"),
    pytest.param("[click](javascript:alert(1))", id="javascript-link"),
    pytest.param('[x](https://a.b/"onmouseover="alert(1))', id="attribute-breakout"),
])
def test_injection_is_rendered_as_text(target, evil) -> None:
    html = render(f"Hi {evil}", target)
    assert "<script" not in html and "<img" not in html and "javascript:" not in html.split('href="')[-1][:11]
    assert 'href="javascript' not in html
    assert '"onmouseover' not in html


def test_an_unsafe_link_stays_literal_text_in_viber() -> None:
    assert render("[click](javascript:alert(1))", "viber") == "[click](javascript:alert(1))"
