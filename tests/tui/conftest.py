"""Fixtures for the terminal UI tests: the app is built by ``make_app`` from the engine fixture."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # drive.py


@pytest.fixture
def make(engine):
    """Build the app as the CLI does, on the shared engine, without saving or blinking."""
    from chatbot.tui.app import make_app

    def build(**kwargs):
        kwargs.setdefault("blink", False)
        return make_app(engine, **kwargs)

    return build
