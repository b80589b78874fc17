"""``relaydesk nlu ...`` commands (the integrator mounts ``nlu_group`` into the main CLI)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from core.errors import ConfigurationError
from core.settings import load_settings

_PROBLEMS_SHOWN = 20  # problems of a malformed evaluation file printed before "… and N more"


@click.group("nlu")
def nlu_group() -> None:
    """Language understanding: evaluate how the bot matches questions to articles."""


@nlu_group.command("eval")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (the last line of output).")
def eval_command(file: Path, as_json: bool) -> None:
    """Evaluate the NLU on FILE (the CONTRACT's evaluation format) through the bot's decision path."""
    # Imported here: the model stack takes seconds to import and other relaydesk commands don't need it.
    from nlu.evaluation import EvaluationFileError, evaluate, summary_rows

    try:
        settings = load_settings()
    except ConfigurationError as exc:
        click.echo(f"relaydesk: invalid settings: {exc}", err=True)
        sys.exit(2)
    try:
        # The encoder the bot uses (found by QA: the bundled one was evaluated whatever EMBEDDING_MODEL said).
        result = evaluate(file, embedding_model=settings.embedding_model)
    except EvaluationFileError as exc:
        # One line per problem, so a file with many bad items is mended in one go; a flood is cut short.
        for problem in exc.problems[:_PROBLEMS_SHOWN]:
            click.echo(f"relaydesk: {file}: {problem}", err=True)
        if len(exc.problems) > _PROBLEMS_SHOWN:
            click.echo(f"relaydesk: {file}: … and {len(exc.problems) - _PROBLEMS_SHOWN} more problems", err=True)
        sys.exit(1)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False))
        return
    width = max(len(key) for key, _ in summary_rows(result))
    for key, value in summary_rows(result):
        click.echo(f"{key:<{width}}  {value}")
    click.echo(f"{'actions':<{width}}  {json.dumps(result['actions'])}")
