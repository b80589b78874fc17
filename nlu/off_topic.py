"""Everyday off-topic chatter (``nlu/off_topic.txt``), scored as out-of-scope calibration samples."""

from __future__ import annotations

from functools import cache
from importlib import resources

import numpy as np

from nlu.calibration import PARAPHRASE
from nlu.index import Index, Query

# How much closer to a chatter line than to any question of the knowledge base a message must be to
# read as chatter. Near ties stay questions: "а якщо не підійде?" is a little closer to the chatter
# (0.547 against 0.539), "а погода завтра?" far closer (0.878 against 0.435).
CHATTER_MARGIN = 0.1


@cache
def off_topic_messages() -> tuple[str, ...]:
    """Return the bundled off-topic messages (uk, ru and en)."""
    text = resources.files("nlu").joinpath("off_topic.txt").read_text(encoding="utf-8")
    return tuple(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def not_covered(index: Index, queries: list[Query]) -> list[Query]:
    """Drop the messages the knowledge base itself answers (one of its questions is a near-paraphrase).

    A shop may well have an article on, say, opening hours or the weather at pick-up points; such a
    message is in scope for that shop and must not pull its threshold up.
    """
    if not queries:
        return []
    scores = index.doc_scores(queries)
    # Every encoder in the index counts: the bundled MiniLM does not read Cyrillic at all, so a Russian
    # shop's own weather question is only recognised in the multilingual space.
    dense = [scores[part.name] for part in index.dense_parts]
    covered = np.logical_or.reduce([m.max(axis=1) >= PARAPHRASE for m in [*dense, scores["bm25"]]])
    return [query for query, skip in zip(queries, np.asarray(covered), strict=True) if not skip]


def closer_to_chatter(row: np.ndarray | None, chatter: np.ndarray, article_scores: np.ndarray | None) -> bool:
    """Whether a message reads as everyday chatter rather than as a question for the knowledge base.

    Args:
        row: The message's multilingual row (None when that part is off: then never).
        chatter: Multilingual rows of the chatter lines the knowledge base does not cover.
        article_scores: The message's best multilingual cosine per article.
    """
    if row is None or article_scores is None or not len(chatter):
        return False
    return float((chatter @ row).max()) >= float(article_scores.max(initial=0.0)) + CHATTER_MARGIN
