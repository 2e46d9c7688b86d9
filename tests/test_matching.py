"""Typed free-text answers: words, typos, numbers, ambiguity, unknown words, safety.

Uses the real dialog (dialogs/questions.yaml) and the real synonyms file
(dialogs/synonyms.yaml), so the data is tested together with the matcher.
"""

from __future__ import annotations

import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chatbot.engine import contract
from chatbot.engine.loading import default_engine
from chatbot.engine.reading.matching import (
    Match,
    Synonyms,
    clean_text,
    load_synonyms,
    match_answer,
    normalize_words,
)
from chatbot.engine.resources import dialogs_dir

SYNONYMS_YAML = dialogs_dir() / "synonyms.yaml"
SEPARATORS = re.compile(r"[,;&+/]|\band\b", re.IGNORECASE)


@pytest.fixture(scope="module")
def e():
    return default_engine()


@pytest.fixture(scope="module")
def syn() -> Synonyms:
    return load_synonyms(SYNONYMS_YAML)


def match(e, syn, qid: str, text: str, offered=None) -> Match:
    question = e.dialog.questions[qid]
    options = list(question.options) if offered is None else offered
    return match_answer(question, options, text, syn)


def labels(e, qid: str, offered=None) -> list[str]:
    question = e.dialog.questions[qid]
    options = list(question.options) if offered is None else offered
    return [o.label for o in options] + [question.unsure_label]


def has_control(text: str) -> bool:
    return any(unicodedata.category(c) in ("Cc", "Cf") for c in text)


# --------------------------------------------------------------------------- clear answers

