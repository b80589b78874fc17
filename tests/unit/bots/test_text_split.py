"""Splitting long texts, and outbox messages with their HTML, at the channel limits."""

import pytest

from bots.text_split import message_parts, split_text, utf16_length


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


# --- Telegram counts UTF-16 code units -----------------------------------------------------------

def test_utf16_length_counts_astral_characters_twice():
    assert utf16_length("") == 0
    assert utf16_length("Ґанок é") == 7
    assert utf16_length("😀") == 2
    assert utf16_length("👍🏽") == 4  # thumbs up and its skin tone, both outside the BMP
    assert utf16_length("\ud83d") == 1  # a lone surrogate from a broken client counts, rather than raising


@pytest.mark.parametrize(("emoji", "parts"), [
    pytest.param(2048, 1, id="4096-units-fit"),
    pytest.param(2049, 2, id="4098-units-split"),
])
def test_emoji_heavy_text_at_the_telegram_limit(emoji, parts):
    text = "😀" * emoji  # 2 units each, and one long "word": only a hard cut can split it
    split = split_text(text, 4096, utf16_length)
    assert len(split) == parts
    assert all(utf16_length(part) <= 4096 for part in split)
    assert "".join(split) == text


def test_emoji_text_that_fits_in_characters_is_still_split_for_telegram():
    text = ("Доставка 🚚 завтра 📦! " * 200)[:4000].strip()
    assert len(text) <= 4096 < utf16_length(text)
    assert split_text(text, 4096) == [text]  # characters: one part (what Viber gets)
    parts = split_text(text, 4096, utf16_length)
    assert len(parts) == 2 and all(utf16_length(part) <= 4096 for part in parts)
    assert " ".join(parts) == text  # cut at a space, nothing lost


def test_a_surrogate_pair_at_the_cut_moves_whole_to_the_next_part():
    text = "a" * 4095 + "😀" + "b" * 10  # the emoji's units would be the 4096th and 4097th
    first, second = split_text(text, 4096, utf16_length)
    assert (first, second) == ("a" * 4095, "😀" + "b" * 10)
    assert first.encode("utf-16-le").decode("utf-16-le") == first  # no lone half of the pair left behind


@pytest.mark.parametrize("grapheme", [
    pytest.param("🇺🇦", id="flag"),
    pytest.param("👍🏽", id="skin-tone"),
    pytest.param("👨‍👩‍👧", id="zwj-family"),
    pytest.param("\u0438\u0306", id="combining-breve"),
])
def test_a_hard_cut_never_splits_a_grapheme(grapheme):
    text = "x" * 9 + grapheme * 3
    parts = split_text(text, 10, utf16_length)
    assert "".join(parts) == text
    assert all(utf16_length(part) <= 10 for part in parts)
    assert all(part.replace("x", "").replace(grapheme, "") == "" for part in parts)


def test_a_grapheme_longer_than_the_limit_is_cut_between_code_points():
    family = "👨‍👩‍👧"  # 8 UTF-16 units
    assert split_text(family, 4, utf16_length) == ["👨\u200d", "👩\u200d", "👧"]


def test_a_message_fits_by_the_channels_own_measure():
    text = "😀" * 3000
    payload = {"text": text, "html": f"<b>{text}</b>", "buttons": BUTTONS, "keyboard": "inline"}
    assert message_parts(payload, 4096) == [payload]  # 3007 characters: whole, formatted
    parts = message_parts(payload, 4096, utf16_length)  # 6007 units: plain text in two parts
    assert [part["text"] for part in parts] == ["😀" * 2048, "😀" * 952]
    assert [("html" in part, part["buttons"], part["keyboard"]) for part in parts] == [
        (False, [], None), (False, BUTTONS, "inline")]
