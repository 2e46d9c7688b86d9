"""The fault table of issue 14: each finding as a case.

Every case is a set-up (files made under a fresh folder), an action (a real
``calcinosis`` command, with what standard input says), the exit code and the
message expected, and what must remain on disk afterwards. The findings about
``serve`` (Host, Origin, token, visitors, caps) are tested in ``test_web.py``;
the ones that need to interrupt a run half-way (a write that fails mid-run, a
database locked for a while, two windows on one session) follow the table.
"""

from __future__ import annotations

import io
import json
import os
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from support import REPO, run_cli

from chatbot.storage import DB_NAME, Store

PUB01 = REPO / "tests" / "vignettes" / "pub-01.yaml"
OTHER_DB = "other-program.sqlite3"


# ----- set-ups


def sessions(data: Path, *answer_lists: list[tuple[str, object]]) -> list[int]:
    """Saved sessions, each with the given (question id, answer) pairs, unfinished."""
    with Store(data / DB_NAME) as store:
        ids = []
        for answers in answer_lists:
            ids.append(store.create())
            store.save_answers(ids[-1], 0, list(answers), "self")
    return ids


def two_sessions(tmp: Path) -> None:
    sessions(tmp / "data", [("respondent", "self")], [("respondent", "caregiver")])


def other_program_db(tmp: Path) -> Path:
    """Another program's SQLite file, mode 0644, not in WAL mode."""
    other = tmp / OTHER_DB
    db = sqlite3.connect(other)
    db.execute("CREATE TABLE notes (text TEXT)")
    db.execute("INSERT INTO notes VALUES ('theirs')")
    db.commit()
    db.close()
    other.chmod(0o644)
    return other


def link_at_database(tmp: Path) -> None:
    other = other_program_db(tmp)
    (tmp / "data").mkdir(mode=0o700)
    (tmp / "data" / DB_NAME).symlink_to(other)


def link_at_folder(tmp: Path) -> None:
    (tmp / "elsewhere").mkdir()
    (tmp / "data").symlink_to(tmp / "elsewhere")


def first_answers(count: int) -> list[tuple[str, object]]:
    """The first ``count`` answers of pub-01, in the order the dialog asks."""
    from chatbot.engine.dialog.answers import to_plain
    from chatbot.engine.loading import default_engine

    answers = yaml.safe_load(PUB01.read_text())["answers"]
    session = default_engine().new_session()
    try:
        session.replay(answers)
        return [(q, to_plain(session.answers[q])) for q in session.history[:count]]
    finally:
        session.close()


def as_line(value: object) -> str:
    """An answer as a person types it in plain mode."""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return f"{value['value']} {value['unit']}"
    return str(value)


def unfinished_pub01(tmp: Path) -> None:
    sessions(tmp / "data", first_answers(4))


def no_longer_replays(tmp: Path) -> None:
    """Answers saved by an older dialog: a code the questions no longer offer."""
    sessions(tmp / "data", [*first_answers(3), ("has_deposits", "a-code-from-long-ago")])


def existing_summary(tmp: Path) -> None:
    unfinished_pub01(tmp)
    (tmp / "summary.md").write_text("the old summary")
    (tmp / "summary.md").chmod(0o644)


def link_as_output(tmp: Path) -> None:
    unfinished_pub01(tmp)
    (tmp / "target.txt").write_text("someone else's file")
    (tmp / "summary.md").symlink_to(tmp / "target.txt")


def write(name: str, text: str) -> Callable[[Path], None]:
    def setup(tmp: Path) -> None:
        (tmp / name).write_text(text, encoding="utf-8")

    return setup


def fhir_with_code_list(tmp: Path) -> None:
    from chatbot.engine.loading import default_engine
    from chatbot.engine.reports.fhir import questionnaire_response

    engine = default_engine()
    answers = yaml.safe_load(PUB01.read_text())["answers"]
    session = engine.new_session()
    session.replay(answers)
    resource = questionnaire_response(
        dict(session.answers), engine.dialog, authored="2026-11-22T08:00:00+01:00"
    )
    session.close()
    text = json.dumps(resource).replace('"code": "mg/dL"', '"code": ["mg/dL"]', 1)
    assert '["mg/dL"]' in text
    (tmp / "qr.json").write_text(text)