CLEAR = [
    # locations (many)
    ("locations", "my fingers", ("fingers_hands",)),
    ("locations", "fingers", ("fingers_hands",)),
    ("locations", "hands", ("fingers_hands",)),
    ("locations", "HANDS", ("fingers_hands",)),
    ("locations", "Händs", ("fingers_hands",)),  # accents do not matter
    ("locations", "fingers_hands", ("fingers_hands",)),  # the code itself
    ("locations", "Fingers or hands", ("fingers_hands",)),  # the label itself
    ("locations", "Scalp, ears or neck", ("head_neck",)),  # a label with a comma is not split
    ("locations", "Hands and face", ("fingers_hands", "face")),
    ("locations", "face, hands", ("face", "fingers_hands")),  # the order typed is kept
    ("locations", "hands & feet", ("fingers_hands", "feet")),
    ("locations", "elbows + knees", ("elbows_knees",)),  # repeats collapse
    ("locations", "hands, fingers and thumbs", ("fingers_hands",)),
    ("locations", "my left hand", ("fingers_hands",)),
    ("locations", "on both elbows", ("elbows_knees",)),
    ("locations", "tummy", ("trunk",)),
    ("locations", "belly", ("trunk",)),
    ("locations", "stomach", ("trunk",)),
    ("locations", "bum", ("arms_legs",)),  # the contract's note on buttocks
    ("locations", "buttocks", ("arms_legs",)),
    ("locations", "thighs", ("arms_legs",)),
    ("locations", "legs", ("arms_legs",)),
    ("locations", "toes", ("feet",)),
    ("locations", "heel", ("heels",)),
    ("locations", "hips", ("around_large_joints",)),
    ("locations", "ears", ("head_neck",)),
    ("locations", "back", ("trunk",)),
    ("locations", "back of my hand", ("fingers_hands",)),  # the longest phrase wins
    ("locations", "back of the head", ("head_neck",)),
    ("locations", "shoulder blade", ("trunk",)),
    ("locations", "scrotum", ("genital",)),
    ("locations", "where I had an injection", ("procedure_site",)),
    # typos
    ("locations", "fingrs", ("fingers_hands",)),
    ("locations", "hnads", ("fingers_hands",)),
    ("locations", "shouldres", ("around_large_joints",)),
    ("kidney", "dialisis", ("dialysis",)),
    ("kidney", "chronic kidny disease", ("ckd",)),
    ("conditions", "sclerodrma", ("systemic_sclerosis",)),
    ("conditions", "lupis", ("lupus",)),
    # unsure
    ("locations", "dunno", ("unsure",)),
    ("locations", "not sure", ("unsure",)),
    ("locations", "I don't know", ("unsure",)),
    ("locations", "idk", ("unsure",)),
    ("locations", "?", ("unsure",)),
    ("locations", "No idea", ("unsure",)),
    ("has_deposits", "I'm not sure", ("unsure",)),
    ("kidney", "don’t know", ("unsure",)),  # a curly apostrophe
    # yes / no
    ("has_deposits", "yes", ("yes",)),
    ("has_deposits", "Y", ("yes",)),
    ("has_deposits", "yep", ("yes",)),
    ("has_deposits", "Yes!", ("yes",)),
    ("has_deposits", "nope", ("no",)),
    ("has_deposits", "no", ("no",)),
    ("has_deposits", "hard lumps", ("yes",)),
    ("stiffness", "I don't think so", ("no",)),
    ("stiffness", "can't bend it", ("yes",)),
    ("raynaud", "they go white", ("yes",)),
    ("infection_signs", "no infection", ("no",)),
    # none in many-questions
    ("conditions", "none", ("none",)),
    ("conditions", "nothing", ("none",)),
    ("conditions", "no", ("none",)),
    ("conditions", "neither", ("none",)),
    ("medications", "None of these", ("none",)),
    ("warning_signs", "no", ("none",)),
    ("skin_changes", "looks normal", ("none",)),
    ("pain", "no", ("none",)),
    # other questions
    ("respondent", "me", ("self",)),
    ("respondent", "for my mum", ("caregiver",)),
    ("age_group", "adult", ("adult",)),
    ("age_group", "45", ("adult",)),
    ("age_group", "6 months old", ("infant",)),
    ("age_group", "she is 12 years old", ("child",)),
    ("known_diagnosis", "No, not yet", ("no",)),
    ("known_diagnosis", "they are getting bigger", ("yes_changing",)),
    ("known_diagnosis", "not changed", ("yes_stable",)),
    ("extent", "just one", ("single",)),
    ("extent", "all over", ("widespread",)),
    ("size", "pea", ("small",)),
    ("size", "golf ball", ("large",)),
    ("size", "bigger than a pea", ("medium",)),
    ("pain", "a little", ("mild",)),
    ("pain", "agony", ("severe",)),
    ("skin_changes", "red and warm", ("redness_or_warmth",)),
    (
        "skin_changes",
        "white toothpaste stuff coming out, an open sore",
        ("chalky_discharge", "ulcer"),
    ),
    ("kidney", "kidney failure on dialysis", ("dialysis",)),
    ("kidney", "ckd not on dialysis", ("ckd",)),
    ("kidney", "had a transplant", ("transplant",)),
    ("conditions", "scleroderma and diabetes", ("systemic_sclerosis", "diabetes")),
    ("conditions", "CREST", ("systemic_sclerosis",)),
    ("conditions", "bone cancer", ("cancer",)),
    (
        "intake",
        "all of them",
        ("high_dose_vitamin_d", "calcium_supplements_or_antacids", "ordinary_supplements"),
    ),
    ("events", "I burnt it", ("injury",)),
    ("events", "acne", ("skin_inflammation",)),
    ("events", "EEG", ("electrode_paste",)),
    ("medications", "prednisolone", ("corticosteroids",)),
    ("medications", "warfarin, steroids", ("warfarin", "corticosteroids")),
    ("intake", "pints of milk", ("calcium_supplements_or_antacids",)),
    ("intake", "tums", ("calcium_supplements_or_antacids",)),
    ("hypercalcemia_symptoms", "very thirsty", ("yes",)),
    ("warning_signs", "throwing up", ("confusion_or_vomiting",)),
    ("warning_signs", "skin going black", ("dark_painful_skin",)),
]


