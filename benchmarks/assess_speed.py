#!/usr/bin/env python3
"""How fast the engine loads and assesses, in one process on one core.

    python benchmarks/assess_speed.py [--n 1000] [--repeat 5]

* load: reading and checking dialogs/ and content/ and building the state
  machine (``load_engine``), median of several cold loads;
* assess: N answers files (the vignettes, cycled) replayed through the dialog
  and assessed, as ``calcinosis assess`` does; best and median of repeats.

Target (issue 2): 1,000 assessments in under one second.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import yaml

from chatbot.engine.loading import load_engine

HERE = Path(__file__).resolve().parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--folder", default=str(HERE.parent / "tests" / "vignettes"))
    args = parser.parse_args()
    files = sorted(Path(args.folder).glob("*.yaml"))
    answers = [yaml.safe_load(p.read_text(encoding="utf-8"))["answers"] for p in files]
    if not answers:
        print("no answers files found", file=sys.stderr)
        return 2

    loads = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        engine = load_engine()
        loads.append(time.perf_counter() - t0)

    batch = [answers[i % len(answers)] for i in range(args.n)]
    engine.replay(batch[0])  # warm up
    runs = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        for raw in batch:
            engine.replay(raw)
        runs.append(time.perf_counter() - t0)

    best, median = min(runs), statistics.median(runs)
    print(
        f"load dialogs + content + machine: median {statistics.median(loads) * 1000:.1f} ms "
        f"(best {min(loads) * 1000:.1f} ms, {args.repeat} loads)"
    )
    print(
        f"{args.n} assessments: best {best:.3f} s, median {median:.3f} s "
        f"-> {args.n / median:,.0f} per second (median); "
        f"{median / args.n * 1e6:.0f} µs each"
    )
    print(f"target: {args.n} in under 1 s -> {'met' if median < 1.0 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
