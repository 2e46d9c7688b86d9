"""A yes/no question on top of the current screen (quit, an extreme lab value)."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class ConfirmScreen(ModalScreen[bool]):
    """Dismisses with ``True`` (yes) or ``False`` (no, Escape)."""

    CSS_PATH: ClassVar = ["../global.tcss", "../dialogs.tcss"]
    BINDINGS: ClassVar = [
        Binding("escape,n", "answer(False)", "No", show=False),
        Binding("y", "answer(True)", "Yes", show=False),
        Binding("left,up", "app.focus_previous", show=False),
        Binding("right,down", "app.focus_next", show=False),
    ]

    def __init__(
        self,
        message: str,
        *,
        yes: str = "Yes",
        no: str = "No",
        danger: bool = False,
        yes_key: bool = True,
    ) -> None:
        super().__init__(classes="danger" if danger else "")
        self.message = message
        self.yes = yes
        self.no = no
        self.danger = danger
        self.yes_key = yes_key  # False: only the button says yes (stray typing cannot)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.yes_key or not (action == "answer" and parameters == (True,))

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog"):
            yield Static(self.message, id="message", markup=False)
            with Horizontal(classes="buttons"):
                yield Button(
                    f"{self.yes} (y)" if self.yes_key else self.yes,
                    id="yes",
                    variant="error" if self.danger else "primary",
                )
                yield Button(f"{self.no} (n)", id="no")

    def on_mount(self) -> None:
        self.query_one("#no" if self.danger else "#yes", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
