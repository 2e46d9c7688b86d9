"""The ``calcinosis`` command line: ``chatbot.cli.main`` called in process (``call_cli``),
and run for real in a subprocess (``run_cli``) where the process boundary is tested:
exit codes of a real process, standard input from a pipe or a terminal.

Exit 0 on success, 2 on bad input with a message that names the file, the id,
the bad value and what is allowed; never a traceback.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from support import REPO, VIGNETTES, call_cli, run_cli

from chatbot.engine import contract

PUB01 = REPO / "tests" / "vignettes" / "pub-01.yaml"
PUB07 = REPO / "tests" / "vignettes" / "pub-07.yaml"


def answers_of(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["answers"]


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def assert_bad_input(proc: subprocess.CompletedProcess, *fragments: str) -> str:
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout
    assert proc.stdout == ""
    message = proc.stderr.strip()
    assert message.startswith("calcinosis: "), message
    assert len(message.splitlines()) == 1, message
    for fragment in fragments:
        assert fragment in message, (fragment, message)
    return message


# --------------------------------------------------------------------------- assess: good input


def test_assess_yaml_file_markdown():
    proc = call_cli("assess", str(PUB01))
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    out = proc.stdout
    assert out.startswith("# Book a doctor's appointment")  # what to do first (issue 15)
    assert "This is not a diagnosis." in out
    assert "(`dystrophic`, `calcinosis_circumscripta`)" in out
    assert "### Sources" in out.split("## More detail")[1]


def test_assess_json_file(tmp_path):
    path = write(tmp_path, "answers.json", json.dumps(answers_of(PUB07)))
    proc = call_cli("assess", "--json", str(path))
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["type"] == "metastatic"
    assert data["triage"] == "emergency"
    assert data["labs"]["calcium"]["value"] == pytest.approx(14.4)
    assert data["labs"]["calcium"]["status"] == "high"


def test_assess_json_and_yaml_agree(tmp_path):
    path = write(tmp_path, "answers.json", json.dumps(answers_of(PUB01)))
    from_json = json.loads(call_cli("assess", "--json", str(path)).stdout)
    from_yaml = json.loads(call_cli("assess", "--json", str(PUB01)).stdout)
    assert from_json == from_yaml


def test_assess_stdin():
    text = yaml.safe_dump(answers_of(PUB07))
    proc = run_cli("assess", "--json", "-", input=text)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert (data["type"], data["triage"]) == ("metastatic", "emergency")


def test_assess_stdin_markdown():
    proc = run_cli("assess", "-", input="has_deposits: 'no'\n")
    assert proc.returncode == 0, proc.stderr
    assert "## Type: none" in proc.stdout
    assert "not a diagnosis" in proc.stdout


def test_assess_several_files_in_order(tmp_path):
    none_file = write(tmp_path, "none.yaml", 'has_deposits: "no"\n')
    proc = call_cli("assess", "--json", str(PUB07), str(none_file), str(PUB01))
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert [d["type"] for d in data] == ["metastatic", "none", "dystrophic"]


def test_assess_a_vignette_file_or_its_answers_give_the_same(tmp_path):
    """A vignette file (with ``answers:``) is read as its answers."""
    bare = write(tmp_path, "bare.yaml", yaml.safe_dump(answers_of(PUB01)))
    a = json.loads(call_cli("assess", "--json", str(PUB01)).stdout)
    b = json.loads(call_cli("assess", "--json", str(bare)).stdout)
    assert a == b


def test_assess_empty_mapping_is_all_unsure(tmp_path):
    path = write(tmp_path, "empty.yaml", "{}\n")
    proc = call_cli("assess", "--json", str(path))
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["type"] in contract.TYPES and data["type"] != "none"
    assert data["triage"] in contract.TRIAGE_LEVELS


def test_json_has_the_contract_fields(engine):
    proc = call_cli("assess", "--json", str(PUB07))
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    for key in (
        "type",
        "subtype",
        "triage",
        "ranking",
        "red_flags",
        "labs",
        "ignored",
        "advice",
        "sources",
    ):
        assert key in data, key
    assert data["type"] in contract.TYPES
    assert data["subtype"] is None or data["subtype"] in contract.SUBTYPES
    assert data["triage"] in contract.TRIAGE_LEVELS
    assert sorted(c["type"] for c in data["ranking"]) == sorted(contract.CANDIDATE_TYPES)
    assert data["ranking"][0]["type"] == data["type"]
    scores = [c["score"] for c in data["ranking"][1:]]
    assert scores == sorted(scores, reverse=True)
    for cand in data["ranking"]:
        assert isinstance(cand["reasons"], list)
        assert all(isinstance(r, str) and r for r in cand["reasons"])
    assert data["ranking"][0]["reasons"], "the chosen type has reasons from the answers"
    assert data["red_flags"][0]["level"] == "emergency"
    assert {f["code"] for f in data["red_flags"]} >= {"severe_hypercalcemia"}
    for lab in contract.LAB_UNITS:
        assert lab in data["labs"]
        assert data["labs"][lab]["status"] in ("high", "normal", "low", "unsure")
    calcium = data["labs"]["calcium"]
    assert calcium["unit"] == "mg/dL" and calcium["entered"] == "14.4 mg/dL"
    assert calcium["range"][0] < calcium["range"][1] < calcium["value"]
    assert data["ignored"] == []
    assert engine.content.levels["emergency"].title in data["advice"]
    assert data["sources"] and all({"key", "citation"} <= set(s) for s in data["sources"])


def test_json_lab_in_another_unit_is_normalised(tmp_path):
    path = write(
        tmp_path,
        "a.yaml",
        "has_deposits: 'yes'\nage_group: adult\n"
        "calcium: {value: 2.45, unit: mmol/l}\n"
        "phosphate: {value: 2.6, unit: MMOL/L}\n",
    )
    data = json.loads(call_cli("assess", "--json", str(path)).stdout)
    assert data["labs"]["calcium"]["unit"] == "mg/dL"
    assert data["labs"]["calcium"]["value"] == pytest.approx(2.45 * 4.008, abs=0.01)
    assert data["labs"]["calcium"]["status"] == "normal"
    assert data["labs"]["phosphate"]["value"] == pytest.approx(2.6 * 3.097, abs=0.01)
    assert data["labs"]["phosphate"]["status"] == "high"
    assert data["type"] == "metastatic"


def test_unasked_answer_is_ignored(tmp_path):
    path = write(tmp_path, "a.yaml", 'has_deposits: "no"\npain: severe\n')
    proc = call_cli("assess", "--json", str(path))
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["type"] == "none"
    assert [i["id"] for i in data["ignored"]] == ["pain"]
    assert data["ignored"][0]["reason"]
    assert data["triage"] == "routine"  # the ignored severe pain does not count
    md = call_cli("assess", str(path)).stdout
    assert "## Answers not used" in md and "`pain`" in md


def test_option_not_offered_is_ignored(tmp_path):
    """Heel sticks are asked about for babies and children only."""
    path = write(
        tmp_path,
        "a.yaml",
        "age_group: adult\nhas_deposits: 'yes'\nevents: [heel_sticks]\nlocations: [heels]\n",
    )
    data = json.loads(call_cli("assess", "--json", str(path)).stdout)
    assert [i["id"] for i in data["ignored"]] == ["events"]
    assert data["type"] != "iatrogenic"


# --------------------------------------------------------------------------- assess: bad input


def test_bad_code_names_file_id_code_and_allowed(tmp_path):
    path = write(tmp_path, "bad.yaml", "locations: [fingers]\n")
    message = assert_bad_input(
        call_cli("assess", str(path)), str(path), "locations", "'fingers'", "allowed:"
    )
    allowed = message.split("allowed:", 1)[1]
    for code in contract.codes_for("locations"):
        assert code in allowed, code


def test_bad_code_in_a_one_question(tmp_path):
    path = write(tmp_path, "bad.yaml", "pain: terrible\n")
    assert_bad_input(
        call_cli("assess", str(path)), str(path), "pain", "'terrible'", "none, mild, severe, unsure"
    )


def test_unknown_id(tmp_path):
    path = write(tmp_path, "bad.yaml", "pains: severe\n")
    message = assert_bad_input(
        call_cli("assess", str(path)), str(path), "'pains'", "not a question id"
    )
    assert "pain" in message.split("known ids:", 1)[1]


def test_none_combined(tmp_path):
    path = write(tmp_path, "bad.yaml", "warning_signs: [none, dark_painful_skin]\n")
    assert_bad_input(
        call_cli("assess", str(path)), str(path), "warning_signs", "'none'", "cannot be combined"
    )


@pytest.mark.parametrize(
    "text, fragments",
    [
        ("calcium: {value: abc, unit: mg/dL}\n", ("calcium", '"abc" is not a number', "mg/dL")),
        ("calcium: 12\n", ("calcium", "unit", "mg/dL, mmol/L or mEq/L")),
        ("calcium: {value: 12}\n", ("calcium", "unit", "mg/dL, mmol/L or mEq/L")),
        (
            "calcium: {value: 1e400, unit: mg/dL}\n",
            ("calcium", "not a value a blood test can give"),
        ),
        ("calcium: {value: .inf, unit: mg/dL}\n", ("calcium", "not a value a blood test can give")),
        ("calcium: {value: -3, unit: mg/dL}\n", ("calcium", "zero or less")),
        (
            "calcium: {value: 99, unit: mg/dL}\n",
            ("calcium", "not possible", "between 2 and 30 mg/dL"),
        ),
        ("calcium: {value: 12, unit: mmol}\n", ("calcium", "mg/dL, mmol/L or mEq/L", '"mmol"')),
        ("phosphate: {value: 4, unit: mEq/L}\n", ("phosphate", "cannot be given in mEq/L")),
        ("albumin: high\n", ("albumin", "needs a number with its unit", "g/dL or g/L")),
        ("calcium: very high\n", ("calcium", '"very high"')),
    ],
    ids=[
        "not-a-number",
        "no-unit",
        "mapping-without-unit",
        "1e400",
        "inf",
        "negative",
        "impossible",
        "unknown-unit",
        "unit-of-another-lab",
        "albumin-status",
        "words",
    ],
)
def test_bad_lab_value(tmp_path, text, fragments):
    path = write(tmp_path, "bad.yaml", text)
    message = assert_bad_input(call_cli("assess", str(path)), str(path), *fragments)
    said = message.split(f"{path}: ", 1)[1]
    assert not re.search(r"\b(nan|inf|None|Traceback)\b", said), said


def test_bad_lab_value_in_json(tmp_path):
    path = write(tmp_path, "bad.json", '{"calcium": {"value": 1e400, "unit": "mg/dL"}}')
    assert_bad_input(
        call_cli("assess", str(path)), str(path), "calcium", "not a value a blood test can give"
    )


def test_missing_file(tmp_path):
    missing = tmp_path / "nope.yaml"
    assert_bad_input(call_cli("assess", str(missing)), str(missing), "no such file")


def test_folder_instead_of_file(tmp_path):
    assert_bad_input(call_cli("assess", str(tmp_path)), str(tmp_path), "folder")


@pytest.mark.parametrize(
    "name, text",
    [
        ("list.yaml", "- pain\n- severe\n"),
        ("scalar.yaml", "just some words\n"),
        ("empty.yaml", ""),
        ("list.json", "[1, 2]"),
    ],
)
def test_not_a_mapping(tmp_path, name, text):
    path = write(tmp_path, name, text)
    assert_bad_input(call_cli("assess", str(path)), str(path), "must map question ids to answers")


def test_invalid_yaml(tmp_path):
    path = write(tmp_path, "bad.yaml", "pain: severe\nlocations: [trunk\n")
    message = assert_bad_input(call_cli("assess", str(path)), str(path))
    assert re.search(r", line \d+: ", message), message


def test_invalid_json(tmp_path):
    path = write(tmp_path, "bad.json", '{"pain": "severe",\n')
    assert_bad_input(call_cli("assess", str(path)), str(path), "line 2", "not valid JSON")


def test_not_utf8(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("pain: s\xe9v\xe8re\n".encode("latin-1"))
    assert_bad_input(call_cli("assess", str(path)), str(path), "UTF-8")


def test_an_id_given_twice_is_an_error(tmp_path):
    path = write(tmp_path, "dup.yaml", 'has_deposits: "yes"\npain: none\npain: severe\n')
    assert_bad_input(call_cli("assess", str(path)), str(path), "pain", "twice")
    path = write(tmp_path, "dup.json", '{"has_deposits": "yes", "pain": "none", "pain": "severe"}')
    assert_bad_input(call_cli("assess", str(path)), str(path), "pain", "twice")


def test_bad_stdin():
    assert_bad_input(run_cli("assess", "-", input="pain: [\n"), "<stdin>")
    assert_bad_input(run_cli("assess", "-", input="pain: awful\n"), "<stdin>", "'awful'")


def test_one_bad_file_among_good_ones_prints_nothing(tmp_path):
    bad = write(tmp_path, "bad.yaml", "pain: awful\n")
    assert_bad_input(call_cli("assess", "--json", str(PUB01), str(bad)), str(bad))


def test_assess_needs_a_file():
    proc = run_cli("assess")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "FILE" in proc.stderr


# --------------------------------------------------------------------------- graph and the rest


def test_graph_is_a_mermaid_state_diagram(engine):
    proc = call_cli("graph")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "stateDiagram" in out
    for qid in contract.QUESTIONS:
        assert re.search(rf"\b{qid}\b", out), qid
    for outcome in engine.dialog.outcomes:
        assert outcome in out
    # every transition of the dialog is drawn
    for question in engine.dialog.questions.values():
        for transition in question.transitions:
            assert re.search(rf"^\s*{question.id} --> {transition.dest}\b", out, re.M), (
                question.id,
                transition.dest,
            )


def test_version():
    proc = call_cli("--version")
    assert proc.returncode == 0
    assert re.fullmatch(r"calcinosis \d+\.\d+\.\d+\S*\n", proc.stdout)


def test_console_script_is_installed():
    script = Path(sys.executable).with_name("calcinosis")
    if not script.exists():
        pytest.skip("no console script next to this Python")
    proc = subprocess.run(
        [str(script), "assess", "--json", str(VIGNETTES[0])],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["type"] in contract.TYPES


def test_no_arguments_without_terminal_uses_plain_mode_and_ends_cleanly(tmp_path):
    home = {
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "CALCINOSIS_DATA_DIR": str(tmp_path / "calcinosis"),
    }  # keep any saved session here
    proc = run_cli(timeout=20, stdin=subprocess.DEVNULL, cwd=tmp_path, env=home)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert "plain mode" in proc.stdout
    assert "ended before this question was answered" in proc.stdout
    assert "(respondent)" in proc.stdout


def test_an_unknown_theme_names_the_allowed_ones():
    proc = call_cli("--theme", "neon")
    assert proc.returncode == 2
    assert "neon" in proc.stderr and "high-contrast" in proc.stderr
    assert "Traceback" not in proc.stderr


# --------------------------------------------------------------------------- delete, validate


def _saved_sessions(data: Path, count: int) -> list[int]:
    from chatbot.storage import Store

    with Store(data / "sessions.sqlite3") as store:
        ids = [store.create() for _ in range(count)]
        for i in ids:
            store.save_answers(i, 0, [("respondent", "self")], "self")
    return ids


def _left(data: Path) -> list[int]:
    from chatbot.storage import Store

    with Store(data / "sessions.sqlite3") as store:
        return sorted(r.id for r in store.list())


def _on_a_terminal(args: list[str], data: Path, typed: str) -> subprocess.CompletedProcess:
    """Run the command with a terminal as its standard input, and type ``typed``."""
    import os
    import pty

    main, other = pty.openpty()
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "chatbot.cli", *args],
            stdin=other,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=str(REPO),
            env={**os.environ, "CALCINOSIS_DATA_DIR": str(data)},
        )
        os.write(main, typed.encode())
        out, err = proc.communicate(timeout=60)
        return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
    finally:
        os.close(main)
        os.close(other)


@pytest.mark.parametrize(
    "reply, deleted", [("no\n", False), ("\n", False), ("yes\n", True), ("y\n", True)]
)
def test_delete_asks_first_on_a_terminal(tmp_path, reply, deleted):
    data = tmp_path / "data"
    ids = _saved_sessions(data, 2)
    proc = _on_a_terminal(["delete", str(ids[0])], data, reply)
    assert proc.returncode == 0, proc.stderr
    assert f"Delete session {ids[0]} (" in proc.stderr and "for good? (yes/no)" in proc.stderr
    if deleted:
        assert f"Deleted session {ids[0]} for good." in proc.stdout
        assert _left(data) == [ids[1]]
    else:
        assert "Nothing was deleted." in proc.stdout
        assert _left(data) == ids


def test_delete_all_asks_first_on_a_terminal(tmp_path):
    data = tmp_path / "data"
    ids = _saved_sessions(data, 3)
    proc = _on_a_terminal(["delete", "--all"], data, "no\n")
    assert "Delete all 3 saved sessions for good? (yes/no)" in proc.stderr
    assert "Nothing was deleted." in proc.stdout and _left(data) == ids
    proc = _on_a_terminal(["delete", "--all"], data, "yes\n")
    assert "Deleted 3 session(s) for good." in proc.stdout and _left(data) == []


@pytest.mark.parametrize("flag", ["--yes", "-y"])
def test_delete_yes_does_not_ask(tmp_path, flag):
    data = tmp_path / "data"
    ids = _saved_sessions(data, 2)
    proc = _on_a_terminal(["delete", str(ids[0]), flag], data, "")
    assert "(yes/no)" not in proc.stderr and f"Deleted session {ids[0]}" in proc.stdout
    proc = _on_a_terminal(["delete", "--all", flag], data, "")
    assert "(yes/no)" not in proc.stderr and "Deleted 1 session(s)" in proc.stdout
    assert _left(data) == []


def test_delete_without_a_terminal_does_not_ask(tmp_path):
    data = tmp_path / "data"
    ids = _saved_sessions(data, 2)
    proc = run_cli("delete", str(ids[0]), env={"CALCINOSIS_DATA_DIR": str(data)})
    assert proc.returncode == 0 and "(yes/no)" not in proc.stderr
    assert _left(data) == [ids[1]]
    # issue 14: without a terminal, --all deletes only when standard input says yes
    proc = run_cli("delete", "--all", env={"CALCINOSIS_DATA_DIR": str(data)})
    assert "Nothing was deleted" in proc.stdout and _left(data) == [ids[1]]
    proc = run_cli("delete", "--all", env={"CALCINOSIS_DATA_DIR": str(data)}, input="no\n")
    assert "Nothing was deleted" in proc.stdout and _left(data) == [ids[1]]
    proc = run_cli("delete", "--all", env={"CALCINOSIS_DATA_DIR": str(data)}, input="yes\n")
    assert "Deleted 1 session(s) for good." in proc.stdout and _left(data) == []


def test_validate_a_directory_that_does_not_exist(tmp_path):
    missing = tmp_path / "no such dir"
    message = assert_bad_input(call_cli("validate", str(missing)), "does not exist")
    assert "dialogs/" not in message
    assert_bad_input(call_cli("validate", str(PUB01)), "not a directory")


def test_history_shows_dates_as_people_read_them_in_local_time(tmp_path: Path) -> None:
    env = {"CALCINOSIS_DATA_DIR": str(tmp_path / "data")}
    run_cli("--plain", input="self\nnone\nadult\nno\n", env=env)
    rows = json.loads(run_cli("history", "--json", env=env).stdout)
    stored = rows[0]["updated"]  # kept as an ISO time with its offset, for scripts
    assert "T" in stored
    utc = run_cli("history", env={**env, "TZ": "UTC"}).stdout
    tokyo = run_cli("history", env={**env, "TZ": "Asia/Tokyo"}).stdout
    assert re.search(r"^\s+1  \d{4}-\d\d-\d\d \d\d:\d\d  self ", utc, re.M)
    assert "T" not in utc.splitlines()[1].split()[1]
    assert utc != tokyo  # the same moment, in the computer's own time zone
