"""The demo store's knowledge base: ``demo_data/articles.json`` imported as published articles."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from knowledge_base.transfer.importer import import_articles, validate_rows
from knowledge_base.transfer.readers import read_articles
from knowledge_base.versions import Author

DEMO_ARTICLES = Path(__file__).parent / "demo_data" / "articles.json"


async def seed_demo_articles(session: AsyncSession) -> None:
    """Import the demo articles (idempotent by slug), published as the file says."""
    articles = validate_rows(read_articles(DEMO_ARTICLES))
    await import_articles(session, articles, author=Author(name="demo"))