def alias_bomb(tmp: Path) -> None:
    import shutil

    shutil.copytree(REPO / "dialogs", tmp / "dir" / "dialogs")
    shutil.copytree(REPO / "content", tmp / "dir" / "content")
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    (tmp / "dir" / "content" / "glossary.yaml").write_text("\n".join(lines) + "\n")


def nothing(tmp: Path) -> None:
    pass


# ----- what must remain on disk


def untouched_other_db(tmp: Path) -> None:
    other = tmp / OTHER_DB
    assert stat.S_IMODE(other.stat().st_mode) == 0o644
    db = sqlite3.connect(other)
    assert db.execute("SELECT name FROM sqlite_master").fetchall() == [("notes",)]
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    db.close()
    assert not Path(f"{other}-wal").exists()


def empty_elsewhere(tmp: Path) -> None:
    assert list((tmp / "elsewhere").iterdir()) == []


def left(count: int) -> Callable[[Path], None]:
    def check(tmp: Path) -> None:
        with Store(tmp / "data" / DB_NAME) as store:
            assert len(store.list()) == count

    return check


def no_data_folder(tmp: Path) -> None:
    assert not (tmp / "data").exists()


def old_summary_kept(tmp: Path) -> None:
    assert (tmp / "summary.md").read_text() == "the old summary"


def link_target_kept(tmp: Path) -> None:
    assert (tmp / "target.txt").read_text() == "someone else's file"
    assert (tmp / "summary.md").is_symlink()


def file_written(name: str, start: str) -> Callable[[Path], None]:
    def check(tmp: Path) -> None:
        assert (tmp / name).read_text().startswith(start)
        assert stat.S_IMODE((tmp / name).stat().st_mode) == 0o600
        assert not [p for p in tmp.iterdir() if p.name.endswith(".tmp")]

    return check


def fhir_in_progress(tmp: Path) -> None:
    resource = json.loads((tmp / "qr.json").read_text())
    assert resource["status"] == "in-progress"


def answers_kept(tmp: Path) -> None:
    with Store(tmp / "data" / DB_NAME) as store:
        record = store.get(1)
        assert record is not None and dict(record.answers)["has_deposits"] == "a-code-from-long-ago"


def same_files(tmp: Path) -> None:
    pass  # the action itself is checked by its message; nothing to compare


@dataclass(frozen=True)
class Fault:
    id: str
    setup: Callable[[Path], None]
    argv: tuple[str, ...]  # "{tmp}" stands for the case's folder
    message: str  # expected in standard output or standard error
    remains: Callable[[Path], None] = same_files
    code: int | None = 2  # None: 0 or 2 (piped plain mode may stop at a line it cannot use)
    stdin: str = ""
    env: dict[str, str] = field(default_factory=dict)


