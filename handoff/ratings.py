"""Reading a 1–5 rating from what the shopper pressed or typed after "Please rate our help from 1 to 5".

Shoppers rarely type the bare digit: "5 stars, thanks!", "ставлю пятерку", "⭐⭐⭐⭐", "3, могло быть
быстрее". A message counts as a rating when it is only stars, when it opens with a score followed by a
comment or by its unit ("2 stars too slow"), or when, besides one score (a digit or a number word), it
holds only words that go with rating ("stars", "оцінка", "дякую", "/5") — on its own or before a
comment after a comma or a dash ("ставлю 2, долго") — so "order 3?" or "where is parcel 2" stays a
question. "10/10" is read on the five-point scale (5). Praise instead of a score ("все супер", "отлично",
"great service!") is no rating, but :func:`is_praise` tells it from a question, so the shopper is thanked
rather than told the bot did not understand.
"""

from __future__ import annotations

import re

CSAT_SCORES = range(1, 6)
CSAT_PREFIX = "csat:"

_NUMBER_WORDS = {
    1: ("один", "одна", "одну", "одиниця", "одиницю", "единица", "единицу", "one"),
    2: ("два", "дві", "две", "двійка", "двійку", "двойка", "двойку", "two"),
    3: ("три", "трійка", "трійку", "тройка", "тройку", "three"),
    4: ("чотири", "четыре", "четвірка", "четвірку", "четверка", "четверку", "four"),
    # On a phone the apostrophe is mostly left out ("пятірку") and the affectionate form is common ("на пятерочку").
    5: ("пять", "п'ять", "пʼять", "пʼятірка", "п'ятірка", "пʼятірку", "п'ятірку", "пятірка", "пятірку", "п'ятірочку",
        "пятірочку", "пятерка", "пятерку", "пятёрку", "пятерочка", "пятерочку", "пятёрочка", "пятёрочку", "five"),
}
_STARS = re.compile(r"^[\s⭐★]+$")  # "⭐⭐⭐⭐⭐": the score is the number of stars
# "3, могло быть быстрее": a score first, then a comment after a comma or the like, is the score.
_SCORE_THEN_COMMENT = re.compile(r"^\s*([1-5])\s*(?:[,.!:;)]|\s[-–—])\s*\S")
# "2 stars too slow", "4/5 долго": a score with stars or the scale first says it is a rating, whatever
# follows. Points are not enough: "2 бали не нарахувались" asks about loyalty points.
_SCORE_WITH_UNIT = re.compile(
    r"^\s*([1-5])\s*(?:/\s*5|(?:stars?|зірк[аиоу]?|зірок|звезд[аыу]?)(?![^\W_]))", re.IGNORECASE)
