"""What a terminal shows: every update the app sends, applied to a grid of cells.

Textual sends a terminal only what changed since the last frame. :class:`Mirror` keeps
what those updates add up to, cell by cell (character and style), so that a test can
compare it with a full redraw of the screen: anything the app forgot to redraw shows
up as a difference (shared by the tests).
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.segment import ControlType
from rich.style import Style

Cell = tuple[str, Style | None]


class Mirror:
    """The cells of a terminal of ``width`` x ``height``, as the app's updates leave them."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.cells: list[list[Cell]] = [[(" ", None)] * width for _ in range(height)]
        self.console = Console(width=width, height=height, color_system="truecolor")

    def apply(self, update: Any) -> None:
        """Apply one update (a ``LayoutUpdate`` or a ``ChopsUpdate``) as a terminal would."""
        x = y = 0
        for segment in update.__rich_console__(self.console, self.console.options):
            if segment.control:
                for control in segment.control:
                    if control[0] == ControlType.CURSOR_MOVE_TO:
                        x, y = int(control[1]), int(control[2])
                continue
            if segment.text == "\n":
                x, y = 0, y + 1
                continue
            style = segment.style.clear_meta_and_links() if segment.style else None
            for char in segment.text:
                if 0 <= y < self.height and 0 <= x < self.width:
                    self.cells[y][x] = (char, style)
                x += 1

    def text(self) -> str:
        return "\n".join("".join(c for c, _ in row).rstrip() for row in self.cells)

    def differences(self, other: Mirror) -> list[str]:
        """The lines where this terminal and ``other`` differ, in text or style."""
        found = []
        for y, (mine, theirs) in enumerate(zip(self.cells, other.cells, strict=True)):
            if mine != theirs:
                shown = "".join(c for c, _ in mine).rstrip()
                should = "".join(c for c, _ in theirs).rstrip()
                found.append(f"line {y}: shows {shown!r}, a full redraw shows {should!r}")
        return found


def watch(app: Any, mirror: Mirror) -> None:
    """Apply every update the app sends to ``mirror`` (headless runs send it nowhere)."""
    original = app._display

    def display(screen: Any, renderable: Any) -> None:
        original(screen, renderable)
        if renderable is not None and hasattr(renderable, "render_segments"):
            mirror.apply(renderable)

    app._display = display


def full_redraw(app: Any) -> Mirror:
    """The current screen drawn whole, from nothing (call it on a settled screen)."""
    width, height = app.size
    fresh = Mirror(width, height)
    fresh.apply(
        app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    )
    return fresh
