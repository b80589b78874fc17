"""``relaydesk kb import PATH`` and ``relaydesk kb export PATH``."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import click

from core.bus import create_bus
from core.errors import ValidationFailed
from core.settings import Settings
from knowledge_base.changes import announce_change
from knowledge_base.transfer.importer import ImportReport, export_articles, import_articles, validate_rows
from knowledge_base.transfer.readers import read_articles
from knowledge_base.transfer.writers import write_articles

FORMATS_HELP = "a folder of Markdown files with front matter, or a .json, .yaml/.yml or .csv file"


@click.group()
def kb() -> None:
    """Knowledge base: import and export articles."""


@kb.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
def kb_import(path: Path) -> None:
    """Import articles from PATH (a folder of .md files, or .json/.yaml/.csv); idempotent by slug.

    Every article is checked first; when any is bad, each problem is listed and nothing changes.
    """
    from web.cli import _settings

    settings = _settings()
    try:
        articles = validate_rows(read_articles(path), default_source_language=settings.default_language)
    except ValidationFailed as exc:
        click.echo(f"relaydesk: {exc}", err=True)
        for problem in exc.details:
            field = f"{problem['field']}: " if problem.get("field") else ""
            click.echo(f"  {problem.get('location', '')}: {field}{problem['error']}", err=True)
        sys.exit(1)
    report = asyncio.run(_import(settings, articles))
    click.echo(f"created {len(report.created)}, updated {len(report.updated)}, unchanged {len(report.unchanged)}")


@kb.command("export")
@click.argument("path", type=click.Path(path_type=Path))
def kb_export(path: Path) -> None:
    """Export every article to PATH: the format follows the extension (no extension: a Markdown folder)."""
    from web.cli import _settings, _with_factory

    async def action(factory):
        async with factory() as session:
            return await export_articles(session)

    articles = asyncio.run(_with_factory(_settings(), action))
    try:
        written = write_articles(articles, path)
    except ValidationFailed as exc:
        click.echo(f"relaydesk: {exc}", err=True)
        sys.exit(1)
    click.echo(f"exported {len(articles)} articles to {path} ({written})")


async def _import(settings: Settings, articles) -> ImportReport:
    from web.cli import _with_factory

    async def action(factory):
        with click.progressbar(length=len(articles), label="Importing", file=sys.stderr) as bar:
            async with factory() as session, session.begin():
                return await import_articles(session, articles, progress=bar.update)

    report = await _with_factory(settings, action)
    if report.changed:
        # Running servers (sharing Redis) reload their index from the committed data.
        bus = create_bus(settings)
        await bus.start()
        try:
            await announce_change(bus, None)
        finally:
            await bus.stop()
    return report
