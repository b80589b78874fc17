"""Which article a decision is about, for its topics: the answer, or an unsure guess worth offering."""

import pytest

from bots.steps.topics import guessed_article
from nlu.types import Candidate, Decision

THRESHOLDS = {"thresholds": {"answer": 0.5, "clarify": 0.2, "calibrated": True}}


def _decision(action: str, *, article_id: str | None = None, scores: tuple[float, ...] = (),
              explanation: dict | None = None) -> Decision:
    candidates = tuple(Candidate(f"article-{n}", f"Article {n}", score, "uk") for n, score in enumerate(scores))
    return Decision(action, "uk", article_id, scores[0] if scores else 0.0, candidates, None,
                    THRESHOLDS if explanation is None else explanation)


@pytest.mark.parametrize("decision, expected", [
    pytest.param(_decision("answer", article_id="returns", scores=(0.9,)), "returns", id="answer"),
    pytest.param(_decision("clarify", scores=(0.3, 0.25)), "article-0", id="clarify-best-candidate"),
    pytest.param(_decision("fallback", scores=(0.2,)), "article-0", id="fallback-at-the-clarify-threshold"),
    pytest.param(_decision("fallback", scores=(0.19,)), None, id="fallback-below-the-clarify-threshold"),
    pytest.param(_decision("handoff", scores=(0.4,)), "article-0", id="handoff-with-a-guess"),
    pytest.param(_decision("fallback"), None, id="no-candidates"),
    pytest.param(_decision("clarify", scores=(0.9,), explanation={}), None, id="no-thresholds"),
])
def test_the_article_a_decision_is_about(decision, expected) -> None:
    assert guessed_article(decision) == expected
