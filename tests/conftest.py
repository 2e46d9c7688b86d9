"""Shared fixtures for the test suite (helpers are in ``support.py``)."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers",
                            "slow: takes more than about 30 seconds (still run by default)")


@pytest.fixture(scope="session")
def engine():
    from chatbot.engine.loading import default_engine

    return default_engine()