BIG = "9" * 4301
FAULTS = [
    # the database and its folder
    Fault(
        "symlink-at-database",
        link_at_database,
        ("history",),
        "is a symbolic link",
        untouched_other_db,
    ),
    Fault(
        "symlink-at-database-plain",
        link_at_database,
        ("--plain",),
        "is a symbolic link",
        untouched_other_db,
        code=0,
        stdin="1\n",
    ),
    Fault(
        "symlink-at-folder",
        link_at_folder,
        ("--plain",),
        "is a symbolic link",
        empty_elsewhere,
        code=0,
        stdin="1\n",
    ),
    Fault(
        "delete-all-piped-no",
        two_sessions,
        ("delete", "--all"),
        "Nothing was deleted",
        left(2),
        code=0,
        stdin="no\n",
    ),
    Fault(
        "delete-all-piped-nothing",
        two_sessions,
        ("delete", "--all"),
        "deletes only when standard input says yes",
        left(2),
        code=0,
    ),
    Fault(
        "delete-all-piped-yes",
        two_sessions,
        ("delete", "--all"),
        "Deleted 2 session(s)",
        left(0),
        code=0,
        stdin="yes\n",
    ),
    # read-only commands create nothing
    Fault(
        "history-no-folder",
        nothing,
        ("history",),
        "No saved sessions in {tmp}/data",
        no_data_folder,
        code=0,
    ),
    Fault("history-json-no-folder", nothing, ("history", "--json"), "[]", no_data_folder, code=0),
    Fault("show-no-folder", nothing, ("show", "1"), "No saved sessions in", no_data_folder),
    Fault("export-no-folder", nothing, ("export", "1"), "No saved sessions in", no_data_folder),
    # a session that no longer replays
    Fault(
        "show-no-replay",
        no_longer_replays,
        ("show", "1"),
        "no longer fit the current questions",
        answers_kept,
        code=0,
    ),
    Fault(
        "export-no-replay",
        no_longer_replays,
        ("export", "1", "--format", "html", "-o", "{tmp}/s.html"),
        "Saved to",
        file_written("s.html", "<!DOCTYPE html>"),
        code=0,
    ),
    Fault(
        "export-fhir-no-replay",
        no_longer_replays,
        ("export", "1", "--format", "fhir"),
        "use --format md or --format html",
        answers_kept,
    ),
    Fault(
        "resume-no-replay",
        no_longer_replays,
        ("--plain", "--resume"),
        "no longer fit the questions",
        answers_kept,
        code=0,
        stdin="1\n",
    ),
    # exports
    Fault(
        "export-over-existing",
        existing_summary,
        ("export", "1", "-o", "{tmp}/summary.md"),
        "already exists; give a new name, or add --force",
        old_summary_kept,
    ),
    Fault(
        "export-force",
        existing_summary,
        ("export", "1", "-o", "{tmp}/summary.md", "--force"),
        "Saved to",
        file_written("summary.md", "# Calcinosis check"),
        code=0,
    ),
    Fault(
        "export-through-link",
        link_as_output,
        ("export", "1", "-o", "{tmp}/summary.md", "--force"),
        "is a symbolic link",
        link_target_kept,
    ),
    Fault(
        "fhir-unfinished",
        unfinished_pub01,
        ("export", "1", "--format", "fhir", "-o", "{tmp}/qr.json"),
        "Saved to",
        fhir_in_progress,
        code=0,
    ),
    # bounded input
    Fault(
        "assess-4301-digits-json",
        write("a.json", '{"calcium": {"value": ' + BIG + ', "unit": "mg/dL"}}'),
        ("assess", "{tmp}/a.json"),
        "a number has 4,301 digits",
    ),
    Fault(
        "assess-4301-digits-yaml",
        write("a.yaml", f"calcium: {{value: {BIG}, unit: mg/dL}}"),
        ("assess", "{tmp}/a.yaml"),
        "digits",
    ),
    Fault(
        "assess-deep-json",
        write("d.json", "[" * 100_000 + "]" * 100_000),
        ("assess", "{tmp}/d.json"),
        "nested too deep",
    ),
    Fault(
        "assess-deep-but-parsable-json",
        write("d.json", '{"a": ' + "[" * 40 + "]" * 40 + "}"),
        ("assess", "{tmp}/d.json"),
        "nested more than 32 deep",
    ),
    Fault(
        "assess-fhir-code-list",
        fhir_with_code_list,
        ("assess", "{tmp}/qr.json"),
        "a value of the wrong kind",
    ),
    Fault("assess-dev-zero", nothing, ("assess", "/dev/zero"), "at most 1,000,000 bytes"),
    Fault(
        "assess-big-file",
        write("big.yaml", "x: " + "y" * 2_000_000),
        ("assess", "{tmp}/big.yaml"),
        "is 2,000,003 bytes",
    ),
    Fault(
        "assess-long-value",
        write("long.yaml", "pain: " + "z" * 900_000),
        ("assess", "{tmp}/long.yaml"),
        "characters)",
    ),
    Fault("validate-alias-bomb", alias_bomb, ("validate", "{tmp}/dir"), "alias bomb"),
    Fault(
        "escape-codes-in-a-file-name",
        nothing,
        ("assess", "{tmp}/a\x1b[31mred.yaml"),
        "a\\x1b[31mred.yaml: no such file",
    ),
    # plain mode answers any line
    Fault(
        "plain-superscript",
        nothing,
        ("--plain", "--no-save"),
        "Question 1",
        code=None,
        stdin="²\n1\n",
    ),
    Fault(
        "plain-4301-digits",
        nothing,
        ("--plain", "--no-save"),
        "There is no answer number",
        code=None,
        stdin=f"{BIG}\n",
    ),
    Fault(
        "plain-long-line",
        nothing,
        ("--plain", "--no-save"),
        "Question 1",
        code=None,
        stdin="x" * 200_000 + "\n",
    ),
]


