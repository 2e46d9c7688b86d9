#!/usr/bin/env python3
"""``calcinosis assess --json`` with many files against one file, in the same run.

    python benchmarks/cli_speed.py [--files 1000] [--repeat 5]

Copies the vignettes' answers into a temporary folder (cycled up to N files), then
runs the real command, as a person would, alternately with all N files and with
one, and prints the median wall time of each and their difference: the cost of
N - 1 extra assessments (start-up and engine loading cancel out). With many files the
command shares them among the cores (chatbot/batch.py), so the CPU time of all its
processes is printed too.
Target (issue 11): 999 extra assessments in under 0.5 s.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from chatbot.batch import cores

HERE = Path(__file__).resolve().parent
VIGNETTES = sorted((HERE.parent / "tests" / "vignettes").glob("*.yaml"))


def run(files: list[Path]) -> tuple[float, float]:
    """Wall time and CPU time (user + system, every process of the run) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "chatbot.cli", "assess", "--json", *map(str, files)],
        capture_output=True,
        stdin=subprocess.DEVNULL,
        cwd=HERE.parent,
        check=False,
    )
    took = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"assess failed: {done.stderr.decode()[:500]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return took, cpu


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
    m, o = statistics.median(w for w, _ in many), statistics.median(w for w, _ in one)
    extra = m - o
    cpu = statistics.median(c for _, c in many) - statistics.median(c for _, c in one)
    best = min(w for w, _ in many) - min(w for w, _ in one)
    print(
        f"assess --json, {args.files} files: median {m:.3f} s; 1 file: median {o:.3f} s "
        f"({args.repeat} runs each, alternating; {cores()} cores)"
    )
    print(
        f"{args.files - 1} extra assessments: {extra:.3f} s "
        f"({(args.files - 1) / extra:,.0f} a second; best against best {best:.3f} s); "
        f"target < 0.5 s {'ok' if extra < 0.5 else 'OVER TARGET'}"
    )
    print(f"CPU time of the extra assessments (all processes): {cpu:.3f} s")
    return 0 if extra < 0.5 else 1


if __name__ == "__main__":
    sys.exit(main())
