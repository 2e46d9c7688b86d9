"""The keys at hand, on one line at the bottom of every screen; click one to press it.

A light stand-in for Textual's ``Footer`` (which builds one widget per key and
rebuilds them whenever the focus moves): one widget that draws the shown
bindings of the current screen as text and redraws only when they change. It
is the first screen's largest saving. Colours come from ``keybar--key`` and
``keybar--description`` (``answer.tcss``); keys are always written out.
"""

from __future__ import annotations

from typing import ClassVar

from rich.segment import Segment
from textual import events
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import Widget

GAP = "  "


class KeysFooter(Widget):
    COMPONENT_CLASSES: ClassVar = {"keybar--key", "keybar--description"}

    def __init__(self) -> None:
        super().__init__()
        self._items: list[tuple[str, str, str]] | None = None  # key, shown key, description
        self._spans: list[tuple[int, int, str]] = []  # x from, x to, key
        self._strip: Strip | None = None

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen) -> None:
        items = self._read(screen)
        if items != self._items:
            self._items = items
            self._strip = None
            self.refresh()

    def _read(self, screen: Screen) -> list[tuple[str, str, str]]:
        items = []
        seen: set[str] = set()
        for _, binding, enabled, _ in screen.active_bindings.values():
            if binding.show and enabled and binding.action not in seen:
                seen.add(binding.action)
                items.append(
                    (
                        binding.key.split(",")[0],
                        self.app.get_key_display(binding),
                        binding.description,
                    )
                )
        return items

    @property
    def shown(self) -> list[tuple[str, str]]:
        """(key, description) of every key shown, for tests."""
        if self._items is None:
            self._items = self._read(self.screen)
        return [(shown, description) for _, shown, description in self._items]

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strip = None

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        if y:
            return Strip.blank(width, base)
        if self._strip is None or self._strip.cell_length != width:
            if self._items is None:
                self._items = self._read(self.screen)
            key_style = base + self.get_component_rich_style("keybar--key", partial=True)
            text_style = base + self.get_component_rich_style("keybar--description", partial=True)
            segments: list[Segment] = [Segment(" ", base)]
            self._spans = []
            x = 1
            for key, shown, description in self._items:
                start = x
                for text, style in (
                    (f"{shown} ", key_style),
                    (description, text_style),
                    (GAP, base),
                ):
                    segments.append(Segment(text, style))
                    x += len(text)
                self._spans.append((start, x - len(GAP), key))
            self._strip = Strip(segments).crop_extend(0, width, base)
        return self._strip

    def on_click(self, event: events.Click) -> None:
        for start, end, key in self._spans:
            if start <= event.x < end:
                event.stop()
                self.app.simulate_key(key)
                return
