"""Grouping inbox questions by meaning (multilingual sentence embeddings) and by wording (character n-grams),
within each language."""

from datetime import UTC, datetime, timedelta

import pytest

from knowledge_base.inbox import group_questions
from knowledge_base.models import UnansweredQuestion
from nlu.multilingual import get_multilingual_encoder

ASKED = [  # newest first, as the inbox reads them
    ("Where is my parcel??", "en", "fallback"),
    ("Can I pay in installments?", "en", "fallback"),
    ("оплата частинами є?", "uk", "low_confidence"),
    ("do you offer installment payment", "en", "not_helpful"),
    ("Чи можна оплатити частинами?", "uk", "fallback"),
    ("Is it possible to pay by instalments", "en", "fallback"),
    ("Where is my parcel?", "en", "fallback"),
]


def _records() -> list[UnansweredQuestion]:
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    return [UnansweredQuestion(id=n + 1, text=text, language=language, reason=reason,
                               article_slug="payment" if reason == "not_helpful" else None,
                               created_at=now - timedelta(minutes=n))
            for n, (text, language, reason) in enumerate(ASKED)]


@pytest.fixture(scope="module")
def encode():
    return get_multilingual_encoder().encode


def test_questions_with_the_same_meaning_share_a_group(encode) -> None:
    groups = group_questions(_records(), encode)
    assert [sorted(g.question_ids) for g in groups] == [[1, 7], [2, 4, 6], [3, 5]]
    parcel, installments, ukrainian = groups
    assert parcel.count == 2 and parcel.examples == ("Where is my parcel??", "Where is my parcel?")
    assert installments.reasons == {"fallback": 2, "not_helpful": 1}
    assert installments.articles == ("payment",)
    assert ukrainian.languages == {"uk": 2}
    assert [g.latest_at for g in groups] == sorted((g.latest_at for g in groups), reverse=True)


def test_without_embeddings_near_identical_wording_still_groups() -> None:
    groups = group_questions(_records())
    assert [1, 7] in [sorted(g.question_ids) for g in groups]
    assert all(g.count <= 2 for g in groups)


def test_an_empty_inbox_has_no_groups(encode) -> None:
    assert group_questions([], encode) == []


def test_unrelated_ukrainian_questions_stay_apart(encode) -> None:
    # Found on the demo: with the English-only encoder these two shared a group (cosine 0.69).
    records = [UnansweredQuestion(id=n + 1, text=text, language="uk", reason="fallback",
                                  created_at=datetime(2026, 11, 23, 12, n, tzinfo=UTC))
               for n, text in enumerate(["Як працює програма лояльності?", "Як доглядати за шкіряним взуттям?",
                                         "Чи продаєте ви велосипеди для собак?", "Як працює ваша програма лояльності"])]
    groups = group_questions(records, encode)
    assert sorted(sorted(g.question_ids) for g in groups) == [[1, 4], [2], [3]]


def test_the_same_question_in_two_languages_makes_two_groups(encode) -> None:
    # Each group can become one article variant: its example questions must share a language.
    records = [UnansweredQuestion(id=n + 1, text=text, language=language, reason="fallback",
                                  created_at=datetime(2026, 11, 23, 12, n, tzinfo=UTC))
               for n, (text, language) in enumerate([("Чи можна оплатити частинами?", "uk"),
                                                     ("Can I pay in installments?", "en")])]
    assert len(group_questions(records, encode)) == 2