@pytest.mark.parametrize("fault", FAULTS, ids=[f.id for f in FAULTS])
def test_fault(fault: Fault, tmp_path: Path) -> None:
    fault.setup(tmp_path)
    argv = [a.replace("{tmp}", str(tmp_path)) for a in fault.argv]
    started = time.monotonic()
    proc = run_cli(
        *argv,
        input=fault.stdin,
        timeout=60,
        env={"CALCINOSIS_DATA_DIR": str(tmp_path / "data"), **fault.env},
    )
    took = time.monotonic() - started
    said = proc.stdout + proc.stderr
    assert proc.returncode in ((0, 2) if fault.code is None else (fault.code,)), said[-1500:]
    assert fault.message.replace("{tmp}", str(tmp_path)) in said, said[-1500:]
    assert "Traceback" not in said and "something went wrong" not in said
    assert "\x1b[31m" not in proc.stderr  # escape codes are shown, never sent
    assert len(proc.stderr) < 2000  # long values are cut in messages
    assert took < 30
    fault.remains(tmp_path)


# ----- faults in the middle of a run


def test_a_write_that_fails_half_way_is_said_at_once_and_at_the_end(tmp_path: Path) -> None:
    """Disk full after 4 answers: said right after the 5th, and at the end which are saved."""
    from chatbot.engine.loading import default_engine
    from chatbot.plain import PlainChat
    from chatbot.storage import Recorder, StoreError

    recorder = Recorder(Store(tmp_path / DB_NAME))
    real = recorder.store.save_answers
    calls = []

    def full_after_four(session_id, keep, new, respondent):
        calls.append(keep + len(new))
        if keep + len(new) > 4:
            raise StoreError("The saved-answers file cannot be written (disk full).")
        real(session_id, keep, new, respondent)

    recorder.store.save_answers = full_after_four
    answers = yaml.safe_load(PUB01.read_text())["answers"]
    engine = default_engine()
    probe = engine.new_session()
    probe.replay(answers)
    lines = [as_line(answers.get(qid, "unsure")) for qid in probe.history]
    total = len(probe.history)
    probe.close()
    out = io.StringIO()
    chat = PlainChat(engine, io.StringIO("\n".join(lines) + "\n"), out, recorder)
    assert chat.run() == 0
    text = out.getvalue()
    fifth = text.index("Question 6 ")
    warning = text.index("disk full")
    assert warning < fifth  # said at once, before the next question
    assert "Your answers are not being saved now: only your first 4 answers of 5 are saved" in text
    assert f"Only your first 4 answers of {total} are saved" in text
    assert "The result itself was not saved." in text
    recorder.close()
    with Store(tmp_path / DB_NAME) as store:
        assert store.get(1).row.answered == 4


def test_an_age_typed_with_the_age_group_is_not_counted_as_an_answer_of_its_own(
    tmp_path: Path,
) -> None:
    """'62' typed at the age group records the group and the exact age (two rows, one
    answer): when the disk fills after them, plain mode says 3 answers are saved, not 4."""
    from chatbot.engine.loading import default_engine
    from chatbot.plain import PlainChat
    from chatbot.storage import Recorder, StoreError

    recorder = Recorder(Store(tmp_path / DB_NAME))
    real = recorder.store.save_answers

    def full_after_four_rows(session_id, keep, new, respondent):
        if keep + len(new) > 4:
            raise StoreError("The saved-answers file cannot be written (disk full).")
        real(session_id, keep, new, respondent)

    recorder.store.save_answers = full_after_four_rows
    engine = default_engine()
    lines = ["For myself", "none", "62", "yes", "not sure", "not sure"]
    out = io.StringIO()
    chat = PlainChat(engine, io.StringIO("\n".join(lines) + "\n"), out, recorder)
    chat.run()
    text = out.getvalue()
    assert "62" in text and "not being saved now: only your first 3 answers of 4" in text
    assert "Only your first 3 answers of" in text and "Only your first 4 answers" not in text
    recorder.close()


def test_a_database_locked_for_three_seconds_loses_nothing(tmp_path: Path) -> None:
    """Another program holds the lock for 3 s while answers are piped in: the busy writes
    are retried (and said), and every answer is saved in the end."""
    data = tmp_path / "data"
    Store(data / DB_NAME).close()
    lines = [as_line(value) for _, value in first_answers(7)]
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys, time\n"
            f"db = sqlite3.connect({str(data / DB_NAME)!r}, isolation_level=None)\n"
            "db.execute('BEGIN EXCLUSIVE'); print('locked', flush=True); time.sleep(3)\n"
            "db.execute('ROLLBACK')",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        proc = run_cli(
            "--plain",
            input="\n".join(lines) + "\n",
            timeout=120,
            env={"CALCINOSIS_DATA_DIR": str(data)},
        )
    finally:
        holder.wait(timeout=30)
    assert proc.returncode == 0, proc.stdout[-1500:]
    with Store(data / DB_NAME) as store:
        (row,) = store.list()
        record = store.get(row.id)
    asked = proc.stdout.count("\nQuestion ")
    assert len(record.answers) == asked - 1  # all but the one the input ended on
    if "not being saved" in proc.stdout:  # when a write gave up, it was said, then fixed
        assert "Saving works again" in proc.stdout


