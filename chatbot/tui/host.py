"""What the screens may use of the app, and the messages they send it.

The app (:class:`chatbot.tui.app.CalcinosisApp`) imports the screens; the screens import
this module, never the app. A screen that wants another main screen (the chat, the
result, the warning, the saved sessions) posts a message up; only the app switches
between them. Dialogs that answer the screen that opened them (confirm, change an
answer, a glossary word, one saved session's summary) are still opened by that screen.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.message import Message

if TYPE_CHECKING:
    from ..engine.dialog.session import Session
    from ..engine.loading import Engine
    from ..engine.medicine.assessment import Assessment
    from .interpret import Matcher
    from .welcome_data import WelcomeText


class OpenChat(Message):
    """The first question is answered: the chat opens over the welcome."""


class OpenHistory(Message):
    """The saved sessions (F5 on the welcome)."""


class ShowResult(Message):
    """The questions are done: the result."""


class ShowWarning(Message):
    """A red flag that must be said now, before the next question."""

    def __init__(self, assessment: Assessment) -> None:
        super().__init__()
        self.assessment = assessment


class ChatHost(App[int]):
    """The app as the screens see it: the engine, the session and the services they use."""

    engine: Engine
    session: Session
    recorder: Any  # a chatbot.storage.Recorder; None when answers are not saved
    welcome: WelcomeText

    @property
    def ready(self) -> bool:
        """Whether the engine is loaded (a moment after the first screen is drawn)."""
        raise NotImplementedError

    @property
    def matcher(self) -> Matcher | None:
        """Reads typed words; ``None`` if the synonyms cannot be read."""
        raise NotImplementedError

    def saved(self) -> None:
        """Called after every change to the answers."""
        raise NotImplementedError

    def save_summary(self, summary: Any) -> tuple[str, str, Path | None]:
        """Give the doctor's summary to the person (see the app)."""
        raise NotImplementedError
