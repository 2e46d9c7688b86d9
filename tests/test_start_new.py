"""'Start new' sets the unfinished session aside (issue 15): it stays in the history but is
not offered again at the next start. Plain mode here; the terminal chat in
tests/tui/test_screens_80x24.py."""

from __future__ import annotations

import io

from chatbot.plain import run_plain
from chatbot.storage import Store


class Keyboard(io.StringIO):
    """Typed lines, as from a terminal (plain mode asks only a terminal to continue)."""

    def isatty(self) -> bool:
        return True


def test_no_to_continuing_sets_the_session_aside(engine, tmp_path, monkeypatch):
    monkeypatch.setenv("CALCINOSIS_DATA_DIR", str(tmp_path))
    with Store() as store:
        old = store.create()
        store.save_answers(old, 0, [("respondent", "self")], "self")
        assert store.latest_unfinished().id == old
    out = io.StringIO()
    run_plain(engine, stdin=Keyboard("no\n"), stdout=out)
    assert "Continue it? (yes/no)" in out.getvalue()
    with Store() as store:
        assert store.latest_unfinished() is None
        row = next(r for r in store.list() if r.id == old)
        assert row.status == "set_aside"  # still in the history
    out = io.StringIO()
    run_plain(engine, stdin=Keyboard(""), stdout=out)
    assert "Continue it?" not in out.getvalue()  # not offered again
