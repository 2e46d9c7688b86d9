"""What is taken by mouth (``intake``): a dose decides, never the word alone.

Vitamin D, calcium or milk with an amount is compared with the limits of
``dialogs/reading.yaml`` (answers.md: above 4,000 IU a day for anyone over 10,
above 1,000 IU for a baby; 1 microgram is 40 IU); without an amount it is a
usual amount when the words say so ("drops for the baby", "a glass of milk",
"a multivitamin"), a large one when they say that ("lots of milk"), and is
otherwise asked about.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from chatbot.engine.reading import numbers
from chatbot.engine.reading.text import BREAK

if TYPE_CHECKING:
    from chatbot.engine.reading.result import ReaderLike as Reader
    from chatbot.engine.reading.result import Reading

_Table = Any  # the reader's table for the question

_PHRASES: dict[int, dict[tuple[str, ...], str]] = {}
HIGH_D = "high_dose_vitamin_d"
LARGE_CA = "calcium_supplements_or_antacids"
USUAL = "ordinary_supplements"


def _find(reader: Reader, words: list[str]) -> list[tuple[str, set[int], int]]:
    """Intake phrases (longest first): (kind, positions used, first position)."""
    lex = reader.lex
    table = _PHRASES.get(id(lex))
    if table is None:  # the phrases as they are compared: without the dropped words
        table = {
            tuple(w for w in p if w not in lex.drop) or p: kind
            for p, kind in lex.intake_words.items()
        }
        _PHRASES[id(lex)] = table
    seq = [
        (i, w)
        for i, w in enumerate(words)
        if w not in lex.drop and w not in numbers.SYMBOLS and w != BREAK
    ]
    longest = max((len(k) for k in table), default=1)
    out: list[tuple[str, set[int], int]] = []
    k = 0
    while k < len(seq):
        for length in range(min(longest, len(seq) - k), 0, -1):
            part = tuple(w for _, w in seq[k : k + length])
            kind = table.get(part)
            if kind is not None:
                out.append((kind, {i for i, _ in seq[k : k + length]}, seq[k][0]))
                k += length
                break
        else:
            k += 1
    return out


def _negated(reader: Reader, words: list[str], at: int) -> bool:
    """Whether a negation stands before position ``at`` in the same clause."""
    for word in reversed(words[:at]):
        if word == BREAK or word in reader.lex.breaks:
            return False
        if word in reader.lex.negators:
            return True
    return False


def _vitamin_d_limit(reader: Reader, given: Mapping[str, Any]) -> tuple[float, float]:
    """(ordinary up to, high above) in IU a day for this person."""
    lex = reader.lex
    group = given.get("age_group")
    age = given.get("age")
    years = getattr(age, "years", None)
    if group == "infant" or (years is not None and years < 1):
        return lex.vitamin_d_infant, lex.vitamin_d_infant
    if group == "adult" or (years is not None and years > 10):
        return lex.vitamin_d_over_10, lex.vitamin_d_over_10
    return lex.vitamin_d_infant, lex.vitamin_d_over_10  # a child of 1-10, or age unknown


def _amount(
    reader: Reader,
    kind: str,
    doses: list[numbers.Dose],
    kinds: set[str],
    counted: float | None,
    limits: tuple[float, float],
) -> tuple[str, str]:
    """How much of one substance: ``(code, "")``, or ``("", what to ask about)`` when
    the words do not say."""
    low, high = limits
    iu = [d for d in doses if d.unit == "iu"]
    mg = [d for d in doses if d.unit == "mg"]
    if kind == "vitamin_d" and iu:
        per_day = max(d.per_day for d in iu)
        if any(d.per_days > 1 and d.amount > high >= d.per_day for d in iu):
            return "", "vitamin D"  # a large dose taken weekly: ask how it was prescribed
        if per_day > high:
            return HIGH_D, ""
        if per_day <= low:
            return USUAL, ""
        return "", "vitamin D"
    if kind == "calcium" and mg:
        per_day = max(d.per_day for d in mg)
        return (LARGE_CA if per_day > reader.lex.calcium_mg_day else USUAL), ""
    if "large" in kinds:
        return (HIGH_D if kind == "vitamin_d" else LARGE_CA), ""
    if counted is not None and kind != "vitamin_d":
        limit = reader.lex.glasses_usual_max if kind == "milk" else reader.lex.tablets_usual_max
        if counted <= limit:
            return USUAL, ""
        if kind == "calcium" and counted >= reader.lex.tablets_large_min:
            return LARGE_CA, ""
        return "", "calcium" if kind == "calcium" else "milk"
    if "usual" in kinds or (counted == 1):
        return USUAL, ""
    return "", {"vitamin_d": "vitamin D", "calcium": "calcium", "milk": "milk"}[kind]


def read_intake(
    reader: Reader, table: _Table, shown: str, words: list[str], given: Mapping[str, Any]
) -> Reading | None:
    found = _find(reader, words)
    substances = [
        (kind, used, at) for kind, used, at in found if kind in ("vitamin_d", "calcium", "milk")
    ]
    if not substances and any(d.unit == "iu" for d in numbers.doses(words, reader.lex)):
        substances = [("vitamin_d", set(), 0)]  # "50,000 units a week": units are vitamin D's
    if not substances:
        return None
    # "no calcium", "I don't take vitamin D": a denied substance needs no dose
    denied = [sub for sub in substances if _negated(reader, words, sub[2])]
    substances = [sub for sub in substances if sub not in denied]
    used: set[int] = set()
    for _, positions, _ in found:
        used |= positions
    kinds = {kind for kind, _, _ in found}
    # a single word says it too, even inside a longer phrase ("4 PINTS of milk")
    kinds |= {
        reader.lex.intake_words[(w,)]
        for w in words
        if reader.lex.intake_words.get((w,)) in ("large", "usual")
    }
    doses = numbers.doses(words, reader.lex)
    for dose in doses:
        used |= dose.used
    conv, _ = numbers.numerals(words, reader.lex)
    counting_words = ("tablets", "usual", "milk")
    tablets = [
        numbers.to_float(conv[k])
        for k in range(len(conv) - 1)
        if numbers.is_number(conv[k])
        and any(
            reader.lex.intake_words.get((w,)) in counting_words
            for w in conv[k + 1 : k + _reach(conv[k])]
        )
    ]  # "one calcium tablet", "2 tablets", "one vitamin d tablet"
    counted = max((t for t in tablets if t is not None), default=None)
    for k, w in enumerate(words):
        if (
            (numbers.is_number(w) or w in reader.lex.number_words)
            and k + 1 < len(words)
            and (words[k + 1],) in reader.lex.intake_words
        ):
            used.add(k)
    codes: list[str] = []
    ask: list[str] = []
    low, high = _vitamin_d_limit(reader, given)
    for kind, _, _ in substances:
        code, what = _amount(reader, kind, doses, kinds, counted, (low, high))
        if code:
            codes.append(code)
        else:
            ask.append(what)
    if denied and not substances:
        return reader._words(table, shown, words, used=frozenset(used), denied=True)
    if ask:
        what = " and ".join(dict.fromkeys(ask))
        return reader._ask(
            table,
            shown,
            f"How much {what} a day or a week (for example "
            '"1,000 IU a day", "one tablet a day" or "a glass of milk")?',
            [HIGH_D, LARGE_CA, USUAL],
            pending=shown,
            understood=f"Understood: {what}, amount not known yet.",
        )
    return reader._words(table, shown, words, extra=codes, used=frozenset(used))


def _reach(number: str) -> int:
    """How far after a number a tablet word may stand: a small count reaches past
    a two-word name ("one vitamin d tablet"); a dose ("1000 iu ...") does not."""
    value = numbers.to_float(number)
    return 4 if value is not None and value <= 10 else 3
