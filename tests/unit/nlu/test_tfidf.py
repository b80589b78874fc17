"""The single-text TF-IDF path gives exactly scikit-learn's rows (it replaces it on the live path)."""

import numpy as np
import pytest

from nlu.index import char_vectorizer, word_vectorizer
from nlu.tfidf import FastTfidf

CORPUS = [
    "скільки коштує доставка",
    "how much is delivery delivery",
    "де моє замовлення",
    "can i return a mattress after 100 nights",
]
QUERIES = ["доставка доставка в київ", "return return return it", "zzz unknown words only", "", "ё ї 😀"]


@pytest.mark.parametrize("make_vectorizer", [char_vectorizer, word_vectorizer])
@pytest.mark.parametrize("query", QUERIES)
def test_one_text_matches_scikit_learn(make_vectorizer, query):
    vectorizer = make_vectorizer().fit(CORPUS)
    fast = FastTfidf(vectorizer)
    expected = vectorizer.transform([query]).toarray()
    got = fast.transform([query]).toarray()
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, atol=1e-6)


def test_batches_match_and_repeated_texts_are_not_mutated():
    vectorizer = char_vectorizer().fit(CORPUS)
    fast = FastTfidf(vectorizer)
    np.testing.assert_allclose(
        fast.transform(QUERIES).toarray(), vectorizer.transform(QUERIES).toarray(), atol=1e-6
    )
    first = fast.transform(["доставка"]).toarray()
    again = fast.transform(["доставка"]).toarray()  # served from the remembered rows
    np.testing.assert_array_equal(first, again)


def test_other_weightings_are_refused():
    vectorizer = char_vectorizer().set_params(sublinear_tf=False).fit(CORPUS)
    with pytest.raises(ValueError, match="sublinear"):
        FastTfidf(vectorizer)
