"""Helpers shared by the test modules (a plain module: ``conftest`` names are ambiguous
once tests/tui adds its own folder to the path)."""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
VIGNETTES = sorted((TESTS / "vignettes").glob("*.yaml"))

# Commands run by the tests never save sessions in the real user data folder.
_DATA_DIR = tempfile.mkdtemp(prefix="calcinosis-tests-")
atexit.register(shutil.rmtree, _DATA_DIR, ignore_errors=True)


def run_cli(*args: str, input: str | None = None, cwd: Path | None = None,
            timeout: float = 60, env: dict[str, str] | None = None,
            stdin=None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m chatbot.cli ARGS`` for real, as a person would."""
    kwargs = {"input": input} if input is not None else {"stdin": stdin or subprocess.DEVNULL}
    return subprocess.run(
        [sys.executable, "-m", "chatbot.cli", *args],
        capture_output=True, text=True, encoding="utf-8", timeout=timeout,
        cwd=str(cwd or REPO),
        env={**os.environ, "CALCINOSIS_DATA_DIR": _DATA_DIR, **(env or {})}, **kwargs,
    )
