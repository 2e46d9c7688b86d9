"""Text a person typed, made safe to show: nothing in it is ever interpreted.

Widgets show typed text with ``markup=False`` (or as :class:`rich.text.Text`),
so Rich markup such as ``[red]x[/red]`` stays literal. Terminal escape codes
and other control characters are removed here before the text is shown.
"""

from __future__ import annotations

import re

# CSI / OSC / other ESC sequences first, then any remaining C0/C1 control character.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"          # CSI: ESC [ ... final
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC: ESC ] ... BEL or ST
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"    # DCS, SOS, PM, APC
    r"|\x1b[@-Z\\-_]"                    # other two-character sequences
    r"|\x9b[0-?]*[ -/]*[@-~]"            # 8-bit CSI
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def literal(text: str, limit: int = 500) -> str:
    """``text`` without escape codes or control characters, on one line, at most ``limit`` long."""
    text = _ESCAPES.sub("", str(text))
    text = text.replace("\t", " ").replace("\r", " ").replace("\n", " ")
    text = _CONTROL.sub("", text)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
