"""The triage level as a banner: a badge with the level in words, and its title.

Colour comes from the ``.triage-LEVEL`` class (``global.tcss``) and is never
the only sign: the level is written out and marked with its own symbol.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from ...engine.medicine.content import LevelAdvice

SYMBOLS = {"routine": "○", "soon": "◐", "urgent": "●", "emergency": "▲"}


def triage_text(level: str, advice: LevelAdvice) -> Text:
    text = Text.assemble((f" {SYMBOLS.get(level, '')} {level.upper()} ", "bold reverse"))
    text.append(f"  {advice.title}", style="bold")
    text.append(f"\n{advice.when}")
    return text


class TriageBanner(Static):
    def __init__(self, level: str, advice: LevelAdvice, *, id: str | None = None) -> None:
        super().__init__(
            triage_text(level, advice), id=id, markup=False, classes=f"triage triage-{level}"
        )
