import json
from pathlib import Path

import pytest

from nlu.encoder import get_encoder
from nlu.engine import NLUEngine
from nlu.types import KnowledgeEntry

ROOT = Path(__file__).resolve().parents[3]
DEMO_ARTICLES = ROOT / "knowledge_base" / "demo_data" / "articles.json"
SHOP_PHRASINGS = ROOT / "tests" / "data" / "nlu" / "shop_phrasings.json"


def demo_entries() -> list[KnowledgeEntry]:
    """The demo knowledge base as the knowledge-base package hands it over."""
    entries = []
    for article in json.loads(DEMO_ARTICLES.read_text(encoding="utf-8")):
        for language, variant in article["variants"].items():
            entries.append(
                KnowledgeEntry(
                    article_id=article["slug"],
                    language=language,
                    title=variant.get("title", article["title"]),
                    questions=tuple(variant["questions"]),
                    answer=variant["answer"],
                )
            )
    return entries


@pytest.fixture(scope="session")
def encoder():
    """The bundled all-MiniLM-L6-v2, loaded once for the whole run."""
    return get_encoder()


@pytest.fixture(scope="session")
def demo_engine(encoder):
    """An engine over the demo knowledge base, calibrated once (tests must not change it)."""
    engine = NLUEngine(encoder=encoder, sensitive_topics=("суд", "chargeback", "адвокат"))
    engine.rebuild(demo_entries())
    yield engine
    engine.close()


@pytest.fixture
def make_engine(encoder):
    """Build fresh engines sharing the session encoder (for tests that change the index)."""
    engines = []

    def make(**kwargs) -> NLUEngine:
        engine = NLUEngine(encoder=encoder, **kwargs)
        engines.append(engine)
        return engine

    yield make
    for engine in engines:
        engine.close()
