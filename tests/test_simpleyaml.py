"""The fast reader of simple answers files reads each text exactly as PyYAML's safe
loader does, or leaves it to that loader (returns None); it never reads one differently."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from chatbot.engine.simpleyaml import load_simple

TESTS = Path(__file__).parent
FILES = sorted((TESTS / "cases").glob("*.yaml")) + sorted((TESTS / "vignettes").glob("*.yaml"))


def _same(a: Any, b: Any) -> bool:
    """Equal, and of the same types all the way down (True is not 1, 1.0 is not 1)."""
    if type(a) is not type(b) and not (isinstance(a, dict) and isinstance(b, dict)):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and a != a:
        return bool(b != b)
    return bool(a == b)


def _pyyaml(text: str) -> Any:
    try:
        return yaml.load(text, Loader=yaml.CSafeLoader)  # a safe loader
    except yaml.YAMLError as exc:
        return exc


def _check(text: str) -> Any:
    fast = load_simple(text)
    if fast is not None:
        full = _pyyaml(text)
        assert not isinstance(full, Exception), f"read {text!r}, which PyYAML refuses: {full}"
        assert _same(fast, full), f"{text!r}: {fast!r} != PyYAML's {full!r}"
    return fast


def test_every_shipped_answers_file_reads_the_same() -> None:
    """The answers of every case and vignette, as written (their notes run over several
    lines: those files are left to PyYAML) and as ``yaml.safe_dump`` writes them (read
    fast: block mappings, lists, quoted yes and no)."""
    fast = inline = 0
    for path in FILES:
        text = path.read_text(encoding="utf-8")
        _check(text)
        answers = yaml.safe_load(text)["answers"]
        assert _check(yaml.safe_dump(answers)) is not None, f"{path.name} left to PyYAML"
        # the vignettes' own style: one-line lists and mappings
        dumped = yaml.safe_dump(answers, default_flow_style=None)
        if not dumped.startswith("{"):  # (a few answers without lists: one flow mapping)
            fast += _check(dumped) is not None
            inline += 1
        _check(yaml.safe_dump({"answers": answers, "expect": {"type": "x"}}))
    assert fast == inline > 200


SCALARS = [
    "severe",
    "'yes'",
    '"no"',
    "yes",
    "No",
    "ON",
    "off",
    "true",
    "FALSE",
    "y",
    "n",
    "null",
    "Null",
    "~",
    "9.4",
    "12",
    "012",
    "0x1F",
    "0o17",
    "0b101",
    "1_000",
    "+5",
    "-5",
    "-3.5",
    "-.5",
    ".5",
    "1e3",
    "1.0e3",
    "1.5e+3",
    ".inf",
    "-.inf",
    ".nan",
    "1:30",
    "2024-01-05",
    "2024-01-05 10:00:00",
    "a:b",
    "a b",
    "a  b",
    "mg/dL",
    "µmol/L",
    "it's",
    "'it''s'",
    "''",
    '""',
    "'a''",
    "'a' b",
    '"a\\tb"',
    '"a"b"',
    "a #b",
    "a#b",
    "a # comment",
    "[a, b]",
    "[a, 'b, c']",
    "[]",
    "{}",
    "[a, [b]]",
    "{value: 9.4, unit: mg/dL}",
    "{value: 9.4, value: 1}",
    "{a:1}",
    "[- a]",
    "[-1, +2]",
    "[yes, no, ~]",
    "{'a': 1}",
    "[a,]",
    "&anchor a",
    "*alias",
    "!tag a",
    "|",
    ">",
    "- a",
    "-",
    "?",
    ": a",
    "%a",
    "@a",
    "`a",
    "a:",
    "a: b",
    "{a: b",
    "[a, b] # c",
    "x" * 5000,
    "1" * 40,
    "1" * 5000,
    "<<",
    "=",
    "- - a",
    "- a: b",
    "Ünïcödé",
    "😀",
    "a\u00a0b",
    "a\u2028b",
    "a\x85b",
    "\ufeffa",
    "a\x07b",
    "1_2:3",
    "0.",
    "._",
]


@pytest.mark.parametrize("value", SCALARS, ids=[repr(s)[:20] for s in SCALARS])
def test_a_value_reads_as_pyyaml_reads_it(value: str) -> None:
    for text in (
        f"pain: {value}\n",
        f"pain: {value}",
        f"a: 1\npain: {value}\nb: 2\n",
        f"list:\n- {value}\n- x\n",
        f"list:\n  - {value}\nnext: 1\n",
        f"outer:\n  inner: {value}\n  more: [x, {value}]\n",
        f"{value}: 1\n",
        f"answers:\n  {value}: x\n",
    ):
        _check(text)


SHAPES = [
    "",
    "# only a comment\n",
    "pain: severe\npain: mild\n",
    "a:\n  b: 1\n c: 2\n",
    "a:\n  b: 1\n    c: 2\n",
    "a: x\n  continued\n",
    "a:\n- x\n  continued\n",
    "a:\n- x\n  - y\n",
    "a:\n  - x\n  b: 1\n",
    "a:\n- x\nb:\n",
    "a:\nb: 1\n",
    "a:  # a comment\n  b: 1\n",
    "  a: 1\n  b: 2\n",
    "a: 1\n  # indented comment\nb: 2\n",
    "---\na: 1\n",
    "a: 1\n...\n",
    "a: 1\r\nb: 2\r\n",
    "a:\t1\n",
    "- a\n- b\n",
    "just text\n",
    "a: 'multi\n  line'\n",
    "a: [x,\n  y]\n",
    "yes: 1\n",
    "1: a\n",
    "a-b: 1\n",
    "a : 1\n",
    "a:\n-\n  b\n",
    "a:\n  -  x\n",
    "a: |\n  text\n",
    "a: >\n  text\n",
    "a:\n  b:\n    c:\n      d: [1, 2]\n",
    "a: &x 1\nb: *x\n",
]


@pytest.mark.parametrize("text", SHAPES, ids=[repr(s)[:20] for s in SHAPES])
def test_a_shape_reads_as_pyyaml_reads_it(text: str) -> None:
    _check(text)


def test_what_is_left_to_pyyaml() -> None:
    """The fast reader says no to what it must not read (so PyYAML's messages stay)."""
    assert load_simple("pain: severe\npain: mild\n") is None  # PyYAML names both lines
    assert load_simple("a: 2024-01-05\n") is None  # a date
    assert load_simple("a: x\n  continued\n") is None  # a plain value on two lines
    assert load_simple("- a\n") is None  # not a mapping
    assert load_simple("a: [x, [y]]\n") is None
    assert load_simple("a: " + "1" * 5000 + "\n") is None  # too long for int()
    assert load_simple("calcium: {value: 9.4, unit: mg/dL}\n") == {
        "calcium": {"value": 9.4, "unit": "mg/dL"}
    }
