"""Typed ratings as shoppers write them (found by QA: "5 stars, thanks!", "четыре" and "ставлю 3" got the
bot's fallback and the rating was lost), and questions that merely hold a small number."""

import pytest

from handoff.ratings import is_praise, parse_rating


@pytest.mark.parametrize(("text", "score"), [
    ("5", 5), ("csat:4", 4), ("5 stars, thanks!", 5), ("четыре", 4), ("ставлю 3", 3), ("п'ять", 5),
    ("пʼять", 5), ("5/5", 5), ("4 з 5", 4), ("1 out of 5", 1), ("2 звезды", 2), (" 4 ⭐ ", 4),
    ("Оцінка: три, дякую", 3),
    # Found by the second QA pass:
    ("⭐⭐⭐⭐⭐", 5), ("★★★", 3), ("ставлю пятерку", 5), ("3, могло быть быстрее", 3), ("4 - все ок, але довго", 4),
    # Found by the fourth QA pass: a complaint after "N stars" lost the rating, so low scores went missing.
    ("2 stars, too slow", 2), ("1 star, awful", 1), ("2 stars too slow", 2), ("ставлю 2, долго", 2),
    ("2 зірки, довго", 2), ("3 звезды — долго", 3), ("4/5 долго", 4), ("Оцінка 1: грубо", 1), ("2 бали, довго", 2),
    # Found by the talk QA (F3): no apostrophe, thanks after the digit, the affectionate form, ten points.
    ("пятірку", 5), ("ставлю пятірку, дуже дякую", 5), ("5 дуже дякую", 5), ("на пятерочку", 5),
    ("спасибо большое, 5", 5), ("10/10", 5), ("9/10", 5), ("6/10, долго", 3),
])
def test_a_typed_rating_is_read(text, score) -> None:
    assert parse_rating(text) == score


@pytest.mark.parametrize("text", [
    "order 3?", "where is parcel 2", "3 4", "10", "0", "дякую", "hello 5", "csat:9", "csat:", "", "5 з 10",
    "⭐⭐⭐⭐⭐⭐", "2 items are missing", "3 days ago I ordered", "6, please",
    "where is parcel 2, please", "Can I return 2 items, please?", "1 of 5 items broken", "2 starship",
    # Found in review: loyalty points are asked about, not rated with.
    "2 бали не нарахувались за замовлення", "5 points missing from my order", "3 бали за відгук де?",
    "3/10 доставили?", "замовлення 10/10", "10/100", "все супер",
])
def test_anything_else_is_no_rating(text) -> None:
    assert parse_rating(text) is None


@pytest.mark.parametrize("text", [
    "все супер", "відмінно", "отлично", "great service!", "дякую, все супер", "спасибо, всё отлично!", "все добре",
    "very helpful, thanks", "ви молодці",
])
def test_praise_is_told(text) -> None:
    assert is_praise(text)


@pytest.mark.parametrize("text", [
    "добре", "ок", "не дуже добре", "not great", "супер, а де посилка?", "отлично, а когда доставка?", "дякую", "",
    "great, where is my order?",
])
def test_anything_else_is_no_praise(text) -> None:
    assert not is_praise(text)