@pytest.mark.parametrize("qid, text, expected", CLEAR, ids=[f"{q}:{t}" for q, t, _ in CLEAR])
def test_clear_answers(e, syn, qid, text, expected):
    result = match(e, syn, qid, text)
    assert result.codes == expected, result.message
    assert result.ok
    assert result.ambiguous == ()
    assert result.message == ""


def test_clear_answer_is_accepted_by_the_session(e, syn):
    """Typed answers walk a real session: the codes are what the session accepts."""
    session = e.new_session()
    typed = {
        "respondent": "for me",
        "warning_signs": "nothing",
        "age_group": "I'm 52",
        "has_deposits": "yes, lumps",
        "known_diagnosis": "not yet",
        "locations": "fingertips and elbows",
        "extent": "a few in one place",
        "size": "pea",
        "pain": "a bit sore",
        "skin_changes": "looks normal",
        "stiffness": "no",
        "kidney": "fine",
        "conditions": "scleroderma",
        "raynaud": "yes",
    }
    while session.current is not None and session.current.id != "events":
        question = session.current
        text = typed.get(question.id, "not sure")
        result = match_answer(question, session.options(question), text, syn)
        assert result.ok, (question.id, text, result.message)
        session.answer_current(
            result.codes[0] if question.kind == contract.ONE else list(result.codes)
        )
    assert session.answers["locations"] == ("fingers_hands", "elbows_knees")
    assert session.answers["age_group"] == "adult"
    assert session.answers["raynaud"] == "yes"
    assert session.current.id == "events"


# --------------------------------------------------------------------------- numbers


def test_number_picks_the_option_in_the_order_offered(e, syn):
    question = e.dialog.questions["locations"]
    assert match(e, syn, "locations", "2").codes == ("face",)
    assert match(e, syn, "locations", "1").codes == (question.options[0].code,)
    assert match(e, syn, "locations", "2.").codes == ("face",)
    assert match(e, syn, "locations", "#3").codes == ("head_neck",)
    assert match(e, syn, "locations", "1, 3 and 5").codes == (
        "fingers_hands",
        "head_neck",
        "around_large_joints",
    )


def test_zero_is_the_unsure_answer_as_the_front_ends_show_it(e, syn):
    assert match(e, syn, "extent", "0").codes == ("unsure",)
    assert match(e, syn, "locations", "#0").codes == ("unsure",)
    assert match(e, syn, "stiffness", "0").codes == ("unsure",)
    assert match(e, syn, "age_group", "0").codes == ("unsure",)
    assert match(e, syn, "extent", "4").codes == ("widespread",)
    result = match(e, syn, "locations", "1, 0")
    assert not result.ok and "cannot be combined" in result.message


@pytest.mark.parametrize(
    "qid, text, number",
    [
        ("locations", "14", 14),  # one past the 13 options: not "I'm not sure"
        ("locations", "1, 14", 14),
        ("locations", "1 14", 14),
        ("locations", "1 and 15", 15),
        ("locations", "#14", 14),
        ("stiffness", "3", 3),  # a yes/no question has numbers 1 and 2 only
        ("extent", "5", 5),
    ],
)
def test_a_number_past_the_options_is_refused_naming_the_range(e, syn, qid, text, number):
    count = len(e.dialog.questions[qid].options)
    result = match(e, syn, qid, text)
    assert not result.ok and result.codes == ()
    assert "unsure" not in result.ambiguous
    assert "cannot be combined" not in result.message
    assert f"no answer number {number}" in result.message
    assert f'1 to {count}, or 0 for "I\'m not sure"' in result.message


def test_a_number_out_of_range_says_which_numbers_exist(e, syn):
    result = match(e, syn, "extent", "9")
    assert not result.ok
    assert result.unknown == ("9",)
    assert "1 to 4, or 0" in result.message
    for label in labels(e, "extent"):
        assert label in result.message


def test_an_age_past_the_choices_is_an_age_not_unsure(e, syn):
    # "4" at "How old are you?" (3 choices) is a 4-year-old, not "I'm not sure"
    assert match(e, syn, "age_group", "4").codes == ("child",)


