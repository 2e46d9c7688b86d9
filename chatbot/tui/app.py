"""The terminal chat application: ``make_app`` builds it for the CLI and for the tests.

The app owns one engine :class:`~chatbot.engine.dialog.session.Session` (all the
state) and moves between screens: welcome, chat, result (with warning, help,
confirm, glossary and change-an-answer on top).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, cast

from textual import events
from textual.binding import Binding
from textual.screen import Screen

from .host import ChatHost, OpenChat, OpenHistory, ShowResult, ShowWarning

if TYPE_CHECKING:
    from textual.theme import Theme

    from ..engine.dialog.session import Session
    from ..engine.loading import Engine
    from .interpret import Matcher

FIRST_PAINT_ENV = "CALCINOSIS_EXIT_AFTER_FIRST_PAINT"  # set: exit once the first screen is drawn
NO_MATCHER = object()
NOT_SAVING = "information, not a diagnosis · ANSWERS ARE NOT BEING SAVED"


class CalcinosisApp(ChatHost):
    TITLE = "Calcinosis check"
    SUB_TITLE = "information, not a diagnosis"
    CSS_PATH: ClassVar = "answer.tcss"  # the first screen's; each other screen loads its own
    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar = [
        Binding("ctrl+q", "quit", "Quit", priority=True),
        Binding("f6,ctrl+t", "next_theme", "Colours", show=False),
    ]

    def __init__(
        self,
        engine: Engine | None = None,
        *,
        recorder: Any = None,
        save: bool = False,
        resume: str = "ask",
        matcher: Any = NO_MATCHER,
        blink: bool = True,
        exit_after_first_paint: bool = False,
        theme: str | None = None,
    ) -> None:
        super().__init__()
        from .themes import HIGH_CONTRAST, THEMES

        self.register_theme(HIGH_CONTRAST)
        if theme:
            self.theme = THEMES.get(theme, theme)
        self.engine: Engine = engine  # type: ignore[assignment]  # None until loaded
        self.session: Session = engine.new_session() if engine else None  # type: ignore
        if engine is not None:
            from .welcome_data import from_engine

            self.welcome = from_engine(engine)
        else:
            from .welcome_data import quick_welcome

            try:
                self.welcome = quick_welcome()
            except Exception:  # the engine's own checks will say what is wrong
                from ..engine.loading import default_engine
                from .welcome_data import from_engine

                self.engine = default_engine()
                self.session = self.engine.new_session()
                self.welcome = from_engine(self.engine)
        self.recorder = recorder  # chatbot.storage.Recorder: every answer saved at once
        self._save = save and recorder is None
        self._resume = resume  # ask | yes | no: continue an unfinished saved session
        self._matcher = matcher
        self.blink = blink
        self.exit_after_first_paint = exit_after_first_paint
        self._loading_engine = False  # loading in a thread after the first screen

    @property
    def ready(self) -> bool:
        """Whether the engine is loaded (it loads just after the first screen is drawn)."""
        return self.session is not None

    @property
    def matcher(self) -> Matcher | None:
        """The engine's reader of typed answers (the same as plain mode's)."""
        if self._matcher is NO_MATCHER:
            from ..engine.reading.reader import reader_for

            self._matcher = reader_for(self.engine)
        return cast("Matcher | None", self._matcher)

    def get_theme(self, theme_name: str) -> Theme | None:
        """As Textual's, without first copying every registered theme: Textual asks for the
        current theme many times for every frame it draws."""
        theme = self._registered_themes.get(theme_name)
        return theme if theme is not None else super().get_theme(theme_name)

    def get_key_display(self, binding: Binding) -> str:
        """F-keys as people see them on the keyboard: "F1", not "f1"."""
        key = binding.key.split(",")[0]
        if key[:1] == "f" and key[1:].isdigit():
            return key.upper()
        return super().get_key_display(binding)

    # ----- screens
    def get_default_screen(self) -> Screen:
        """The welcome is the first screen (drawn at once, not pushed over a blank one)."""
        from .screens.welcome import WelcomeScreen

        return WelcomeScreen()

    def on_mount(self) -> None:
        # The screen's own "after refresh" runs once its first frame is drawn (the app's
        # may run earlier, and a loading thread would then slow the first frame down).
        if self.exit_after_first_paint:
            self.screen.call_after_refresh(self._first_paint_done)
        elif self.engine is None:
            self.screen.call_after_refresh(self._load_engine)
        elif self._save or self.recorder is not None:
            self.screen.call_after_refresh(self._open_store)
        if not self.exit_after_first_paint:
            self.screen.call_after_refresh(self._preload_chat)

    def _preload_chat(self) -> None:
        """Once the welcome is drawn: import the chat screen and read its styles and the
        result's, which the first answer and the last would otherwise wait for (reading a
        style file reparses every style, about 50 ms each time; here it is done once for
        both). chat.tcss and result.tcss style only their own screens' widgets."""
        from .screens.chat import ChatScreen
        from .screens.result import ResultScreen

        stylesheet = self.stylesheet
        paths = [*ChatScreen().css_path, *ResultScreen(None).css_path]  # type: ignore[arg-type]
        unread = [path for path in paths if not stylesheet.has_source(str(path), "")]
        stylesheet.read_all(unread)
        if unread:  # as Textual does when a screen with new style files is shown
            stylesheet.reparse()
            stylesheet.update(self)
        if not self._loading_engine:  # (else once the engine is loaded, in its thread)
            self._settle_memory()

    def _settle_memory(self) -> None:
        """What is loaded by now (Textual, the engine, the reader, the welcome) lives as
        long as the app: collected once and moved out of the garbage collector's way while
        the person reads the first question. A collection during an answer is then short,
        and the first answer does not wait for this one (about 100 ms)."""
        import gc

        gc.collect()
        gc.freeze()

    def _first_paint_done(self) -> None:
        self.exit(0)

    def _load_engine(self) -> None:
        self._loading_engine = True
        self.run_worker(
            self._load_engine_in_thread, thread=True, exclusive=True, name="load engine"
        )

    def _load_engine_in_thread(self) -> None:
        from ..engine.loading import default_engine

        try:
            engine = default_engine()
        except Exception:  # said in words, never a traceback
            self.call_from_thread(self._engine_failed)
            return
        self.call_from_thread(self._engine_loaded, engine)
        from ..engine.reading import english

        english.words()  # the word list for typos (0.16 s), read now, not at the first typo
        # the typed-words reader, with the first question's table (and the words every
        # table shares), ready before the first typed answer; the chat builds a later
        # question's table from the first letter typed there (ChatScreen._read_ahead)
        matcher = self.matcher
        first = engine.dialog.questions[engine.dialog.start]
        if matcher is not None:
            matcher.table(first, first.options)
        try:
            self.call_from_thread(self._settle_memory)
        except RuntimeError:  # the app has closed meanwhile: nothing left to settle
            pass

    def _engine_loaded(self, engine: Engine) -> None:
        from .welcome_data import from_engine, save_cache

        self.engine = engine
        self.welcome = from_engine(engine)
        save_cache(self.welcome, engine.root)
        self.session = engine.new_session()
        for screen in self.screen_stack:  # an answer given before this is applied now
            if hasattr(screen, "engine_ready"):
                screen.engine_ready()
        if self._save or self.recorder is not None:
            self._open_store()

    # ----- saved sessions (chatbot.storage)
    def _open_store(self) -> None:
        """Open the saved-answers file and offer to continue an unfinished session."""
        if self.recorder is None:
            from ..storage import Recorder

            self.recorder = Recorder.open()
        self._warn_if_not_saving()
        store = self.recorder.store
        if store is None or self._resume == "no" or self.session.history:
            return
        from ..storage import StoreError

        try:
            row = store.latest_unfinished()
        except StoreError:
            return
        if row is None:
            return
        if store.open_elsewhere(row.id):
            self.notify(
                "Your unfinished session is open in another window, so it is not "
                "offered here; this window starts a new session.",
                title="Open in another window",
                severity="warning",
                timeout=10,
            )
            return
        if self._resume == "yes":
            self._continue(row.id)
            return
        from ..export import readable_date
        from .screens.confirm import ConfirmScreen

        when = readable_date(row.updated).replace(" ", " at ")
        answered = "1 answer" if row.answered == 1 else f"{row.answered} answers"
        self.push_screen(
            ConfirmScreen(
                f"You did not finish last time ({answered}, {when}). Continue where you left off?",
                yes="Continue",
                no="Start new",
            ),
            lambda go_on: self._continue(row.id) if go_on else self._set_aside(row.id),
        )

    def _set_aside(self, session_id: int) -> None:
        """ "Start new": the unfinished session stays in the history (F5) but is not
        offered again at the next start."""
        from ..storage import StoreError

        store = self.recorder.store if self.recorder is not None else None
        if store is None:
            return
        try:
            store.set_aside(session_id)
        except StoreError as exc:
            self.notify(str(exc), severity="warning", markup=False)

    def _continue(self, session_id: int) -> None:
        from ..engine.dialog.answers import AnswerError
        from ..storage import SessionOpenElsewhere, StoreError

        store = self.recorder.store
        try:
            record = store.get(session_id) if store is not None else None
        except StoreError:
            record = None
        if record is None:
            return
        try:
            self.recorder.resume(session_id, record.answers)
        except SessionOpenElsewhere as exc:
            self.notify(
                f"{exc} This window starts a new session.",
                title="Open in another window",
                severity="warning",
                timeout=10,
            )
            return
        except StoreError as exc:
            self.notify(str(exc), severity="warning", markup=False)
            return
        try:
            self.session.replay(record.answers_dict(), complete=False)
        except (AnswerError, ValueError, KeyError):
            self.session.restart()
            self.recorder.resume(None, [])
            self.notify("The saved answers could not be read; starting afresh.", severity="warning")
            return
        if self.session.history:
            self.begin_chat()

    def _engine_failed(self) -> None:
        self.exit(
            1,
            message="calcinosis: the installed dialog or content has problems; run "
            "'calcinosis validate' to see them.",
        )

    # ----- the screens ask (chatbot.tui.host); only the app switches screens
    def on_open_chat(self, message: OpenChat) -> None:
        message.stop()
        self.begin_chat()

    def on_show_result(self, message: ShowResult) -> None:
        message.stop()
        self.show_result()

    def on_show_warning(self, message: ShowWarning) -> None:
        from .screens.warning import WarningScreen

        message.stop()
        self.push_screen(WarningScreen(message.assessment))

    def on_open_history(self, message: OpenHistory) -> None:
        from .screens.history import HistoryScreen

        message.stop()
        self.push_screen(HistoryScreen())

    def begin_chat(self) -> None:
        """The first answer is given: the chat opens over the welcome."""
        from .screens.chat import ChatScreen

        self.push_screen(ChatScreen())

    def show_result(self) -> None:
        from .screens.result import ResultScreen

        assessment = self.session.assess()
        if self.recorder is not None:
            from ..engine.reports.markdown import to_dict

            self.recorder.sync(self.session)  # the last answer first, then the result
            self.recorder.finish(to_dict(assessment, self.engine.content))
            self._warn_if_not_saving()
        self.push_screen(ResultScreen(assessment), self._after_result)

    def _after_result(self, choice: str | None) -> None:
        from .screens.chat import ChatScreen

        if choice == "restart":
            self.start_over()
        elif choice and choice.startswith("change:"):
            screen = self.screen
            if isinstance(screen, ChatScreen):
                screen.change(choice.split(":", 1)[1])

    def start_over(self) -> None:
        """Forget every answer and go back to the welcome (the first screen)."""
        from .screens.welcome import WelcomeScreen

        self.session.close()
        self.session = self.engine.new_session()
        if self.recorder is not None:
            self.recorder.resume(None, [])  # a new saved session from the next answer
        while len(self.screen_stack) > 1:
            self.pop_screen()
        welcome = self.screen_stack[0]
        if isinstance(welcome, WelcomeScreen):
            welcome.reset()

    def save_summary(self, summary: Any) -> tuple[str, str, Path | None]:
        """Give the doctor's summary (an :class:`chatbot.export.Summary`) to the person.

        In a terminal it is written to a new file (mode 0600); served in a browser
        (``calcinosis serve``) it goes to the visitor's browser as a download and
        nothing is written on the server. Returns the sentence to show, a short
        notice and the file written (``None`` for a download); raises ``OSError``
        with a plain message when it cannot be saved.
        """
        from ..export import save_summary, summary_filename, summary_text
        from ..settings import current

        if current().served:
            import io

            name = summary_filename(summary, "html")
            text = summary_text(self.engine, summary, "html")
            self.deliver_text(
                io.StringIO(text),
                save_filename=name,
                open_method="download",
                encoding="utf-8",
                mime_type="text/html",
            )
            return (
                f"The summary is being downloaded by your web browser as {name}. Open it "
                "to read or print it for the doctor.",
                f"Summary sent to your browser as {name}.",
                None,
            )
        path = save_summary(self.engine, summary, "html")
        return (
            f"Summary saved to {path}. Open it in a web browser to read or print it "
            "for the doctor.",
            f"Summary saved to {path}.",
            path,
        )

    def saved(self) -> None:
        """Called after every change to the answers: save them once the screen is drawn."""
        if self.recorder is not None:
            self.call_after_refresh(self._sync)

    def _sync(self) -> None:
        self.recorder.sync(self.session)
        self._warn_if_not_saving()

    def _warn_if_not_saving(self) -> None:
        """Say once, and keep saying in the header, that answers are not being saved."""
        warning = self.recorder.warning if self.recorder is not None else None
        if warning and warning != getattr(self, "_warned", None):
            self._warned = warning
            if self.recorder.saving:  # saving works again after a failure
                self.sub_title = self.SUB_TITLE
                self.notify(warning, title="Answers saved", timeout=8)
                return
            self.sub_title = NOT_SAVING
            self.notify(warning, title="Answers not saved", severity="warning", timeout=15)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.Paste)) and not event.is_forwarded:
            self._steer_typing(event)
        await super().on_event(event)

    def _steer_typing(self, event: events.Key | events.Paste) -> None:
        """Before a key or a paste is handed to the focused widget: let the answer area
        around it move the focus to its text box (see ``AnswerArea.steer_typing``). Done
        here because the app hands on the keys one by one in the order they came."""
        node = self.focused
        while node is not None and node is not self.screen:
            steer = getattr(node, "steer_typing", None)
            if steer is not None:
                steer(event)
                return
            node = node.parent  # type: ignore[assignment]

    def on_app_focus(self) -> None:
        """Back in focus (a browser tab, a terminal window) with nothing focused: the answer."""
        screen = self.screen
        if screen.focused is None and hasattr(screen, "area"):
            screen.area.focus_answer()

    # ----- always at hand
    def action_help(self) -> None:
        from .screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    async def action_quit(self) -> None:
        from .screens.confirm import ConfirmScreen

        if isinstance(self.screen, ConfirmScreen):
            return
        saving = self.recorder is not None and getattr(self.recorder, "saving", False)
        if self.session is None or not self.session.history or saving:
            self.exit(0)
            return

        from .wording import say

        def done(leave: bool | None) -> None:
            if leave:
                self.exit(0)

        self.push_screen(
            ConfirmScreen(
                say("quit_lose", self.session.respondent), yes="Quit", no="Stay", danger=True
            ),
            done,
        )

    def action_next_theme(self) -> None:
        """Dark, light, high contrast, and round again; says which one in words."""
        from .themes import CYCLE, LABELS

        at = CYCLE.index(self.theme) if self.theme in CYCLE else -1
        self.theme = CYCLE[(at + 1) % len(CYCLE)]
        self.notify(f"Colours: {LABELS[self.theme]}. F6 switches again.", timeout=3)

    # ----- no traceback ever reaches the screen
    def _handle_exception(self, error: Exception) -> None:
        self._return_code = 1
        if self._exception is None:
            self._exception = error
            self._exception_event.set()
        self._fatal_error()

    def _fatal_error(self) -> None:
        import tempfile
        import traceback

        error = self._exception
        path = os.path.join(tempfile.gettempdir(), "calcinosis-error.log")
        try:
            with open(path, "w", encoding="utf-8") as log:
                log.write("".join(traceback.format_exception(error)) if error else "unknown")
            where = f" Details for the developers are in {path}."
        except OSError:
            where = ""
        from rich.text import Text

        self._exit_renderables.append(
            Text(
                "calcinosis: something went wrong and the chat had to stop. Nothing you typed "
                f"caused this.{where} 'calcinosis --plain' or 'calcinosis assess FILE' still work."
            )
        )
        self._close_messages_no_wait()


def make_app(
    engine: Engine | None = None,
    *,
    recorder: Any = None,
    save: bool = False,
    resume: str = "ask",
    matcher: Any = NO_MATCHER,
    blink: bool = True,
    exit_after_first_paint: bool | None = None,
    defer_engine: bool = False,
    theme: str | None = None,
) -> CalcinosisApp:
    """The app for the CLI and the tests; the default engine is the shipped dialog and content.

    ``defer_engine`` (used by the CLI) draws the welcome first and loads the shipped
    engine in the background right after; otherwise it is loaded here. ``save``
    opens the saved-answers file (``chatbot.storage``) once the engine is loaded,
    or pass a ``recorder``; ``resume`` (ask | yes | no) says what to do with an
    unfinished saved session. ``theme``: dark, light or high-contrast.
    """
    if engine is None and not defer_engine:
        from ..engine.loading import default_engine

        engine = default_engine()
    if exit_after_first_paint is None:
        from ..settings import current

        exit_after_first_paint = current().exit_after_first_paint
    return CalcinosisApp(
        engine,
        recorder=recorder,
        save=save,
        resume=resume,
        matcher=matcher,
        blink=blink,
        exit_after_first_paint=exit_after_first_paint,
        theme=theme,
    )
