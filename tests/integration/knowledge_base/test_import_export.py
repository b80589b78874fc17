"""``relaydesk kb import/export``: the demo knowledge base round-trips through every format; bad files
change nothing and name every bad row; imports are idempotent; a 5 MB file imports."""

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from knowledge_base.demo import DEMO_ARTICLES
from knowledge_base.models import Article, ArticleVersion
from knowledge_base.transfer.importer import validate_rows
from knowledge_base.transfer.readers import read_articles
from tests.support.cli import run_cli
from tests.support.kb import article_body


def _env(settings) -> dict[str, str]:
    return {"RELAYDESK_DATABASE_URL": settings.database_url}


def _meaning(path: Path) -> dict:
    return {a.slug: a for a in validate_rows(read_articles(path))}


async def _counts(session_factory) -> tuple[int, int]:
    async with session_factory() as session:
        return (await session.scalar(select(func.count(Article.id))),
                await session.scalar(select(func.count(ArticleVersion.id))))


async def test_demo_knowledge_base_round_trips_through_every_format(settings, session_factory, tmp_path) -> None:
    imported = run_cli("kb", "import", str(DEMO_ARTICLES), env=_env(settings))
    assert imported.returncode == 0, imported.stderr
    original = _meaning(DEMO_ARTICLES)
    assert len(original) >= 30
    assert f"created {len(original)}, updated 0, unchanged 0" in imported.stdout
    for target in ("kb.json", "kb.yaml", "kb.csv", "kb-folder"):
        exported = run_cli("kb", "export", str(tmp_path / target), env=_env(settings))
        assert exported.returncode == 0, exported.stderr
        assert _meaning(tmp_path / target) == original, target
        # Importing the export back is a no-op: equal in meaning, matched by slug.
        again = run_cli("kb", "import", str(tmp_path / target), env=_env(settings))
        assert f"created 0, updated 0, unchanged {len(original)}" in again.stdout, again.stdout + again.stderr
    assert len(list((tmp_path / "kb-folder").glob("*.md"))) == sum(len(a.variants) for a in original.values())
    assert await _counts(session_factory) == (len(original), len(original))  # one version each, no more


async def test_an_import_updates_changed_articles_by_slug(settings, session_factory, tmp_path) -> None:
    first = tmp_path / "first.json"
    first.write_text(json.dumps([article_body("a"), article_body("b")]), encoding="utf-8")
    assert run_cli("kb", "import", str(first), env=_env(settings)).returncode == 0
    changed = tmp_path / "changed.yaml"
    changed.write_text(
        "- slug: a\n  title: Renamed\n  variants:\n    en:\n      answer: New answer\n      questions: ['Q?']\n",
        encoding="utf-8")
    result = run_cli("kb", "import", str(changed), env=_env(settings))
    assert "created 0, updated 1, unchanged 0" in result.stdout
    assert "Importing" in result.stderr  # the progress bar
    async with session_factory() as session:
        article = await session.scalar(select(Article).where(Article.slug == "a"))
        assert (article.title, [v.language for v in article.variants], article.version) == ("Renamed", ["en"], 2)


async def test_a_json_file_with_bad_rows_names_each_line_and_changes_nothing(settings, session_factory,
                                                                             tmp_path) -> None:
    rows = [article_body("good"), article_body("BAD slug"),
            article_body("empty", variants={"en": {"answer": "", "questions": ["Q?"]}}),
            article_body("unasked", status="published", variants={"en": {"answer": "A", "questions": []}}),
            article_body("good")]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(rows, ensure_ascii=False, indent=2), encoding="utf-8")
    lines = [n + 1 for n, line in enumerate(path.read_text().splitlines()) if line == "  {"]
    result = run_cli("kb", "import", str(path), env=_env(settings))
    assert result.returncode == 1
    assert "4 bad article(s), nothing was imported" in result.stderr
    assert f"line {lines[1]}: slug:" in result.stderr
    assert f"line {lines[2]}: variants.en.answer: the answer is empty" in result.stderr
    assert f"line {lines[3]}: variants.en.questions: a published article needs" in result.stderr
    assert f"line {lines[4]}: slug: slug 'good' appears twice (first at line {lines[0]})" in result.stderr
    assert await _counts(session_factory) == (0, 0)


@pytest.mark.parametrize(("name", "content", "expected"), [
    pytest.param("bad.csv", "slug,title,language,answer,questions\nok,Ok,en,Fine,Q?\nnope,Nope,en,,Q?\n"
                 "x,X,de,Hallo,Q?\n", ["line 3: variants.en.answer", "line 4: variants.de"], id="csv"),
    pytest.param("bad.yaml", "- slug: ok\n  title: Ok\n  variants: {en: {answer: Fine}}\n- slug: nope\n"
                 "  variants: {en: {answer: Fine}}\n", ["line 4: title: the title is required"], id="yaml"),
    pytest.param("bad.json", "[{\"slug\": \"x\",\n", ["line 2: not valid JSON"], id="broken-json"),
])
async def test_bad_files_of_each_format_name_the_line(settings, session_factory, tmp_path, name, content,
                                                      expected) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    result = run_cli("kb", "import", str(path), env=_env(settings))
    assert result.returncode == 1
    for text in expected:
        assert text in result.stderr
    assert await _counts(session_factory) == (0, 0)


async def test_a_bad_markdown_file_is_named(settings, session_factory, tmp_path) -> None:
    folder = tmp_path / "md"
    folder.mkdir()
    (folder / "ok.en.md").write_text("---\nslug: ok\ntitle: Ok\nlanguage: en\nquestions: [Q?]\n---\nFine\n")
    (folder / "ok.uk.md").write_text("---\nslug: ok\ntitle: Інший\nlanguage: uk\n---\nДобре\n")
    (folder / "empty.en.md").write_text("---\nslug: empty\ntitle: Empty\nlanguage: en\n---\n\n")
    result = run_cli("kb", "import", str(folder), env=_env(settings))
    assert result.returncode == 1
    assert "ok.en.md, ok.uk.md: title: ok.uk.md disagrees with ok.en.md" in result.stderr
    assert "empty.en.md: variants.en.answer: the answer is empty" in result.stderr
    assert await _counts(session_factory) == (0, 0)


async def test_a_5_mb_file_imports(settings, session_factory, tmp_path) -> None:
    filler = "Детальна відповідь про доставку, оплату та повернення. " * 100  # ~10 KB per article
    articles = [article_body(f"article-{n}", variants={"uk": {"answer": f"{n}. {filler}",
                                                              "questions": [f"Питання номер {n}?"]}})
                for n in range(520)]
    path = tmp_path / "big.json"
    path.write_text(json.dumps(articles, ensure_ascii=False), encoding="utf-8")
    assert path.stat().st_size >= 5 * 1024 * 1024
    result = run_cli("kb", "import", str(path), env=_env(settings), timeout=300)
    assert result.returncode == 0, result.stderr
    assert "created 520" in result.stdout
    assert await _counts(session_factory) == (520, 520)


async def test_the_demo_seeder_publishes_the_demo_knowledge_base(session_factory) -> None:
    from web.demo import seed_demo

    assert await seed_demo(session_factory) is not None
    async with session_factory() as session:
        statuses = (await session.scalars(select(Article.status))).all()
    assert len(statuses) == len(_meaning(DEMO_ARTICLES)) and set(statuses) == {"published"}
