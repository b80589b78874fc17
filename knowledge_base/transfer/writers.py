"""Writing articles as JSON, YAML, CSV or a folder of Markdown files (the formats the readers take)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path

import frontmatter
import yaml

from core.errors import ValidationFailed
from core.settings import SUPPORTED_LANGUAGES
from knowledge_base.schema import SLUG_PATTERN, ArticleData
from knowledge_base.transfer.readers import CSV_COLUMNS, markdown_files


def write_articles(articles: Sequence[ArticleData], path: Path) -> str:
    """Write ``articles`` to ``path``; the format follows the extension (no extension: a Markdown folder).

    Returns:
        The format written: "json", "yaml", "csv" or "markdown".

    Raises:
        ValidationFailed: an unknown extension, a path that cannot be written (a missing folder, a
            file where the Markdown folder should be), or a folder holding other Markdown files.
    """
    suffix = path.suffix.lower()
    writers = {".json": to_json, ".yaml": to_yaml, ".yml": to_yaml, ".csv": to_csv}
    if suffix and suffix not in writers and not path.is_dir():
        raise ValidationFailed(f"{path}: unknown format; use a folder, or a .json, .yaml or .csv file")
    if path.is_file() and not suffix:
        raise ValidationFailed(f"{path}: is a file, not a folder; name a folder, or a .json, .yaml or .csv file")
    try:
        if path.is_dir() or not suffix:
            write_markdown_folder(articles, path)
            return "markdown"
        path.write_text(writers[suffix](articles), encoding="utf-8")
    except OSError as exc:
        raise ValidationFailed(f"{path}: cannot write: {exc.strerror or exc}") from exc
    return suffix.lstrip(".").replace("yml", "yaml")


def to_json(articles: Sequence[ArticleData]) -> str:
    """A JSON list of articles in exchange shape."""
    return json.dumps([a.to_dict() for a in articles], ensure_ascii=False, indent=2) + "\n"


def to_yaml(articles: Sequence[ArticleData]) -> str:
    """A YAML list of articles in exchange shape."""
    return yaml.safe_dump([a.to_dict() for a in articles], allow_unicode=True, sort_keys=False, width=1000)


def to_csv(articles: Sequence[ArticleData]) -> str:
    """One row per article language; tags comma-separated, questions one per line.

    When a tag holds a comma, the tags are written one per line instead, each line ended (so a
    single such tag is one too), and read back whole.
    """
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for article in articles:
        for language, variant in sorted(article.variants.items()):
            writer.writerow({
                "slug": article.slug, "title": article.title, "status": article.status,
                "tags": _csv_tags(article.tags), "source_language": article.source_language, "language": language,
                "variant_title": variant.title or "", "answer": variant.answer,
                "questions": "\n".join(variant.questions),
            })
    return buffer.getvalue()


def _csv_tags(tags: Sequence[str]) -> str:
    if any("," in tag for tag in tags):
        return "".join(f"{tag}\n" for tag in tags)
    return ", ".join(tags)


def write_markdown_folder(articles: Sequence[ArticleData], folder: Path) -> None:
    """One ``<slug>.<language>.md`` file per article language, front matter plus the answer.

    The folder then holds exactly these articles, as an import of it would read them: files named
    like an export's that are not among them (articles deleted since a previous export) are removed.
    A folder holding any other Markdown file (anywhere under it: the import reads them all) is
    refused before anything is written, so an operator's own files are never overwritten or deleted.

    Raises:
        ValidationFailed: the folder holds Markdown files that are not an export's.
    """
    if folder.is_dir():
        foreign = [str(path.relative_to(folder)) for path in markdown_files(folder)
                   if path.parent != folder or not _is_export_name(path.name)]
        if foreign:
            raise ValidationFailed(
                f"{folder}: holds Markdown files that are not an export's ({', '.join(foreign[:3])}"
                f"{', …' if len(foreign) > 3 else ''}); export into an empty folder or a previous export")
    folder.mkdir(parents=True, exist_ok=True)
    written = set()
    for article in articles:
        for language, variant in sorted(article.variants.items()):
            meta = {"slug": article.slug, "title": article.title, "status": article.status,
                    "tags": list(article.tags), "source_language": article.source_language, "language": language,
                    "questions": list(variant.questions)}
            if variant.title:
                meta["variant_title"] = variant.title
            post = frontmatter.Post(variant.answer, **meta)
            text = frontmatter.dumps(post, sort_keys=False, allow_unicode=True, width=1000)
            name = f"{article.slug}.{language}.md"
            (folder / name).write_text(text + "\n", encoding="utf-8")
            written.add(name)
    for stale in folder.glob("*.md"):
        if stale.name not in written:
            stale.unlink()


def _is_export_name(name: str) -> bool:
    """Whether ``name`` is one an export writes: ``<slug>.<language>.md``."""
    slug, _, rest = name.partition(".")
    return bool(SLUG_PATTERN.match(slug)) and rest in {f"{language}.md" for language in SUPPORTED_LANGUAGES}