def test_a_session_open_in_another_window_is_refused(tmp_path: Path) -> None:
    """Two `--plain --resume` on one session: the second is told and starts its own."""
    data = tmp_path / "data"
    (sid,) = sessions(data, [("respondent", "self")])
    env = {**os.environ, "CALCINOSIS_DATA_DIR": str(data)}
    first = subprocess.Popen(
        [sys.executable, "-m", "chatbot.cli", "--plain", "--resume"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=str(REPO),
    )
    try:
        assert "Continuing where you left off" in first.stdout.readline() + "".join(
            first.stdout.readline() for _ in range(6)
        )
        second = run_cli(
            "--plain", "--resume", input="1\n2\n", env={"CALCINOSIS_DATA_DIR": str(data)}
        )
        assert f"Session {sid} is open in another window" in second.stdout
        assert "Starting a new session here." in second.stdout
        deleted = run_cli("delete", str(sid), "--yes", env={"CALCINOSIS_DATA_DIR": str(data)})
        assert deleted.returncode == 2 and "open in another window" in deleted.stderr
    finally:
        first.communicate("none\n", timeout=60)
    with Store(data / DB_NAME) as store:
        record = store.get(sid)
        assert record is not None  # never deleted while open
        # the first window's answers only: its saved one and the one it was given
        assert [q for q, _ in record.answers] == [q for q, _ in first_answers(2)]
        assert len(store.list()) == 2  # the second window's answers went to a new session
    again = run_cli("delete", str(sid), "--yes", env={"CALCINOSIS_DATA_DIR": str(data)})
    assert again.returncode == 0  # the lock went with its process


def test_a_crashed_window_leaves_no_lock(tmp_path: Path) -> None:
    data = tmp_path / "data"
    sessions(data, [("respondent", "self")])
    env = {**os.environ, "CALCINOSIS_DATA_DIR": str(data)}
    first = subprocess.Popen(
        [sys.executable, "-m", "chatbot.cli", "--plain", "--resume"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=str(REPO),
    )
    first.stdout.readline()
    time.sleep(1.0)
    first.kill()  # SIGKILL: no clean-up runs
    first.wait(timeout=10)
    proc = run_cli("--plain", "--resume", input="none\n", env={"CALCINOSIS_DATA_DIR": str(data)})
    assert "Continuing where you left off" in proc.stdout
    assert "open in another window" not in proc.stdout


@pytest.fixture
def read_only_disk(tmp_path: Path):
    """A real read-only file system (a tmpfs remounted read-only); needs root."""
    mount = tmp_path / "ro"
    mount.mkdir()
    if (
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], capture_output=True
        ).returncode
        != 0
    ):
        pytest.skip("cannot mount a file system here (needs root)")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], capture_output=True)


def test_read_only_commands_work_on_a_read_only_disk(read_only_disk: Path, tmp_path: Path) -> None:
    data = read_only_disk / "data"
    sessions(data, first_answers(2))
    assert subprocess.run(["mount", "-o", "remount,ro", str(read_only_disk)]).returncode == 0
    env = {"CALCINOSIS_DATA_DIR": str(data)}
    before = sorted(p.name for p in data.iterdir())
    history = run_cli("history", env=env)
    assert history.returncode == 0 and "unfinished" in history.stdout, history.stderr
    shown = run_cli("show", "1", env=env)
    assert shown.returncode == 0 and "Session 1" in shown.stdout, shown.stderr
    exported = run_cli("export", "1", "-o", str(tmp_path / "s.md"), env=env)
    assert exported.returncode == 0, exported.stderr
    assert sorted(p.name for p in data.iterdir()) == before
    plain = run_cli("--plain", input="1\n", env=env)  # says it cannot save, goes on
    assert plain.returncode == 0 and "not being saved" in plain.stdout
