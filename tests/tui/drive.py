"""Driving the terminal chat by keys and clicks, as a person would (shared by the tests)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from chatbot.engine import contract
from chatbot.tui.screens.result import ResultScreen
from chatbot.tui.widgets.answer import AnswerList

VIGNETTES = Path(__file__).resolve().parent.parent / "vignettes"


def vignette(name: str) -> dict[str, Any]:
    return yaml.safe_load((VIGNETTES / f"{name}.yaml").read_text(encoding="utf-8"))


def lab_text(value: Any) -> str:
    """A vignette's lab answer as a person would type it."""
    if isinstance(value, dict):
        return f"{value['value']} {value['unit']}"
    return str(value)


async def type_text(pilot, text: str) -> None:
    await pilot.press(*list(text))


async def type_fast(pilot, text: str) -> None:
    """Keys as a terminal delivers fast typing or a paste without bracketed paste: all at
    once, with no pause between them (``pilot.press`` waits for the app after each key)."""
    from textual import events
    from textual.keys import _character_to_key

    app = pilot.app
    for char in text:
        key = char if char.isalnum() else _character_to_key(char)
        app.post_message(events.Key(key, char))
    await pilot.pause()
    await pilot.pause()


async def paste(pilot, text: str) -> None:
    """A bracketed paste: the terminal hands over the text as one event."""
    from textual import events

    pilot.app.post_message(events.Paste(text))
    await pilot.pause()


async def pick(pilot, index: int, *, click: bool = False, many: bool = False) -> None:
    """Choose (one-of) or tick (many-of) the option at ``index`` (0-based; -1 = not sure)."""
    widget = pilot.app.screen.query_one(AnswerList)
    count = widget.option_count
    index = count - 1 if index < 0 else index
    if click:
        widget.highlighted = index
        await pilot.pause()
        line = widget.line_of(index) - int(widget.scroll_offset.y)
        await pilot.click(widget, offset=(8, line))
    elif index == count - 1 and not _ages(pilot):
        await pilot.press("0")
    elif index < 9 and not _ages(pilot):
        await pilot.press(str(index + 1))
    else:  # by the arrows (at the age question a digit is the start of an age)
        widget.focus()
        await pilot.press("home", *["down"] * index, "space" if many else "enter")
    await pilot.pause()


def _ages(pilot) -> bool:
    """Whether the current question takes a typed age ("62"): its digits go to the text box."""
    session = pilot.app.session
    question = session.current if session is not None else None
    return question is not None and "age" in getattr(question, "also", ())


async def answer_current(pilot, value: Any, *, click: bool = False) -> None:
    """Answer the session's current question with ``value`` (``None``: "I'm not sure")."""
    app = pilot.app
    s = app.session
    question = s.current
    assert question is not None
    codes = [o.code for o in s.options(question)]
    if value is None or value == contract.UNSURE or value == [contract.UNSURE]:
        await pilot.press("f3")
    elif question.kind == contract.LAB:
        if isinstance(value, str) and value in codes:
            if not click:
                await pilot.press("shift+tab")  # from the text box back to the list
            await pick(pilot, codes.index(value), click=click)
        else:
            app.screen.query_one("#typed").focus()
            await type_text(pilot, lab_text(value))
            await pilot.press("enter")
    elif question.kind == contract.MANY:
        for code in value:
            await pick(pilot, codes.index(code) if code in codes else -1, click=click, many=True)
        if click:
            await pilot.click("#send")
        else:
            app.screen.query_one(AnswerList).focus()
            await pilot.press("enter")
    else:
        await pick(pilot, codes.index(value) if value in codes else -1, click=click)
    await pilot.pause()


async def chat_through(
    pilot, answers: dict[str, Any], *, click: bool = False, limit: int = 40
) -> None:
    """Answer every question the dialog asks from ``answers`` (missing ones: not sure)."""
    app = pilot.app
    await pilot.pause()  # the first screen is mounted
    for _ in range(limit):
        if isinstance(app.screen, ResultScreen):
            return
        if app.screen.__class__.__name__ == "WarningScreen":
            await pilot.press("tab", "enter")  # the text has the focus; Tab to "go on"
            await pilot.pause()
            continue
        question = app.session.current
        if question is None:
            await pilot.pause()
            continue
        await answer_current(pilot, answers.get(question.id), click=click)
    raise AssertionError(f"the chat did not reach the result; at {app.session.state}")


def screen_text(app) -> str:
    """Every text the current screen shows, as plain text (for assertions)."""
    from textual.widgets import Button, Markdown, Static

    from chatbot.tui.widgets.answer import AnswerList
    from chatbot.tui.widgets.messages import Transcript
    from chatbot.tui.widgets.paragraphs import Paragraphs
    from chatbot.tui.widgets.progress import ProgressLine

    out: list[str] = []
    for widget in app.screen.query("*"):
        if not widget.display:
            continue
        if isinstance(widget, Button):
            out.append(str(widget.label))
        elif isinstance(widget, Static):
            content = widget.content
            out.append(content.plain if hasattr(content, "plain") else str(content))
        elif isinstance(widget, Transcript):
            out.append(widget.plain())
        elif isinstance(widget, Markdown):
            out.append(widget.source)
        elif isinstance(widget, (Paragraphs, ProgressLine)):
            out.append(widget.plain)
        elif isinstance(widget, AnswerList):
            out.append("\n".join(label for _, _, label in widget._items))
    return "\n".join(out)


async def until(pilot, condition, tries: int = 50) -> None:
    """Wait (without sleeping blindly) until ``condition()`` holds."""
    for _ in range(tries):
        if condition():
            return
        await pilot.pause()
    raise AssertionError("the condition did not come true")


async def answer_until(pilot, answers: dict[str, Any], stop: str, *, click: bool = False) -> None:
    """Answer from ``answers`` until the question ``stop`` is the current one."""
    app = pilot.app
    await pilot.pause()  # the first screen is mounted
    for _ in range(40):
        current = app.session.current if app.session else None
        if (
            current is not None
            and current.id == stop
            and app.screen.__class__.__name__ == "ChatScreen"
        ):
            return
        if app.screen.__class__.__name__ == "WarningScreen":
            await pilot.press("tab", "enter")  # the text has the focus; Tab to "go on"
            await pilot.pause()
            continue
        await answer_current(pilot, answers.get(current.id) if current else None, click=click)
    raise AssertionError(f"never reached {stop}; at {app.session.state}")


async def open_result(pilot, answers: dict[str, Any]) -> None:
    """The result screen for ``answers``, replayed into the session as a saved session is
    continued (answers left out: not sure), not typed key by key: the chat opens with
    the answers in its transcript and goes on to the result. For tests about the result;
    a few tests still type a whole case (``chat_through``)."""
    app = pilot.app
    await pilot.pause()  # the first screen is mounted
    app.session.replay(answers)
    app.saved()
    app.begin_chat()
    await until(pilot, lambda: isinstance(app.screen, ResultScreen))
    await pilot.pause()
