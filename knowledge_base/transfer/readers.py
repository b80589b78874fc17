"""Reading articles from JSON, YAML, CSV or a folder of Markdown files, remembering where each came from.

Every reader returns :class:`Row` objects: the raw article in exchange shape and its location
("line 12", "returns.en.md"; "article 7 (line 1)" when several articles start on one line, as in
minified JSON), so validation can point at the exact row or file. A file that cannot
be parsed at all raises :class:`~core.errors.ValidationFailed` naming the line.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import frontmatter
import yaml

from core.errors import ValidationFailed

CSV_COLUMNS = ("slug", "title", "status", "tags", "source_language", "language", "variant_title", "answer",
               "questions")
# Article-level fields: every row or file of one article must agree on them.
ARTICLE_FIELDS = ("title", "status", "tags", "source_language")
# Blank (or whitespace-only) lines an editor left above a Markdown file's opening "---".
LEADING_BLANK_LINES = re.compile(r"(?:[^\S\r\n]*(?:\r\n|\r|\n))*")


@dataclass
class Row:
    """One article as read from a file, with where it came from (one or more rows or files)."""

    location: str
    raw: dict[str, Any]
    problems: list[dict[str, str]] = field(default_factory=list)  # disagreements found while reading
    read: bool = True  # False: it could not be read, and its problems say why


def read_articles(path: Path) -> list[Row]:
    """Read every article at ``path``: a folder of Markdown files, or a .json, .yaml/.yml or .csv file.

    Raises:
        ValidationFailed: unknown format or a file that does not parse (with its line).
    """
    if path.is_dir():
        return read_markdown_folder(path)
    suffix = path.suffix.lower()
    readers = {".json": read_json, ".yaml": read_yaml, ".yml": read_yaml, ".csv": read_csv}
    if suffix not in readers:
        raise _unreadable(str(path), "unknown format: use a folder of .md files, or a .json, .yaml or .csv file")
    try:
        text = _read_text(path)
    except UnicodeDecodeError as exc:
        raise _unreadable(str(path), f"not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    return readers[suffix](text)


def markdown_files(folder: Path) -> list[Path]:
    """Every Markdown file under ``folder`` (``.md`` in any case: editors also save ``.MD``), sorted."""
    return sorted(path for path in folder.rglob("*") if path.suffix.lower() == ".md" and path.is_file())


def _read_text(path: Path) -> str:
    # newline="": line breaks are kept as written, so an answer with "\r\n" exported to CSV or
    # Markdown reads back equal (Path.read_text would turn them into "\n": an update each time).
    with path.open(encoding="utf-8-sig", newline="") as file:
        return file.read()


def read_json(text: str) -> list[Row]:
    """A JSON list of articles (or ``{"articles": [...]}``), each located by the line it starts on."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _unreadable(f"line {exc.lineno}", f"not valid JSON: {exc.msg}") from exc
    articles = _article_list(document)
    decoder = json.JSONDecoder()
    position = (text.index("[") if isinstance(document, list) else _json_articles_start(text, decoder)) + 1
    lines, line, counted_to = [], 1, 0
    for _ in articles:
        position = _skip(text, position, " \t\r\n,")
        # Only the newlines since the previous article are counted: a large file stays linear.
        line += text.count("\n", counted_to, position)
        counted_to = position
        lines.append(line)
        position = decoder.raw_decode(text, position)[1]
    return [Row(where, article) for where, article in zip(_locations(lines), articles, strict=True)]


def read_yaml(text: str) -> list[Row]:
    """A YAML list of articles (or a mapping with ``articles``), each located by its first line."""
    try:
        document = yaml.safe_load(text)
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        where, problem = _yaml_problem(exc)
        raise _unreadable(where, f"not valid YAML: {problem}") from exc
    articles = _article_list(document)
    if isinstance(node, yaml.MappingNode):
        node = next(value for key, value in node.value if key.value == "articles")
    lines = [item.start_mark.line + 1 for item in node.value]
    return [Row(where, article) for where, article in zip(_locations(lines), articles, strict=True)]


def read_csv(text: str) -> list[Row]:
    """One row per article language (article columns repeated); questions one per line in their cell.

    Tags are comma-separated, or one per line when the cell holds a line break (as an export writes
    them when a tag holds a comma).
    """
    # strict: an unclosed quote is an error instead of a cell running on to the end of the file,
    # swallowing every row after it.
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    line = 1
    try:
        missing = [c for c in ("slug", "language", "answer") if c not in (reader.fieldnames or ())]
        if missing:
            raise _unreadable("line 1", f"missing columns: {', '.join(missing)} (expected {', '.join(CSV_COLUMNS)})")
        parts = []
        line = reader.line_num + 1
        for record in reader:
            if None in record:
                parts.append((f"line {line}", "", {"_error": f"more cells than the header's {len(reader.fieldnames)} "
                                                             "columns"}))
            else:
                parts.append((f"line {line}", record.get("language") or "", _csv_part(record)))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise _unreadable(f"line {line}", f"not valid CSV: {exc}") from exc
    return _join_variants(parts)


def _csv_part(record: dict[str, str]) -> dict[str, Any]:
    tags = record.get("tags") or ""
    return {
        "slug": record.get("slug"), "title": record.get("title"), "status": record.get("status") or None,
        "tags": tags.splitlines() if "\n" in tags else tags,
        "source_language": record.get("source_language") or None,
        "variant": {"answer": record.get("answer"), "questions": record.get("questions"),
                    "title": record.get("variant_title") or None},
    }


