"""Is a word English? Typo tolerance is only for words that are not.

The word list is pyspellchecker's English frequency list (a well-kept list of
about 160,000 words with counts), read straight from its data file the first
time a word is looked up: never before the first screen, and only when a typed
word is not one the question knows. Without the package no word is taken for a
typo (nothing is guessed).
"""

from __future__ import annotations

import gzip
import json
import threading
from importlib import resources

MIN_COUNT = 5  # a word seen fewer times than this in the list's corpus is not trusted
COMMON_COUNT = 3000  # a word seen at least this often is a common word ("infected")

_lock = threading.Lock()
_words: frozenset[str] | None = None
_common: frozenset[str] = frozenset()


def _load() -> tuple[frozenset[str], frozenset[str]]:
    try:
        data = resources.files("spellchecker").joinpath("resources/en.json.gz").read_bytes()
        counts = json.loads(gzip.decompress(data))
    except (ImportError, ModuleNotFoundError, OSError, ValueError):
        return frozenset(), frozenset()
    known = {w: n for w, n in counts.items() if isinstance(n, int) and n >= MIN_COUNT}
    return frozenset(known), frozenset(w for w, n in known.items() if n >= COMMON_COUNT)


def words() -> frozenset[str]:
    """The English word list (loaded on first use; empty if it cannot be read)."""
    global _words, _common
    if _words is None:
        with _lock:
            if _words is None:
                _words, _common = _load()
    return _words


def common() -> frozenset[str]:
    """The common words of the list (seen at least COMMON_COUNT times)."""
    words()
    return _common


def available() -> bool:
    return bool(words())


def is_english(word: str) -> bool:
    """Whether ``word`` (folded) is an English word. Without the list every word counts as
    English, so that no typo is ever guessed."""
    known = words()
    return not known or word in known
