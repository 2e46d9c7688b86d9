"""Where the person is: the section, and roughly how far along (words and a bar)."""

from __future__ import annotations

from rich.segment import Segment
from rich.text import Text
from textual.strip import Strip
from textual.widget import Widget

from ...engine.dialog.session import Progress

BAR = 20


def progress_text(progress: Progress, part: int, parts: int) -> Text:
    """ "Part 2 of 4: The deposits   ━━━━━━━━──────────  question 7 of about 16"."""
    done = round(progress.fraction * BAR)
    total = progress.answered + progress.remaining
    text = Text.assemble(
        (f"Part {part} of {parts}: {progress.section_title}", "bold"),
        "   ",
        ("━" * done, "bold"),
        "─" * (BAR - done),
    )
    if progress.remaining:
        text.append(f"  question {progress.answered + 1} of about {total}")
    else:
        text.append("  all questions answered")
    return text


class ProgressLine(Widget):
    """One line; updating it repaints the line only (no layout)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._text = Text()
        self._strip: Strip | None = None

    def show(self, progress: Progress, part: int, parts: int) -> None:
        text = progress_text(progress, part, parts)
        if text.plain != self._text.plain:
            self._text = text
            self._strip = None
            self.refresh()

    @property
    def plain(self) -> str:
        return self._text.plain

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strip = None

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if y:
            return Strip.blank(width, self.rich_style)
        if self._strip is None or self._strip.cell_length != width:
            base = self.rich_style  # (worked out from the ancestors at each call: once)
            text = self._text.copy()
            text.style = base
            text.truncate(width, overflow="ellipsis")
            self._strip = Strip(
                Segment.apply_style(text.render(self.app.console), base)
            ).crop_extend(0, width, base)
        return self._strip
