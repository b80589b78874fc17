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
from knowledge_base.schema import ArticleData
from knowledge_base.transfer.readers import CSV_COLUMNS


def write_articles(articles: Sequence[ArticleData], path: Path) -> str:
    """Write ``articles`` to ``path``; the format follows the extension (no extension: a Markdown folder).

    Returns:
        The format written: "json", "yaml", "csv" or "markdown".

    Raises:
        ValidationFailed: an unknown extension.
    """
    suffix = path.suffix.lower()
    if path.is_dir() or not suffix:
        write_markdown_folder(articles, path)
        return "markdown"
    writers = {".json": to_json, ".yaml": to_yaml, ".yml": to_yaml, ".csv": to_csv}
    if suffix not in writers:
        raise ValidationFailed(f"{path}: unknown format; use a folder, or a .json, .yaml or .csv file")
    path.write_text(writers[suffix](articles), encoding="utf-8")
    return suffix.lstrip(".").replace("yml", "yaml")


def to_json(articles: Sequence[ArticleData]) -> str:
    """A JSON list of articles in exchange shape."""
    return json.dumps([a.to_dict() for a in articles], ensure_ascii=False, indent=2) + "\n"


def to_yaml(articles: Sequence[ArticleData]) -> str:
    """A YAML list of articles in exchange shape."""
    return yaml.safe_dump([a.to_dict() for a in articles], allow_unicode=True, sort_keys=False, width=1000)


def to_csv(articles: Sequence[ArticleData]) -> str:
    """One row per article language; tags comma-separated, questions one per line."""
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for article in articles:
        for language, variant in sorted(article.variants.items()):
            writer.writerow({
                "slug": article.slug, "title": article.title, "status": article.status,
                "tags": ", ".join(article.tags), "source_language": article.source_language, "language": language,
                "variant_title": variant.title or "", "answer": variant.answer,
                "questions": "\n".join(variant.questions),
            })
    return buffer.getvalue()


def write_markdown_folder(articles: Sequence[ArticleData], folder: Path) -> None:
    """One ``<slug>.<language>.md`` file per article language, front matter plus the answer."""
    folder.mkdir(parents=True, exist_ok=True)
    for article in articles:
        for language, variant in sorted(article.variants.items()):
            meta = {"slug": article.slug, "title": article.title, "status": article.status,
                    "tags": list(article.tags), "source_language": article.source_language, "language": language,
                    "questions": list(variant.questions)}
            if variant.title:
                meta["variant_title"] = variant.title
            post = frontmatter.Post(variant.answer, **meta)
            text = frontmatter.dumps(post, sort_keys=False, allow_unicode=True, width=1000)
            (folder / f"{article.slug}.{language}.md").write_text(text + "\n", encoding="utf-8")
