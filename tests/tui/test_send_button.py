"""The text box's Send button reads a trimmed copy of Textual's button styles (the first
screen is drawn sooner); it must look and act exactly like a compact Textual Button."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Button

from chatbot.tui.themes import HIGH_CONTRAST
from chatbot.tui.widgets.answer import SendButton


class One(App[None]):
    """An app with one compact button (and no other, so only its own styles are read)."""

    def __init__(self, kind: type[Button], theme: str, ansi: bool) -> None:
        super().__init__(ansi_color=ansi)
        self.kind = kind
        self.register_theme(HIGH_CONTRAST)
        self.theme = theme
        self.pressed: list[str] = []

    def compose(self) -> ComposeResult:
        yield self.kind("Send", id="send", compact=True)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.pressed.append(event.button.id or "")


async def plain(pilot: Any, button: Button) -> None:
    pilot.app.set_focus(None)
    await pilot.hover(offset=(39, 5))  # the mouse away from the button


async def focused(pilot: Any, button: Button) -> None:
    button.focus()


async def hovered(pilot: Any, button: Button) -> None:
    pilot.app.set_focus(None)
    await pilot.hover("#send")


async def active(pilot: Any, button: Button) -> None:
    await pilot.hover(offset=(39, 5))
    button.add_class("-active")


async def disabled(pilot: Any, button: Button) -> None:
    button.remove_class("-active")
    button.disabled = True


STATES: list[Callable[[Any, Button], Awaitable[None]]] = [plain, focused, hovered, active, disabled]


async def looks(kind: type[Button], theme: str, ansi: bool) -> list[dict[str, object]]:
    """What the style sheets set on the button in each state, and how it is drawn."""
    seen = []
    async with One(kind, theme, ansi).run_test(size=(40, 6)) as pilot:
        button = pilot.app.query_one("#send", Button)
        assert type(button) is kind
        for state in STATES:
            await state(pilot, button)
            await pilot.pause()
            rules = dict(button._css_styles.get_rules())
            lines = [strip.text for strip in button.render_lines(button.size.region)]
            seen.append({**rules, "style": button.rich_style, "lines": lines, "state": state})
    return seen


@pytest.mark.parametrize(
    ("theme", "ansi"),
    [
        ("textual-dark", False),
        ("textual-light", False),
        ("high-contrast", False),
        ("textual-dark", True),
    ],
)
async def test_the_send_button_is_styled_as_a_compact_textual_button(theme, ansi):
    textual = await looks(Button, theme, ansi)
    ours = await looks(SendButton, theme, ansi)
    for theirs, mine in zip(textual, ours, strict=True):
        assert mine == theirs, mine["state"]


async def test_the_send_button_is_a_button_to_queries_and_clicks():
    app = One(SendButton, "textual-dark", False)
    async with app.run_test(size=(40, 6)) as pilot:
        assert [b.id for b in app.query(Button)] == ["send"]
        assert [b.id for b in app.query("Button")] == ["send"]
        assert "Button.DEFAULT_CSS" not in {where for _, where in app.stylesheet.source}
        await pilot.click("#send")
        await pilot.pause()
        assert app.pressed == ["send"]
