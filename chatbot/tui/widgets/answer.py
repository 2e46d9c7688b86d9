"""The answer area under the transcript: options, a text box, and a line for problems.

* :class:`AnswerList` holds the options of every choice question. One-of: arrows,
  a number key, Enter or a click answers. Many-of: each option has a box,
  ``[x]`` ticked or ``[ ]`` not (never colour alone); Space, a number key or a
  click ticks, Enter sends. For deposit locations the :class:`~.bodymap.BodyMap`
  stands beside the list and is kept in step with it.
* the text box takes typed answers (words, typos, numbers) and lab values.

The widgets are built once and reused for every question, and the focus stays
on the list from one choice question to the next, so an answer is quick to
draw. The area never answers by itself: it posts :class:`AnswerArea.Chosen` or
:class:`AnswerArea.Typed` and the screen decides with the engine. What is
ticked before sending is a draft; the engine's session only learns the answer
when it is sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events, on
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Button, Input, Static

from ...engine import contract

if TYPE_CHECKING:
    from ...engine.dialog.questions import Option, Question
    from .bodymap import BodyMap

EXCLUSIVE = (contract.NONE, contract.UNSURE)
BODY_MAP_QUESTION = "locations"


class AnswerList(ScrollView, can_focus=True):
    """The options of the current question, numbered 1-9 (0 is "I'm not sure").

    A small Line API list (rather than an ``OptionList``) so that showing the
    next question's options is a repaint of a few lines. Long labels wrap with a
    hanging indent. The highlighted option is marked with a pointer as well as
    a colour.
    """

    COMPONENT_CLASSES: ClassVar = {
        "answer-list--option",
        "answer-list--highlight",
        "answer-list--number",
    }
    BINDINGS: ClassVar = [
        Binding("up", "move(-1)", "Up", show=False),
        Binding("down", "move(1)", "Down", show=False),
        Binding("home", "jump(0)", "First", show=False),
        Binding("end", "jump(-1)", "Last", show=False),
        Binding("pageup", "move(-5)", "Page up", show=False),
        Binding("pagedown", "move(5)", "Page down", show=False),
        Binding("space", "tick", "Tick", show=False),
        Binding("enter", "send", "Send", show=False),
    ]

    highlighted: reactive[int] = reactive(0, layout=False, init=False)

    class Pick(Message):
        """An option chosen (one-of) or ticked/unticked (many-of) by key or click."""

        def __init__(self, code: str) -> None:
            super().__init__()
            self.code = code

    class Send(Message):
        """Enter: answer with the highlighted option (one-of) or what is ticked (many-of)."""

    def __init__(
        self,
        items: Sequence[tuple[str, int | None, str]] = (),
        many: bool = False,
        *,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.many = many
        self._items: list[tuple[str, int | None, str]] = list(items)  # code, number, label
        self._ticked: list[str] = []
        self._width = 0
        self._lines: list[tuple[int, str, bool]] = []  # option index, text, first line?
        self._first: list[int] = []  # first line of each option
        self._cache: dict[tuple[int, bool], Strip] = {}
        self._style_cache: tuple[Style, Style, Style, Style] | None = None

    # ----- data
    @property
    def codes(self) -> list[str]:
        return [code for code, _, _ in self._items]

    @property
    def ticked(self) -> list[str]:
        """The ticked codes, in the order of the options."""
        return [code for code, _, _ in self._items if code in self._ticked]

    @property
    def option_count(self) -> int:
        return len(self._items)

    @property
    def highlighted_code(self) -> str | None:
        return self._items[self.highlighted][0] if self._items else None

    def set_items(self, items: list[tuple[str, int | None, str]], many: bool) -> None:
        self.many = many
        self._items = items
        self._ticked = []
        self.set_reactive(AnswerList.highlighted, 0)
        before = len(self._lines)
        self._layout_lines(self._width, force=True)
        self.scroll_to(0, 0, animate=False, immediate=True)
        # a layout only when the list sizes itself to its options (otherwise its height is
        # set in the stylesheet and the screen keeps its layout from question to question)
        layout = self.styles.height is None or (
            self.styles.height.is_auto and len(self._lines) != before
        )
        if not layout and len(self._lines) != before:
            # without a layout the scroll bar is not updated: more options than fit could
            # neither be scrolled to nor highlighted in view (21 conditions after 4 kidney
            # answers); the bar takes columns, so the lines are wrapped again to fit
            self._scroll_update(self.virtual_size)
            if self.scrollable_content_region.width != self._width:
                self._layout_lines(self.scrollable_content_region.width)
                self._scroll_update(self.virtual_size)
        self.refresh(layout=layout)

    def set_ticked(self, codes: Sequence[str]) -> None:
        self._ticked = list(codes)
        self._cache.clear()
        self.refresh()

    def line_of(self, index: int) -> int:
        """The first line of option ``index`` (for tests and clicks)."""
        return self._first[index] if index < len(self._first) else 0

    # ----- wrapping
    def _prefix(self, index: int) -> str:
        code, number, _ = self._items[index]
        box = ("[x] " if code in self._ticked else "[ ] ") if self.many else ""
        return f"{box}{number if number is not None else ' '} "

    def _layout_lines(self, width: int, force: bool = False) -> None:
        if width == self._width and not force:
            return
        self._width = width
        self._cache.clear()
        self._lines, self._first = [], []
        room = max(8, width - 2 - len(self._prefix(0) if self._items else ""))
        for index, (_, _, label) in enumerate(self._items):
            self._first.append(len(self._lines))
            words = label.split()
            line = ""
            first = True
            for word in words:
                if line and len(line) + 1 + len(word) > room:
                    self._lines.append((index, line, first))
                    line, first = word, False
                else:
                    line = f"{line} {word}" if line else word
            self._lines.append((index, line, first))
        self.set_reactive(Widget.virtual_size, Size(width, len(self._lines)))

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        self._layout_lines(width)
        return len(self._lines)

    def on_resize(self) -> None:
        self._layout_lines(self.scrollable_content_region.width)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._style_cache = None
        self._cache.clear()

    # ----- drawing
    def _styles(self) -> tuple[Style, Style, Style, Style]:
        """The styles of an option, the highlighted option, the number, and the blank."""
        if self._style_cache is None:
            base = self.rich_style
            self._style_cache = (
                base + self.get_component_rich_style("answer-list--option"),
                base + self.get_component_rich_style("answer-list--highlight"),
                self.get_component_rich_style("answer-list--number", partial=True),
                base,
            )
        return self._style_cache

    def render_line(self, y: int) -> Strip:
        if not self._width:
            self._layout_lines(self.scrollable_content_region.width)
        width = self._width  # set on resize (reading the region for each line would be slow)
        number = int(self.scroll_offset.y) + y
        if not 0 <= number < len(self._lines):
            # (the widget's own style, from the cache: ``rich_style`` walks the ancestors'
            # styles at every call, and most lines of a short list are blank)
            return Strip.blank(width, self._styles()[3])
        index, text, first = self._lines[number]
        on = index == self.highlighted
        key = (number, on)
        strip = self._cache.get(key)
        if strip is None or strip.cell_length != width:
            plain, highlight, bold, _ = self._styles()
            style = highlight if on else plain
            pointer = "▶" if on and first else " "
            prefix = self._prefix(index) if first else " " * len(self._prefix(index))
            strip = Strip(
                [Segment(pointer, style), Segment(prefix, style + bold), Segment(text, style)]
            ).crop_extend(0, width, style)
            self._cache[key] = strip
        return strip

    def watch_highlighted(self, old: int, new: int) -> None:
        if not self._items:
            return
        self.refresh()
        first = self._first[new]
        last = self._first[new + 1] - 1 if new + 1 < len(self._first) else len(self._lines) - 1
        self.scroll_to_region(Region(0, first, 1, last - first + 1), animate=False, immediate=True)

    # ----- keys and mouse
    def on_key(self, event: events.Key) -> None:
        """Number keys: handled here, before the key travels up the screen."""
        if event.character and event.character.isdigit() and len(event.key) == 1:
            event.stop()
            event.prevent_default()
            self.post_message(self.Number(int(event.character)))

    class Number(Message):
        """A number key pressed in the list."""

        def __init__(self, number: int) -> None:
            super().__init__()
            self.number = number

    def action_move(self, step: int) -> None:
        if self._items:
            self.highlighted = max(0, min(len(self._items) - 1, self.highlighted + step))

    def action_jump(self, index: int) -> None:
        if self._items:
            self.highlighted = index % len(self._items)

    def action_tick(self) -> None:
        code = self.highlighted_code
        if code is not None:
            self.post_message(self.Pick(code))

    def action_send(self) -> None:
        self.post_message(self.Send())

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        number = int(self.scroll_offset.y) + offset.y
        if 0 <= number < len(self._lines):
            event.stop()
            index = self._lines[number][0]
            self.highlighted = index
            self.post_message(self.Pick(self._items[index][0]))


class SendButton(Button):
    """The text box's "Send": a compact :class:`~textual.widgets.Button` whose default
    styles are only those a default (not primary, success, warning or error) button
    uses. Textual's ``Button.DEFAULT_CSS`` styles every variant and is the largest
    style sheet on the first screen; reading all of it delays the first frame. The rules
    below are Textual 8.2's for the default variant, unchanged, so the button looks and
    behaves the same (``tests/tui/test_send_button.py`` compares their styles)."""

    DEFAULT_CSS = """
    SendButton:ansi.-style-flat, SendButton:ansi.-style-default {
        border: tall $border-blurred;
        background: ansi_default;

        &:disabled {
            text-opacity: 1;
            text-style: bold dim;
            border: tall $border-blurred !important;
            background: ansi_default !important;
            pointer: not-allowed;
            &:hover {
                background: ansi_default;
            }
        }

        &:hover {
            background: $ansi-background;
            border: tall $border;
        }

        &.-active {
            background: $ansi-background !important;
            border: blank $background !important;
            tint: transparent;
        }
    }

    SendButton {
        width: auto;
        min-width: 16;
        height:auto;
        line-pad: 1;
        text-align: center;
        content-align: center middle;
        pointer: pointer;

        &.-style-flat {
            text-style: bold;
            color: auto 90%;
            background: $surface;
            border: block $surface;
            &:hover {
                background: $primary;
                border: block $primary;
            }
            &:focus {
                text-style: $button-focus-text-style;
            }
            &.-active {
                background: $surface;
                border: block $surface;
                tint: $background 30%;
            }
            &:disabled {
                color: auto 50%;
                pointer: not-allowed;
            }
        }
        &.-style-default {
            text-style: bold;
            color: $button-foreground;
            background: $surface;
            border: none;
            border-top: tall $surface-lighten-1;
            border-bottom: tall $surface-darken-1;

            &.-textual-compact {
                border: none !important;
            }

            &:disabled {
                text-opacity: 0.6;
                pointer: not-allowed;
            }

            &:focus {
                text-style: $button-focus-text-style;
                background-tint: $foreground 5%;
            }
            &:hover {
                border-top: tall $surface;
                background: $surface-darken-1;
            }

            &.-active {
                background: $surface;
                border-bottom: tall $surface-lighten-1;
                border-top: tall $surface-darken-1;
                tint: $background 30%;
            }
        }
    }
    """

    def _get_default_css(self) -> list[tuple[Any, str, int, str]]:
        """Textual's default styles for this button, without ``Button.DEFAULT_CSS`` (the
        copy above takes its place; it is read anyway once another button is shown)."""
        return [css for css in super()._get_default_css() if css[0][1] != "Button.DEFAULT_CSS"]


class AnswerArea(Vertical):
    """Options and a text box for the current question."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *(Binding(str(n), f"number({n})", show=False) for n in range(10)),
        Binding("enter", "send", "Send", show=False),
    ]  # e.g. from the body map

    class Chosen(Message):
        """Options picked (codes, ``unsure`` included), for the question ``qid``."""

        def __init__(self, codes: list[str], qid: str | None = None) -> None:
            super().__init__()
            self.codes = codes
            self.qid = qid

    class Typed(Message):
        """Words typed into the text box and sent with Enter (raw; made literal by the reader),
        for the question ``qid``."""

        def __init__(self, text: str, qid: str | None = None) -> None:
            super().__init__()
            self.text = text
            self.qid = qid

    @property
    def qid(self) -> str | None:
        """The question the options and the text box are showing."""
        return self.question.id if self.question is not None else None

    def __init__(
        self,
        question: Question | None = None,
        options: Sequence[Option] = (),
        *,
        body_map: bool = True,
        text_box: bool = True,
        text_box_later: bool = False,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.question = question
        self._options = list(options)
        self.body_map = body_map
        # text_box_later: a line that looks like the text box stands in for it until
        # add_text_box() (the first screen draws sooner without Textual's Input)
        self.text_box = text_box and not text_box_later
        self.text_box_later = text_box and text_box_later
        self.problem_text = ""

    @staticmethod
    def items(question: Question, options: Sequence[Option]) -> list[tuple[str, int | None, str]]:
        """The numbered options: 1-9 as shown, then "I'm not sure" as 0."""
        return [(o.code, n if n < 10 else None, o.label) for n, o in enumerate(options, 1)] + [
            (contract.UNSURE, 0, question.unsure_label)
        ]

    @staticmethod
    def placeholder(question: Question | None) -> str:
        if question is not None and question.kind == contract.LAB:
            units = " or ".join(contract.LAB_UNITS.get(question.id, ()))
            return f"Type the value and its unit ({units})"
        return "Or type your answer here, in your own words, and press Enter"

    def compose(self):
        """Built in the state of the first question, so that nothing changes after mounting."""
        question = self.question
        items = self.items(question, self._options) if question else []
        many = question is not None and question.kind == contract.MANY
        choices = AnswerList(items, many, id="choices")
        if self.body_map:
            from .bodymap import BodyMap

            with Horizontal(id="pick"):
                yield choices
                body = BodyMap(id="bodymap")
                body.display = question is not None and question.id == BODY_MAP_QUESTION
                yield body
        else:
            yield choices
        if self.text_box:
            yield self._typed_row()
        elif self.text_box_later:
            yield Static(self.placeholder(question), id="typed-later", markup=False)
        # the line for problems is added when there is first a problem to show

    def _typed_row(self) -> Horizontal:
        box = Input(
            id="typed",
            placeholder=self.placeholder(self.question),
            compact=True,
            select_on_focus=False,
        )
        if not getattr(self.app, "blink", True):
            box.cursor_blink = False
        return Horizontal(box, SendButton("Send", id="send", compact=True), id="typed-row")

    def add_text_box(self) -> None:
        """The real text box in place of the line that stood in for it (text_box_later)."""
        if not self.text_box_later or not self.is_attached:
            return  # (or the app is closing: quit before the screen was fully drawn)
        self.text_box_later = False
        self.text_box = True
        standing_in = self.query_one("#typed-later")
        self.mount(self._typed_row(), after=standing_in)
        standing_in.remove()

    @property
    def choices(self) -> AnswerList:
        return self.query_one("#choices", AnswerList)

    @property
    def codes(self) -> list[str]:
        """Offered codes in the order numbered on screen (``unsure`` last, as 0)."""
        return self.choices.codes

    @property
    def ticked(self) -> list[str]:
        return self.choices.ticked

    # ----- attributes down: the screen shows a question
    def show(self, question: Question, options: Sequence[Option]) -> None:
        self.question = question
        self.choices.set_items(self.items(question, options), question.kind == contract.MANY)
        body = self._body_map()
        if body is not None:
            show_map = question.id == BODY_MAP_QUESTION
            body.display = show_map
            if show_map:
                body.labels = {o.code: o.label for o in options}
                body.chosen = frozenset()
        if self.text_box:
            box = self.query_one("#typed", Input)
            if box.value:
                box.value = ""
            placeholder = self.placeholder(question)
            if box.placeholder != placeholder:
                box.placeholder = placeholder
        self.problem("")
        self.focus_answer()

    def _body_map(self) -> BodyMap | None:
        return self.query_one("#bodymap") if self.body_map else None  # type: ignore[return-value]

    def focus_answer(self) -> None:
        if self.question is None:
            return
        if self.question.kind == contract.LAB and self.text_box:
            self.query_one("#typed", Input).focus()
        else:
            self.choices.focus()

    def problem(self, message: str) -> None:
        """Show (or clear) a problem with the answer under the box; the typed text stays."""
        if message == self.problem_text:
            return
        self.problem_text = message
        lines = self.query("#problem")
        if not lines:
            self.mount(Static(message, id="problem", markup=False))
            return
        line = lines.first(Static)
        line.update(message)
        line.display = bool(message)

    def clear_typed(self) -> None:
        if self.text_box:
            box = self.query_one("#typed", Input)
            if box.value:
                box.value = ""

    def preselect(self, value: object) -> None:
        """Show an earlier answer to the current question again (after going back), so
        that one tick can be changed: the option highlighted, the ticks ticked, a lab
        value typed back into the box. A draft only, as ticks always are."""
        question = self.question
        if question is None or value is None:
            return
        if isinstance(value, str):
            codes: list[str] = [value]
        elif isinstance(value, (tuple, list)):
            codes = [str(c) for c in value]
        else:  # a lab value: as it was entered, to be corrected in the box
            entered = getattr(value, "entered", None)
            if self.text_box and callable(entered):
                box = self.query_one("#typed", Input)
                box.value = entered()
                box.cursor_position = len(box.value)
            return
        codes = [c for c in codes if c in self.codes]
        if not codes:
            return
        self.highlight(codes)
        if self.choices.many:
            self.choices.set_ticked(codes)
            body = self._body_map()
            if body is not None and body.display:
                body.chosen = frozenset(codes)
        elif question.kind == contract.LAB:
            self.choices.focus()  # a status (high, normal, ...) was chosen from the list

    def highlight(self, codes: Sequence[str]) -> None:
        """Move the list cursor to the first of ``codes`` (after asking back)."""
        if codes and codes[0] in self.codes:
            self.choices.highlighted = self.codes.index(codes[0])

    # ----- messages up
    @on(AnswerList.Pick)
    def _picked(self, event: AnswerList.Pick) -> None:
        event.stop()
        if self.choices.many:
            self.tick(event.code)
        else:
            self.post_message(self.Chosen([event.code], self.qid))

    @on(AnswerList.Number)
    def _number(self, event: AnswerList.Number) -> None:
        event.stop()
        self.action_number(event.number)

    @on(AnswerList.Send)
    def _send_list(self, event: AnswerList.Send) -> None:
        event.stop()
        if self.choices.many:
            self.post_message(self.Chosen(self.ticked, self.qid))
        else:
            code = self.choices.highlighted_code
            if code is not None:
                self.post_message(self.Chosen([code], self.qid))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.Typed(event.value, self.qid))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "send":
            event.stop()
            self.action_send()

    def action_send(self) -> None:
        """The Send button: typed words if there are any, else the list's answer."""
        text = self.query_one("#typed", Input).value if self.text_box else ""
        if text.strip() or self.question is None or self.question.kind == contract.LAB:
            self.post_message(self.Typed(text, self.qid))
        else:
            self._send_list(AnswerList.Send())

    def action_number(self, number: int) -> None:
        """A number key (when the text box is not focused): choose or tick option ``number``."""
        if self.question is None:
            return
        codes = self.codes
        if number == 0:
            code = contract.UNSURE
        elif number < len(codes):
            code = codes[number - 1]
        else:
            self.problem(
                f"There is no answer {number}; use 1 to {min(9, len(codes) - 1)}, "
                f'or 0 for "{self.question.unsure_label}".'
            )
            return
        if self.choices.many:
            self.choices.highlighted = codes.index(code)
            self.tick(code)
        else:  # answered at once: the next question replaces the list (no extra frame first)
            self.post_message(self.Chosen([code], self.qid))

    # ----- ticks: exclusive answers, and the body map in step with the list
    def tick(self, code: str) -> None:
        """Tick or untick ``code``; "none of these" and "not sure" stand alone."""
        ticked = self.ticked
        if code in ticked:
            ticked = [c for c in ticked if c != code]
        elif code in EXCLUSIVE:
            ticked = [code]
        else:
            ticked = [c for c in ticked if c not in EXCLUSIVE] + [code]
        self.choices.set_ticked(ticked)
        self.problem("")
        body = self._body_map()
        if body is not None and body.display:
            body.chosen = frozenset(ticked)

    def on_body_map_toggled(self, event: BodyMap.Toggled) -> None:
        event.stop()
        if event.code in self.codes:
            self.tick(event.code)

    def steer_typing(self, event: events.Key | events.Paste) -> None:
        """Typing that starts while the list or the map has focus belongs in the text box.

        Called by the app (:meth:`CalcinosisApp.on_event`) before it hands a key or a
        paste to the focused widget, so the focus moves at once and the box gets this key
        and every key after it, in the order typed. (Moved a moment later, as
        ``Widget.focus`` does, the digits and spaces typed fast after a letter would reach
        the list first and choose or tick options.) Only a letter or a paste starts the
        typing: a digit or Space alone is still the list's shortcut.
        """
        if not self.text_box:
            return
        focused = self.screen.focused
        if (
            isinstance(event, events.Key)
            and event.key in ("up", "down")
            and focused is not None
            and focused.id == "typed"
        ):
            # the arrows choose in the list from the text box too (a lab question, or
            # after words were asked back): the list gets this key and the next ones
            self.screen.set_focus(self.choices)
            return
        if not (
            isinstance(focused, AnswerList) or (focused is not None and focused.id == "bodymap")
        ):
            return
        if isinstance(event, events.Paste):
            starts = bool(event.text)
        else:
            char = event.character
            # a digit is the list's shortcut, except where a number is an age ("62")
            ages = self.question is not None and "age" in getattr(self.question, "also", ())
            starts = bool(
                event.is_printable and char and char != " " and (ages or not char.isdigit())
            )
        if starts:
            self.screen.set_focus(self.query_one("#typed", Input))  # now, not after a message