def test_numbers_follow_the_options_offered_now(e, syn):
    question = e.dialog.questions["events"]
    adult = [o for o in question.options if o.code != "heel_sticks"]
    assert match(e, syn, "events", "5", adult).codes == ("electrode_paste",)
    assert match(e, syn, "events", "5").codes == ("heel_sticks",)


def test_age_numbers_that_could_be_a_choice_or_an_age_are_asked_back(e, syn):
    # "3" is the third choice (18 or older) but also a 3-year-old: never guessed
    result = match(e, syn, "age_group", "3")
    assert not result.ok
    assert set(result.ambiguous) == {"child", "adult"}
    # "2" is the second choice (1 to 17 years) and a 2-year-old: the same answer
    assert match(e, syn, "age_group", "2").codes == ("child",)


# --------------------------------------------------------------------------- ambiguity

AMBIGUOUS = [
    ("locations", "joints", {"elbows_knees", "around_large_joints"}),
    ("locations", "my joints", {"elbows_knees", "around_large_joints"}),
    ("locations", "chesk", {"face", "trunk"}),  # a typo as close to cheek as to chest
    ("known_diagnosis", "yes", {"yes_stable", "yes_changing"}),
    ("pain", "yes", {"mild", "severe"}),
    ("pain", "it hurts", {"mild", "severe"}),
    ("has_deposits", "yes and no", {"yes", "no"}),  # one-question: two answers
    ("size", "smaller than a walnut", {"small", "medium"}),
    ("kidney", "end stage", {"ckd", "dialysis"}),
    ("kidney", "kidney failure", {"ckd", "dialysis"}),
    ("extent", "several", {"one_area", "several_areas"}),
    (
        "warning_signs",
        "yes",
        {"dark_painful_skin", "confusion_or_vomiting", "fever_spreading_redness"},
    ),
]


@pytest.mark.parametrize(
    "qid, text, expected", AMBIGUOUS, ids=[f"{q}:{t}" for q, t, _ in AMBIGUOUS]
)
def test_ambiguous_text_lists_the_candidates_and_does_not_guess(e, syn, qid, text, expected):
    result = match(e, syn, qid, text)
    assert result.codes == ()
    assert not result.ok
    assert set(result.ambiguous) == expected
    question = e.dialog.questions[qid]
    for code in expected:
        assert question.label_of(code) in result.message
    assert f"'{text}'" in result.message


def test_ambiguous_candidates_come_in_the_order_offered(e, syn):
    result = match(e, syn, "locations", "joints")
    assert result.ambiguous == ("elbows_knees", "around_large_joints")


@pytest.mark.parametrize(
    "qid, text, alone",
    [
        ("conditions", "none and lupus", "none"),
        ("conditions", "lupus, none", "none"),
        ("events", "no, a cut", "none"),
        ("locations", "hands, not sure", "unsure"),
        ("medications", "warfarin and I don't know", "unsure"),
    ],
)
def test_none_or_unsure_cannot_be_combined(e, syn, qid, text, alone):
    result = match(e, syn, qid, text)
    assert not result.ok
    assert alone in result.ambiguous
    assert len(result.ambiguous) >= 2
    assert "cannot be combined" in result.message
    assert e.dialog.questions[qid].label_of(alone) in result.message


# --------------------------------------------------------------------------- unknown


UNKNOWN = [
    ("locations", "banana", "banana"),
    ("locations", "hands and banana", "banana"),
    ("locations", "hnads banana", "hnads banana"),  # a typo guess beside nonsense
    ("extent", "purple", "purple"),
    ("locations", "not on my hands", "not on my hands"),  # a negation is never dropped
    ("locations", "none", "none"),  # no `none` in this question
]


@pytest.mark.parametrize("qid, text, unknown", UNKNOWN, ids=[f"{q}:{t}" for q, t, _ in UNKNOWN])
def test_unknown_words_say_so_and_list_what_is_allowed(e, syn, qid, text, unknown):
    result = match(e, syn, qid, text)
    assert not result.ok
    assert result.codes == ()
    assert unknown in result.unknown
    assert result.message.startswith(f"I did not recognise '{unknown}'")
    for label in labels(e, qid):
        assert label in result.message


