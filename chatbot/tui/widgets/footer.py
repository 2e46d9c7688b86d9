"""The footer (keys at hand), redrawn only when the keys it shows change.

Textual's :class:`~textual.widgets.Footer` rebuilds itself whenever the focus
moves; between questions the focus moves from the list to the text box and
back, so that rebuild would run on most answers although the keys shown stay
the same.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


class KeysFooter(Footer):
    def __init__(self) -> None:
        super().__init__()
        self._shown: tuple | None = None

    def bindings_changed(self, screen: Screen) -> None:
        shown = tuple((binding.key, binding.description, enabled)
                      for _, binding, enabled, _ in screen.active_bindings.values()
                      if binding.show)
        if shown == self._shown:
            self._bindings_ready = True
            return
        self._shown = shown
        super().bindings_changed(screen)
