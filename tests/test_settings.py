"""One settings object reads the environment (chatbot/settings.py); no other module does."""

from __future__ import annotations

import re
from pathlib import Path

from support import REPO

from chatbot.settings import Settings


def test_every_variable_is_read():
    s = Settings.from_environment(
        {
            "CALCINOSIS_DATA_DIR": "/d",
            "CALCINOSIS_SUMMARY_DIR": "/s",
            "CALCINOSIS_CACHE_DIR": "/c",
            "CALCINOSIS_SERVED": "1",
            "CALCINOSIS_EXIT_AFTER_FIRST_PAINT": "1",
            "NO_COLOR": "1",
            "TEXTUAL_DRIVER": "textual_serve.driver:WebDriver",
            "XDG_CACHE_HOME": "/x",
            "LOCALAPPDATA": "/l",
        }
    )
    assert s == Settings(
        Path("/d"), Path("/s"), Path("/c"), True, True, True, True, Path("/x"), Path("/l")
    )


def test_unset_or_empty_means_the_default():
    assert Settings.from_environment({}) == Settings()
    assert Settings.from_environment({"CALCINOSIS_DATA_DIR": "", "NO_COLOR": ""}) == Settings()


def test_the_data_and_summary_folders_follow_the_environment(tmp_path, monkeypatch):
    from chatbot.export import summary_dir
    from chatbot.storage import default_path

    monkeypatch.setenv("CALCINOSIS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CALCINOSIS_SUMMARY_DIR", str(tmp_path / "out"))
    assert default_path().parent == tmp_path / "data"
    assert summary_dir() == tmp_path / "out"


def test_no_other_module_reads_the_environment():
    reads = re.compile(r"environ\.get\(|environ\[|getenv\(")
    found = [
        f"{path.relative_to(REPO)}:{n}"
        for path in sorted((REPO / "chatbot").rglob("*.py"))
        if path.name != "settings.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if reads.search(line)
    ]
    assert found == []
