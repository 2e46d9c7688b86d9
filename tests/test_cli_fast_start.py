"""The plain ``calcinosis`` (the terminal chat) reads its few options without argparse, so
that the first screen is not kept waiting; the result is exactly what argparse reads."""

from __future__ import annotations

import subprocess
import sys

import pytest
from support import REPO

from chatbot import cli

READ_DIRECTLY = [
    [],
    ["--new"],
    ["--resume"],
    ["--plain"],
    ["--no-save"],
    ["--theme", "dark"],
    ["--theme=light"],
    ["--theme", "high-contrast", "--new", "--no-save"],
    ["--plain", "--resume", "--theme=dark"],
]

LEFT_TO_ARGPARSE = [
    ["assess", "x.yaml"],
    ["validate"],
    ["-h"],
    ["--help"],
    ["--version"],
    ["--new", "--resume"],  # not both: argparse says so
    ["--res"],  # argparse accepts a shortened option
    ["--new", "--new"],
    ["--theme"],
    ["--theme", "pink"],
    ["--theme="],
    ["--theme=", "dark"],
    ["--theme", "dark", "--theme", "light"],
    ["--plain=yes"],
    ["--"],
    ["serve", "--theme", "dark"],
    ["--new", "history"],
]


@pytest.mark.parametrize("argv", READ_DIRECTLY, ids=" ".join)
def test_the_chat_options_are_read_as_argparse_reads_them(argv):
    fast = cli.chat_options(argv)
    assert fast is not None
    assert vars(fast) == vars(cli.build_parser().parse_args(argv))


@pytest.mark.parametrize("argv", LEFT_TO_ARGPARSE, ids=" ".join)
def test_anything_else_is_left_to_argparse(argv):
    assert cli.chat_options(argv) is None


def test_the_command_line_module_does_not_import_argparse_for_the_chat():
    code = (
        "import sys; from chatbot import cli; cli.chat_options(['--new']); "
        "print('argparse' in sys.modules)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=str(REPO), timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "False"
