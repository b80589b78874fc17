"""A message's topics read from the knowledge base: the tags of the published article it is about."""

import pytest

from bots.steps.topics import message_topics
from knowledge_base.models import Article
from nlu.types import Candidate, Decision

THRESHOLDS = {"thresholds": {"answer": 0.5, "clarify": 0.2, "calibrated": True}}


def _clarify(slug: str, score: float) -> Decision:
    return Decision("clarify", "en", None, score, (Candidate(slug, slug, score, "en"),), None, THRESHOLDS)


@pytest.fixture
async def articles(session_factory):
    """A published article tagged returns and warranty, and a draft tagged payment."""
    async with session_factory() as session, session.begin():
        session.add_all([Article(slug="defective-item", title="Faulty item", status="published",
                                 tags=["returns", "warranty"]),
                         Article(slug="installments", title="Installments", status="draft", tags=["payment"])])


@pytest.mark.parametrize("decision, expected", [
    pytest.param(_clarify("defective-item", 0.3), ["returns", "warranty"], id="unsure-guess"),
    pytest.param(_clarify("defective-item", 0.1), [], id="guess-below-the-clarify-threshold"),
    pytest.param(_clarify("installments", 0.3), [], id="unpublished"),
    pytest.param(_clarify("no-such-article", 0.3), [], id="unknown"),
])
async def test_topics_of_an_unsure_decision(session_factory, articles, decision, expected) -> None:
    async with session_factory() as session:
        assert await message_topics(session, decision) == expected


async def test_an_answer_takes_the_loaded_articles_tags(session_factory, articles) -> None:
    answered = Article(slug="returns", title="Returns", status="published", tags=["returns"])
    decision = Decision("answer", "en", "returns", 0.9, (), None, THRESHOLDS)
    async with session_factory() as session:
        # Not in the database: the tags can only come from the article the answer step loaded.
        assert await message_topics(session, decision, answered) == ["returns"]