UNRELATED = [
    ("conditions", "thyroid problem"),  # which one? (hyperthyroidism is `other`)
    ("conditions", "arthritis"),  # rheumatoid or not: asked
    ("medications", "steroid cream"),  # tablets or injections only
    ("medications", "apixaban"),  # a blood thinner, but not warfarin
    ("medications", "phosphate binders"),  # calcium-based or not: asked
]


@pytest.mark.parametrize("qid, text", UNRELATED, ids=[f"{q}:{t}" for q, t in UNRELATED])
def test_known_words_that_are_no_answer_here_are_refused(e, syn, qid, text):
    result = match(e, syn, qid, text)
    assert not result.ok
    assert result.unknown == (text,)
    assert result.message.startswith(f"'{text}' is not one of the answers to this question")
    for label in labels(e, qid):
        assert label in result.message


def test_empty_text_asks_for_an_answer(e, syn):
    for text in ("", "   ", "\x1b[0m", "the"):
        result = match(e, syn, "size", text)
        assert not result.ok
        assert "Walnut".lower() in result.message.lower()
        assert result.message.startswith(("Please type", "I did not recognise"))


def test_unrecognised_words_next_to_clear_ones_are_reported(e, syn):
    result = match(e, syn, "locations", "my hands hurt")
    assert result.codes == ("fingers_hands",)
    assert result.unknown == ("hurt",)


def test_lab_questions_ask_for_a_number_with_unit(e, syn):
    result = match(e, syn, "calcium", "9.6")
    assert not result.ok
    assert "unit" in result.message and "mg/dL" in result.message
    result = match(e, syn, "albumin", "4")
    assert "g/dL" in result.message
    assert "high, normal or low" not in result.message  # albumin has no status


@pytest.mark.parametrize(
    "qid, text, code",
    [
        ("calcium", "It was high", "high"),  # the option label, as shown
        ("calcium", "it was high", "high"),
        ("calcium", "very high", "high"),
        ("calcium", "hihg", "high"),  # two letters swapped
        ("phosphate", "raised", "high"),  # dialogs/synonyms.yaml
        ("phosphate", "nromal", "normal"),
        ("pth", "dunno", "unsure"),
        ("pth", "It was low", "low"),
        ("pth", "I don't know", "unsure"),
        ("albumin", "dunno", "unsure"),
    ],
)
def test_lab_status_words_are_matched_like_any_answer(e, syn, qid, text, code):
    assert match(e, syn, qid, text).codes == (code,)


def test_lab_numbers_are_values_never_option_numbers(e, syn):
    assert not match(e, syn, "calcium", "1").ok
    assert not match(e, syn, "calcium", "high 12").ok
    result = match(e, syn, "calcium", "high or low")
    assert not result.ok and set(result.ambiguous) == {"high", "low"}
    assert not match(e, syn, "calcium", "not high").ok
    assert not match(e, syn, "albumin", "high").ok  # albumin has no status


def test_two_swapped_letters_are_a_typo(e, syn):
    assert match(e, syn, "locations", "fcae").codes == ("face",)


# --------------------------------------------------------------------------- offered only


def adult_session(e):
    s = e.new_session()
    s.answer_current("self")
    s.answer_current(["none"])
    s.answer_current("adult")
    return s


def child_session(e):
    s = e.new_session()
    s.answer_current("caregiver")
    s.answer_current(["none"])
    s.answer_current("child")
    return s


def test_heel_sticks_cannot_be_typed_for_adults(e, syn):
    question = e.dialog.questions["events"]
    adult = adult_session(e).options(question)
    assert "heel_sticks" not in [o.code for o in adult]
    for text in ("heel pricks", "heel_sticks", "Repeated heel-prick blood tests as a newborn"):
        result = match_answer(question, adult, text, syn)
        assert "heel_sticks" not in result.codes + result.ambiguous, text
        assert not result.ok, (text, result)
        assert "is not one of the answers" in result.message
        assert "Repeated heel-prick" not in result.message.split(":", 1)[1]
    child = child_session(e).options(question)
    assert match_answer(question, child, "heel pricks", syn).codes == ("heel_sticks",)
    assert match_answer(question, child, "heel pricks and a cut", syn).codes == (
        "heel_sticks",
        "injury",
    )


