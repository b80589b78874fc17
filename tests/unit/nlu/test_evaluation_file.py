"""``relaydesk nlu eval`` refuses a malformed evaluation file with one line per problem, naming it
and its position, before anything is evaluated."""

import json

import pytest
from click.testing import CliRunner

from nlu.cli import nlu_group
from nlu.evaluation import EvaluationFileError, check

ARTICLES = [{"id": "refund_time", "title": "Refund time", "questions": ["When will I get my money back?"]},
            {"id": 7, "language": "uk", "questions": ["Де моє замовлення?"]}]


def _file(**changes) -> dict:
    return {"name": "x", "language": "en", "articles": ARTICLES,
            "test": [{"query": "refund?", "article_id": "refund_time"}, {"query": "де посилка", "article_id": 7},
                     {"query": "weather?", "article_id": None}, {"query": "joke?"}, {"query": ""}],
            "oos_train": ["tell me a joke"]} | changes


def test_a_file_in_the_contract_format_passes_including_out_of_scope_items_and_an_empty_query() -> None:
    check(_file())


def test_one_id_may_come_once_per_language() -> None:
    check(_file(articles=[*ARTICLES, {"id": "refund_time", "language": "uk", "questions": ["Коли повернуть гроші?"]}]))


@pytest.mark.parametrize(("data", "problem"), [
    ([], "expected a JSON object with articles and test, not a list"),
    (_file(language="xx"), "the file: language 'xx' is not one of uk, ru, en"),
    (_file(articles={"a": 1}), "the file: articles must be a list, not an object"),
    (_file(oos_train="joke"), "the file: oos_train must be a list, not a string"),
    (_file(articles=[*ARTICLES, {"id": "c", "questions": "q1"}]), "article 3: questions must be a list, not a string"),
    (_file(articles=[*ARTICLES, {"title": "no id"}]), "article 3: id must be a non-empty string or a number"),
    (_file(articles=[*ARTICLES, {"id": "c", "language": "de"}]), "article 3: language 'de' is not one of"),
    (_file(test=[{"query": "q", "article_id": "refund_time"}, {"query": "q", "article_id": "refnd"}]),
     "test item 2: article_id 'refnd' names no article of the file"),
    (_file(test=[{"query": "q", "article_id": "7"}, {"article_id": "refund_time"}]),
     "test item 2: query must be a string"),
    (_file(test=[{"query": "q", "language": "xx"}]), "test item 1: language 'xx' is not one of"),
    (_file(test=["refund?"]), "test item 1: expected an object, not a string"),
    # Found by QA: evaluated with exit 0, the second article silently standing for both.
    (_file(articles=[*ARTICLES, {"id": "refund_time", "questions": ["q"]}]),
     "article 3: id 'refund_time' in language 'en' is article 1's too"),
    (_file(articles=[*ARTICLES, {"id": "7", "language": "uk", "questions": ["q"]}]),
     "article 3: id '7' in language 'uk' is article 2's too"),
    (_file(test=[]), "the file: test has no items, so there is nothing to evaluate"),
    ({"name": "t", "language": "en", "articles": []}, "the file: test has no items"),
])
def test_each_malformed_file_names_its_problem_and_position(data, problem) -> None:
    with pytest.raises(EvaluationFileError, match=f"^{problem}"):
        check(data)


@pytest.mark.parametrize(("content", "problem"), [
    ('{"name":"x"', "line 1 column 12: not valid JSON"),
    (json.dumps([_file()]), "expected a JSON object"),
    (json.dumps(_file(test=[{"query": "q", "article_id": "nope"}])), "test item 1: article_id 'nope' names no"),
])
def test_the_command_prints_one_line_and_exits_non_zero(tmp_path, content, problem) -> None:
    path = tmp_path / "eval.json"
    path.write_text(content, encoding="utf-8")
    result = CliRunner().invoke(nlu_group, ["eval", str(path), "--json"])
    assert result.exit_code == 1, result.output
    assert result.output == f"relaydesk: {path}: {problem}" + result.output.split(problem, 1)[1]
    assert result.output.count("\n") == 1


def test_every_problem_is_named_at_once() -> None:
    # Found in review: only the first problem was reported, so a file was mended one run at a time.
    data = _file(articles=[*ARTICLES, {"id": ""}, "faq"], oos_train="joke",
                 test=[{"query": "q", "article_id": "refnd"}, {"query": 5}, {"query": "q", "article_id": "7"}])
    with pytest.raises(EvaluationFileError) as raised:
        check(data)
    assert raised.value.problems == [
        "the file: oos_train must be a list, not a string",
        "article 3: id must be a non-empty string or a number",
        "article 4: expected an object, not a string",
        "test item 1: article_id 'refnd' names no article of the file",
        "test item 2: query must be a string",
    ]


def test_the_command_lists_twenty_problems_then_counts_the_rest(tmp_path) -> None:
    path = tmp_path / "eval.json"
    path.write_text(json.dumps(_file(test=[{"query": "q", "article_id": f"a{n}"} for n in range(1, 26)])),
                    encoding="utf-8")
    result = CliRunner().invoke(nlu_group, ["eval", str(path)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == f"relaydesk: {path}: test item 1: article_id 'a1' names no article of the file"
    assert lines[19].endswith("test item 20: article_id 'a20' names no article of the file")
    assert lines[20:] == [f"relaydesk: {path}: … and 5 more problems"]
