"""Reading and writing knowledge-base files: any JSON document, minified JSON, bad export paths and
a Markdown folder exported over a previous export."""

import json

import pytest

from core.errors import ValidationFailed
from knowledge_base.schema import parse_article
from knowledge_base.transfer.importer import validate_rows
from knowledge_base.transfer.readers import read_articles, read_json
from knowledge_base.transfer.writers import write_articles
from tests.support.cli import run_cli
from tests.support.kb import article_body


@pytest.mark.parametrize("document", [{"foo": 1}, {"articles": {"a": 1}}, "str", 5, None])
def test_json_that_is_not_a_list_of_articles_is_refused_like_yaml(document) -> None:
    with pytest.raises(ValidationFailed, match="expected a list of articles"):
        read_json(json.dumps(document))


def test_the_articles_key_is_found_by_structure_not_by_text() -> None:
    text = json.dumps({"note": '"articles": [', "meta": {"articles": []},
                       "articles": [article_body("a"), article_body("b")]}, indent=1)
    rows = read_json(text)
    assert [row.raw["slug"] for row in rows] == ["a", "b"]
    starts = [n for n, line in enumerate(text.splitlines(), 1) if line == "  {"]
    assert [row.location for row in rows] == [f"line {n}" for n in starts]


def test_minified_json_gives_each_article_its_position() -> None:
    articles = [article_body(f"a{n}") for n in range(3)] + [article_body("BAD slug")]
    rows = read_json(json.dumps(articles))
    assert [row.location for row in rows] == [f"article {n} (line 1)" for n in range(1, 5)]
    with pytest.raises(ValidationFailed) as caught:
        validate_rows(rows)
    assert [p["location"] for p in caught.value.details] == ["article 4 (line 1)"]


def test_the_count_of_bad_articles_counts_articles_not_lines() -> None:
    with pytest.raises(ValidationFailed, match="^3 bad article") as caught:
        validate_rows(read_json('[1,"a",null]'))
    assert len(caught.value.details) == 3


@pytest.mark.parametrize(("name", "content", "problem"), [
    ("broken.json", b'[{"slug": "x",\n', "line 2: not valid JSON"),
    ("columns.csv", b"a,b\n1,2\n", "line 1: missing columns"),
    ("latin.json", b"\xff\xfe[]", "not UTF-8 text"),
    ("notes.txt", b"hello", "unknown format"),
])
def test_a_file_that_cannot_be_read_is_reported_once(tmp_path, name, content, problem) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = run_cli("kb", "import", str(path), env={"RELAYDESK_DATABASE_URL": "sqlite+aiosqlite:///unused.db"},
                     cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.count(problem) == 1, result.stderr
    assert result.stderr.strip().startswith("relaydesk: ") and "\n" not in result.stderr.strip()


def _articles(*slugs: str):
    return [parse_article(article_body(slug)) for slug in slugs]


def test_export_to_a_missing_folder_or_over_a_plain_file_is_refused(tmp_path) -> None:
    with pytest.raises(ValidationFailed, match="cannot write: No such file or directory"):
        write_articles(_articles("a"), tmp_path / "missing" / "kb.json")
    (tmp_path / "plainfile").write_text("keep me")
    with pytest.raises(ValidationFailed, match="is a file, not a folder"):
        write_articles(_articles("a"), tmp_path / "plainfile")
    assert (tmp_path / "plainfile").read_text() == "keep me"


def test_a_markdown_export_over_a_previous_one_holds_exactly_the_knowledge_base(tmp_path) -> None:
    folder = tmp_path / "mdx"
    write_articles(_articles("a", "b"), folder)
    (folder / "pictures.txt").write_text("not Markdown: left alone")
    write_articles(_articles("a"), folder)
    assert sorted(p.name for p in folder.iterdir()) == ["a.en.md", "a.ru.md", "a.uk.md", "pictures.txt"]
    assert [row.raw["slug"] for row in read_articles(folder)] == ["a"]


@pytest.mark.parametrize("other", ["README.md", "drafts/a.en.md", "a.de.md"])
def test_a_markdown_export_into_a_folder_with_other_markdown_files_changes_nothing(tmp_path, other) -> None:
    folder = tmp_path / "mdx"
    write_articles(_articles("a", "b"), folder)
    (folder / other).parent.mkdir(exist_ok=True)
    (folder / other).write_text("the operator's own notes")
    before = sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))
    with pytest.raises(ValidationFailed, match=f"not an export's \\({other}\\)"):
        write_articles(_articles("a"), folder)
    assert sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) == before
