#!/usr/bin/env python3
"""``calcinosis assess --json`` with many files against one file, in the same run.

    python benchmarks/cli_speed.py [--files 1000] [--repeat 5]

Copies the vignettes' answers into a temporary folder (cycled up to N files), then
runs the real command, as a person would, alternately with all N files and with
one, and prints the median wall time of each and their difference: the cost of
N - 1 extra assessments (start-up and engine loading cancel out).
Target (issue 11): 999 extra assessments in under 0.5 s.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
VIGNETTES = sorted((HERE.parent / "tests" / "vignettes").glob("*.yaml"))


def run(files: list[Path]) -> float:
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "chatbot.cli", "assess", "--json", *map(str, files)],
        capture_output=True,
        stdin=subprocess.DEVNULL,
        cwd=HERE.parent,
        check=False,
    )
    took = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"assess failed: {done.stderr.decode()[:500]}")
    return took


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        answers = [yaml.safe_load(p.read_text(encoding="utf-8"))["answers"] for p in VIGNETTES]
        files = []
        for i in range(args.files):
            path = Path(tmp) / f"a{i:04d}.yaml"
            path.write_text(yaml.safe_dump(answers[i % len(answers)]), encoding="utf-8")
            files.append(path)
        run(files[:1])  # warm-up (file cache, byte-compiled modules)
        many, one = [], []
        for _ in range(args.repeat):
            many.append(run(files))
            one.append(run(files[:1]))
    m, o = statistics.median(many), statistics.median(one)
    extra = m - o
    print(
        f"assess --json, {args.files} files: median {m:.3f} s; 1 file: median {o:.3f} s "
        f"({args.repeat} runs each, alternating)"
    )
    print(
        f"{args.files - 1} extra assessments: {extra:.3f} s "
        f"({(args.files - 1) / extra:,.0f} a second); target < 0.5 s "
        f"{'ok' if extra < 0.5 else 'OVER TARGET'}"
    )
    return 0 if extra < 0.5 else 1


if __name__ == "__main__":
    sys.exit(main())
