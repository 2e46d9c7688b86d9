"""A body map: a simple drawn figure (front view) whose regions light up when chosen.

The figure is data: each letter in :data:`FIGURE` is a cell of a region, and
:data:`REGIONS` maps letters to the ``locations`` answer codes. Chosen regions
are drawn solid and unchosen ones shaded, so the choice never depends on
colour alone. Click a region, or move with the arrow keys and press Space.
The map keeps no answer of its own: the parent sets :attr:`chosen` and the map
posts :class:`BodyMap.Toggled` when the person picks a region.
"""

from __future__ import annotations

from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

FIGURE: tuple[str, ...] = (
    "      ss      ",
    "     sffs     ",
    "      nn      ",
    "  JJJttttJJJ  ",
    "  aa tttt aa  ",
    "  EE tttt EE  ",
    " hhh JggJ hhh ",
    "    ll  ll    ",
    "    KK  KK    ",
    "    ll  ll    ",
    "   FFF  FFF   ",
    "    HH  HH    ",
)

# letter -> the ``locations`` code it belongs to
REGIONS: dict[str, str] = {
    "s": "head_neck",
    "n": "head_neck",
    "f": "face",
    "J": "around_large_joints",
    "t": "trunk",
    "a": "arms_legs",
    "l": "arms_legs",
    "E": "elbows_knees",
    "K": "elbows_knees",
    "h": "fingers_hands",
    "g": "genital",
    "F": "feet",
    "H": "heels",
}

# the order the arrow keys move through, head to toe
ORDER: tuple[str, ...] = (
    "head_neck",
    "face",
    "around_large_joints",
    "trunk",
    "arms_legs",
    "elbows_knees",
    "fingers_hands",
    "genital",
    "feet",
    "heels",
)

# short names for the caption under the figure (the list beside it has the full labels)
SHORT: dict[str, str] = {
    "head_neck": "scalp, ears, neck",
    "face": "face",
    "around_large_joints": "hips, shoulders",
    "trunk": "chest, belly, back",
    "arms_legs": "arms, legs",
    "elbows_knees": "elbows, knees",
    "fingers_hands": "fingers, hands",
    "genital": "genital skin",
    "feet": "feet",
    "heels": "heels",
}

SOLID, SHADE, CURSOR = "█", "░", "▓"
WIDTH = len(FIGURE[0])


def region_at(x: int, y: int) -> str | None:
    """The code drawn at column ``x``, row ``y`` of the figure, if any."""
    if 0 <= y < len(FIGURE) and 0 <= x < WIDTH:
        return REGIONS.get(FIGURE[y][x])
    return None


def cells_of(code: str) -> list[tuple[int, int]]:
    """Every (x, y) cell of a region, for tests and for clicking."""
    return [
        (x, y)
        for y, row in enumerate(FIGURE)
        for x, ch in enumerate(row)
        if REGIONS.get(ch) == code
    ]


class BodyMap(Widget, can_focus=True):
    """The figure, with the chosen regions solid and the cursor region marked."""

    COMPONENT_CLASSES: ClassVar = {
        "bodymap--region",
        "bodymap--chosen",
        "bodymap--cursor",
        "bodymap--caption",
    }
    BINDINGS: ClassVar = [
        Binding("up,left", "move(-1)", "Previous region", show=False),
        Binding("down,right", "move(1)", "Next region", show=False),
        Binding("space", "tick", "Tick region", show=False),
    ]

    chosen: reactive[frozenset[str]] = reactive(frozenset(), layout=False)
    cursor: reactive[int] = reactive(0)

    class Toggled(Message):
        """The person picked a region (by click or key); the parent updates the answer."""

        def __init__(self, body_map: BodyMap, code: str) -> None:
            super().__init__()
            self.body_map = body_map
            self.code = code

        @property
        def control(self) -> BodyMap:
            return self.body_map

    def __init__(self, labels: dict[str, str] | None = None, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.labels: dict[str, str] = labels or {}
        self._width = 0
        # each line drawn once for what it shows (a tick redraws the lines of one region)
        self._lines: dict[tuple[int, int, frozenset[str], str | None], Strip] = {}
        self._styles: tuple[Style, Style, Style, Style] | None = None

    @property
    def cursor_code(self) -> str:
        return ORDER[self.cursor % len(ORDER)]

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return WIDTH

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(FIGURE) + 1

    def on_resize(self) -> None:
        self._width = self.size.width

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles = None
        self._lines.clear()

    def _region_styles(self) -> tuple[Style, Style, Style, Style]:
        """The widget's style and its region, chosen and cursor styles (read once: reading
        a component style walks the stylesheet)."""
        if self._styles is None:
            base = self.rich_style
            self._styles = (
                base,
                base + self.get_component_rich_style("bodymap--region"),
                base + self.get_component_rich_style("bodymap--chosen"),
                base + self.get_component_rich_style("bodymap--cursor"),
            )
        return self._styles

    def render_line(self, y: int) -> Strip:
        width = self._width or self.size.width  # cached: the region is slow to read per line
        base, region, chosen, cursor = self._region_styles()
        if y == len(FIGURE):
            return self._caption(width, base)
        if y > len(FIGURE):
            return Strip.blank(width, base)
        here = self.cursor_code if self.has_focus else None
        key = (y, width, self.chosen, here)
        strip = self._lines.get(key)
        if strip is not None:
            return strip
        pad = max(0, (width - WIDTH) // 2)
        segments = [Segment(" " * pad, base)]
        for ch in FIGURE[y]:
            code = REGIONS.get(ch)
            if code is None:
                segments.append(Segment(" ", base))
            elif code in self.chosen:
                segments.append(Segment(SOLID, cursor if code == here else chosen))
            elif code == here:
                segments.append(Segment(CURSOR, cursor))
            else:
                segments.append(Segment(SHADE, region))
        segments.append(Segment(" " * max(0, width - pad - WIDTH), base))
        strip = Strip(segments, width).crop(0, width).simplify()
        if len(self._lines) > 256:
            self._lines.clear()
        self._lines[key] = strip
        return strip

    def _caption(self, width: int, base: Style) -> Strip:
        if not self.has_focus:
            text = "Click, or Tab here"
        else:
            code = self.cursor_code
            mark = "[x]" if code in self.chosen else "[ ]"  # as in the list beside it
            text = f"{mark} {SHORT.get(code, code)}"
        style = base + self.get_component_rich_style("bodymap--caption")
        text = text[:width].center(width)
        return Strip([Segment(text, style)], width)

    def watch_chosen(self) -> None:
        self.refresh()

    def watch_cursor(self) -> None:
        self.refresh()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def action_move(self, step: int) -> None:
        self.cursor = (self.cursor + step) % len(ORDER)

    def action_tick(self) -> None:
        self.post_message(self.Toggled(self, self.cursor_code))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        pad = max(0, (self.size.width - WIDTH) // 2)
        code = region_at(offset.x - pad, offset.y)
        if code is None:
            return
        event.stop()
        self.cursor = ORDER.index(code)
        self.post_message(self.Toggled(self, code))
