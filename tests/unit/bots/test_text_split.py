"""Splitting long texts, and outbox messages with their HTML, at the channel limits."""

import pytest

from bots.text_split import message_parts, split_text


def test_short_text_is_one_part():
    assert split_text("hello", 4096) == ["hello"]
    assert split_text("", 10) == [""]


@pytest.mark.parametrize(("text", "limit", "parts"), [
    pytest.param("aaaa\n\nbbbb", 8, ["aaaa", "bbbb"], id="paragraph"),
    pytest.param("aaaa\nbbbb cc", 9, ["aaaa", "bbbb cc"], id="line"),
    pytest.param("One two. Three four", 12, ["One two.", "Three four"], id="sentence"),
    pytest.param("one two three", 9, ["one two", "three"], id="word"),
    pytest.param("abcdefghij", 4, ["abcd", "efgh", "ij"], id="hard-cut"),
])
def test_cuts_at_the_most_natural_boundary(text, limit, parts):
    assert split_text(text, limit) == parts


@pytest.mark.parametrize("limit", [4096, 7000])
def test_every_part_fits_and_nothing_is_lost(limit):
    text = ("Доставка займає 2-3 дні. " * 40 + "\n") * 40
    parts = split_text(text, limit)
    assert len(parts) > 1
    assert all(len(part) <= limit for part in parts)
    assert "".join(parts).replace(" ", "").replace("\n", "") == text.replace(" ", "").replace("\n", "")


def test_limit_must_be_positive():
    with pytest.raises(ValueError, match="positive"):
        split_text("x", 0)


BUTTONS = [[{"text": "👍", "data": "fb:x:up"}]]


def test_a_message_that_fits_goes_out_whole_with_its_html():
    payload = {"text": "Costs 70 UAH", "html": "Costs <b>70 UAH</b>", "buttons": BUTTONS, "keyboard": "inline"}
    assert message_parts(payload, 4096) == [payload]
    assert message_parts(payload, None) == [payload]


def test_html_over_the_limit_goes_out_as_the_plain_text():
    payload = {"text": "Costs 70 UAH", "html": "Costs <b>70 UAH</b>", "buttons": BUTTONS, "keyboard": "inline"}
    assert message_parts(payload, 15) == [{"text": "Costs 70 UAH", "buttons": BUTTONS, "keyboard": "inline"}]


def test_a_long_message_is_split_plain_with_the_buttons_under_the_last_part():
    text = "One two. Three four"
    payload = {"text": text, "html": "<b>One</b> two. Three four", "buttons": BUTTONS, "keyboard": "inline",
               "message_id": 7}
    assert message_parts(payload, 12) == [
        {"text": "One two.", "buttons": [], "keyboard": None, "message_id": 7},
        {"text": "Three four", "buttons": BUTTONS, "keyboard": "inline", "message_id": 7},
    ]
