"""Content a clinician signs off, in plain language (issue 12 item 4, issue 15).

Every person-facing text of ``content/`` and ``dialogs/`` is read straight from
the YAML files, so a text added tomorrow is checked too:

* nothing in them, and nothing in a report of any case in ``tests/vignettes`` and
  ``tests/cases``, says an undiagnosed lump is "not a cancer", "harmless" or the
  like (clinical.md 8.6);
* no report shows a source by its local file name ("seed file 001_41fe...txt");
* a caregiver's wording never says "you" or "your" to the person with the
  deposits;
* Flesch-Kincaid grade: at most 8 on average and at most 10 for any text
  (names of conditions and medicines, and units, left out; the list is data,
  in ``tests/language.yaml``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache
from typing import Any

import pytest
import textstat
import yaml
from support import REPO, TESTS

LANGUAGE: dict[str, Any] = yaml.safe_load((TESTS / "language.yaml").read_text(encoding="utf-8"))
CASES = sorted((TESTS / "vignettes").glob("*.yaml")) + sorted((TESTS / "cases").glob("*.yaml"))
SEED_FILE = re.compile(r"\b\d{3}_[0-9a-f]{16}\.txt\b|seed file", re.IGNORECASE)


def _load(relative: str) -> Any:
    return yaml.safe_load((REPO / relative).read_text(encoding="utf-8")) or {}


def _join(text: Any) -> str:
    return " ".join(str(text).split())


def _items(node: Any) -> list[Any]:
    return node if isinstance(node, list) else []


def _mapping(node: Any) -> dict[str, Any]:
    return node if isinstance(node, dict) else {}


def _worded(node: Any, respondent: str) -> str:
    """``{self: ..., caregiver: ...}`` worded for the respondent (or a plain string)."""
    if isinstance(node, dict):
        return _join(node.get(respondent, "") or "")
    return _join(node or "")


def person_texts(respondent: str) -> Iterator[tuple[str, str, str]]:
    """Every text a person reads, as (where, kind, text) in the respondent's wording.

    kind: ``prose`` (sentences), ``options`` (a question's answer labels, read as one
    list), ``headings`` (titles of one file, read as one list) or ``blank`` (the
    bracketed gaps of the call words).
    """
    questions = _load("dialogs/questions.yaml")
    for q in _items(questions.get("questions")):
        where = f"dialogs/questions.yaml {q.get('id')}"
        yield f"{where} text", "prose", _worded(q.get("text"), respondent)
        for i, variant in enumerate(_items(q.get("text_if"))):
            yield f"{where} text_if {i + 1}", "prose", _worded(variant, respondent)
        yield f"{where} why", "prose", _join(_mapping(q.get("why")).get("text", ""))
        if q.get("if_unsure"):
            yield f"{where} if_unsure", "prose", _worded(q["if_unsure"], respondent)
        labels = [_join(o.get("label", "")) for o in _items(q.get("options"))]
        labels.append(_join(q.get("unsure", "")))
        yield f"{where} options", "options", ". ".join(label for label in labels if label) + "."

    dialog = _load("dialogs/dialog.yaml")
    titles = []
    for section in _items(dialog.get("sections")):
        key = "title_caregiver" if respondent == "caregiver" else "title"
        titles.append(_join(section.get(key) or section.get("title", "")))
    yield "dialogs/dialog.yaml sections", "headings", ". ".join(titles) + "."
    for code, outcome in _mapping(dialog.get("outcomes")).items():
        yield f"dialogs/dialog.yaml {code}", "prose", _join(_mapping(outcome).get("text", ""))

    types = _load("content/types.yaml")
    titles = []
    for group in ("types", "subtypes"):
        for code, t in _mapping(types.get(group)).items():
            where = f"content/types.yaml {code}"
            titles.append(_join(t.get("title", "")))
            yield f"{where} summary", "prose", _join(t.get("summary", ""))
            if t.get("tells_apart"):
                yield f"{where} tells_apart", "prose", _join(t["tells_apart"])
            for part in ("explanation", "treatment"):
                for i, fact in enumerate(_items(t.get(part))):
                    yield f"{where} {part} {i + 1}", "prose", _join(fact.get("text", ""))
            for i, question in enumerate(_items(t.get("doctor_questions"))):
                yield f"{where} doctor question {i + 1}", "prose", _worded(question, respondent)
    yield "content/types.yaml titles", "headings", ". ".join(titles) + "."

    advice = _load("content/advice.yaml")
    titles = []
    for level, a in _mapping(advice.get("levels")).items():
        where = f"content/advice.yaml {level}"
        titles.append(_join(a.get("title", "")))
        yield f"{where} when", "prose", _join(a.get("when", ""))
        if a.get("call_words"):
            yield f"{where} call_words", "prose", _join(a["call_words"])
        for part in ("do_now", "if_worse"):
            for i, fact in enumerate(_items(a.get(part))):
                yield f"{where} {part} {i + 1}", "prose", _join(fact.get("text", ""))
    for i, fact in enumerate(_items(advice.get("worse_signs"))):
        yield f"content/advice.yaml worse_signs {i + 1}", "prose", _join(fact.get("text", ""))
    for code, flag in _mapping(advice.get("red_flags")).items():
        titles.append(_join(flag.get("title", "")))
        yield f"content/advice.yaml red flag {code}", "prose", _join(flag.get("text", ""))
    yield "content/advice.yaml titles", "headings", ". ".join(titles) + "."
    for slot, blank in _mapping(advice.get("call_words_blanks")).items():
        yield f"content/advice.yaml blank {slot}", "blank", _join(blank)

    for key, term in _mapping(_load("content/glossary.yaml").get("glossary")).items():
        yield f"content/glossary.yaml {key}", "prose", _join(term.get("definition", ""))
    for key, notice in _load("content/notices.yaml").items():
        yield f"content/notices.yaml {key}", "prose", _join(notice)


def _strings(node: Any, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(node, str):
        yield where, _join(node)
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(value, f"{where}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _strings(value, f"{where}[{i}]")


def _every_string_in_the_data() -> Iterator[tuple[str, str]]:
    for folder in ("content", "dialogs"):
        for path in sorted((REPO / folder).rglob("*.yaml")):
            relative = str(path.relative_to(REPO))
            yield from _strings(_load(relative), relative)


def _never_say(text: str) -> list[str]:
    low = " ".join(text.lower().replace("\u2019", "'").split())
    return [p for p in LANGUAGE["never_say"] if re.search(rf"\b{re.escape(p)}\b", low)]


# --- no false reassurance (clinical.md 8.6) ----------------------------------------


def test_the_phrase_check_finds_what_it_looks_for() -> None:
    assert _never_say("It is a calcium deposit,\n  not a cancer.") == ["not a cancer"]
    assert _never_say("Usually harmless.") == ["harmless"]
    assert _never_say("A doctor should examine it to rule out other causes.") == []


def test_no_text_in_content_or_dialogs_says_a_lump_is_harmless() -> None:
    found = [
        f"{where}: {_never_say(text)}"
        for where, text in _every_string_in_the_data()
        if _never_say(text)
    ]
    assert not found, "clinical.md 8.6 wording found:\n" + "\n".join(found)


def test_the_tumoral_texts_say_a_doctor_should_examine_the_lump() -> None:
    """What replaces "not a cancer": a doctor examines it and rules out other causes."""
    types = _load("content/types.yaml")
    tumoral = _mapping(types["subtypes"]["tumoral_calcinosis"])
    said = " ".join(_join(t) for _, t in _strings(tumoral, "tumoral")).lower()
    assert "doctor" in said and "other causes" in said
    glossary = _load("content/glossary.yaml")["glossary"]["tumoral_calcinosis"]["definition"]
    assert "doctor" in glossary.lower()


@cache
def _reports() -> dict[str, tuple[str, str]]:
    """Markdown and JSON report of every case, as the engine makes them."""
    from chatbot.engine.loading import default_engine
    from chatbot.engine.reports.markdown import to_dict, to_markdown

    engine = default_engine()
    out = {}
    for path in CASES:
        case = yaml.safe_load(path.read_text(encoding="utf-8"))
        result = engine.replay(case["answers"])
        out[path.stem] = (
            to_markdown(result, engine.content),
            json.dumps(to_dict(result, engine.content), ensure_ascii=False),
        )
    return out


def test_there_are_cases_to_report_on() -> None:
    assert len(CASES) >= 40


def test_no_report_says_a_lump_is_harmless() -> None:
    found = [
        f"{name}: {_never_say(md + ' ' + js)}"
        for name, (md, js) in _reports().items()
        if _never_say(md + " " + js)
    ]
    assert not found, "clinical.md 8.6 wording in reports:\n" + "\n".join(found)


# --- sources by title and publisher, never by file name -------------------------


def test_no_report_shows_a_seed_file_name() -> None:
    files = [
        s["file"]
        for s in _load("content/sources.yaml")["sources"].values()
        if isinstance(s, dict) and s.get("file")
    ]
    assert files  # the seeds are still known by their file, for checking
    found = []
    for name, (md, js) in _reports().items():
        for text in (md, js):
            hits = SEED_FILE.findall(text) + [f for f in files if f in text]
            if hits:
                found.append(f"{name}: {sorted(set(hits))}")
    assert not found, "\n".join(found)


def test_sources_are_cited_by_title_publisher_and_link(engine) -> None:
    for key, source in engine.content.sources.items():
        shown = source.cite()
        assert source.title in shown and source.publisher in shown, key
        assert source.publisher.strip(), f"{key} has no publisher"
        assert not SEED_FILE.search(shown), key
        if source.file:
            assert source.file not in shown, key
        if source.url:
            assert shown.endswith(source.url), key
    seed = engine.content.sources["S1"]
    assert seed.file and seed.cite().startswith(seed.title.rstrip("."))


def test_no_source_is_a_paywalled_copy_or_a_weak_page() -> None:
    weak = (
        "medilib",
        "scribd",
        "wikimili",
        "findzebra",
        "zendy.io",
        "ichgcp",
        "tweb-dev.unibo",
        "plasticsurgerykey",
    )
    for key, source in _load("content/sources.yaml")["sources"].items():
        urls = [source.get("url") or ""] + list(source.get("more_urls") or [])
        for url in urls:
            assert not any(w in url.lower() for w in weak), f"{key}: {url}"


def test_every_cited_source_is_defined(engine) -> None:
    missing = sorted(
        {key for _, key in engine.content.cited_keys() if key not in engine.content.sources}
    )
    assert not missing


# --- caregiver wording -------------------------------------------------------------


def _you_to_the_person(text: str) -> list[str]:
    """The "you"/"your" of a text that do not speak to the one answering."""
    low = " ".join(text.lower().replace("\u2019", "'").split())
    for phrase in LANGUAGE["caregiver_you_allowed"]:
        low = low.replace(phrase.lower(), " ")
    return re.findall(r"\byou(?:rs?|rself)?\b", low)


def test_the_you_check_finds_what_it_looks_for() -> None:
    assert _you_to_the_person("Contact your doctor today.") == ["your"]
    assert _you_to_the_person("If you are not sure, we carry on.") == []
    assert _you_to_the_person("Call your local emergency number.") == []


def test_caregiver_wording_never_says_you_to_the_person_with_the_deposits() -> None:
    found = [
        f"{where}: {text}"
        for where, _, text in person_texts("caregiver")
        if _you_to_the_person(text)
    ]
    assert not found, "'you' meant for the person with the deposits:\n" + "\n".join(found)


def test_no_caregiver_report_says_you_to_the_person_with_the_deposits(engine) -> None:
    """Every case's whole report, answered by a caregiver: rule reasons, advice,
    explanations and the report's own words included."""
    from chatbot.engine.reports.markdown import to_markdown

    found = []
    for path in CASES:
        answers = yaml.safe_load(path.read_text(encoding="utf-8"))["answers"]
        report = to_markdown(engine.replay({**answers, "respondent": "caregiver"}), engine.content)
        found += [
            f"{path.stem}: {line.strip()}"
            for line in report.splitlines()
            if _you_to_the_person(line)
        ]
    assert not found, "\n".join(found[:20])


