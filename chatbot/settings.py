"""The one place that reads the environment variables the program honours.

=================================== ===============================================
``CALCINOSIS_DATA_DIR``             folder of the saved sessions (default: the user
                                    data folder, e.g. ``~/.local/share/calcinosis``)
``CALCINOSIS_SUMMARY_DIR``          where "Save summary" writes (default: Documents)
``CALCINOSIS_CACHE_DIR``            folder of the welcome cache (default: the user
                                    cache folder)
``CALCINOSIS_SERVED``               set by ``calcinosis serve`` in the served chat:
                                    summaries go to the browser as downloads
``CALCINOSIS_EXIT_AFTER_FIRST_PAINT`` set: the chat exits once its first screen is drawn
                                    (start-up benchmarks)
``NO_COLOR``                        set: no colour (Textual also reads it itself)
``TEXTUAL_DRIVER``                  ends in ``WebDriver`` under textual-serve
``XDG_CACHE_HOME``, ``LOCALAPPDATA`` the platform's cache folder
=================================== ===============================================

:func:`current` reads them afresh at each call (cheap), so a change made by a test or
by the web server for a visitor is seen at once.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

DATA_DIR = "CALCINOSIS_DATA_DIR"
SUMMARY_DIR = "CALCINOSIS_SUMMARY_DIR"
CACHE_DIR = "CALCINOSIS_CACHE_DIR"
SERVED = "CALCINOSIS_SERVED"
EXIT_AFTER_FIRST_PAINT = "CALCINOSIS_EXIT_AFTER_FIRST_PAINT"


def _folder(value: str | None) -> Path | None:
    return Path(value) if value else None


class Settings(NamedTuple):
    """(A named tuple rather than a frozen dataclass: defining a dataclass compiles code,
    which would delay the terminal chat's first screen.)"""

    data_dir: Path | None = None
    summary_dir: Path | None = None
    cache_dir: Path | None = None
    served: bool = False
    exit_after_first_paint: bool = False
    no_color: bool = False
    under_textual_serve: bool = False
    xdg_cache_home: Path | None = None
    local_app_data: Path | None = None

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        return cls(
            data_dir=_folder(env.get(DATA_DIR)),
            summary_dir=_folder(env.get(SUMMARY_DIR)),
            cache_dir=_folder(env.get(CACHE_DIR)),
            served=bool(env.get(SERVED)),
            exit_after_first_paint=bool(env.get(EXIT_AFTER_FIRST_PAINT)),
            no_color=bool(env.get("NO_COLOR")),
            under_textual_serve=env.get("TEXTUAL_DRIVER", "").endswith("WebDriver"),
            xdg_cache_home=_folder(env.get("XDG_CACHE_HOME")),
            local_app_data=_folder(env.get("LOCALAPPDATA")),
        )


def current() -> Settings:
    """The settings as the environment says now."""
    return Settings.from_environment()
