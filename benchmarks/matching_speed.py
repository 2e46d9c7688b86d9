#!/usr/bin/env python3
"""How fast typed words are read as answers (``match_answer``), in one process.

    python benchmarks/matching_speed.py [--repeat 3]

Thirty typed answers (words, typos, "dunno", escape codes, several places at once) to
three questions, each matched 20 times per repeat after a first warm-up call that builds
the tables; prints the best time per call. Target: under 1 ms per call (exit status 1
when missed). Moved here from the test suite, where a wall-clock limit failed under load.
"""

from __future__ import annotations

import argparse
import sys
import time

from chatbot.engine.loading import default_engine
from chatbot.engine.reading.matching import load_synonyms, match_answer
from chatbot.engine.resources import dialogs_dir

TEXTS = [
    "my fingers",
    "fingrs",
    "Hands and face",
    "dunno",
    "2",
    "joints",
    "banana",
    "back of my left hand, tummy and bum",
    "\x1b[31mhands",
    "kidny failure",
]
TARGET = 0.001  # seconds per call


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    engine = default_engine()
    syn = load_synonyms(dialogs_dir(engine.root) / "synonyms.yaml")
    cases = [
        (engine.dialog.questions[qid], text)
        for qid in ("locations", "kidney", "conditions")
        for text in TEXTS
    ]
    for question, text in cases:  # the tables are built on first use
        match_answer(question, list(question.options), text, syn)
    best = float("inf")
    for _ in range(args.repeat):
        start = time.perf_counter()
        for _ in range(20):
            for question, text in cases:
                match_answer(question, question.options, text, syn)
        best = min(best, (time.perf_counter() - start) / (20 * len(cases)))
    verdict = "ok" if best < TARGET else "OVER TARGET"
    print(
        f"match_answer: {best * 1000:.3f} ms per call (best of {args.repeat}; "
        f"target < {TARGET * 1000:.0f} ms) {verdict}"
    )
    return 0 if best < TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
