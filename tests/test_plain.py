"""Plain mode (--plain, and automatically when standard input is a pipe)."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from chatbot.engine.dialog.answers import to_plain
from chatbot.engine.loading import default_engine
from chatbot.engine.reading.reader import reader_for
from chatbot.plain import PlainChat, clean, plain_text

VIGNETTES = Path(__file__).parent / "vignettes"
TITLES = {
    "dystrophic": "Dystrophic calcinosis",
    "metastatic": "Metastatic calcinosis",
    "calciphylaxis": "Calciphylaxis",
    "idiopathic": "Idiopathic calcinosis",
    "iatrogenic": "Iatrogenic calcinosis",
}


def lines_for(name: str) -> list[str]:
    engine = default_engine()
    answers = yaml.safe_load((VIGNETTES / name).read_text())["answers"]
    session = engine.new_session()
    try:
        session.replay(answers)
        out = []
        for qid in session.history:
            value = to_plain(session.answers[qid])
            if isinstance(value, list):
                value = ", ".join(value)
            elif isinstance(value, dict):
                value = f"{value['value']} {value['unit']}"
            out.append(str(value))
        return out
    finally:
        session.close()


def walk(answers: dict[str, str], upto: str | None = None) -> list[str]:
    """The lines that answer the dialog as it is now, one per question asked, until the
    question ``upto`` (not included): ``answers[qid]`` as typed, else "unsure". Follows the
    dialog, so that new questions do not shift the lines onto the wrong question."""
    session = default_engine().new_session()
    lines: list[str] = []
    try:
        while session.current is not None and session.current.id != upto:
            qid = session.current.id
            text = answers.get(qid, "unsure")
            lines.append(text)
            reading = reader_for(session.engine).read(
                session.current, text, session.answers, offered=session.options(), numbered=True
            )
            assert reading.ok, (qid, text, reading.ask)
            session.answer_current(reading.answer, also=reading.also or None)
        return lines
    finally:
        session.close()


def run_plain(lines: list[str] | str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    text = lines if isinstance(lines, str) else "\n".join(lines) + "\n"
    env = dict(os.environ, CALCINOSIS_DATA_DIR=str(tmp_path / "data"), NO_COLOR="1")
    return subprocess.run(
        [sys.executable, "-m", "chatbot.cli", *args],
        input=text,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


@pytest.mark.parametrize(
    "name",
    ["pub-01.yaml", "pub-07.yaml", "pub-09.yaml", "pub-11.yaml", "pub-13.yaml", "pub-19.yaml"],
)
def test_piped_vignette_gives_the_expected_result(name: str, tmp_path: Path) -> None:
    case = yaml.safe_load((VIGNETTES / name).read_text())
    run = run_plain(lines_for(name), tmp_path)  # no --plain: a pipe is enough
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr + run.stdout
    out = run.stdout
    assert "\x1b[" not in out  # no colour, no drawing
    advice = default_engine().content.levels
    level_titles = {lvl: advice[lvl].title for lvl in advice}
    # the result opens with what to do: the level's title as a heading (issue 15)
    starts = [out.rfind(f"\n{title.upper()}\n") for title in level_titles.values()]
    assert max(starts) > 0, out[-600:]
    result = out[max(starts) :]
    expected = case["expect"]["type"]
    expected = expected if isinstance(expected, list) else [expected]
    triage_at = 0
    if "none" in expected:
        assert "TYPE: NONE" in result
    else:
        assert any(f"MOST LIKELY TYPE: {TITLES[t].upper()}" in result for t in expected)
        assert triage_at < result.index("MOST LIKELY TYPE")  # triage first
    low = case["expect"].get("triage_at_least", "routine")
    shown = [
        lvl for lvl, title in level_titles.items() if result.startswith(f"\n{title.upper()}\n")
    ]
    assert shown, result[:400]
    from chatbot.engine.contract import triage_rank

    assert triage_rank(shown[0]) >= triage_rank(low)
    assert "not a diagnosis" in result


def test_words_numbers_and_typos(tmp_path: Path) -> None:
    lines = walk(
        {
            "respondent": "for myself",
            "warning_signs": "none of these",
            "age_group": "I'm 45",
            "has_deposits": "yes",
            "known_diagnosis": "dunno",
            "locations": "my fingers",
            "extent": "1",
            "size": "pea",
            "pain": "a little",
            "skin_changes": "normal",
            "stiffness": "nope",
            "kidney": "healthy",
            "conditions": "scleroderma",
            "raynaud": "yes",
            "events": "none",
            "medications": "none",
            "intake": "none",
            "calcium": "9.4 mg/dl",
            "albumin": "dunno",
            "phosphate": "3.6 mg/dL",
        }
    )
    run = run_plain(lines, tmp_path)
    assert run.returncode == 0, run.stdout[-800:]
    assert "MOST LIKELY TYPE: DYSTROPHIC CALCINOSIS" in run.stdout
    assert "circumscripta" in run.stdout.lower()


def test_bad_lab_value_is_explained_and_asked_again() -> None:
    lines = lines_for("pub-05.yaml")
    at = lines.index("11.6 mg/dL")
    bad = lines[:at] + ["abc", "-3 mg/dL", "12", "mg/dl"] + lines[at + 1 :]
    out = chat_output(bad, typed=True)  # at a terminal: asked again, never stopped
    assert "MOST LIKELY TYPE: METASTATIC CALCINOSIS" in out
    assert "Please add the unit" in out
    assert "Noted: calcium 12 mg/dL." in out  # the unit typed in reply completes the number
    assert out.count("Do you know your blood calcium?") == 1  # asked once, answered at last


def test_a_piped_line_that_cannot_be_used_stops_the_run_and_names_it(tmp_path: Path) -> None:
    lines = lines_for("pub-05.yaml")
    at = lines.index("11.6 mg/dL")
    run = run_plain(lines[:at] + ["abc"] + lines[at:], tmp_path)
    assert run.returncode == 2
    assert f'Stopped at line {at + 1}: "abc"' in run.stdout
    assert (
        "(calcium)" in run.stdout and "This question accepts a number with its unit" in run.stdout
    )
    assert "MOST LIKELY TYPE" not in run.stdout  # no later line landed on a wrong question
    again = run_plain(lines[at:], tmp_path, "--resume")  # corrected, and continued
    assert again.returncode == 0, again.stdout[-600:]
    assert f"Continuing where you left off ({at} answers kept)" in again.stdout
    assert "MOST LIKELY TYPE: METASTATIC CALCINOSIS" in again.stdout


def test_unknown_word_is_explained(tmp_path: Path) -> None:
    run = run_plain(["self", "banana"], tmp_path)
    assert 'I did not recognise "banana"' in run.stdout
    assert run.returncode == 2 and 'Stopped at line 2: "banana"' in run.stdout
    assert "(warning_signs)" in run.stdout


def test_end_of_input_mid_question_says_which(tmp_path: Path) -> None:
    run = run_plain(["self", "none", "adult"], tmp_path)
    assert run.returncode == 0
    assert "Traceback" not in run.stderr
    assert "(has_deposits)" in run.stdout
    assert "Your answers so far are kept" in run.stdout


def test_not_sure_about_the_warning_signs_says_what_to_watch_for(tmp_path: Path) -> None:
    note = default_engine().dialog.questions["warning_signs"].unsure_note("self")
    run = run_plain(["self", "unsure", "adult", "0"], tmp_path)
    out = " ".join(run.stdout.split())
    assert note and note in out
    assert out.index(note) < out.index("How old are you?")  # said at once, then on
    assert out.count("That's all right") == 1  # "not sure" elsewhere adds nothing


def test_back_why_help_and_warning_screen(tmp_path: Path) -> None:
    run = run_plain(
        ["self", "help", "why", "confusion_or_vomiting", "back", "none", "adult"], tmp_path
    )
    out = run.stdout
    assert "How to answer" in out
    assert "Why we ask:" in out
    assert "IMPORTANT: GET EMERGENCY HELP NOW" in out
    assert "What to say when you call" in out
    assert "Going back one question." in out
    assert "(has_deposits)" in out


def test_typed_markup_and_escape_codes_are_shown_literally(tmp_path: Path) -> None:
    run = run_plain(["self", "[red]x[/red] \x1b[31mbanana"], tmp_path)
    assert "\x1b[31m" not in run.stdout
    assert "[red]x[/red]" in run.stdout


def test_no_save_and_resume(tmp_path: Path) -> None:
    first = run_plain(["self", "none"], tmp_path)
    assert "Your answers so far are kept" in first.stdout
    again = run_plain(["adult", "no"], tmp_path, "--resume")
    assert "Continuing where you left off (2 answers kept)" in again.stdout
    assert "TYPE: NONE" in again.stdout
    unsaved = run_plain(["self"], tmp_path, "--no-save", "--new")
    assert "not saved" in unsaved.stdout


def test_plain_text_strips_markdown() -> None:
    text = plain_text("# Title\n\n**bold** and `code` and 11\\.6\n| a | b |\n|---|---|\n| 1 | 2 |")
    assert text.splitlines()[0] == "TITLE"
    assert "bold and code and 11.6" in text
    assert "1 - 2" in text and "|" not in text


def test_clean_removes_control_characters() -> None:
    assert clean("\x1b[31mred\x1b[0m\x07") == "red"


def test_plain_chat_in_process() -> None:
    engine = default_engine()
    out = io.StringIO()
    chat = PlainChat(engine, io.StringIO("self\nnone\nadult\nno\n"), out)
    try:
        assert chat.run() == 0
    finally:
        chat.session.close()
    assert "TYPE: NONE" in out.getvalue()


def test_a_calcium_that_makes_an_emergency_is_said_at_once_and_again_on_resume(
    tmp_path: Path,
) -> None:
    lines = lines_for("pub-01.yaml")
    at = lines.index("9.4 mg/dL")  # pub-01's calcium
    first = run_plain(lines[:at] + ["15 mg/dL"], tmp_path)
    out = first.stdout
    said = out.index("IMPORTANT: GET EMERGENCY HELP NOW")
    assert said < out.index("The input ended before this question was answered")
    assert "Very high blood calcium" in out[said:]
    assert out.count("IMPORTANT:") == 1  # said once, not again at every question
    again = run_plain(["no"], tmp_path, "--resume")  # the person comes back later
    assert "IMPORTANT: GET EMERGENCY HELP NOW" in again.stdout


# --------------------------------------------------------------------------- rough edges


class _Terminal(io.StringIO):
    """Typed input on a terminal (plain mode asks things it does not ask a pipe)."""

    def isatty(self) -> bool:
        return True


def chat_output(lines: list[str], typed: bool = False) -> str:
    """Plain mode in process; ``typed``: at a terminal (lines that cannot be used are asked
    again) rather than piped (the first such line stops the run)."""
    engine = default_engine()
    out = io.StringIO()
    stdin = (_Terminal if typed else io.StringIO)("\n".join(lines) + "\n")
    chat = PlainChat(engine, stdin, out, interactive=typed)
    try:
        chat.run()
    finally:
        chat.session.close()
    return out.getvalue()


START = walk(
    {
        "respondent": "for myself",
        "warning_signs": "none",
        "age_group": "adult",
        "has_deposits": "yes",
        "known_diagnosis": "no",
    },
    "locations",
)
LOCATIONS = len(default_engine().dialog.questions["locations"].options)


@pytest.mark.parametrize(
    "typed, number",
    [
        (f"1, {LOCATIONS + 1}", LOCATIONS + 1),
        (f"1 {LOCATIONS + 1}", LOCATIONS + 1),
        (f"1 and {LOCATIONS + 2}", LOCATIONS + 2),
        (f"{LOCATIONS + 1}", LOCATIONS + 1),
    ],
)
def test_a_number_past_the_options_names_the_range(typed: str, number: int) -> None:
    out = chat_output(START + [typed])
    after = out[out.index("Where are the deposits?") :]
    assert f"There is no answer number {number} here" in after
    assert f'1 to {LOCATIONS}, or 0 for "I\'m not sure"' in after
    assert "cannot be combined" not in after
    assert f"the numbers go from 1 to {LOCATIONS + 1}" not in after
    assert "How many deposits are there" not in after  # not taken as an answer


def test_a_number_past_a_yes_no_question_is_not_unsure() -> None:
    out = chat_output(
        walk(
            {
                "respondent": "for myself",
                "warning_signs": "none",
                "age_group": "adult",
                "has_deposits": "yes",
                "known_diagnosis": "no",
                "locations": "1",
                "extent": "1",
                "size": "1",
                "pain": "1",
                "skin_changes": "none",
            },
            "stiffness",
        )
        + ["3"]
    )
    after = out[out.index("Is a joint near the deposits stiff") :]
    assert "There is no answer number 3 here" in after
    assert "1 to 2, or 0 for" in after
    assert "How are your kidneys?" not in after


def test_zero_with_another_number_says_it_cannot_be_combined_in_words() -> None:
    out = chat_output(START + ["1, 0"])
    assert '"I\'m not sure" cannot be combined with other answers' in out
    assert "'unsure'" not in out  # no contract codes


BEFORE_LABS = {
    "respondent": "for myself",
    "warning_signs": "none",
    "age_group": "adult",
    "has_deposits": "yes",
    "known_diagnosis": "no",
    "locations": "1",
    "extent": "1",
    "size": "1",
    "pain": "1",
    "skin_changes": "none",
    "stiffness": "no",
    "kidney": "healthy",
    "conditions": "none",
    "raynaud": "no",
    "events": "none",
    "medications": "none",
    "intake": "none",
}
LABS = walk(BEFORE_LABS, "calcium")


def test_lab_status_in_the_apps_own_words_and_typos() -> None:
    out = chat_output(
        walk(
            {
                **BEFORE_LABS,
                "calcium": "It was high",
                "hypercalcemia_symptoms": "no",
                "phosphate": "hihg",
                "pth": "dunno",
            }
        )
    )
    assert "is not a number" not in out
    assert "With that high calcium" in out  # calcium: "It was high" -> high
    assert "parathyroid hormone (PTH)" in out  # phosphate: "hihg" -> high
    assert "MORE DETAIL" in out  # pth: "dunno" -> not sure
    assert "| calcium | (reported as a status)" not in out  # plain text, no table bars
    assert "calcium - (reported as a status) -" in out and "- high" in out


@pytest.mark.parametrize("typed", ["it was high", "very high", "Very High!"])
def test_lab_status_words(typed: str) -> None:
    out = chat_output(walk({**BEFORE_LABS, "calcium": typed}))
    assert "is not a number" not in out
    assert "With that high calcium" in out


def test_nan_without_a_unit_is_not_a_blood_value() -> None:
    out = chat_output(LABS + ["nan", "1e400"], typed=True)
    after = out[out.index("Do you know your blood calcium?") :]
    assert after.count("That is not a value a blood test can give") == 2
    assert "Please add the unit" not in after


def _progress(out: str) -> list[str]:
    return [line.split(")", 1)[0] for line in out.splitlines() if line.startswith("Question ")]


def test_progress_says_the_last_question_and_never_counts_up_unexplained() -> None:
    out = chat_output(
        walk(
            {
                **BEFORE_LABS,
                "calcium": "It was high",
                "hypercalcemia_symptoms": "no",
                "phosphate": "normal",
                "pth": "normal",
            }
        )
    )
    lines = _progress(out)
    assert not [line for line in lines if "about 0 more" in line]
    assert lines[-1].endswith("(the last question, as far as we can tell")
    previous = None
    for line in lines:
        if "about " not in line:
            continue
        more = int(line.split("about ")[1].split()[0])
        if previous is not None and more > previous - 1:
            assert "your last answer added" in line, line
        else:
            assert "added" not in line, line
        previous = more
    assert any("your last answer added 1 question" in line for line in lines)  # calcium high


def test_headings_show_no_contract_codes() -> None:
    out = chat_output(
        walk(
            {
                "respondent": "self",
                "warning_signs": "dark_painful_skin",
                "age_group": "adult",
                "has_deposits": "yes",
                "known_diagnosis": "no",
            }
        )
    )
    headings = [line for line in out.splitlines() if line.isupper() and len(line) > 3]
    assert any(h.startswith("GET EMERGENCY HELP NOW") for h in headings)
    assert not [h for h in headings if "`" in h or "(EMERGENCY)" in h or "(`" in h]
    assert "\nGET EMERGENCY HELP NOW\n" in out


def test_plain_text_drops_codes_from_headings_only() -> None:
    text = plain_text(
        "## How soon: Get help now (`emergency`)\n\n"
        "## Most likely type: Dystrophic calcinosis (`dystrophic`, "
        "`calcinosis_circumscripta`)\n\n- `locations`: not asked"
    )
    lines = text.splitlines()
    assert lines[0] == "HOW SOON: GET HELP NOW"
    assert lines[2] == "MOST LIKELY TYPE: DYSTROPHIC CALCINOSIS"
    assert lines[4] == "- locations: not asked"


def test_resume_prompt_says_a_readable_date_and_one_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chatbot.plain import run_plain as run_in_process

    monkeypatch.setenv("CALCINOSIS_DATA_DIR", str(tmp_path / "data"))
    engine = default_engine()
    run_in_process(engine, stdin=io.StringIO("for myself\n"), stdout=io.StringIO())
    out = io.StringIO()
    run_in_process(engine, stdin=_Terminal("yes\n"), stdout=out)
    text = out.getvalue()
    prompt = next(line for line in text.splitlines() if "unfinished session from" in line)
    assert "(1 answer)" in prompt and "answers)" not in prompt
    stamp = prompt.split("from ", 1)[1].split(" (")[0]
    assert "T" not in stamp and "+" not in stamp  # not the raw ISO time
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", stamp), stamp
    assert "Continuing where you left off (1 answer kept)." in text
