#!/usr/bin/env python3
"""Saved sessions: how fast the history lists and how much saving an answer adds.

    python benchmarks/storage_speed.py [--sessions 10000]

Builds a temporary database with N finished sessions (19 answers each), then
times ``Store.list()`` (what ``calcinosis history`` and the history screen
read) and ``Recorder.sync`` after one answer (what every front end does).
Targets (issue 4): 10,000 sessions list in under 100 ms; one answer adds
under 5 ms.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

from chatbot.engine.dialog.answers import to_plain
from chatbot.engine.loading import load_engine
from chatbot.storage import Recorder, Store, now

HERE = Path(__file__).resolve().parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10_000)
    args = parser.parse_args()
    engine = load_engine()
    vignette = yaml.safe_load((HERE.parent / "tests/vignettes/pub-01.yaml").read_text())
    session = engine.new_session()
    session.replay(vignette["answers"])
    pairs = [(q, json.dumps(to_plain(session.answers[q]))) for q in session.history]
    assessment = json.dumps({"type": "dystrophic", "triage": "soon"})
    session.close()

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sessions.sqlite3"
        store = Store(path)
        t0 = time.perf_counter()
        db = store.db
        db.execute("BEGIN")
        stamp = now()
        for _ in range(args.sessions):
            cur = db.execute(
                "INSERT INTO sessions(created, updated, status, respondent, type, "
                "triage, assessment, answered) VALUES (?, ?, 'finished', 'self', "
                "'dystrophic', 'soon', ?, ?)",
                (stamp, stamp, assessment, len(pairs)),
            )
            sid = cur.lastrowid
            db.executemany(
                "INSERT INTO answers(session_id, seq, qid, value, at) VALUES (?, ?, ?, ?, ?)",
                [(sid, n, q, v, stamp) for n, (q, v) in enumerate(pairs)],
            )
        db.execute("COMMIT")
        print(
            f"built {args.sessions:,} sessions x {len(pairs)} answers in "
            f"{time.perf_counter() - t0:.1f} s"
        )
        store.close()

        lists = []
        for _ in range(7):
            with Store(path) as fresh:
                t0 = time.perf_counter()
                rows = fresh.list()
                lists.append(time.perf_counter() - t0)
        assert len(rows) == args.sessions
        print(
            f"history of {len(rows):,} sessions: median {statistics.median(lists) * 1000:.1f} ms"
            f" (best {min(lists) * 1000:.1f} ms) - target under 100 ms"
        )

        recorder = Recorder(Store(path))
        s = engine.new_session()
        saves = []
        steps = 0
        for _ in range(10):
            s.restart()
            for _ in pairs:
                if s.finished:
                    break
                s.answer_current(session_value(vignette["answers"], s.current.id))
                t0 = time.perf_counter()
                recorder.sync(s)
                saves.append(time.perf_counter() - t0)
                steps += 1
            recorder.session_id = None
            recorder.resume(None, [])  # next round: a new session
        s.close()
        recorder.close()
        print(
            f"saving one answer: median {statistics.median(saves) * 1000:.2f} ms, "
            f"95th percentile {sorted(saves)[int(len(saves) * 0.95)] * 1000:.2f} ms "
            f"({steps} saves) - target under 5 ms"
        )
    return 0


def session_value(answers: dict, qid: str):
    return answers.get(qid)


if __name__ == "__main__":
    sys.exit(main())
