"""The result, action first (issue 15): what to do and how soon opens it, the part read
first is short, everything else is under "More detail", and a result speaks with one
triage level only. Checked over every shared vignette and every case of our own."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from chatbot.engine import contract
from chatbot.engine.reports.callwords import call_words, fill_call_words, slot_values
from chatbot.engine.reports.markdown import MORE_DETAIL, to_markdown, top_reasons

TESTS = Path(__file__).resolve().parent
FILES = sorted((TESTS / "vignettes").glob("*.yaml")) + sorted((TESTS / "cases").glob("*.yaml"))
WORDS = re.compile(r"[A-Za-z0-9][\w'’-]*")

# How each level says how soon (content/advice.yaml, the rules' reasons and notes). A
# result never carries a sentence of a lower level than its own: an emergency result
# does not also say "see a doctor today".
LOWER = {
    "urgent": re.compile(r"\btoday\b|same-day", re.I),
    "soon": re.compile(r"days to weeks|within (the next )?(a )?few days", re.I),
    "routine": re.compile(r"next regular visit|next check-up", re.I),
}


def words(text: str) -> list[str]:
    return WORDS.findall(text)


LOAD_ERRORS: dict[str, str] = {}


@pytest.fixture(scope="module")
def results(engine):
    out = {}
    for path in FILES:
        answers = yaml.safe_load(path.read_text(encoding="utf-8"))["answers"]
        try:
            a = engine.replay(answers)
        except (ValueError, KeyError) as exc:  # reported by test_every_file_is_assessed
            LOAD_ERRORS[path.stem] = str(exc)
            continue
        out[path.stem] = (a, to_markdown(a, engine.content))
    return out


def test_every_file_is_assessed(results):
    assert len(FILES) >= 150
    assert not LOAD_ERRORS, LOAD_ERRORS


def test_the_part_read_first_is_at_most_250_words(results):
    too_long = {}
    for name, (_a, md) in results.items():
        short, _detail = md.split(MORE_DETAIL, 1)
        if len(words(short)) > 250:
            too_long[name] = len(words(short))
    assert not too_long, too_long
    longest = max(len(words(md.split(MORE_DETAIL)[0])) for _a, md in results.values())
    assert longest > 150  # the count is of real text, not of an empty part


def test_it_opens_with_what_to_do_and_how_soon(results, engine):
    for name, (a, md) in results.items():
        level = engine.content.levels[a.triage]
        first = " ".join(words(md)[:40])
        assert " ".join(words(level.title)) in first, name
        if a.triage == "emergency":
            assert re.search(r"emergency (department|number|services)", first), (name, first)
            assert "now" in first.split(), name
            # then the words to say when calling, before anything about the type
            assert md.index("What to say when you call") < md.index("\n## "), name


def test_one_level_per_result(results):
    found = []
    for name, (a, md) in results.items():
        for level, marker in LOWER.items():
            if contract.triage_rank(level) >= contract.triage_rank(a.triage):
                continue
            found += [(name, a.triage, line) for line in md.splitlines() if marker.search(line)]
    assert not found, found[:5]


def test_more_detail_holds_the_rest(results, engine):
    _a, md = results["pub-01"]
    short, detail = md.split(MORE_DETAIL, 1)
    for heading in (
        "### All types considered",
        "### About this type",
        "### Lab values",
        "### Sources",
    ):
        assert heading in detail and heading not in short
    assert "**If things get worse:**" in short
    assert (
        short.index("## Most likely type")
        < short.index("**Why, from the answers:**")
        < short.index("**If things get worse:**")
    )
    # at most three reasons before "More detail", every one in the ranking below it
    # (up to the next bold heading: the cautions may come between)
    reasons = re.split(r"\n\*\*", short.split("**Why, from the answers:**")[1])[0]
    bullets = [line for line in reasons.splitlines() if line.startswith("- ")]
    assert 1 <= len(bullets) <= 3
    for line in bullets:
        assert line[2:] in detail


def test_sources_are_numbered_with_no_file_names(results):
    for name, (_a, md) in results.items():
        sources = md.split("### Sources", 1)[1]
        assert re.search(r"^1\. ", sources, re.M), name
        assert ".txt" not in md and "seed file" not in md, name
        assert not re.search(r"\[[A-Z][A-Za-z]+\d{4}", md), name  # no citation codes


def test_a_long_result_is_cut_to_fit_and_the_rest_kept(engine):
    """Long reasons: fewer are shown first, every one is still under More detail."""
    a = engine.replay(yaml.safe_load((TESTS / "cases" / "blind-34.yaml").read_text())["answers"])
    long = tuple(f"Reason number {i} says " + "much " * 20 + "here." for i in range(5))
    many = replace(a, ranking=(replace(a.ranking[0], reasons=long), *a.ranking[1:]))
    md = to_markdown(many, engine.content)
    short, detail = md.split(MORE_DETAIL, 1)
    assert len(words(short)) <= 250
    assert 1 <= sum(f"Reason number {i}" in short for i in range(5)) < 3
    assert all(f"Reason number {i}" in detail for i in range(5))


def test_plain_mode_and_assess_have_the_same_order(engine):
    from chatbot.plain import plain_text

    a = engine.replay(yaml.safe_load((TESTS / "vignettes" / "pub-09.yaml").read_text())["answers"])
    text = plain_text(to_markdown(a, engine.content))
    assert text.startswith("GET EMERGENCY HELP NOW")
    assert (
        text.index("What to say when you call")
        < text.index("MOST LIKELY TYPE")
        < text.index("MORE DETAIL")
    )


# ----------------------------------------------------------------- the call words


def _pub09(engine):
    return engine.replay(
        yaml.safe_load((TESTS / "vignettes" / "pub-09.yaml").read_text())["answers"]
    )


def test_call_words_say_no_other_illness_none_for_a_person_on_dialysis(engine):
    a = _pub09(engine)
    assert a.answers["kidney"] == "dialysis" and a.answers["conditions"] == ["none"]
    assert "Kidneys: on dialysis" in a.call_words
    assert "Other illnesses" not in a.call_words
    # with healthy kidneys, "none" is what the person said
    healthy = replace(a, answers={**a.answers, "kidney": "normal"})
    assert "Other illnesses: none." in call_words(healthy, engine.dialog, engine.content)


def test_call_words_use_the_exact_age_and_the_sex(engine):
    a = _pub09(engine)
    told = replace(a, answers={**a.answers, "age": {"value": 62, "unit": "years"}, "sex": "female"})
    words_ = call_words(told, engine.dialog, engine.content)
    assert "aged 62, female." in words_
    assert "18 or older" not in words_
    baby = replace(a, answers={**a.answers, "age": {"value": 3, "unit": "weeks"}, "sex": "other"})
    said = call_words(baby, engine.dialog, engine.content)
    assert "aged 3 weeks." in said and "other" not in said.split(".")[0]
    # without an exact age the age group is said as the person chose it
    assert "aged 18 or older." in a.call_words


def test_call_words_leave_out_a_clause_with_nothing_said():
    template = '"About {who}, aged {age}, {sex}. Kidneys: {kidneys}. Other: {illnesses}."'
    values = {"who": "myself", "age": "40", "sex": "", "kidneys": "on dialysis", "illnesses": ""}
    assert fill_call_words(template, values, {}) == '"About myself, aged 40. Kidneys: on dialysis."'
    assert (
        fill_call_words('"Other: {illnesses}. Kidneys: {kidneys}."', values, {})
        == '"Kidneys: on dialysis."'
    )


def test_slot_values_never_invent(engine):
    a = _pub09(engine)
    values = slot_values(a, engine.dialog, engine.content)
    assert values["kidneys"] == "on dialysis"
    assert values.get("sex") == ""  # not asked: left out
    assert "who" not in values  # a caregiver: the name is a blank to fill in


def test_an_unclear_type_says_what_would_tell_in_the_first_part(results):
    unclear = [(a, md) for a, md in results.values() if a.type == "unclear" and a.tests]
    assert unclear
    for a, md in unclear:
        short = md.split(MORE_DETAIL)[0]
        assert "**What would tell the types apart:**" in short
        assert a.tests[0] in short


def test_the_reasons_shown_first_are_the_strongest(results, engine):
    weight = {rule.id: rule.weight for rule in engine.rules.rules if rule.reason}
    checked = 0
    for a, _md in results.values():
        top = a.ranking[0]
        if a.type in ("none", "unclear") or a.subtype_reason or len(top.reasons) <= 3:
            continue
        given = [weight[r] for r in top.rules if weight.get(r, 0) > 0]
        assert list(top.weights) == given
        shown = top_reasons(a)
        assert len(shown) == 3
        heaviest = sorted(top.weights, reverse=True)[:3]
        assert [top.weights[top.reasons.index(r)] for r in shown] == heaviest
        checked += 1
    assert checked >= 5
