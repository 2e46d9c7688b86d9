"""Paragraphs of plain text, some set off as notices, drawn by one widget (Line API).

The welcome's introduction, its notices (emergency, not a diagnosis, privacy)
and the "how to move around" line are one scrollable widget rather than a
container of five: the first screen is drawn sooner. A notice is marked by a
bar and a background (``global.tcss``: ``paragraphs--KIND`` and
``paragraphs--KIND-bar``) and starts with words that say what it is, so it
never depends on colour. The text is never parsed as markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, NamedTuple

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

KINDS = ("plain", "muted", "emergency", "notice")
BARRED = ("emergency", "notice")  # set off by a bar (each component class costs a style pass)


class Paragraph(NamedTuple):
    """One paragraph (a named tuple: defining a dataclass costs the first screen time)."""

    text: str
    kind: str = "plain"  # plain | muted | emergency | notice
    lead: str = ""  # bold words before the text ("In an emergency: ")
    gap: bool = True  # an empty line before this paragraph


class Paragraphs(ScrollView, can_focus=True):
    COMPONENT_CLASSES: ClassVar = {f"paragraphs--{kind}" for kind in KINDS} | {
        f"paragraphs--{kind}-bar" for kind in BARRED
    }

    def __init__(self, paragraphs: Sequence[Paragraph], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.paragraphs = list(paragraphs)
        self._width = -1
        self._lines: list[Strip] = []

    @property
    def plain(self) -> str:
        return "\n\n".join(p.lead + p.text for p in self.paragraphs)

    def _layout(self, width: int) -> None:
        if width == self._width:
            return
        self._width = width
        self._lines = []
        base = self.rich_style
        console = self.app.console
        for index, paragraph in enumerate(self.paragraphs):
            if index and paragraph.gap:
                self._lines.append(Strip.blank(width, base))
            fill = base + self.get_component_rich_style(f"paragraphs--{paragraph.kind}")
            barred = paragraph.kind in BARRED
            inner = max(8, width - (3 if barred else 2))
            text = Text.assemble((paragraph.lead, "bold"), paragraph.text, style=fill)
            if barred:
                bar = self.get_component_rich_style(
                    f"paragraphs--{paragraph.kind}-bar", partial=True
                )
            for line in text.wrap(console, inner):
                segments = (
                    [Segment("▌", fill + Style(color=bar.color)), Segment(" ", fill)]
                    if barred
                    else [Segment(" ", fill)]
                )
                segments += Segment.apply_style(line.render(console), fill)
                self._lines.append(Strip(segments).crop_extend(0, width, fill))
        self.set_reactive(Widget.virtual_size, Size(width, len(self._lines)))

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        self._layout(width)
        return len(self._lines)

    def on_resize(self) -> None:
        self._layout(self.scrollable_content_region.width)
        self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._width = -1
        self.refresh()

    def render_line(self, y: int) -> Strip:
        width = self._width if self._width >= 0 else self.scrollable_content_region.width
        self._layout(width)
        index = int(self.scroll_offset.y) + y
        if 0 <= index < len(self._lines):
            return self._lines[index]
        return Strip.blank(width, self.rich_style)
