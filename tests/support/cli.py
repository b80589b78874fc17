"""Runs the ``relaydesk`` command line in a child process, as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None,
            timeout: float = 180) -> subprocess.CompletedProcess:
    """Run ``relaydesk ARGS`` with only the given ``RELAYDESK_*`` variables set."""
    child_env = {k: v for k, v in os.environ.items() if not k.startswith("RELAYDESK_")}
    child_env["PYTHONPATH"] = str(REPO_ROOT)
    child_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-c", "from web.cli import main; main()", *args],
        env=child_env, cwd=cwd or REPO_ROOT, capture_output=True, text=True, timeout=timeout, check=False,
    )
