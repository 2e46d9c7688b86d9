"""Shared fixtures for the test suite (helpers are in ``support.py``)."""

from __future__ import annotations

import os
import time

import pytest


def pytest_configure(config: pytest.Config) -> None:
    # Dates are shown in the computer's time zone: fix it (UTC+1, a POSIX rule that
    # needs no time zone files) so that expected dates and snapshots hold anywhere.
    os.environ["TZ"] = "CET-1"
    time.tzset()
    config.addinivalue_line(
        "markers", "slow: takes more than about 30 seconds (still run by default)"
    )


@pytest.fixture(scope="session")
def engine():
    from chatbot.engine.loading import default_engine

    return default_engine()
