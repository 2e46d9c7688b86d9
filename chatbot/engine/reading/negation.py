"""Negation with a scope, and contrast ("no X but Y").

The reader turns typed words into a list of :class:`Item` (a known phrase with its
codes, or a single word of some kind). Here:

* :func:`mark_negated`: a negation ("no", "not", "don't", ...) negates the phrases
  that follow it up to the end of its clause: punctuation, a contrast word ("but",
  "just", "except") or "and" starting a new clause ("no fever and she is confused");
  a lone "no" or "nothing" right before a phrase is such a negation, not the answer
  "no" ("no redness or sores": redness and sores are negated);
* :func:`contrast_kept`: an early negative answer and, after a contrast, a positive one:
  the positive one stands ("no, just a bit sore"; "none except warfarin").
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

#: Words that can stand alone as an answer or negate what follows them.
WORD_NEGATIONS = frozenset({"no", "not", "never", "nothing", "none", "neither", "nor"})
# the first words of a denial said as a phrase ("not that I've noticed", "don't think so")
_DENIES = WORD_NEGATIONS | {"dont", "doesnt", "didnt", "havent", "hasnt", "isnt", "nope", "nah"}


@dataclass
class Item:
    """A phrase or a word of the typed text, with the positions of the words it spans."""

    start: int
    end: int
    words: tuple[str, ...]
    codes: frozenset[str] = frozenset()  # a phrase: its codes; else empty
    kind: str = "phrase"  # phrase break neg contrast filler doubt intens num unknown
    negated: bool = False


def mark_negated(
    items: list[Item],
    subjects: Collection[str],
    ignore: Collection[str] = (),
    keep: Collection[str] = (),
) -> None:
    """Set :attr:`Item.negated` on phrases inside a negation's scope (in place).

    ``subjects``: words that start a new clause after "and"; ``ignore``: codes of phrases
    that are no answer (words about the question), which do not count as what is negated;
    ``keep``: negative answers: a lone "no" before a phrase that only means one of them
    is that answer too, not its negation ("no I've been through the menopause").
    """
    content = [it for it in items if it.kind == "phrase" and not (it.codes & set(ignore))]
    for idx, it in enumerate(items):
        if it.kind == "phrase" and len(it.words) == 1 and it.words[0] in WORD_NEGATIONS:
            later = [x for x in items[idx + 1 :] if x.kind in ("break", "contrast") or x in content]
            if later and later[0].kind == "phrase" and not (later[0].codes <= set(keep)):
                it.kind = "neg"
    negating = by_phrase = False
    for idx, it in enumerate(items):
        if it.kind in ("break", "contrast"):
            negating = False
        elif it.kind == "neg":
            negating, by_phrase = True, False
        elif it.kind == "phrase" and it.codes and it.codes <= set(keep) and it.words[0] in _DENIES:
            # "not that I've noticed any confusion", "nothing like gangrene": a denial said
            # as a phrase denies what follows, but not another denial ("no, on the pill")
            negating, by_phrase = True, True
        elif it.kind == "filler" and it.words[0] == "and" and negating:
            nxt = items[idx + 1] if idx + 1 < len(items) else None
            if nxt is not None and nxt.words[0] in subjects:
                negating = False
        elif it.kind == "phrase" and negating and not (by_phrase and it.codes <= set(keep)):
            it.negated = True
    _answered_no(items, content)


_LONE_NO = frozenset({"no", "nope", "nah", "not"})


def _answered_no(items: list[Item], content: list[Item]) -> None:
    """ "pus? no. fever? no.": a lone no in a clause of its own denies the one answer
    of the clause just before it."""
    for k, it in enumerate(items):
        if not (
            it.kind in ("phrase", "neg")
            and len(it.words) == 1
            and it.words[0] in _LONE_NO
            and k >= 2
            and items[k - 1].kind == "break"
            and (k + 1 == len(items) or items[k + 1].kind == "break")
        ):
            continue
        start = k - 1
        while start > 0 and items[start - 1].kind != "break":
            start -= 1
        clause = items[start : k - 1]
        said = [x for x in clause if x in content]
        if len(said) == 1 and all(x in said or x.kind == "filler" for x in clause):
            said[0].negated = True


def contrast_kept(items: list[Item], pos: list[Item], negative: Collection[str]) -> list[Item]:
    """The positive phrases that stand: after "no, just ..." only the later ones."""
    cut = next((k for k, it in enumerate(items) if it.kind == "contrast"), None)
    if cut is None:
        cut = next((k for k, it in enumerate(items) if it.kind == "break"), None)
    if cut is None:
        return pos
    where = {id(it): k for k, it in enumerate(items)}
    before = [it for it in pos if where[id(it)] < cut]
    after = [it for it in pos if where[id(it)] > cut]
    if (
        before
        and after
        and all(it.codes <= set(negative) for it in before)
        and not any(it.codes <= set(negative) for it in after)
    ):
        said = frozenset().union(*(it.codes for it in before))
        if all(it.codes & said for it in after):
            return pos  # "no, they haven't changed": what follows agrees with the no
        return after
    return pos
