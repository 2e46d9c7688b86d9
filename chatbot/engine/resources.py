"""Where the shipped ``dialogs/`` and ``content/`` folders are.

An installed wheel carries them inside the package as ``chatbot/_data/``
(hatch ``force-include``). A source checkout installed in editable mode has
them at the top of the repository, beside the package.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path


@cache
def data_root() -> Path:
    """The folder that holds ``dialogs/`` and ``content/``."""
    package = Path(__file__).resolve().parent.parent
    bundled = package / "_data"
    if (bundled / "dialogs").is_dir():
        return bundled
    checkout = package.parent
    if (checkout / "dialogs").is_dir() and (checkout / "pyproject.toml").is_file():
        return checkout
    raise FileNotFoundError(
        "The calcinosis data folders (dialogs/ and content/) were not found; reinstall the package."
    )


def dialogs_dir(root: Path | None = None) -> Path:
    return (root or data_root()) / "dialogs"


def content_dir(root: Path | None = None) -> Path:
    return (root or data_root()) / "content"