def test_only_offered_codes_come_back(e, syn):
    question = e.dialog.questions["locations"]
    offered = [o for o in question.options if o.code in ("face", "feet")]
    assert match_answer(question, offered, "hands", syn).codes == ()
    assert match_answer(question, offered, "face", syn).codes == ("face",)
    assert match_answer(question, offered, "2", syn).codes == ("feet",)
    assert match_answer(question, offered, "0", syn).codes == ("unsure",)
    assert match_answer(question, offered, "3", syn).codes == ()  # only 1 and 2 are offered
    result = match_answer(question, offered, "joints", syn)
    assert result.ambiguous == () and not result.ok


# --------------------------------------------------------------------------- hostile text


def test_markup_is_quoted_literally(e, syn):
    result = match(e, syn, "locations", "[red]x[/red]")
    assert not result.ok
    assert "'[red]x[/red]'" in result.message


def test_escape_codes_are_stripped(e, syn):
    assert match(e, syn, "locations", "\x1b[31mhands").codes == ("fingers_hands",)
    result = match(e, syn, "locations", "\x1b[31mbanana\x1b[0m\x07\x00")
    assert not result.ok
    assert "'banana'" in result.message
    assert not has_control(result.message)
    assert all(not has_control(u) for u in result.unknown)


def test_clean_text_removes_controls_but_keeps_brackets():
    assert clean_text("\x1b]0;title\x07a\tb\nc\u202e[b]d[/b]\x9b31m") == "a b c[b]d[/b]"
    assert clean_text(None) == ""


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=120))
def test_any_text_never_crashes_and_messages_hold_no_controls(text):
    e = default_engine()
    syn = load_synonyms(SYNONYMS_YAML)
    for qid in ("locations", "has_deposits", "age_group", "calcium"):
        question = e.dialog.questions[qid]
        result = match_answer(question, list(question.options), text, syn)
        assert isinstance(result, Match)
        assert not has_control(result.message)
        assert result.ok or result.message
        assert set(result.codes) <= set(contract.codes_for(qid))


@settings(max_examples=100, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list("\x1b[]/;,&+0123456789 andhfce?m")), max_size=60))
def test_escape_and_separator_soup_never_crashes(text):
    e = default_engine()
    syn = load_synonyms(SYNONYMS_YAML)
    question = e.dialog.questions["locations"]
    result = match_answer(question, list(question.options), text, syn)
    assert "\x1b" not in result.message
    assert not (result.codes and result.ambiguous)


# --------------------------------------------------------------------------- the data


def test_every_question_with_options_has_synonyms(e, syn):
    missing = [q.id for q in e.dialog.questions.values() if q.options and q.id not in syn.questions]
    assert missing == []


def test_every_offered_code_has_words_people_use(e, syn):
    missing = []
    for question in e.dialog.questions.values():
        if question.kind == contract.LAB:
            continue
        for option in question.options:
            own = syn.words_for(question.id, option.code)
            shared = (
                syn.global_words.get(option.code, ())
                if option.code in ("yes", "no", "none")
                else ()
            )
            if not own and not shared:
                missing.append(f"{question.id}.{option.code}")
    assert missing == []


