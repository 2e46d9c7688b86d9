"""The welcome's texts, read quickly at start: from the YAML files or from a checked cache."""

from __future__ import annotations

import os

from chatbot.tui import welcome_data
from chatbot.tui.welcome_data import cached_welcome, from_engine, read_welcome, save_cache


def test_read_from_the_yaml_files_matches_the_engine(engine):
    quick, checked = read_welcome(engine.root), from_engine(engine)
    assert quick.notices == checked.notices
    question = engine.dialog.questions[engine.dialog.start]
    assert quick.question.text() == question.text(None)
    assert [(o.code, o.label) for o in quick.question.options] == [
        (o.code, o.label) for o in question.options
    ]
    assert quick.question.unsure_label == question.unsure_label


def test_the_cache_is_used_only_while_the_data_files_are_unchanged(engine, tmp_path, monkeypatch):
    monkeypatch.setenv("CALCINOSIS_CACHE_DIR", str(tmp_path))
    assert cached_welcome(engine.root) is None
    save_cache(from_engine(engine), engine.root)
    cached = cached_welcome(engine.root)
    assert cached is not None and cached.notices == from_engine(engine).notices
    # a changed data file (another size or time) makes the cache stale
    key = welcome_data._key(engine.root)
    path = welcome_data.cache_path()
    text = path.read_text(encoding="utf-8").replace(str(key[2][2]), str(key[2][2] + 1))
    path.write_text(text, encoding="utf-8")
    assert cached_welcome(engine.root) is None
    path.write_text("not json", encoding="utf-8")
    assert cached_welcome(engine.root) is None  # a damaged cache is ignored
    assert os.path.exists(path)
