"""The transcript: the conversation as chat messages, newest at the bottom.

Each message is plain data (:class:`BotMessage`, :class:`UserMessage`, one
class per speaker, as in elia); the :class:`Transcript` draws them all as
speech bubbles with the Line API. One widget for the whole conversation keeps
an answer quick to draw however long the chat gets: adding a message wraps
its text once instead of mounting and styling new widgets. The roles are
styled in ``chat.tcss`` through component classes (``transcript--bot``,
``transcript--user``, ...).

Everything is shown literally: question texts are data and typed answers are
the person's own words, so nothing here parses markup.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

from ..text import literal

GAP = 8  # the empty side of a bubble
MIN_BUBBLE = 24  # narrowest bubble


@dataclass(eq=False)
class BotMessage:
    """Something the checker says: a question, a reason, a note, a reply to typed words."""

    text: str
    kind: str = "say"  # question | say | why | note | ask | end
    speaker: str = field(default="bot", init=False)

    @property
    def said(self) -> str:
        return self.text

    @property
    def classes(self) -> set[str]:
        return {"bot", self.kind}


@dataclass(eq=False)
class UserMessage:
    """An answer the person gave: their own words (made literal) and what they were taken as."""

    said: str
    meaning: str = ""
    qid: str = ""  # the question answered; empty for words that were asked back
    changed: bool = False  # answered again differently (after Back, or from the result)
    kept: bool = False  # re-applied after an earlier answer was changed
    retracted: bool = False  # taken back (Back, or "change an answer"), not yet answered
    # again, or answered again the same way: no longer standing, but not "(changed)"
    speaker: str = field(default="user", init=False)

    def __post_init__(self) -> None:
        self.said = literal(self.said)

    @property
    def classes(self) -> set[str]:
        return {"user"} | {c for c, on in (("changed", self.changed), ("kept", self.kept)) if on}

    def text(self) -> Text:
        text = Text(self.said)
        if self.changed:
            text.stylize("strike")
        if self.meaning and self.meaning.casefold() != self.said.casefold():
            text.append(f"\n→ {self.meaning}", style="italic")
        if self.changed:
            text.append("\n(changed)", style="italic")
        elif self.kept:
            text.append("\n(kept)", style="italic")
        return text


Message = BotMessage | UserMessage


class Transcript(ScrollView, can_focus=True):
    """The conversation so far, kept scrolled to the newest message (Textual's mother.py)."""

    COMPONENT_CLASSES: ClassVar = {
        "transcript--bot",
        "transcript--bot-bar",
        "transcript--question",
        "transcript--note",
        "transcript--note-bar",
        "transcript--ask-bar",
        "transcript--user",
        "transcript--user-bar",
        "transcript--changed",
    }

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.messages: list[Message] = []
        self._lines: list[Strip] = []
        self._width = 0
        self._styles: dict[str, Style] | None = None

    # ----- adding and changing messages
    def bot(self, text: str, kind: str = "say") -> BotMessage:
        message = BotMessage(text, kind)
        self._add(message)
        return message

    def user(
        self, said: str, meaning: str = "", qid: str = "", *, kept: bool = False
    ) -> UserMessage:
        message = UserMessage(said, meaning, qid, kept=kept)
        self._add(message)
        return message

    def answers(self) -> list[UserMessage]:
        """The answers still standing (not asked-back words, not taken back), oldest first."""
        return [
            m
            for m in self.messages
            if isinstance(m, UserMessage) and m.qid and not m.changed and not m.retracted
        ]

    def mark_changed(self, messages: list[UserMessage]) -> None:
        """Answers taken back. Nothing is labelled yet: "(changed)" is said only once the
        question is answered again differently (see :meth:`settle`)."""
        for message in messages:
            message.retracted = True
        self._rebuild()

    def settle(self, qid: str, changed: bool) -> None:
        """The question ``qid`` is answered again: its taken-back answer is struck through
        and labelled "(changed)" when the new answer differs, and left as it was when not."""
        touched = False
        for message in self.messages:
            if (
                isinstance(message, UserMessage)
                and message.qid == qid
                and message.retracted
                and not message.changed
            ):
                message.changed = changed
                touched = touched or changed
        if touched:
            self._rebuild()

    def clear(self) -> None:
        self.messages.clear()
        self._rebuild()

    def plain(self) -> str:
        """The conversation as plain text (for tests and for copying)."""
        out = []
        for m in self.messages:
            body = m.text if isinstance(m, BotMessage) else m.text().plain
            out.append(("  " if isinstance(m, BotMessage) else "> ") + body.replace("\n", " "))
        return "\n".join(out)

    def _add(self, message: Message) -> None:
        self.messages.append(message)
        if self._width:
            if self.messages[:-1]:
                self._lines.append(Strip.blank(self._width, self._style("base")))
            self._lines.extend(self._render_message(message, self._width))
            self._resized()
        self.scroll_end(animate=False, immediate=True, x_axis=False)

    # ----- drawing
    def _style(self, name: str) -> Style:
        if self._styles is None:
            self._styles = {"base": self.rich_style}
            for component in self.COMPONENT_CLASSES:
                name = component.split("--", 1)[1]
                partial = name in ("question", "note", "changed")  # modifiers on top of a fill
                self._styles[name] = self.get_component_rich_style(component, partial=partial)
        return self._styles[name]

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles = None
        self._rebuild()

    def _rebuild(self) -> None:
        self._wrap()
        self._resized()
        self.refresh()

    def _wrap(self) -> None:
        width = self._width
        self._lines = []
        if width:
            for index, message in enumerate(self.messages):
                if index:
                    self._lines.append(Strip.blank(width, self._style("base")))
                self._lines.extend(self._render_message(message, width))

    def render_lines(self, crop: Region) -> list[Strip]:
        """The first frame after the chat opens is drawn before the transcript hears of
        its size (the Resize event comes after it): wrap the messages now, so that this
        frame shows the question instead of the one after it. Only when they all fit:
        a longer conversation (a resumed one) waits for the Resize, which also scrolls
        it to the newest message."""
        if not self._width and self.messages:
            region = self.scrollable_content_region
            if region.width:
                self._width = region.width
                self._wrap()
                if len(self._lines) <= region.height:
                    self.set_reactive(Widget.virtual_size, Size(self._width, len(self._lines)))
                else:  # too long: as before, on_resize does it
                    self._width, self._lines = 0, []
        return super().render_lines(crop)

    def _resized(self) -> None:
        # The transcript's own size does not change with its content, so no layout is
        # needed: the new scrollable size is set without one (a repaint follows).
        self.set_reactive(Widget.virtual_size, Size(self._width, len(self._lines)))
        # ...but the scrollbars must know, or scroll_end is refused while they are hidden
        # (the transcript would then stay at the top once it outgrows its box).
        self._refresh_scrollbars()
        self.refresh()

    def on_resize(self) -> None:
        """Re-wrap for a new width; in any case keep the newest message in view."""
        width = self.scrollable_content_region.width
        if width != self._width:
            self._width = width
            self._rebuild()
        self.scroll_end(animate=False, immediate=True, x_axis=False)

    def _render_message(self, message: Message, width: int) -> list[Strip]:
        base = self._style("base")
        bubble = max(min(width, MIN_BUBBLE), width - GAP)
        inner = max(1, bubble - 3)  # a bar and a space each side
        console = self.app.console
        if isinstance(message, BotMessage):
            fill = self._style("bot")
            bar = self._style(
                {"why": "note-bar", "note": "note-bar", "ask": "ask-bar"}.get(
                    message.kind, "bot-bar"
                )
            )
            style = fill + (
                self._style("question")
                if message.kind == "question"
                else self._style("note")
                if message.kind in ("why", "note")
                else Style()
            )
            lines = Text(message.text, style=style).wrap(console, inner)
            left, right = 0, width - bubble
        else:
            fill = self._style("user")
            bar = self._style("user-bar")
            style = fill + (self._style("changed") if message.changed else Style())
            text = message.text()
            text.style = style
            lines = text.wrap(console, inner, justify="right")
            left, right = width - bubble, 0
        strips = []
        for line in lines:
            line.truncate(inner, pad=True)
            segments = [Segment(" " * left, base)] if left else []
            if isinstance(message, BotMessage):
                segments += [Segment("▌", bar + Style(bgcolor=fill.bgcolor)), Segment(" ", fill)]
                segments += Segment.apply_style(line.render(console), style)
                segments += [Segment(" ", fill)]
            else:
                segments += [Segment(" ", fill)]
                segments += Segment.apply_style(line.render(console), style)
                segments += [Segment(" ", fill), Segment("▐", bar + Style(bgcolor=fill.bgcolor))]
            if right:
                segments.append(Segment(" " * right, base))
            strips.append(Strip(segments).crop_extend(0, width, base))
        return strips

    def render_line(self, y: int) -> Strip:
        index = int(self.scroll_offset.y) + y
        width = self._width  # set on resize (reading the region for each line would be slow)
        if 0 <= index < len(self._lines):
            strip = self._lines[index]  # drawn at the transcript's width when added
            return (
                strip
                if strip.cell_length == width
                else strip.crop_extend(0, width, self._style("base"))
            )
        return Strip.blank(width, self._style("base"))