def test_every_synonym_leads_to_its_code(e, syn):
    """Typed alone, each word gives its code, or asks back (with its code among the
    candidates, or about how much for an intake): read by the one reader of every front end."""
    from chatbot.engine.reading.reader import reader_for

    reader = reader_for(e)
    wrong = []
    for question in e.dialog.questions.values():
        if question.kind == contract.LAB:
            continue
        for code, phrases in syn.questions.get(question.id, {}).items():
            for phrase in phrases:
                reading = reader.read(question, phrase, {}, offered=list(question.options))
                got = reading.answer if reading.ok else ()
                codes = got if isinstance(got, tuple) else (got,)
                if code in ("_unrelated", "_context"):
                    if reading.ok and code == "_unrelated":
                        wrong.append(f"{question.id}: unrelated {phrase!r} -> {codes}")
                elif codes != (code,) and not (
                    not reading.ok and (code in reading.candidates or not reading.candidates)
                ):
                    wrong.append(f"{question.id}.{code}: {phrase!r} -> {codes}")
    assert wrong == []


def test_many_question_phrases_hold_no_separator(e, syn):
    bad = [
        f"{qid}.{code}: {phrase!r}"
        for qid, codes in syn.questions.items()
        if contract.QUESTIONS[qid][0] == contract.MANY
        for code, phrases in codes.items()
        for phrase in phrases
        if SEPARATORS.search(phrase)
    ]
    bad += [
        f"global.{key}: {phrase!r}"
        for key, phrases in syn.global_words.items()
        for phrase in phrases
        if SEPARATORS.search(phrase)
    ]
    assert bad == []


def test_normalize_words():
    assert normalize_words("Don't KNOW!") == ("dont", "know")
    assert normalize_words("My fingers, I think") == ("fingers",)
    assert normalize_words("Fïngérs") == ("fingers",)
    assert normalize_words("??") == ("?",)
    assert normalize_words("i have") == ("have",)


# --------------------------------------------------------------------------- loading


def test_synonyms_are_loaded_once_per_path(syn):
    assert load_synonyms(SYNONYMS_YAML) is syn


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "synonyms.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "text, line, words",
    [
        ("locations:\n  fingers_hands: [finger\n", None, []),
        (
            "locations:\n  fingers_hands: [finger]\n  fingrs_hands: [hand]\n",
            3,
            ["fingrs_hands", "fingers_hands"],
        ),
        (
            "global:\n  unsure: [dunno]\nlocatoins:\n  face: [cheek]\n",
            3,
            ["locatoins", "locations"],
        ),
        ("has_deposits:\n  yes: [yep]\n", 2, ["quoted"]),
        ('has_deposits:\n  "yes": [yes]\n', 2, ["quotes"]),
        ("global:\n  maybe: [perhaps]\n", 2, ["maybe", "allowed"]),
        ("locations:\n  face: [the]\n", 2, ["filler"]),
        ("locations:\n  face: cheek\n  face: nose\n", 3, ["twice"]),
        ("- just a list\n", 1, ["mapping"]),
    ],
)
def test_a_broken_file_names_file_and_line(tmp_path, text, line, words):
    path = write(tmp_path, text)
    with pytest.raises(ValueError) as info:
        load_synonyms(path)
    message = str(info.value)
    assert str(path) in message
    assert re.search(r"line \d+", message)
    if line is not None:
        assert f"line {line}" in message
    for word in words:
        assert word in message


def test_a_changed_file_is_read_again(tmp_path, e):
    path = write(tmp_path, "locations:\n  face: [mush]\n")
    first = load_synonyms(path)
    question = e.dialog.questions["locations"]
    assert match_answer(question, list(question.options), "mush", first).codes == ("face",)
    path.write_text("locations:\n  feet: [mush, plates of meat]\n", encoding="utf-8")
    second = load_synonyms(path)
    assert second is not first
    assert match_answer(question, list(question.options), "plates of meat", second).codes == (
        "feet",
    )


def test_a_missing_file_is_a_value_error(tmp_path):
    with pytest.raises(ValueError, match=r"nothing\.yaml"):
        load_synonyms(tmp_path / "nothing.yaml")


# --------------------------------------------------------------------------- speed, purity


# test_matching_is_fast (a wall-clock limit) is benchmarks/matching_speed.py


def test_matching_does_not_import_textual():
    code = (
        "import sys, chatbot.engine.reading.matching as m; "
        "assert not [n for n in sys.modules if n.split('.')[0] == 'textual'], 'textual'"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
