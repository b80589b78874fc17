import numpy as np
import pytest

from nlu.calibration import Thresholds
from nlu.decision import DecisionContext, decide_action

ARTICLES = ["delivery-cost", "delivery-time", "contacts"]
TITLES = {("delivery-cost", "uk"): "Вартість доставки", ("delivery-cost", "en"): "Delivery cost"}


def context(**overrides):
    values = {
        "language": "uk",
        "normalized": "скільки коштує доставка",
        "asks_for_person": False,
        "frustrated": False,
        "sensitive": False,
        "recent_failures": 0,
        "thresholds": Thresholds(answer=0.5, clarify=0.25, calibrated=True),
        "signal_articles": frozenset(),
        "article_ids": ARTICLES,
        "titles": TITLES,
    }
    values.update(overrides)
    return DecisionContext(**values)


@pytest.mark.parametrize(
    ("scores", "overrides", "action", "reason"),
    [
        pytest.param([0.9, 0.1, 0.0], {}, "answer", None, id="confident-answer"),
        pytest.param([0.35, 0.3, 0.0], {}, "clarify", None, id="two-close-below-threshold"),
        pytest.param([0.8, 0.78, 0.0], {}, "clarify", None, id="two-close-above-threshold"),
        pytest.param([0.2, 0.05, 0.0], {}, "fallback", "low_confidence", id="low-first-time"),
        pytest.param([0.4, 0.05, 0.0], {}, "clarify", None, id="near-miss-is-confirmed"),
        pytest.param(
            [0.4, 0.05, 0.0], {"recent_failures": 2}, "handoff", "frustration", id="near-miss-after-failures"
        ),
        pytest.param(
            [0.2, 0.05, 0.0], {"recent_failures": 1}, "handoff", "low_confidence", id="low-repeated"
        ),
        pytest.param(
            [0.35, 0.3, 0.0], {"recent_failures": 2}, "handoff", "frustration", id="repeated-failures"
        ),
        pytest.param([0.9, 0.1, 0.0], {"recent_failures": 3}, "answer", None, id="confident-after-failures"),
        # Chatter is no failure: neither buttons nor a hand-off for the failures before it (QA F14).
        pytest.param([0.9, 0.1, 0.0], {"chatter": True}, "fallback", "chatter", id="chatter-matching-a-word"),
        pytest.param([0.35, 0.3, 0.0], {"chatter": True}, "fallback", "chatter", id="chatter-gets-no-buttons"),
        pytest.param([0.2, 0.05, 0.0], {"chatter": True, "recent_failures": 1}, "fallback", "chatter",
                     id="chatter-after-a-failure"),
        pytest.param([0.2, 0.05, 0.0], {"chatter": True, "recent_failures": 2}, "fallback", "chatter",
                     id="chatter-after-failures"),
        pytest.param([0.2, 0.05, 0.0], {"chatter": True, "asks_for_person": True}, "handoff", "explicit_request",
                     id="chatter-asking-for-a-person"),
        pytest.param(
            [0.9, 0.1, 0.0], {"asks_for_person": True}, "handoff", "explicit_request", id="explicit"
        ),
        pytest.param([0.9, 0.1, 0.0], {"frustrated": True}, "handoff", "frustration", id="frustrated"),
        pytest.param([0.9, 0.1, 0.0], {"swearing": True}, "answer", None, id="swearing-but-clear"),
        pytest.param([0.2, 0.05, 0.0], {"swearing": True}, "handoff", "frustration", id="swearing-unclear"),
        pytest.param([0.9, 0.1, 0.0], {"sensitive": True}, "handoff", "sensitive_topic", id="sensitive"),
        pytest.param(
            [0.1, 0.1, 0.9],
            {"asks_for_person": True, "signal_articles": frozenset({2})},
            "answer",
            None,
            id="kb-answers-its-own-contact-article",
        ),
        pytest.param(
            [0.1, 0.1, 0.3],
            {"asks_for_person": True, "signal_articles": frozenset({2})},
            "handoff",
            "explicit_request",
            id="unsure-contact-article-hands-off",
        ),
        pytest.param([0.9, 0.1, 0.0], {"normalized": "😀 !!"}, "fallback", "empty", id="no-content"),
        pytest.param([], {"article_ids": []}, "fallback", "no_articles", id="no-articles"),
        pytest.param(
            [], {"article_ids": [], "recent_failures": 1}, "handoff", "no_articles", id="no-articles-again"
        ),
    ],
)
def test_decide_action(scores, overrides, action, reason):
    decision = decide_action(context(**overrides), np.array(scores, dtype=np.float32), {})
    assert (decision.action, decision.reason) == (action, reason)
    assert (decision.article_id is not None) == (action == "answer")


def test_candidates_are_ranked_and_titled_in_answer_language():
    decision = decide_action(context(), np.array([0.9, 0.1, 0.3]), {"bm25": np.array([0.7, 0.1, 0.2])})
    assert [c.article_id for c in decision.candidates] == ["delivery-cost", "contacts", "delivery-time"]
    assert decision.candidates[0].title == "Вартість доставки"
    assert decision.candidates[1].title == "contacts"  # no title known: the slug
    assert decision.explanation["parts"] == {"bm25": 0.7}
    assert decision.explanation["thresholds"]["answer"] == 0.5


def test_title_falls_back_to_english():
    decision = decide_action(context(language="ru"), np.array([0.9, 0.1, 0.0]), {})
    assert (decision.candidates[0].title, decision.candidates[0].language) == ("Delivery cost", "en")
