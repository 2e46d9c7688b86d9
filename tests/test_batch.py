"""Many answers files shared among processes (chatbot/batch.py): the same output, in the
same order, and the same first problem as one process going through them in order."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml
from support import VIGNETTES, call_cli, run_cli

from chatbot import batch
from chatbot.batch import map_in_order, processes_for

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")


def shout(name: str) -> str:
    """Work that says which process did it, to see that the work was shared."""
    if name.startswith("bad"):
        raise ValueError(f"{name}: cannot be read")
    return f"{name.upper()}@{os.getpid()}"


def test_shared_work_comes_back_in_order_from_several_processes():
    names = [f"n{i:03d}" for i in range(50)]
    out = map_in_order(shout, names, processes=3)
    assert [t.split("@")[0] for t in out] == [n.upper() for n in names]
    pids = {t.split("@")[1] for t in out}
    assert len(pids) == 3 and str(os.getpid()) in pids  # this process did the first run


def test_the_first_problem_in_the_given_order_is_raised():
    names = [f"n{i:03d}" for i in range(30)]
    names[17], names[25] = "bad-17", "bad-25"  # both in the copies' runs
    with pytest.raises(ValueError, match=r"^bad-17: cannot be read$"):
        map_in_order(shout, names, processes=3)
    names[3] = "bad-3"  # in this process's own run: raised first
    with pytest.raises(ValueError, match=r"^bad-3: cannot be read$"):
        map_in_order(shout, names, processes=3)


def children() -> set[int]:
    """This process's child processes, running or not yet waited for (Linux)."""
    found: set[int] = set()
    for task in Path("/proc/self/task").iterdir():
        found |= {int(pid) for pid in (task / "children").read_text().split()}
    return found


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_no_copy_is_left_behind_after_a_problem():
    before = children()  # (other tests' servers may run in this process)
    names = ["bad-0"] + [f"n{i}" for i in range(20)]
    with pytest.raises(ValueError):
        map_in_order(shout, names, processes=4)
    assert children() == before  # every copy was stopped and waited for
    map_in_order(shout, [f"n{i}" for i in range(20)], processes=4)
    assert children() == before


def test_how_many_processes():
    assert processes_for(10, available=8) == 1  # few files: not worth a copy
    assert processes_for(2 * batch.MIN_PER_PROCESS, available=8) == 2
    assert processes_for(1000, available=2) == 2
    assert processes_for(1000, available=1) == 1
    assert map_in_order(shout, [], processes=3) == []


@pytest.fixture(scope="module")
def many_files(tmp_path_factory) -> list[Path]:
    """Enough answers files for two processes: the vignettes, cycled."""
    folder = tmp_path_factory.mktemp("many")
    answers = [yaml.safe_load(p.read_text(encoding="utf-8"))["answers"] for p in VIGNETTES]
    files = []
    for i in range(2 * batch.MIN_PER_PROCESS + 7):
        path = folder / f"a{i:03d}.yaml"
        path.write_text(yaml.safe_dump(answers[i % len(answers)]), encoding="utf-8")
        files.append(path)
    return files


def test_assess_many_files_gives_what_one_process_gives(many_files, monkeypatch):
    """The real command (shared among the cores of the machine it runs on) against the
    same command in one process."""
    shared = run_cli("assess", "--json", *map(str, many_files))
    assert shared.returncode == 0, shared.stderr
    monkeypatch.setattr(batch, "MIN_PER_PROCESS", 10**9)
    alone = call_cli("assess", "--json", *map(str, many_files))
    assert alone.returncode == 0, alone.stderr
    assert shared.stdout == alone.stdout
    assert len(json.loads(shared.stdout)) == len(many_files)


def test_assess_many_files_with_a_bad_one_late_says_so_and_writes_nothing(many_files, tmp_path):
    bad = tmp_path / "late-bad.yaml"
    bad.write_text("pain: agonising\n", encoding="utf-8")
    files = [str(p) for p in many_files]
    files.insert(len(files) - 3, str(bad))  # in the last process's run
    proc = run_cli("assess", "--json", *files)
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("calcinosis: ") and "late-bad.yaml" in proc.stderr
    assert "agonising" in proc.stderr


def test_the_garbage_collector_is_paused_only_meanwhile():
    import gc

    seen = []
    assert gc.isenabled()
    out = map_in_order(lambda name: seen.append(gc.isenabled()) or name, ["a", "b"], processes=1)
    assert out == ["a", "b"] and seen == [False, False]
    assert gc.isenabled()
    with pytest.raises(ValueError):
        map_in_order(shout, ["bad"], processes=1)
    assert gc.isenabled()  # also after a problem
