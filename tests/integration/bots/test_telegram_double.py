"""The Telegram double refuses what the real Bot API refuses, so tests passing against it mean something."""

import httpx
import pytest

from tests.support.telegram_html import UnparsableHtml, visible_text

TOO_LONG = {"ok": False, "error_code": 400, "description": "Bad Request: message is too long"}


async def send_message(telegram, **params) -> httpx.Response:
    async with httpx.AsyncClient(timeout=5) as client:
        return await client.post(f"{telegram.url}/bot{telegram.token}/sendMessage", json={"chat_id": 42, **params})


@pytest.mark.parametrize(("params", "accepted"), [
    pytest.param({"text": "😀" * 2048}, True, id="4096-units"),
    pytest.param({"text": "😀" * 2048 + "!"}, False, id="4097-units"),
    pytest.param({"text": "a" * 4097}, False, id="4097-characters"),
    pytest.param({"text": "<b>" + "😀" * 2048 + "</b>", "parse_mode": "HTML"}, True, id="tags-do-not-count"),
    pytest.param({"text": "&amp;" * 4096, "parse_mode": "HTML"}, True, id="an-entity-counts-one"),
    pytest.param({"text": "&amp;" * 4097, "parse_mode": "HTML"}, False, id="4097-entities"),
    pytest.param({"text": "&amp;" * 1000}, False, id="entities-count-in-full-without-parse-mode"),
])
async def test_the_double_counts_the_text_after_parsing_in_utf16_units(telegram, params, accepted):
    response = await send_message(telegram, **params)
    if accepted:
        assert response.status_code == 200 and response.json()["ok"] is True
        assert len(telegram.sent(42)) == 1
    else:
        assert (response.status_code, response.json()) == (400, TOO_LONG)
        assert telegram.sent() == []


@pytest.mark.parametrize(("markup", "error"), [
    pytest.param("Hi <foo> &amp; bye", 'Unsupported start tag "foo" at byte offset 3', id="unknown-tag"),
    pytest.param("😀 <p>x</p>", 'Unsupported start tag "p" at byte offset 5', id="offset-in-utf8-bytes"),
    pytest.param("1 < 2", 'Unsupported start tag "" at byte offset 2', id="bare-less-than"),
    pytest.param("<b>x", 'Can\'t find end tag corresponding to start tag "b"', id="unclosed"),
    pytest.param("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"',
                 id="bad-nesting"),
    pytest.param("x</b>", "Unexpected end tag at byte offset 1", id="end-without-start"),
    pytest.param("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0', id="plain-span"),
    pytest.param("a<br/>b", 'Unsupported start tag "br/" at byte offset 1', id="self-closing"),
    pytest.param("a <!-- note --> b", 'Unsupported start tag "!--" at byte offset 2', id="comment"),
])
async def test_the_double_refuses_html_telegram_cannot_parse(telegram, markup, error):
    response = await send_message(telegram, text=markup, parse_mode="HTML")
    assert (response.status_code, response.json()) == (
        400, {"ok": False, "error_code": 400, "description": f"Bad Request: can't parse entities: {error}"})
    assert telegram.sent() == []
    assert (await send_message(telegram, text=markup)).status_code == 200  # without parse_mode it is just text


@pytest.mark.parametrize(("markup", "text"), [
    pytest.param('<b>B</b><strong>S</strong><i>I</i><em>E</em><u>U</u><ins>N</ins><s>S</s><strike>K</strike>'
                 '<del>D</del><tg-spoiler>T</tg-spoiler><span class="tg-spoiler">P</span>'
                 '<a href="https://shop.ua/?a=1&amp;b=2">A</a><code>C</code><pre>R</pre>'
                 '<blockquote expandable>Q</blockquote><tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>',
                 "BSIEUNSKDTPACRQ👍", id="every-supported-tag"),
    pytest.param("<B>Hi</B> &lt;b&gt; &amp; &quot;x&quot; &#128512; &#x1F600;", 'Hi <b> & "x" 😀 😀', id="entities"),
    pytest.param("&nbsp;&copy; a & b", "&nbsp;&copy; a & b", id="other-entities-stay-as-typed"),
    pytest.param("<pre><code>x = 1</code></pre>", "x = 1", id="nested"),
])
def test_the_text_telegram_shows(markup, text):
    assert visible_text(markup) == text


def test_a_parse_error_names_the_innermost_open_tag():
    with pytest.raises(UnparsableHtml, match='start tag "i"'):
        visible_text("<b><i>x")
