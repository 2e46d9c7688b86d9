#!/usr/bin/env python3
"""Score a folder of vignettes the way published symptom-checker studies do.

    python benchmarks/score_vignettes.py [FOLDER] [--json]

For each vignette (``answers`` + ``expect``), the assessment is compared with
the expected type(s) and triage range:

* top-1 type accuracy: the chosen type is one of the expected types;
* top-3 type accuracy: an expected type is among the first three of the
  ranking (or is the chosen ``unclear`` / ``none``);
* safe triage: at or above ``triage_at_least`` (the figure that matters most);
* over-triage: above ``triage_at_most``;
* subtype accuracy, where a subtype is expected.

Misses are listed so that each one can be read. Semmler et al. (2015, BMJ) and
later studies report the same top-1/top-3 and safe-triage figures.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml

from chatbot.engine.contract import triage_rank
from chatbot.engine.loading import load_engine

HERE = Path(__file__).resolve().parent


def score(folder: Path) -> dict:
    engine = load_engine()
    rows = []
    for path in sorted(folder.glob("*.yaml")):
        case = yaml.safe_load(path.read_text(encoding="utf-8"))
        expect = case["expect"]
        # a case may judge the triage only (the medicine does not decide the type)
        typed = expect.get("type")
        types = None if typed is None else typed if isinstance(typed, list) else [typed]
        a = engine.replay(case["answers"])
        top3 = [c.type for c in a.ranking[:3]]
        if a.type in ("unclear", "none"):
            top3 = [a.type] + top3[:2]
        low = expect.get("triage_at_least", "routine")
        high = expect.get("triage_at_most", "emergency")
        rows.append(
            {
                "id": case.get("id", path.stem),
                "expected": types,
                "got": a.type,
                "subtype_expected": expect.get("subtype"),
                "subtype_got": a.subtype,
                "triage": a.triage,
                "triage_range": [low, high],
                "top1": None if types is None else a.type in types,
                "top3": None if types is None else any(t in types for t in top3),
                "safe": triage_rank(a.triage) >= triage_rank(low),
                "over": triage_rank(a.triage) > triage_rank(high),
                "subtype_ok": None if "subtype" not in expect else a.subtype == expect["subtype"],
            }
        )
    n = len(rows) or 1
    typed_rows = [r for r in rows if r["top1"] is not None]
    nt = len(typed_rows) or 1
    with_subtype = [r for r in rows if r["subtype_ok"] is not None]
    return {
        "cases": len(rows),
        "typed_cases": len(typed_rows),
        "top1": sum(r["top1"] for r in typed_rows) / nt,
        "top3": sum(r["top3"] for r in typed_rows) / nt,
        "safe_triage": sum(r["safe"] for r in rows) / n,
        "over_triage": sum(r["over"] for r in rows) / n,
        "subtype": (
            sum(r["subtype_ok"] for r in with_subtype) / len(with_subtype) if with_subtype else None
        ),
        "misses": [
            r
            for r in rows
            if not (
                r["top1"] is not False
                and r["safe"]
                and not r["over"]
                and r["subtype_ok"] is not False
            )
        ],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", default=str(HERE.parent / "tests" / "vignettes"))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = score(Path(args.folder))
    if args.json:
        json.dump(result, sys.stdout, indent=2)
        print()
        return 0
    print(f"vignettes:        {result['cases']}")
    print(f"with a type:      {result['typed_cases']}")
    print(f"top-1 type:       {result['top1']:.1%}")
    print(f"top-3 type:       {result['top3']:.1%}")
    if result["subtype"] is not None:
        print(f"subtype:          {result['subtype']:.1%}")
    print(f"safe triage:      {result['safe_triage']:.1%}  (at or above the expected level)")
    print(f"over-triage:      {result['over_triage']:.1%}  (above the highest acceptable level)")
    if result["misses"]:
        print("\nmisses:")
        for r in result["misses"]:
            print(
                f"  {r['id']}: type {r['got']} (expected {'/'.join(r['expected'] or ['any'])}), "
                f"subtype {r['subtype_got']} (expected {r['subtype_expected']}), "
                f"triage {r['triage']} (expected {r['triage_range'][0]}..{r['triage_range'][1]})"
            )
    else:
        print("\nno misses")
    return 0


if __name__ == "__main__":
    sys.exit(main())
