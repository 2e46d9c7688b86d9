"""Saved sessions (F5 on the welcome): the list, one session's summary for the doctor,
saving that summary to a file, and deleting a session after a yes.

The same actions as ``calcinosis history | show | export | delete``, on the
app's own saved-answers file (``app.recorder.store``). Everything read from
the file is shown literally (rich ``Text``, ``markup=False``), and every
problem with the file or the summary folder is said in words on the screen.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, DataTable, Header, Markdown, Static

from ...engine.reports.markdown import type_title
from ...export import readable_date
from ...storage import SessionRow, Store, StoreError
from ..widgets.footer import KeysFooter
from ..widgets.triage import SYMBOLS

if TYPE_CHECKING:
    from ...engine.medicine.content import Content, LevelAdvice
    from ...export import Summary
    from ..host import ChatHost

WHO = {"self": "you", "caregiver": "someone else"}
SHORT_TYPES = {"unclear": "not clear yet", "none": "no deposits"}
NOT_SAVING = "This window is not saving answers, so there are no saved sessions to show here."


def when(stamp: str) -> str:
    """A stored time as people read it ("2026-11-22 07:45"), or "-"."""
    return readable_date(stamp) if stamp else "-"


def type_words(content: Content, code: str | None) -> str:
    """The type, short enough for a column: "dystrophic", "not clear yet"."""
    if not code:
        return "-"
    if code in SHORT_TYPES:
        return SHORT_TYPES[code]
    return type_title(content, code).lower().removesuffix(" calcinosis")


def triage_words(level: str | None, levels: Mapping[str, LevelAdvice]) -> Text:
    """The level in words with its symbol (the result screen's), never colour alone."""
    if not level:
        return Text("-")
    if level not in levels:
        return Text(level)
    return Text(
        f"{SYMBOLS.get(level, '')} {level}".strip(),
        style="bold" if level in ("urgent", "emergency") else "",
    )


class SessionTable(DataTable):
    """One row per saved session; Enter (or a click) opens the highlighted one."""

    BINDINGS: ClassVar = [Binding("enter", "select_cursor", "Open", key_display="Enter")]


class SessionsScreen(Screen[None]):
    """What the list and the summary share: a status line and saving a summary."""

    app: ChatHost
    CSS_PATH: ClassVar = ["../global.tcss", "../history.tcss"]

    def say(self, message: str, *, problem: bool = False) -> None:
        """A line under the list: what was just done, or why it could not be done."""
        status = self.query_one("#status", Static)
        status.update(Text(message))
        status.set_class(problem, "problem")
        status.display = bool(message)

    def save_file(self, summary: Summary) -> None:
        try:
            message, notice, path = self.app.save_summary(summary)
        except OSError as exc:
            message = f"The summary was not saved. {exc}"
            self.app.notify(message, severity="warning", markup=False)
            self.say(message, problem=True)
            return
        if path is not None:
            message = notice = f"Summary for the doctor saved to {path}"
        self.app.notify(notice, title="Saved", markup=False)
        self.say(message)

    def action_back(self) -> None:
        self.dismiss(None)


class HistoryScreen(SessionsScreen):
    """The saved sessions, newest first."""

    BINDINGS: ClassVar = [
        Binding("v", "save", "Save summary"),
        Binding("d,delete", "delete", "Delete"),
        Binding("escape", "back", "Back", key_display="Esc"),
        Binding("f1", "app.help", "Help"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[SessionRow] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Saved sessions", classes="title", markup=False)
        yield Static("", id="history-note", markup=False)
        table = SessionTable(id="sessions", cursor_type="row")
        table.add_columns("Date", "Answered by", "Status", "Type", "How soon")
        yield table
        yield Static(
            "↑ ↓ PgUp PgDn to move through the list; Enter opens a session.",
            id="history-hint",
            classes="scroll-hint",
            markup=False,
        )
        yield Static("", id="status", markup=False)
        with Horizontal(classes="buttons"):
            yield Button(
                "Open (Enter)", id="open", variant="primary", compact=True, action="screen.open"
            )
            yield Button("Save summary (v)", id="save", compact=True, action="screen.save")
            yield Button("Delete (d)", id="delete", compact=True, action="screen.delete")
            yield Button("Back (Esc)", id="back", compact=True, action="screen.back")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.load()

    @property
    def store(self) -> Store | None:
        recorder = self.app.recorder
        return recorder.store if recorder is not None else None

    def load(self, at: int = 0) -> None:
        """Read the list again and put the cursor on row ``at`` (or the last one)."""
        table = self.query_one(SessionTable)
        table.clear()
        self.rows = []
        note = ""
        store = self.store
        if store is None:
            warning = getattr(self.app.recorder, "warning", None)
            note = f"Saved sessions cannot be read. {warning}" if warning else NOT_SAVING
        else:
            try:
                self.rows = store.list()
            except StoreError as exc:
                note = f"Saved sessions cannot be read. {exc}"
            else:
                note = "" if self.rows else "No saved sessions yet."
        for row in self.rows:
            table.add_row(*self.cells(row), key=str(row.id))
        self.query_one("#history-note", Static).update(Text(note))
        self.query_one("#history-note").display = bool(note)
        table.display = bool(self.rows)
        self.query_one("#history-hint").display = bool(self.rows)
        for button in self.query("#open, #save, #delete").results(Button):
            button.disabled = not self.rows
        if self.rows:
            table.move_cursor(row=min(at, len(self.rows) - 1))
            table.focus()
        else:
            self.query_one("#back", Button).focus()
        self.refresh_bindings()

    def cells(self, row: SessionRow) -> list[Text]:
        content = self.app.engine.content
        recorder = self.app.recorder
        if recorder is not None and row.id == recorder.session_id:
            status = "open now"
        else:
            status = {"finished": "finished", "set_aside": "set aside"}.get(
                row.status, "not finished"
            )
        return [
            Text(when(row.updated)),
            Text(WHO.get(row.respondent or "", "not said")),
            Text(status),
            Text(type_words(content, row.type)),
            triage_words(row.triage, content.levels),
        ]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("save", "delete"):
            return True if self.rows else None  # shown (in the footer) only with a row
        return True

    def highlighted(self) -> SessionRow | None:
        index = self.query_one(SessionTable).cursor_row
        return self.rows[index] if 0 <= index < len(self.rows) else None

    def summary_of(self, row: SessionRow) -> Summary | None:
        """The row's summary for the doctor, or ``None`` after saying why it cannot be made."""
        from ...export import build

        store = self.store
        try:
            record = store.get(row.id) if store is not None else None
        except StoreError as exc:
            self.say(str(exc), problem=True)
            return None
        if record is None:
            self.load()
            self.say("That session is no longer saved.", problem=True)
            return None
        try:
            return build(
                self.app.engine,
                record.answers_dict(),
                record.row.created,
                record.row.status == "finished",
            )
        except (ValueError, KeyError):  # answers the current questions no longer allow
            self.say(
                "The answers of this session cannot be read any more (the questions "
                "have changed since). It can still be deleted.",
                problem=True,
            )
            return None

    # ----- actions
    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        row = self.highlighted()
        summary = self.summary_of(row) if row is not None else None
        if row is not None and summary is not None:
            self.app.push_screen(SummaryScreen(row, summary))

    def action_save(self) -> None:
        row = self.highlighted()
        summary = self.summary_of(row) if row is not None else None
        if summary is not None:
            self.save_file(summary)

    def action_delete(self) -> None:
        from .confirm import ConfirmScreen

        row = self.highlighted()
        if row is None:
            return
        recorder = self.app.recorder
        if recorder is not None and row.id == recorder.session_id:
            self.say(
                "This is the session being answered now; it cannot be deleted while it is open.",
                problem=True,
            )
            return
        _, who, status, *_ = (cell.plain for cell in self.cells(row))
        message = (
            f"Delete the session from {when(row.updated)} (answered by {who}, "
            f"{status}) for good? It cannot be brought back."
        )
        self.app.push_screen(
            ConfirmScreen(message, yes="Delete", no="Keep", danger=True),
            lambda yes: self._delete_row(row) if yes else None,
        )

    def _delete_row(self, row: SessionRow) -> None:
        at = self.rows.index(row) if row in self.rows else 0
        store = self.store
        try:
            if store is not None:
                store.delete(row.id)
        except StoreError as exc:
            self.say(str(exc), problem=True)
            return
        self.load(at)
        self.say(f"The session from {when(row.updated)} is deleted.")


class SummaryScreen(SessionsScreen):
    """One saved session as its summary for the doctor (what ``calcinosis show`` prints)."""

    BINDINGS: ClassVar = [
        Binding("v", "save", "Save summary"),
        Binding("escape", "back", "Back", key_display="Esc"),
        Binding("f1", "app.help", "Help"),
    ]

    def __init__(self, row: SessionRow, summary: Summary) -> None:
        super().__init__()
        self.row = row
        self.summary = summary

    def compose(self) -> ComposeResult:
        from ...export import summary_markdown

        yield Header()
        yield Static("Scroll with ↑ ↓, PgUp and PgDn.", classes="scroll-hint", markup=False)
        with VerticalScroll(id="summary-body"):
            yield Markdown(summary_markdown(self.app.engine, self.summary), open_links=False)
        yield Static("", id="status", markup=False)
        with Horizontal(classes="buttons"):
            yield Button(
                "Save summary (v)", id="save", variant="primary", compact=True, action="screen.save"
            )
            yield Button("Back (Esc)", id="back", compact=True, action="screen.back")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#summary-body").focus()

    def action_save(self) -> None:
        self.save_file(self.summary)
