"""A lab value on a small range bar: low, normal and high zones, with the value marked.

Zones are drawn with different characters as well as colours (never colour
alone), and the status is also written in words. A lab given only as a status
("normal", with no number) has nothing to mark: the bar shows the range alone
and says so under it, rather than a marker at a made-up value.
"""

from __future__ import annotations

import textwrap
from typing import ClassVar

from rich.segment import Segment
from rich.text import Text
from textual.geometry import Size
from textual.strip import Strip
from textual.widget import Widget

from ...engine.medicine.labs import LabResult

WORDS = {
    "high": "above the normal range",
    "low": "below the normal range",
    "normal": "within the normal range",
    "unsure": "not known",
}
OUT, IN, MARK = "░", "█", "●"


def _num(x: float | None) -> str:
    return "" if x is None else f"{x:.4g}"


def position(value: float, low: float, high: float, width: int) -> int:
    """The column of ``value`` on a bar of ``width`` whose middle third is ``low``-``high``."""
    span = (high - low) or 1.0
    start, end = low - span, high + span
    x = (value - start) / (end - start) * (width - 1)
    return max(0, min(width - 1, round(x)))


def title(r: LabResult) -> Text:
    """The value in words: "Calcium: 11.8 mg/dL  HIGH, above the normal range of 8.5-10.5"."""
    name = r.name or r.lab
    text = Text.assemble((name[:1].upper() + name[1:] + ": ", "bold"))
    if r.entered:
        text.append(r.entered)
        if r.corrected and r.value is not None:
            text.append(f" (corrected for albumin: {_num(r.value)} {r.unit})")
    else:
        text.append(f"reported as {r.status}")
    text.append(f"  {r.status.upper()}", style="bold")
    if r.low is not None and r.high is not None:
        text.append(f", {WORDS.get(r.status, r.status)} of {_num(r.low)}-{_num(r.high)} {r.unit}")
    return text


class RangeBar(Widget):
    """The bar (low, normal and high zones with the value marked) and the limits under it."""

    COMPONENT_CLASSES: ClassVar = {"rangebar--out", "rangebar--in", "rangebar--mark"}

    def __init__(self, result: LabResult, *, id: str | None = None) -> None:
        super().__init__(id=id, classes=f"rangebar status-{result.status}")
        self.result = result

    def note_lines(self, width: int) -> list[str]:
        """Under the bar of a lab without a number: why nothing is marked on it."""
        r = self.result
        if r.value is not None:
            return []
        said = "not known" if r.status == "unsure" else f"reported as {r.status}"
        note = f"{said[:1].upper()}{said[1:]}: no number was given, so nothing is marked."
        return textwrap.wrap(note, max(12, width)) or [note]

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        r = self.result
        return 0 if r.low is None or r.high is None else 2 + len(self.note_lines(width))

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        r = self.result
        if r.low is None or r.high is None:
            return Strip.blank(width, base)
        if y > 1:
            notes = self.note_lines(width)
            line = notes[y - 2] if y - 2 < len(notes) else ""
            return Strip([Segment(line, base)]).crop_extend(0, width, base)
        bar = max(12, min(48, width - 10))
        lo = position(r.low, r.low, r.high, bar)
        hi = position(r.high, r.low, r.high, bar)
        if y == 0:
            mark = position(r.value, r.low, r.high, bar) if r.value is not None else None
            out = base + self.get_component_rich_style("rangebar--out")
            inside = base + self.get_component_rich_style("rangebar--in")
            marker = base + self.get_component_rich_style("rangebar--mark")
            segments = [Segment("low ", base)]
            for x in range(bar):
                if x == mark:
                    segments.append(Segment(MARK, marker))
                elif lo <= x <= hi:
                    segments.append(Segment(IN, inside))
                else:
                    segments.append(Segment(OUT, out))
            segments.append(Segment(" high", base))
            return Strip(segments).crop_extend(0, width, base)
        labels = [" "] * (bar + 4)
        for at, text in ((lo + 4, _num(r.low)), (hi + 4, _num(r.high))):
            start = max(0, min(len(labels) - len(text), at - len(text) // 2))
            labels[start : start + len(text)] = list(text)
        line = "".join(labels) + f" {r.unit}"
        return Strip([Segment(line, base)]).crop_extend(0, width, base)
