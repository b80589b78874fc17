"""Run the NLU on every benchmark set, beside the baseline and ablations, in one process.

Usage (from the repository root)::

    python benchmarks/nlu/run_nlu_benchmarks.py [--data DIR] [--sets a,b] [--no-ablations]

For each set it reports, through ``nlu.evaluation.evaluate`` (the bot's ``decide`` path, thresholds
calibrated from the articles only):

- ``full``: lexical + dense (MiniLM) + multilingual (USE) + classifier, fusion and thresholds calibrated;
- ``lexical``, ``dense``, ``multilingual``: one part only, still calibrated;
- ``uncalibrated``: all parts, fixed average fusion and default thresholds;

and the baseline the issue compares against: all-MiniLM-L6-v2 nearest example question with the
out-of-scope threshold chosen *on the test set itself* (optimistic by construction). Latencies are
measured on the ``full`` run only, with a cold query cache. Results go to stdout as a Markdown table
and to ``--out`` as JSON.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import numpy as np

from nlu.encoder import Encoder, get_encoder
from nlu.engine import NLUEngine
from nlu.evaluation import evaluate, load

SETS = (
    "hint3_sofmattress",
    "hint3_powerplay11",
    "banking77_oos",
    "bitext_customer_support",
    "ru_banking77_fewshot",
    "ru_massive_fewshot",
)
ABLATIONS = {
    "lexical": {"parts": ("lexical",)},
    "dense": {"parts": ("dense",)},
    "multilingual": {"parts": ("multilingual",)},
    "uncalibrated": {"calibrate": False},
}


class MemoEncoder:
    """Remembers every text it encodes, so ablations do not pay for the same vectors again."""

    def __init__(self, encoder: Encoder) -> None:
        self._encoder = encoder
        self.dimension = encoder.dimension
        self.english_only = encoder.english_only
        self.model_name = encoder.model_name
        self.runtime = encoder.runtime
        self._memo: dict[str, np.ndarray] = {}

    def encode(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self._memo]
        if missing:
            self._memo.update(zip(missing, self._encoder.encode(missing), strict=True))
        return np.stack([self._memo[t] for t in texts]) if texts else self._encoder.encode([])


def baseline(data: dict, encoder: Encoder) -> dict:
    """MiniLM nearest example question; the out-of-scope threshold is the best one *on the test set*."""
    questions, owners = [], []
    for article in data["articles"]:
        for text in (article.get("title"), *article["questions"]):
            if text:
                questions.append(text)
                owners.append(article["id"])
    ids = sorted(set(owners))
    owner = np.array([ids.index(o) for o in owners])
    doc_vectors = encoder.encode(questions)
    tests = data["test"]
    query_vectors = encoder.encode([t["query"] for t in tests])
    sims = query_vectors @ doc_vectors.T
    per_article = np.full((len(tests), len(ids)), -1.0)
    for position in range(len(ids)):
        per_article[:, position] = sims[:, owner == position].max(axis=1)
    best, top = per_article.max(axis=1), per_article.argmax(axis=1)
    gold = np.array([ids.index(t["article_id"]) if t["article_id"] is not None else -1 for t in tests])
    inside, outside = gold >= 0, gold < 0
    right = top == gold
    if not outside.any():
        return {
            "in_scope_accuracy": round(float(right[inside].mean()), 4),
            "oos_recall": None,
            "overall_accuracy": round(float(right[inside].mean()), 4),
        }
    scores = [
        (int((right & inside & (best >= t)).sum() + (outside & (best < t)).sum()), t) for t in np.unique(best)
    ]
    _, threshold = max(scores)
    return {
        "in_scope_accuracy": round(float((right & inside & (best >= threshold)).sum() / inside.sum()), 4),
        "oos_recall": round(float((outside & (best < threshold)).sum() / outside.sum()), 4),
        "overall_accuracy": round(max(scores)[0] / len(tests), 4),
    }


def machine() -> dict:
    """CPU model, core count and memory of this machine."""
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    load = Path("/proc/loadavg").read_text().split()[:3]
    return {
        "cpu": model,
        "cores": len(Path("/proc/cpuinfo").read_text().split("processor")) - 1,
        "ram_gb": round(memory_kb / 2**20, 1),
        "load_avg": load,
    }


def _factory(encoder, language: str, options: dict):
    def make() -> NLUEngine:
        return NLUEngine(encoder=encoder, default_language=language, **options)

    return make


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/benchmarks/nlu"))
    parser.add_argument("--sets", default=",".join(SETS))
    parser.add_argument("--no-ablations", action="store_true")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/nlu/results.json"))
    args = parser.parse_args()

    encoder = get_encoder()
    memo = MemoEncoder(encoder)
    results: dict = {"machine": machine(), "sets": {}}
    for name in args.sets.split(","):
        data = load(args.data / f"{name}.json")
        language = data.get("language", "en")
        started = time.perf_counter()
        encoder.clear_cache()
        row = {"full": evaluate(data, engine_factory=_factory(encoder, language, {}))}
        row["baseline"] = baseline(data, memo)
        if not args.no_ablations:
            for label, options in ABLATIONS.items():
                row[label] = evaluate(data, engine_factory=_factory(memo, language, options))
        row["seconds"] = round(time.perf_counter() - started, 1)
        results["sets"][name] = row
        results["machine"]["load_avg_end"] = Path("/proc/loadavg").read_text().split()[:3]
        # Written after every set: a long run that is stopped still leaves what it measured.
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(markdown({"sets": {name: row}}).splitlines()[-1], flush=True)
    print(markdown(results))


def _fmt(value) -> str:
    return "–" if value is None else f"{value:.3f}"


def markdown(results: dict) -> str:
    """Render the results as the Markdown table kept in benchmarks/README.md."""
    lines = [
        "| set | full: overall / in-scope / oos recall | answer precision | p50 / p99 ms"
        " | baseline (test-tuned) overall / in-scope / oos | lexical only | dense only | multilingual only"
        " | uncalibrated |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, row in results["sets"].items():
        full, base = row["full"], row["baseline"]
        cells = [
            name,
            " / ".join(
                _fmt(full[k])
                for k in ("overall_accuracy", "in_scope_accuracy", "oos_recall", "answer_precision")
            ),
            f"{full['p50_ms']:.1f} / {full['p99_ms']:.1f}",
            " / ".join(_fmt(base[k]) for k in ("overall_accuracy", "in_scope_accuracy", "oos_recall")),
        ]
        for label in ABLATIONS:
            cells.append(_fmt(row[label]["overall_accuracy"]) if label in row else "–")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
