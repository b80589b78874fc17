"""Evaluation on a file in the CONTRACT's evaluation format, through the same ``decide`` path as the bot."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from nlu.engine import NLUEngine
from nlu.language import SUPPORTED
from nlu.types import KnowledgeEntry

# Not a test query: one call before timing so lazy loading does not count as query latency.
_WARM_UP = "warm up"


class EvaluationFileError(ValueError):
    """The evaluation file is not in the CONTRACT's format; ``problems`` name each problem and where."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def load(path_or_dict: str | Path | dict) -> dict:
    """Return the evaluation data, reading it from a JSON file when given a path, checked.

    Raises:
        EvaluationFileError: not JSON, or not in the CONTRACT's format (see :func:`check`).
    """
    if isinstance(path_or_dict, dict):
        data = path_or_dict
    else:
        try:
            data = json.loads(Path(path_or_dict).read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise EvaluationFileError([f"line {exc.lineno} column {exc.colno}: not valid JSON: {exc.msg}"]) from None
        except UnicodeDecodeError as exc:
            raise EvaluationFileError([f"not UTF-8 text ({exc.reason} at byte {exc.start})"]) from None
    check(data)
    return data


def check(data: object) -> None:
    """Check ``data`` against the CONTRACT's evaluation format before anything is evaluated.

    A test item's ``article_id`` must name one of the articles, or be null or absent (an
    out-of-scope query); languages must be ones the NLU supports. Every problem is reported at once,
    so a file with several bad items is mended in one go.

    Raises:
        EvaluationFileError: naming each problem and its position (``test item 3``, ``article 2``).
    """
    if not isinstance(data, dict):
        raise EvaluationFileError([f"expected a JSON object with articles and test, not {_kind(data)}"])
    problems: list[str] = []
    _check_language(data, "the file", problems)
    for key, of_strings in (("articles", False), ("test", False), ("oos_train", True)):
        _check_list(data, key, "the file", problems, of_strings=of_strings)
    ids: set[str] = set()
    # (id, language) -> the number of the article that has it first: one id may come once per language.
    seen: dict[tuple[str, object], int] = {}
    for number, article in enumerate(_entries(data, "articles"), 1):
        _check_article(article, f"article {number}", problems)
        if isinstance(article, dict) and _is_id(article.get("id")):
            ids.add(str(article["id"]))
            # Two articles under one id and language are evaluated as one (found by QA: the last silently won).
            language = article.get("language", data.get("language"))
            first = seen.setdefault((str(article["id"]), language), number)
            if first != number:
                problems.append(f"article {number}: id {article['id']!r} in language {language!r} is article "
                                f"{first}'s too")
    for number, item in enumerate(_entries(data, "test"), 1):
        _check_test_item(item, f"test item {number}", ids, problems)
    if data.get("test") in (None, []):
        problems.append("the file: test has no items, so there is nothing to evaluate")
    if problems:
        raise EvaluationFileError(problems)


def _entries(data: dict, key: str) -> list:
    # A key that is not a list is reported once by _check_list; its entries are not checked.
    return data[key] if isinstance(data.get(key), list) else []


def _is_id(value: object) -> bool:
    return not isinstance(value, bool) and isinstance(value, str | int) and value != ""


def _check_article(article: object, where: str, problems: list[str]) -> None:
    if not isinstance(article, dict):
        problems.append(f"{where}: expected an object, not {_kind(article)}")
        return
    if not _is_id(article.get("id")):
        problems.append(f"{where}: id must be a non-empty string or a number")
    if article.get("title") is not None and not isinstance(article["title"], str):
        problems.append(f"{where}: title must be a string")
    _check_language(article, where, problems)
    _check_list(article, "questions", where, problems, of_strings=True)


def _check_test_item(item: object, where: str, ids: set[str], problems: list[str]) -> None:
    if not isinstance(item, dict):
        problems.append(f"{where}: expected an object, not {_kind(item)}")
        return
    # An empty query is allowed: real traffic has them (banking77_oos does), and the bot decides them.
    if not isinstance(item.get("query"), str):
        problems.append(f"{where}: query must be a string")
    expected = item.get("article_id")
    if expected is not None and str(expected) not in ids:
        problems.append(f"{where}: article_id {expected!r} names no article of the file")
    _check_language(item, where, problems)


def _check_language(holder: dict, where: str, problems: list[str]) -> None:
    language = holder.get("language")
    if language is not None and language not in SUPPORTED:
        problems.append(f"{where}: language {language!r} is not one of {', '.join(SUPPORTED)}")


def _check_list(holder: dict, key: str, where: str, problems: list[str], *, of_strings: bool = False) -> None:
    value = holder.get(key)
    if value is None:
        return
    if not isinstance(value, list):
        problems.append(f"{where}: {key} must be a list, not {_kind(value)}")
    elif of_strings and not all(isinstance(entry, str) for entry in value):
        problems.append(f"{where}: {key} must be a list of strings")


def _kind(value: object) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "true/false", type(None): "null"}.get(
        type(value), "a number")


def entries_of(data: dict) -> list[KnowledgeEntry]:
    """Turn the file's articles into knowledge entries (answer = title).

    An article is in the file's ``language`` unless it names its own; one id may then appear once per
    language (a multilingual knowledge base, as in ``tests/data/nlu/shop_phrasings.json``).
    """
    language = data.get("language", "en")
    return [
        KnowledgeEntry(
            article_id=str(a["id"]),
            language=a.get("language", language),
            title=a.get("title") or str(a["id"]),
            questions=tuple(a.get("questions") or ()),
            answer=a.get("title") or str(a["id"]),
        )
        for a in data.get("articles", [])
    ]


