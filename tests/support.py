"""Helpers shared by the test modules (a plain module: ``conftest`` names are ambiguous
once tests/tui adds its own folder to the path)."""

from __future__ import annotations

import atexit
import contextlib
import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
VIGNETTES = sorted((TESTS / "vignettes").glob("*.yaml"))

# Commands run by the tests never save sessions in the real user data folder.
_DATA_DIR = tempfile.mkdtemp(prefix="calcinosis-tests-")
atexit.register(shutil.rmtree, _DATA_DIR, ignore_errors=True)


def run_cli(
    *args: str,
    input: str | None = None,
    cwd: Path | None = None,
    timeout: float = 60,
    env: dict[str, str] | None = None,
    stdin=None,
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m chatbot.cli ARGS`` for real, as a person would."""
    kwargs = {"input": input} if input is not None else {"stdin": stdin or subprocess.DEVNULL}
    return subprocess.run(
        [sys.executable, "-m", "chatbot.cli", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
        cwd=str(cwd or REPO),
        env={**os.environ, "CALCINOSIS_DATA_DIR": _DATA_DIR, **(env or {})},
        **kwargs,
    )


def call_cli(
    *args: str, input: str | None = None, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``chatbot.cli.main(ARGS)`` in this process, with the same environment, standard
    input (never a terminal) and result as :func:`run_cli`, without starting a new Python.
    Tests of the process boundary (exit codes of a real process, standard input from a
    pipe or a terminal, signals) use :func:`run_cli`."""
    from chatbot.cli import main

    stdin = io.TextIOWrapper(io.BytesIO((input or "").encode("utf-8")), encoding="utf-8")
    out, err = io.BytesIO(), io.BytesIO()
    stdout = io.TextIOWrapper(out, encoding="utf-8", write_through=True)
    stderr = io.TextIOWrapper(err, encoding="utf-8", write_through=True)
    saved_env = dict(os.environ)
    os.environ.update({"CALCINOSIS_DATA_DIR": _DATA_DIR, **(env or {})})
    if env and "TZ" in env:
        time.tzset()
    try:
        with (
            contextlib.chdir(cwd or REPO),
            contextlib.redirect_stdout(stdout),
            contextlib.redirect_stderr(stderr),
        ):
            old_stdin, sys.stdin = sys.stdin, stdin
            try:
                code = main(list(args))
            except SystemExit as exc:  # argparse: --version, --help, bad arguments
                if isinstance(exc.code, str):
                    print(exc.code, file=sys.stderr)
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            finally:
                sys.stdin = old_stdin
    finally:
        os.environ.clear()
        os.environ.update(saved_env)
        if env and "TZ" in env:
            time.tzset()
    stdout.flush()
    stderr.flush()
    return subprocess.CompletedProcess(
        ["calcinosis", *args], code, out.getvalue().decode("utf-8"), err.getvalue().decode("utf-8")
    )
