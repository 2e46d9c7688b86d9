"""The shared clinical vignettes: type, subtype and triage as the vignette expects.

Each file in tests/vignettes has ``answers`` and ``expect: {type (one code or a
list of acceptable codes), subtype?, triage_at_least?, triage_at_most?}``.
They are checked through the engine, through the real command line, and in
the Markdown report (notice first, red flags before the type).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from support import VIGNETTES, call_cli

from chatbot.engine import contract
from chatbot.engine.reports.markdown import to_dict, to_markdown


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def expected_types(expect: dict) -> set[str]:
    wanted = expect["type"]
    return set(wanted) if isinstance(wanted, list) else {wanted}


def check(result: dict, expect: dict, name: str) -> None:
    """``result`` has type, subtype and triage (from the engine or from --json)."""
    assert result["type"] in expected_types(expect), (
        f"{name}: type {result['type']!r}, expected one of {sorted(expected_types(expect))}"
    )
    if "subtype" in expect:
        assert result["subtype"] == expect["subtype"], f"{name}: subtype {result['subtype']!r}"
    rank = contract.triage_rank(result["triage"])
    if "triage_at_least" in expect:
        assert rank >= contract.triage_rank(expect["triage_at_least"]), (
            f"{name}: triage {result['triage']!r} is below {expect['triage_at_least']!r}"
        )
    if "triage_at_most" in expect:
        assert rank <= contract.triage_rank(expect["triage_at_most"]), (
            f"{name}: triage {result['triage']!r} is above {expect['triage_at_most']!r}"
        )


def test_there_are_vignettes():
    assert len(VIGNETTES) >= 20
    for path in VIGNETTES:
        data = load(path)
        assert isinstance(data.get("answers"), dict), path.name
        assert set(data["expect"]) <= {
            "type",
            "subtype",
            "triage_at_least",
            "triage_at_most",
            "caution",
        }
        assert expected_types(data["expect"]) <= set(contract.TYPES), path.name


@pytest.mark.parametrize("path", VIGNETTES, ids=[p.stem for p in VIGNETTES])
def test_vignette(engine, path):
    data = load(path)
    a = engine.replay(data["answers"])
    check({"type": a.type, "subtype": a.subtype, "triage": a.triage}, data["expect"], path.stem)
    if "caution" in data["expect"]:  # version 2: what a doctor should rule out is said
        assert bool(a.cautions) == data["expect"]["caution"], (path.stem, a.cautions)
    assert a.triage in contract.TRIAGE_LEVELS
    # the ranking covers every candidate once, the chosen type first when it is one
    assert sorted(c.type for c in a.ranking) == sorted(contract.CANDIDATE_TYPES)
    if a.type in contract.CANDIDATE_TYPES:
        assert a.ranking[0].type == a.type
    # a red flag never says less than the triage level it came with
    for flag in a.red_flags:
        assert contract.triage_rank(a.triage) >= contract.triage_rank(flag.level)


@pytest.mark.parametrize("path", VIGNETTES, ids=[p.stem for p in VIGNETTES])
def test_vignette_markdown(engine, path):
    """What to do comes first (the level in words); warning signs come before the type;
    the short part says it is not a diagnosis."""
    a = engine.replay(load(path)["answers"])
    md = to_markdown(a, engine.content)
    assert md.startswith(f"# {engine.content.levels[a.triage].title} (`{a.triage}`)")
    short = md.split("## More detail")[0]
    assert "not a diagnosis" in short
    type_heading = md.index("## Most likely type" if a.type != "none" else "## Type: none")
    if a.red_flags:
        warnings = md.index("**Warning signs in the answers:**")
        assert warnings < type_heading
        for flag in a.red_flags:
            title = engine.content.red_flags[flag.code].title
            assert title in md[warnings:type_heading], (flag.code, title)
    else:
        assert "Warning signs in the answers" not in md


@pytest.mark.parametrize("stem", ["pub-07", "pub-09"])
def test_red_flag_vignettes_flag_first(engine, stem):
    """The two emergencies of the shared set carry red flags, shown before the type."""
    a = engine.replay(load(Path(__file__).parent / "vignettes" / f"{stem}.yaml")["answers"])
    assert a.triage == "emergency"
    assert a.red_flags, stem
    assert a.red_flags[0].level == "emergency"
    md = to_markdown(a, engine.content)
    assert md.index("**Warning signs in the answers:**") < md.index("## Most likely type")
    data = to_dict(a, engine.content)
    assert data["red_flags"][0]["level"] == "emergency"


CLI_SAMPLE = [
    p for p in VIGNETTES if p.stem in ("pub-01", "pub-07", "pub-09", "pub-13", "pub-19", "pub-20")
]


@pytest.mark.parametrize("path", CLI_SAMPLE, ids=[p.stem for p in CLI_SAMPLE])
def test_vignette_through_cli(path):
    proc = call_cli("assess", "--json", str(path))
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    result = json.loads(proc.stdout)
    assert isinstance(result, dict)
    check(result, load(path)["expect"], path.stem)


def test_several_files_give_a_list_in_order(engine):
    assert len(CLI_SAMPLE) >= 4
    paths = list(reversed(CLI_SAMPLE))  # not alphabetical, to see the order is kept
    proc = call_cli("assess", "--json", *map(str, paths))
    assert proc.returncode == 0, proc.stderr
    results = json.loads(proc.stdout)
    assert isinstance(results, list) and len(results) == len(paths)
    for path, result in zip(paths, results, strict=True):
        data = load(path)
        check(result, data["expect"], path.stem)
        direct = engine.replay(data["answers"])
        assert (result["type"], result["subtype"], result["triage"]) == (
            direct.type,
            direct.subtype,
            direct.triage,
        ), path.stem


def test_several_files_markdown_each_has_notice(engine):
    proc = call_cli("assess", *map(str, CLI_SAMPLE[:3]))
    assert proc.returncode == 0, proc.stderr
    parts = proc.stdout.split("\n\n---\n\n")
    assert len(parts) == 3
    titles = tuple(f"# {level.title}" for level in engine.content.levels.values())
    for part in parts:  # each opens with what to do (issue 15)
        assert part.startswith(titles), part[:80]
        assert "not a diagnosis" in part
