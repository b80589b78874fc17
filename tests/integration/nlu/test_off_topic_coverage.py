"""Which bundled chatter lines a knowledge base covers itself (and so are not out-of-scope for it)."""

import numpy as np
import pytest

from nlu.index import Index, Query, prepare_documents
from nlu.multilingual import get_multilingual_encoder
from nlu.off_topic import not_covered
from nlu.text import lemmas, normalize

WEATHER_RU = ["Какой прогноз погоды на завтра в Москве?", "Будет ли дождь завтра?"]
DELIVERY_RU = ["Сколько стоит доставка?", "Когда привезут заказ?"]


@pytest.fixture(scope="module")
def multilingual():
    return get_multilingual_encoder()


def _index(multilingual, articles: dict[str, list[str]]) -> Index:
    ids = sorted(articles)
    documents = prepare_documents(ids, {a: [("ru", q) for q in qs] for a, qs in articles.items()})
    texts = [d.normalized for d in documents]
    # As in the engine: the bundled English-only MiniLM gives Cyrillic text zero rows.
    return Index(ids, documents, np.zeros((len(texts), 384), dtype=np.float32), multilingual.encode(texts))


def _query(multilingual, text: str) -> Query:
    normalized = normalize(text)
    return Query(normalized, lemmas(normalized, "ru"), np.zeros(384, dtype=np.float32),
                 multilingual.encode([normalized])[0])


def test_a_russian_shop_answering_weather_questions_keeps_its_own_weather_question(multilingual):
    # BM25 misses this paraphrase (other words, other forms); the multilingual rows see it.
    chatter = _query(multilingual, "Какая погода будет завтра в Москве?")
    with_weather = _index(multilingual, {"weather": WEATHER_RU, "delivery": DELIVERY_RU})
    without = _index(multilingual, {"delivery": DELIVERY_RU})
    assert not_covered(with_weather, [chatter]) == []
    assert not_covered(without, [chatter]) == [chatter]

