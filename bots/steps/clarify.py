"""The "Did you mean …?" buttons: one per article, and no two with the same label.

Every channel shows these buttons from the one reply the answer step queues, so the rule lives here.
Equal labels would send a Viber shopper to the wrong article: Viber posts a pressed reply button's
label back as the shopper's text and the bot maps labels to data (:mod:`bots.viber.keyboards`), so
of two equal labels one wins. On Telegram and in the web chat they would only leave the shopper
guessing. An article offered twice (say, in two languages) gets one button; different articles
titled alike get a short suffix: a tag of theirs the others lack, else their place in the list.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bots.inbound import Button
from knowledge_base.models import Article
from nlu.types import Candidate

CHOICE_PREFIX = "kb:"  # the data of a choice: kb:<slug>, answered by the answer step


async def clarify_buttons(session: AsyncSession, candidates: Sequence[Candidate]) -> list[list[Button]]:
    """One button row per distinct article of ``candidates`` (best first), each label unique.

    Args:
        session: to read the tags of articles whose titles collide (no query when none do).
        candidates: the NLU's candidates, best first.
    """
    unique = _one_per_article(candidates)
    clashes = [group for group in _by_title(unique).values() if len(group) > 1]
    slugs = [c.article_id for group in clashes for c in group]
    tags: Mapping[str, Sequence[str]] = dict((await session.execute(
        select(Article.slug, Article.tags).where(Article.slug.in_(slugs)))).all()) if slugs else {}
    labels = {c.article_id: c.title for c in unique}
    for group in clashes:
        labels.update(_told_apart(group, tags))
    return [[Button(labels[c.article_id], f"{CHOICE_PREFIX}{c.article_id}")] for c in unique]


def _one_per_article(candidates: Sequence[Candidate]) -> list[Candidate]:
    """The best-scored offer of each article, in the NLU's order."""
    first: dict[str, Candidate] = {}
    for candidate in candidates:
        first.setdefault(candidate.article_id, candidate)
    return list(first.values())


def _by_title(candidates: Sequence[Candidate]) -> dict[str, list[Candidate]]:
    # Titles differing only in case or surrounding blanks look the same on a button.
    groups: dict[str, list[Candidate]] = defaultdict(list)
    for candidate in candidates:
        groups[candidate.title.strip().casefold()].append(candidate)
    return groups


def _told_apart(same: Sequence[Candidate], tags: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """Labels for articles titled alike: the title and a distinguishing tag, else the position."""
    labels: dict[str, str] = {}
    for position, candidate in enumerate(same, 1):
        others = {tag for other in same if other is not candidate for tag in tags.get(other.article_id) or ()}
        own = [tag for tag in tags.get(candidate.article_id) or () if tag not in others]
        suffix = own[0] if own else str(position)
        labels[candidate.article_id] = f"{candidate.title} ({suffix})"
    if len(set(labels.values())) < len(labels):  # a tag that reads like another's position
        return {c.article_id: f"{c.title} ({position})" for position, c in enumerate(same, 1)}
    return labels