# "10/10": a score out of ten, read as its half rounded up. Only with the slash: "5 з 10" may count items.
_OUT_OF_TEN = re.compile(r"(?<![\d/])(10|[1-9])\s*/\s*10(?![\d/])")
# Where a comment begins after a rating: "2 stars, too slow", "ставлю 2 — довго".
_COMMENT_START = re.compile(r"[,.!:;)]|\s[-–—]\s")
_SCORE_OF_WORD = {word: score for score, words in _NUMBER_WORDS.items() for word in words}
# Words that go with a rating and say nothing else; anything beyond these makes the message a question.
_RATING_WORDS = frozenset((
    "star", "stars", "зірка", "зірки", "зірок", "звезда", "звезды", "звезд", "бал", "бали", "балів", "балл",
    "балла", "баллов", "point", "points", "ставлю", "give", "i", "rate", "rating", "оцінка", "оцінюю", "оценка",
    "оцениваю", "оцінку", "оценку", "my", "моя", "з", "із", "из", "of", "out", "на",
    "thanks", "thank", "you", "thx", "дякую", "спасибо", "спасибі", "дякуємо", "благодарю", "ok", "ок", "okay",
    "good", "добре", "хорошо", "супер", "great", "дуже", "очень", "большое", "велике", "огромное", "very", "much",
))
# Praise that says the help was good without a score. A negation or any other word is not in these lists,
# so "не дуже добре" or "not great, where is my parcel" is not taken for praise.
_PRAISE_WORDS = frozenset((
    "супер", "відмінно", "чудово", "класно", "клас", "прекрасно", "ідеально", "круто", "молодці", "молодець",
    "найкращі", "задоволений", "задоволена", "задоволені", "відмінний", "чудовий", "чудова",
    "отлично", "отличный", "отличная", "замечательно", "класс", "классно", "идеально", "шикарно",
    "молодцы", "молодец", "лучшие", "доволен", "довольна", "довольны",
    "great", "excellent", "awesome", "perfect", "amazing", "fantastic", "wonderful", "brilliant", "helpful",
    "best", "satisfied",
))
# Mild words that praise only with "все"/"very" beside them: "все добре", "very good" (a bare "добре" is an
# acknowledgement).
_MILD_PRAISE = frozenset(("добре", "хорошо", "ок", "ok", "good", "nice", "fine", "норм", "нормально"))
_PRAISE_AROUND = frozenset((
    "все", "всё", "усе", "дуже", "очень", "very", "so", "really", "everything", "all", "service", "сервіс",
    "сервис", "обслуговування", "обслуживание", "допомога", "помощь", "help", "job", "work", "робота", "работа",
    "ви", "вы", "you", "are", "were", "was", "is", "it", "the", "було", "было", "вам", "вас", "a", "просто",
    "just", "thanks", "thank", "thx", "дякую", "дякуємо", "спасибо", "спасибі", "благодарю", "велике",
    "большое", "огромное", "much", "за", "for", "допомогу",
))
_INTENSIFIERS = frozenset(("все", "всё", "усе", "дуже", "очень", "very", "so", "really", "everything", "all"))
_TOKEN = re.compile(r"[^\W_]+(?:['ʼ’][^\W_]+)?")


def csat_buttons() -> list[list[tuple[str, str]]]:
    """The rating buttons "1"…"5" in one row, as (label, callback data)."""
    return [[(str(score), f"{CSAT_PREFIX}{score}") for score in CSAT_SCORES]]


def parse_rating(text: str) -> int | None:
    """The 1–5 score of a "csat:N" button or of a typed rating, else None."""
    value = text.strip()
    if value.startswith(CSAT_PREFIX):
        value = value.removeprefix(CSAT_PREFIX)
        return int(value) if value.isdigit() and int(value) in CSAT_SCORES else None
    value = _OUT_OF_TEN.sub(lambda ten: str((int(ten.group(1)) + 1) // 2), value, count=1)
    if _STARS.match(value):
        stars = value.count("⭐") + value.count("★")
        return stars if stars in CSAT_SCORES else None
    if commented := _SCORE_THEN_COMMENT.match(value) or _SCORE_WITH_UNIT.match(value):
        return int(commented.group(1))
    # Unhappy shoppers add a complaint after the rating ("1 star, awful"): the part before it decides.
    if (cut := _COMMENT_START.search(value)) and (score := _score_among_rating_words(value[:cut.start()])):
        return score
    return _score_among_rating_words(value)


def _score_among_rating_words(value: str) -> int | None:
    """The score of a text that holds one score and, besides it, only words that go with rating."""
    scores, others = [], []
    for token in _TOKEN.findall(value.lower().replace("’", "'")):
        if token.isdigit():
            scores.append(int(token))
        elif token in _SCORE_OF_WORD:
            scores.append(_SCORE_OF_WORD[token])
        elif token not in _RATING_WORDS:
            others.append(token)
    # "5/5" and "5 з 5" name the scale too: the first number is the score.
    if others or not scores or len(scores) > 2 or (len(scores) == 2 and scores[1] != 5):
        return None
    return scores[0] if scores[0] in CSAT_SCORES else None


def is_praise(text: str) -> bool:
    """Tell whether ``text`` only praises the help ("все супер", "відмінно", "great service!")."""
    tokens = _TOKEN.findall(text.lower().replace("’", "'"))
    if not tokens or any(t not in _PRAISE_WORDS | _MILD_PRAISE | _PRAISE_AROUND for t in tokens):
        return False
    mild = any(t in _MILD_PRAISE for t in tokens) and any(t in _INTENSIFIERS for t in tokens)
    return mild or any(t in _PRAISE_WORDS for t in tokens)
