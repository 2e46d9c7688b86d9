"""Typed text made safe and comparable: the one place that strips escape codes and folds words.

* :func:`clean_text` is what may be shown back to the person (escape codes and
  control characters removed, spaces collapsed); every front end uses it.
* :func:`fold` is what reading compares: lower case, no accents, no apostrophes.
* :func:`tokens` splits folded text into words, numbers and clause breaks.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

MAX_TEXT = 500  # characters of typed text that are read at all
QUOTE_MAX = 60  # characters of typed text quoted back in a message
BREAK = ","  # the token for a clause break (, ; . ! ? : and line ends)

_ANSI = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor movement
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC: titles, hyperlinks
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"  # DCS, SOS, PM, APC
    r"|\x1b[ -/]*[0-~]"  # other two-character escapes
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
)
_SPACES = re.compile(r"\s+")
_APOSTROPHES = re.compile(r"['\u2018\u2019\u02bc`\u00b4]")
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|\.\d+|[a-z]+|[,;.!?:()\n/~<>=+-]")
_INVISIBLE = ("Cc", "Cf", "Cs", "Co", "Cn")


def clean_text(text: Any, limit: int | None = None) -> str:
    """The person's text as it may be shown back: terminal escape sequences and
    control characters removed (tabs and newlines become spaces), spaces collapsed,
    at most ``limit`` characters (with an ellipsis). Markup-like brackets are kept."""
    if text is None:
        return ""
    if not isinstance(text, str):
        text = str(text)
    text = _ANSI.sub(
        "", text[: 8 * MAX_TEXT] if limit is None or limit <= MAX_TEXT else text[: 4 * limit]
    )
    out = []
    for char in text:
        if char in "\t\n\r\v\f\x85\u2028\u2029":
            out.append(" ")
        elif unicodedata.category(char) in _INVISIBLE:
            continue
        else:
            out.append(char)
    cleaned = _SPACES.sub(" ", "".join(out)).strip()
    if limit is not None and len(cleaned) > limit:
        cleaned = cleaned[: limit - 1] + "\u2026"
    return cleaned


def short(text: str) -> str:
    """Typed text kept short enough to quote in a message."""
    return text if len(text) <= QUOTE_MAX else text[: QUOTE_MAX - 1].rstrip() + "\u2026"


def quote(text: str) -> str:
    return f'"{short(text)}"'


def drop_odd_numbers(text: str) -> str:
    """Superscripts, fractions and circled numbers ("²", "½", "③") are left out before
    NFKD would turn them into plain digits: "²" is not the answer number 2."""
    return "".join(c for c in text if unicodedata.category(c) != "No")


def fold(text: str) -> str:
    """Lower case without accents or apostrophes ("Don't" -> "dont"); micro signs as "u"."""
    if text.isascii():  # (most text: no accents, superscripts, micro signs or curly quotes)
        return _APOSTROPHES.sub("", text.lower())
    text = text.replace("\u00b5", "u").replace("\u03bc", "u")
    text = unicodedata.normalize("NFKD", drop_odd_numbers(text))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return _APOSTROPHES.sub("", text.casefold())


def tokens(folded: str) -> list[str]:
    """Words, numbers (with their decimal or thousands marks) and :data:`BREAK` for
    punctuation that ends a clause; ``/``, ``-``, ``~``, ``<``, ``>``, ``=`` and ``+`` are
    kept as tokens for numbers ("8/10", "3-4", "mg/dl"). Other characters separate words."""
    out: list[str] = []
    for token in _TOKEN.findall(folded):
        if token in ",;.!?:()\n":
            if out and out[-1] != BREAK:
                out.append(BREAK)
        else:
            out.append(token)
    while out and out[-1] == BREAK:
        out.pop()
    return out
