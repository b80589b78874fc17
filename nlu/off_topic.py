"""Everyday off-topic chatter (``nlu/off_topic.txt``), scored as out-of-scope calibration samples."""

from __future__ import annotations

from functools import cache
from importlib import resources

import numpy as np

from nlu.calibration import PARAPHRASE
from nlu.index import Index, Query


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
    covered = (scores["dense"].max(axis=1) >= PARAPHRASE) | (scores["bm25"].max(axis=1) >= PARAPHRASE)
    return [query for query, skip in zip(queries, np.asarray(covered), strict=True) if not skip]