def read_markdown_folder(folder: Path) -> list[Row]:
    """``*.md`` files, one per article language: front matter (slug, title, status, tags, language,
    questions, source_language, variant_title) and the answer as the body."""
    parts = []
    for path in markdown_files(folder):
        where = str(path.relative_to(folder))
        try:
            meta, body = _front_matter(_read_text(path))
        except UnicodeDecodeError as exc:
            parts.append((where, "", {"_error": f"not UTF-8 text ({exc.reason} at byte {exc.start})"}))
            continue
        except ValueError as exc:
            parts.append((where, "", {"_error": str(exc)}))
            continue
        parts.append((where, str(meta.get("language") or ""), {
            "slug": meta.get("slug") or path.name.split(".")[0],
            "title": meta.get("title"), "status": meta.get("status"), "tags": meta.get("tags"),
            "source_language": meta.get("source_language"),
            "variant": {"answer": body, "questions": meta.get("questions"), "title": meta.get("variant_title")},
        }))
    return _join_variants(parts)


def _front_matter(text: str) -> tuple[dict[str, Any], str]:
    """The front matter (``{}`` when there is none) and the body of a Markdown file.

    The opening "---" may follow blank lines (a BOM is gone already, see :func:`_read_text`), as
    ``frontmatter.loads`` allowed; a file whose first other line is not "---" has no front matter.
    Split with python-frontmatter's YAML boundary rather than ``frontmatter.loads``, which turns
    "\r\n" into "\n" in the body.

    Raises:
        ValueError: no closing "---" line, or front matter that does not parse (with its line in the file).
    """
    handler = frontmatter.YAMLHandler()
    skipped = LEADING_BLANK_LINES.match(text).group()
    if not handler.detect(text[len(skipped):]):
        return {}, text.strip()
    try:
        meta, body = handler.split(text[len(skipped):])
    except ValueError:
        raise ValueError("the front matter has no closing '---' line") from None
    try:
        meta = handler.load(meta)  # libyaml's loader when installed, as frontmatter.loads uses
    except yaml.YAMLError as exc:
        where, problem = _yaml_problem(exc, lines_before=len(skipped.splitlines()))
        raise ValueError(f"front matter does not parse: {where}: {problem}") from None
    return (meta if isinstance(meta, dict) else {}), body.strip()


def _yaml_problem(exc: yaml.YAMLError, *, lines_before: int = 0) -> tuple[str, str]:
    """Where ("line N") and what is wrong, in one line each (PyYAML's own message spans several).

    ``lines_before`` are the file's lines above the parsed text's first line; front matter starts
    right after its opening "---", so with that line on line 1 its lines count as the file's.
    """
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return (f"line {mark.line + 1 + lines_before}" if mark else "the file"), problem


def _join_variants(parts: list[tuple[str, str, dict]]) -> list[Row]:
    """Join per-language rows or files into articles, flagging disagreements and repeats."""
    rows: dict[str, Row] = {}
    loose: list[Row] = []
    for where, language, part in parts:
        slug = part.get("slug")
        if part.get("_error") or not slug:
            # Nothing more is checked: a row that could not be read would also be missing every field.
            loose.append(Row(where, {}, [{"field": "", "error": part.get("_error") or "the slug is required"}],
                             read=False))
            continue
        row = rows.get(slug)
        if row is None:
            row = rows[slug] = Row(where, {k: part[k] for k in ("slug", *ARTICLE_FIELDS)} | {"variants": {}})
        else:
            row.location += f", {where}"
            for key in ARTICLE_FIELDS:
                if part[key] not in (None, "") and row.raw.get(key) not in (None, "") and part[key] != row.raw[key]:
                    row.problems.append({"field": key, "error": f"{where} disagrees with {row.location.split(',')[0]}"})
                elif row.raw.get(key) in (None, ""):
                    row.raw[key] = part[key]
        if not language:
            row.problems.append({"field": "language", "error": f"{where}: the language is missing"})
        elif language in row.raw["variants"]:
            row.problems.append({"field": f"variants.{language}", "error": f"{where}: the language appears twice"})
        else:
            row.raw["variants"][language] = part["variant"]
    return [*rows.values(), *loose]


def _article_list(document: Any) -> list:
    if isinstance(document, dict) and isinstance(document.get("articles"), list):
        return document["articles"]
    if isinstance(document, list):
        return document
    raise _unreadable("the file", 'expected a list of articles (or {"articles": [...]})')


def _json_articles_start(text: str, decoder: json.JSONDecoder) -> int:
    """Where the value of the top-level ``"articles"`` key starts (the last one, as ``json.loads`` keeps)."""
    # Walked key by key rather than searched for, so an "articles" inside a string or a nested
    # object is never taken for it.
    position, start = _skip(text, text.index("{") + 1, " \t\r\n"), -1
    while text[position] == '"':
        key, position = decoder.raw_decode(text, position)
        position = _skip(text, position, " \t\r\n:")
        if key == "articles":
            start = position
        position = _skip(text, decoder.raw_decode(text, position)[1], " \t\r\n,")
    return start


def _locations(lines: list[int]) -> list[str]:
    """Each article's location from the line it starts on; its position too when the line holds several."""
    shared = {line for line, count in Counter(lines).items() if count > 1}
    return [f"article {number} (line {line})" if line in shared else f"line {line}"
            for number, line in enumerate(lines, 1)]


def _skip(text: str, position: int, characters: str) -> int:
    while position < len(text) and text[position] in characters:
        position += 1
    return position


def _unreadable(where: str, error: str) -> ValidationFailed:
    # A file that cannot be read has this one problem: the message says it all, so no details
    # (listed as well, it would be printed twice).
    return ValidationFailed(f"{where}: {error}")
