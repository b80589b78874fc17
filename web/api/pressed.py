"""What the shopper pressed, in the agents' words.

A button press is stored as the button's data (``kb:<slug>``, ``fb:<slug>:up``, ``order:<number>``,
``csat:<n>``, ``handoff:request``) because the bot acts on it; the console's timeline shows a label
instead. The stored message keeps the data.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bots.steps.answer import FEEDBACK_PREFIX
from bots.steps.clarify import CHOICE_PREFIX
from bots.steps.csat import RATING_BUTTON
from bots.steps.handoff import HANDOFF_BUTTON
from bots.steps.orders import ORDER_CALLBACK
from knowledge_base.models import Article


def _slug(data: str) -> str | None:
    """The article a choice or a rating of an answer is about."""
    if data.startswith(CHOICE_PREFIX):
        return data.removeprefix(CHOICE_PREFIX) or None
    if data.startswith(FEEDBACK_PREFIX):
        return data.removeprefix(FEEDBACK_PREFIX).rsplit(":", 1)[0] or None
    return None


def pressed_label(data: str, titles: dict[str, str]) -> str:
    """The label of a button press; ``titles`` maps slugs to article titles (a slug without one is
    shown as words). Data of an unknown shape is shown as it is."""
    slug = _slug(data)
    topic = titles.get(slug) or (slug or "").replace("-", " ").replace("_", " ").capitalize()
    if data.startswith(CHOICE_PREFIX) and slug:
        return f"▸ {topic}"
    if data.startswith(FEEDBACK_PREFIX) and slug:
        return f"{'👎' if data.endswith(':down') else '👍'} on {topic}"
    if data.startswith(ORDER_CALLBACK) and len(data) > len(ORDER_CALLBACK):
        return f"▸ order {data.removeprefix(ORDER_CALLBACK)}"
    if data.startswith(RATING_BUTTON) and len(data) > len(RATING_BUTTON):
        return f"rated {data.removeprefix(RATING_BUTTON)}"
    if data == HANDOFF_BUTTON:
        return "▸ Talk to a person"
    return data


async def with_pressed_labels(session: AsyncSession, views: list[dict]) -> list[dict]:
    """Timeline entries with ``pressed_label`` (None except on button presses); the titles of the
    articles pressed on are read in one query."""
    slugs = {_slug(view["text"] or "") for view in views if view["kind"] == "callback"} - {None}
    titles = dict((await session.execute(select(Article.slug, Article.title).where(Article.slug.in_(slugs)))).all()
                  ) if slugs else {}
    return [{**view, "pressed_label": pressed_label(view["text"] or "", titles) if view["kind"] == "callback"
             else None} for view in views]