def evaluate(
    path_or_dict: str | Path | dict, *, engine_factory: Callable[[], NLUEngine] | None = None,
    embedding_model: str | None = None,
) -> dict:
    """Build an engine from the file's articles and run every test query through ``decide``.

    Thresholds come from the articles (and ``oos_train`` when present) inside ``rebuild``; the test
    queries are only ever decided on, never learnt from.

    Args:
        path_or_dict: A path to an evaluation JSON file, or its parsed content.
        engine_factory: Builds the engine (default: ``NLUEngine`` with the file's language as default).
        embedding_model: The encoder of the default engine (``EMBEDDING_MODEL``; None: the bundled one).

    Returns:
        ``in_scope_accuracy`` (abstentions count as wrong), ``oos_recall`` (share of out-of-scope
        queries not answered; None without any), ``overall_accuracy``, ``answer_precision`` (correct
        answers / answers given; None without answers), ``p50_ms``, ``p99_ms`` (wall clock), ``queries``,
        and extras: ``cpu_p50_ms``, ``cpu_p99_ms`` (CPU time per query), ``in_scope``, ``out_of_scope``,
        ``top1_accuracy`` (in scope, best candidate right whatever the action), ``language_accuracy``
        (when test items name their language), ``actions``, ``build_s``, ``thresholds``, ``name``,
        ``encoder_model`` and ``encoder_runtime`` (e.g. ``"onnxruntime-int8"``; a PyTorch runtime means
        the int8 graph was refused and latencies are several times higher).
    """
    data = load(path_or_dict)
    language = data.get("language", "en")
    engine = (engine_factory() if engine_factory
              else NLUEngine(default_language=language, embedding_model=embedding_model))
    started = time.perf_counter()
    engine.rebuild(entries_of(data), oos_examples=tuple(data.get("oos_train") or ()))
    build_s = time.perf_counter() - started
    engine.decide(_WARM_UP, language_hint=language)

    latencies, cpu_times, actions = [], [], Counter()
    in_right = in_total = out_right = out_total = answered = answered_right = top1_right = 0
    language_right = language_total = 0
    for item in data.get("test", []):
        started, cpu_started = time.perf_counter(), time.thread_time()
        decision = engine.decide(item["query"], language_hint=language)
        latencies.append((time.perf_counter() - started) * 1000)
        # CPU time of this thread (torch runs single-threaded in it): what a query costs even when
        # other processes keep the cores busy and wall-clock latency says more about them than us.
        cpu_times.append((time.thread_time() - cpu_started) * 1000)
        actions[decision.action] += 1
        if item.get("language"):
            language_total += 1
            language_right += decision.language == item["language"]
        expected = item.get("article_id")
        is_answer = decision.action == "answer"
        right = is_answer and decision.article_id == expected if expected is not None else not is_answer
        answered += is_answer
        answered_right += is_answer and right
        if expected is None:
            out_total += 1
            out_right += right
        else:
            in_total += 1
            in_right += right
            top1_right += bool(decision.candidates) and decision.candidates[0].article_id == expected

    total = in_total + out_total
    return {
        "in_scope_accuracy": _ratio(in_right, in_total),
        "oos_recall": _ratio(out_right, out_total),
        "overall_accuracy": _ratio(in_right + out_right, total),
        "answer_precision": _ratio(answered_right, answered),
        "p50_ms": round(float(np.percentile(latencies, 50)), 2) if latencies else 0.0,
        "p99_ms": round(float(np.percentile(latencies, 99)), 2) if latencies else 0.0,
        "queries": total,
        "cpu_p50_ms": round(float(np.percentile(cpu_times, 50)), 2) if cpu_times else 0.0,
        "cpu_p99_ms": round(float(np.percentile(cpu_times, 99)), 2) if cpu_times else 0.0,
        "in_scope": in_total,
        "out_of_scope": out_total,
        "top1_accuracy": _ratio(top1_right, in_total),
        "language_accuracy": _ratio(language_right, language_total),
        "actions": dict(actions),
        "build_s": round(build_s, 2),
        "thresholds": {
            "answer": round(engine.thresholds.answer, 4),
            "calibrated": engine.thresholds.calibrated,
        },
        "name": data.get("name", ""),
        "encoder_model": engine.encoder.model_name,
        "encoder_runtime": engine.encoder.runtime,
    }


def _ratio(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def summary_rows(result: dict[str, Any]) -> list[tuple[str, str]]:
    """Return (metric, value) rows of an :func:`evaluate` result for a human-readable table."""
    keys = (
        "name",
        "queries",
        "in_scope",
        "out_of_scope",
        "in_scope_accuracy",
        "oos_recall",
        "overall_accuracy",
        "answer_precision",
        "top1_accuracy",
        "language_accuracy",
        "p50_ms",
        "p99_ms",
        "build_s",
    )
    rows = [(key, "n/a" if result.get(key) is None else str(result[key])) for key in keys]
    # One line, so a run that fell back to PyTorch is seen next to the latencies it explains.
    return [*rows, ("encoder", f"{result['encoder_model']} on {result['encoder_runtime']}")]