def test_caregiver_wording_differs_where_the_person_is_named() -> None:
    """Questions, notes and doctor questions have a caregiver wording of their own."""
    own = dict((w, t) for w, _, t in person_texts("self"))
    theirs = dict((w, t) for w, _, t in person_texts("caregiver"))
    changed = [w for w in own if own[w] != theirs[w]]
    assert any(" text" in w for w in changed) and any("doctor question" in w for w in changed)


# --- plain language (Flesch-Kincaid) ----------------------------------------------


def _names_pattern() -> re.Pattern[str]:
    names = sorted(LANGUAGE["readability"]["names_left_out"], key=len, reverse=True)
    return re.compile(
        r"(?<![\w-])(?:" + "|".join(re.escape(n) for n in names) + r")(?![\w-])", re.IGNORECASE
    )


NAMES = _names_pattern()


def _countable(text: str) -> str:
    """The text as counted: markup, names of conditions and medicines, and units left out."""
    text = text.replace("**", "").replace("\u201c", '"').replace("\u201d", '"')
    text = NAMES.sub(" ", text)
    text = re.sub(r"\(\s*[,;]?\s*\)", " ", text)
    return " ".join(text.split())


def grades() -> list[tuple[float, str, str]]:
    """(grade, where, text) for every unit of person-facing text, both wordings."""
    seen: set[str] = set()
    out = []
    for respondent in ("self", "caregiver"):
        for where, kind, text in person_texts(respondent):
            if kind == "blank" or text in seen:
                continue
            seen.add(text)
            counted = _countable(text)
            if len(re.findall(r"[A-Za-z]+", counted)) < 1:
                continue
            out.append((float(textstat.flesch_kincaid_grade(counted)), where, text))
    return out


