"""Text a person typed, made safe to show: nothing in it is ever interpreted.

Widgets show typed text with ``markup=False`` (or as :class:`rich.text.Text`),
so Rich markup such as ``[red]x[/red]`` stays literal. Terminal escape codes
and other control characters are removed before the text is shown, by the
engine's one cleaner (the same for plain mode and ``calcinosis parse``).
"""

from __future__ import annotations

from ..engine.reading.text import clean_text


def literal(text: str, limit: int = 500) -> str:
    """``text`` without escape codes or control characters, on one line, at most ``limit`` long
    (the engine's one cleaner, :func:`chatbot.engine.reading.text.clean_text`)."""
    return clean_text(text, limit)
