"""Grouping inbox questions by meaning (sentence embeddings) and by wording (character n-grams)."""

from datetime import UTC, datetime, timedelta

import pytest

from knowledge_base.inbox import group_questions
from knowledge_base.models import UnansweredQuestion
from nlu.encoder import get_encoder

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
    return get_encoder().encode


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