def test_readability_counts_names_out() -> None:
    assert "dermatomyositis" not in _countable("It comes with dermatomyositis.").lower()
    assert _countable("Warfarin (a blood thinner)") == "(a blood thinner)"


def test_person_facing_texts_are_plain_language() -> None:
    limits = LANGUAGE["readability"]
    measured = grades()
    assert len(measured) > 200  # every text is there
    average = sum(g for g, _, _ in measured) / len(measured)
    too_hard = sorted(
        ((g, w, t) for g, w, t in measured if g > limits["each_at_most"]), reverse=True
    )
    report = "\n".join(f"{g:5.1f}  {w}: {t[:90]}" for g, w, t in too_hard)
    assert not too_hard, f"{len(too_hard)} texts above grade {limits['each_at_most']}:\n{report}"
    assert average <= limits["average_at_most"], f"average grade {average:.2f}"


@pytest.mark.parametrize("respondent", ["self", "caregiver"])
def test_every_question_has_text_for_each_respondent(respondent: str) -> None:
    texts = [(w, t) for w, k, t in person_texts(respondent) if w.endswith(" text")]
    assert texts and all(t for _, t in texts)


# --- clinical.md 8.6: no more vitamin D or calcium while calcium is high ----------

STOP_SUPPLEMENTS = "Take no more vitamin D or calcium supplements until a doctor says it is safe"


@pytest.mark.parametrize(
    ("calcium", "taken", "said"),
    [
        ({"value": 11.2, "unit": "mg/dL"}, {"intake": ["ordinary_supplements"]}, True),
        ({"value": 2.9, "unit": "mmol/L"}, {"intake": ["high_dose_vitamin_d"]}, True),
        ("high", {"medications": ["active_vitamin_d"]}, True),
        ({"value": 9.2, "unit": "mg/dL"}, {"intake": ["ordinary_supplements"]}, False),
        ({"value": 11.2, "unit": "mg/dL"}, {"intake": ["none"]}, False),
    ],
)
def test_high_calcium_with_supplements_says_take_no_more(engine, calcium, taken, said) -> None:
    from chatbot.engine.reports.markdown import to_markdown

    answers = {
        "respondent": "caregiver",
        "age_group": "adult",
        "has_deposits": "yes",
        "calcium": calcium,
        "hypercalcemia_symptoms": "no",
        **taken,
    }
    report = to_markdown(engine.replay(answers), engine.content)
    assert (STOP_SUPPLEMENTS in " ".join(report.split())) is said
