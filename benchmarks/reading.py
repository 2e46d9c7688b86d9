#!/usr/bin/env python3
"""How well and how fast typed answers are read: the phrase table, per tag.

    python benchmarks/reading.py [--table FILE ...] [--show wrong|asked|all]

By default it reads ``tests/data/phrases.yaml`` and, when it is there, the held-out
table ``tests/data/phrases_heldout.yaml`` (written blind by someone else), one after
the other; ``--table`` (which may be given more than once) reads those files instead.

For every phrase of the table (``tests/data/phrases.yaml``: question, text, answers
so far, the answer a careful reader records or ``ask``) the engine's reader
(:mod:`chatbot.engine.reading.reader`) reads the text once; a phrase is

* right: it records exactly what the table expects (or asks back when it says ``ask``),
* asked: it asks back where the table expects an answer (safe, but a question more),
* wrong: it records something else (a misreading: the target is none).

Prints right/asked/wrong per tag and overall, and the median and 99th-percentile
time per phrase (target: under 2 ms at the 99th percentile), wall clock and this
thread's CPU time (which other programs on a busy machine do not inflate), after one
warm-up pass (the word list and the question tables are loaded on first use). Each
phrase is read three times and its fastest time counts: another program running on a
shared machine can only add time to a reading, never take it away.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from chatbot.engine.dialog.answers import normalize  # noqa: E402
from chatbot.engine.loading import default_engine  # noqa: E402
from chatbot.engine.reading.reader import Reading, reader_for  # noqa: E402

DEFAULT_TABLES = ("phrases.yaml", "phrases_heldout.yaml")
REPEATS = 3  # each phrase is timed this many times; its fastest time counts


def same(expect: Any, got: Any) -> bool:
    if isinstance(expect, list) and isinstance(got, list):
        return sorted(map(str, expect)) == sorted(map(str, got))
    if isinstance(expect, dict) and isinstance(got, dict):
        return str(expect.get("unit", "")).lower() == str(got.get("unit", "")).lower() and float(
            expect.get("value", "nan")
        ) == float(got.get("value", "nan"))
    if isinstance(expect, list) and not isinstance(got, list):
        return False
    return str(expect) == str(got)


def verdict(entry: dict[str, Any], reading: Reading) -> str:
    """right | asked | wrong for one phrase."""
    expect = entry.get("expect")
    if not reading.ok:
        return "right" if expect == "ask" else "asked"
    if expect == "ask":
        return "wrong"
    if not same(expect, reading.answer_data()):
        return "wrong"
    want_also = entry.get("also") or {}
    got_also = reading.to_json().get("also") or {}
    for key, value in want_also.items():
        if key not in got_also or not same(value, got_also[key]):
            return "wrong"
    return "right"


def given_answers(engine: Any, entry: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for qid, raw in (entry.get("given") or {}).items():
        out[qid] = normalize(qid, raw, engine.labs)
    return out


def run(table: Path, show: str) -> int:
    print(f"== {table.relative_to(ROOT) if table.is_relative_to(ROOT) else table}")
    engine = default_engine()
    reader = reader_for(engine)
    entries = yaml.safe_load(table.read_text(encoding="utf-8"))
    prepared = [(e, given_answers(engine, e)) for e in entries]
    for entry, given in prepared:  # warm-up: the word list and the tables
        reader.read(entry["question"], entry["text"], given)
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    times: list[float] = []
    cpu: list[float] = []
    for entry, given in prepared:
        wall, spent = [], []
        for _ in range(REPEATS):  # the fastest of a few: other programs only add time
            start, start_cpu = time.perf_counter(), time.thread_time()
            reading = reader.read(entry["question"], entry["text"], given)
            spent.append((time.thread_time() - start_cpu) * 1000)
            wall.append((time.perf_counter() - start) * 1000)
        cpu.append(min(spent))
        times.append(min(wall))
        result = verdict(entry, reading)
        for tag in [*(entry.get("tags") or ["untagged"]), "ALL"]:
            counts[tag][result] += 1
        if show == "all" or show == result:
            got = reading.answer_data() if reading.ok else "ask"
            print(
                f"{result.upper():5} {entry['question']:22} {entry['text']!r} -> {got} "
                f"(expected {entry.get('expect')}) {reading.ask or ''}"[:300]
            )
    print(f"{'tag':18} {'right':>6} {'asked':>6} {'wrong':>6} {'right %':>8}")
    for tag in sorted(counts, key=lambda t: (t == "ALL", t)):
        c = counts[tag]
        total = sum(c.values())
        print(
            f"{tag:18} {c['right']:6} {c['asked']:6} {c['wrong']:6} "
            f"{100 * c['right'] / total:7.1f}%"
        )
    times.sort()
    cpu.sort()
    at = min(len(times) - 1, int(len(times) * 0.99))
    print(
        f"time per phrase: median {statistics.median(times):.3f} ms, "
        f"99th percentile {times[at]:.3f} ms, max {times[-1]:.3f} ms ({len(times)} phrases); "
        f"CPU time (not slowed by other programs): 99th percentile {cpu[at]:.3f} ms"
    )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--table", type=Path, action="append", help="a phrase table (repeatable)")
    parser.add_argument(
        "--show", choices=("wrong", "asked", "right", "all", "none"), default="none"
    )
    args = parser.parse_args()
    tables = args.table or [
        t for t in (ROOT / "tests" / "data" / n for n in DEFAULT_TABLES) if t.exists()
    ]
    status = 0
    for k, table in enumerate(tables):
        if k:
            print()
        status = run(table.resolve(), args.show) or status
    return status


if __name__ == "__main__":
    sys.exit(main())
