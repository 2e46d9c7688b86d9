"""Lab text: "calcium was 10.8 mg/dl", "Ca 2.7 mmol", "PTH 12 pmol/L", "phos 6.1 mg",
"high", "it was about 2.4".

A leading label is read when it names this lab (a label naming another lab is asked
about: "phos high" at the calcium question); "was", "about" and the like are read
past; a short unit counts when it fits exactly one accepted unit of the lab
("mmol", "mg", "pg", "per litre"); a number without a unit is asked about, never
assumed, and the unit typed in reply completes it. The value itself is checked by
:func:`chatbot.engine.medicine.labs.parse_lab_text` (possible values, confirmation
of far-from-normal ones).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from chatbot.engine import contract
from chatbot.engine.dialog.questions import Option, Question
from chatbot.engine.medicine.labs import (
    LabError,
    LabSpec,
    LabValue,
    extreme_message,
    parse_lab_text,
)
from chatbot.engine.reading import numbers
from chatbot.engine.reading.result import Reading
from chatbot.engine.reading.text import BREAK, fold, tokens
from chatbot.engine.reading.typos import deletions as _deletions
from chatbot.engine.reading.typos import distance as _osa
from chatbot.engine.reading.typos import max_edits as _max_edits

if TYPE_CHECKING:
    from chatbot.engine.reading.result import ReaderLike as Reader

# labels that may stand for this lab besides its own ("calcium 1.2" at ionised calcium)
_SPECIAL = re.compile(
    r"[-+]?(?:nan|inf(?:inity)?|[0-9.,]*[0-9]e[-+]?[0-9]+)(?:\s*\S.*)?", re.IGNORECASE
)
COMPATIBLE = {"ionized_calcium": {"calcium"}, "calcium": {"total_calcium"}}
BOUNDS = frozenset(
    {
        "over",
        "above",
        "under",
        "below",
        "less",
        "more",
        "<",
        ">",
        "upto",
        "greater",
        "lower",
        "higher",
        "least",
        "most",
        "than",
    }
)


def _longest(
    seq: list[tuple[int, str]], table: Mapping[tuple[str, ...], Any], k: int
) -> tuple[int, Any] | None:
    longest = max((len(p) for p in table), default=1)
    for length in range(min(longest, len(seq) - k), 0, -1):
        part = tuple(w for _, w in seq[k : k + length])
        if BREAK in part:
            continue
        if part in table:
            return length, table[part]
    return None


def read_lab(
    reader: Reader,
    question: Question,
    shown: str,
    offered: Sequence[Option],
    given: Mapping[str, Any],
    numbered: bool = False,
) -> Reading:
    table = reader.table(question, offered)
    spec = reader.labs.lab(question.id)
    units = spec.unit_names
    unit_text = ", ".join(units[:-1]) + f" or {units[-1]}" if len(units) > 1 else units[0]
    status = ", or say whether it was high, normal or low" if table.codes else ""
    how = f"Please type the value as a number with its unit ({unit_text}){status}."
    special = _special(reader, question, table, shown)
    if special is not None:
        return special
    words = _corrected(reader, tokens(fold(_as_on_letter(shown))))
    plain = [w for w in words if w != BREAK]
    if not plain:
        return reader._ask(table, shown, how)
    key = " ".join(w for w in plain if w not in numbers.SYMBOLS)
    if key in table.exact:
        return reader._done(table, shown, [table.exact[key]])
    if (
        numbered
        and len(plain) == 1
        and plain[0].isdigit()
        and len(plain[0]) == 1
        and int(plain[0]) <= len(table.codes)
    ):
        n = int(plain[0])
        return reader._done(table, shown, [contract.UNSURE if n == 0 else table.codes[n - 1]])
    used, others = _labels_in(reader, question, words)
    if others:
        name = (
            reader.labs.lab(others[0]).name
            if others[0] in reader.labs.labs
            else others[0].replace("_", " ")
        )
        if others[0] == "total_calcium":
            name = "total calcium"
        return reader._ask(
            table,
            shown,
            f"That sounds like your {name}, not your {spec.name}. What was your {spec.name}? {how}",
        )
    nums = [(i, w) for i, w in enumerate(words) if numbers.is_number(w) and i not in used]
    if len(nums) > 1:
        return reader._ask(table, shown, f"Please type one value for {spec.name}. {how}")
    if nums and BOUNDS & {w for w in words[: nums[0][0] + 1]}:
        return reader._ask(table, shown, f"Please type the value itself, not a limit. {how}")
    if nums:
        return _number_reading(
            reader, question, table, shown, words, nums[0], used, (how, unit_text)
        )
    # words only: a status
    result = reader._words(table, shown, words, used=frozenset(used))
    if result.ok:
        return result
    if not table.codes:
        return reader._ask(table, shown, how)
    return reader._ask(
        table, shown, result.ask or how, result.candidates, understood=result.understood
    )


# copied from a lab letter: "2.71 mmol/L (2.20-2.60) H": the reference range in
# brackets and a flag (H, L, HH, LL, *) after the value are read past
_NUM = r"[0-9]+(?:[.,][0-9]+)?"
_REF = r"(?:ref(?:erence)?\.?|normal|range|interval|deficient|insufficient|optimal|adequate|target)"
_RANGE = re.compile(
    rf"[(\[]\s*(?:{_REF}\s*:?\s*)*(?:{_NUM}\s*(?:-|–|to)\s*{_NUM}|"
    rf"[<>]=?\s*{_NUM})\s*[a-zA-Z/]*\s*[)\]]"
    rf"|\b{_REF}(?:\s*range)?\s*:?\s*{_NUM}\s*(?:-|–|to)\s*{_NUM}\s*[a-zA-Z/]*\s*$",
    re.IGNORECASE,
)
_FLAG = re.compile(r"(?<=[\w)\]])\s+(?:\(?(?:H|L|HH|LL)\)?|\*+)\s*$")


def _as_on_letter(shown: str) -> str:
    text = _RANGE.sub(" ", shown).strip()
    return _FLAG.sub("", text) if text != shown.strip() or _UNIT_END.search(text) else text


_UNIT_END = re.compile(r"[0-9]\s*[a-zA-Z]+/[a-zA-Z]+\s+\S+\s*$")


def _special(reader: Reader, question: Question, table: Any, shown: str) -> Reading | None:
    """nan, inf, 1e400: the lab check says why not."""
    if not _SPECIAL.fullmatch(shown.strip()):
        return None
    spec = reader.labs.lab(question.id)
    try:
        special = parse_lab_text(question.id, shown.strip(), reader.labs)
    except LabError as exc:
        return reader._ask(table, shown, exc.message)
    if isinstance(special, LabValue):
        return Reading(
            question.id,
            shown,
            special,
            {},
            None,
            f"Understood: {spec.name} {special.entered()}.",
            confirm=extreme_message(special, reader.labs),
            said=f"{spec.name} {special.entered()}",
        )
    return None


def _labels_in(reader: Reader, question: Question, words: list[str]) -> tuple[set[int], list[str]]:
    """The positions of lab labels among ``words``, and the other labs they name."""
    lex = reader.lex
    seq = [(i, w) for i, w in enumerate(words) if w not in lex.drop]
    used: set[int] = set()
    others: list[str] = []
    k = 0
    while k < len(seq):
        i, w = seq[k]
        if numbers.is_number(w) and (_longest(seq, lex.lab_labels, k) or (1,))[0] < 2:
            # a number, unless it starts a label ("25 OH vitamin D")
            k += 1
            continue
        unit = (
            _longest(
                [(j, x) for j, x in seq if x not in numbers.SYMBOLS],
                lex.short_units,
                [j for j, _ in seq if _ not in numbers.SYMBOLS].index(i),
            )
            if w not in numbers.SYMBOLS
            else None
        )
        found = _longest(seq, lex.lab_labels, k)
        if found is not None and (unit is None or found[0] >= unit[0]):
            length, lab = found
            if lab != question.id and lab not in COMPATIBLE.get(question.id, set()):
                others.append(lab)
            used |= {j for j, _ in seq[k : k + length]}
            k += length
            continue
        k += 1
    return used, others


def _exact_unit(rest: list[tuple[int, str]], spec: LabSpec) -> tuple[str | None, set[int]]:
    """An accepted unit as typed: "mg/dl", "mmol/l", "pg/ml" (and the positions read)."""
    joined = ""
    unit_used: set[int] = set()
    exact_unit = None
    for j, x in rest:  # an accepted unit as typed: "mg/dl", "mmol/l", "pg/ml"
        joined += x
        unit_used.add(j)
        if joined in spec.units:
            exact_unit = spec.units[joined].unit
            break
        if len(joined) > 8:
            break
    return exact_unit, unit_used


def _short_unit(
    reader: Reader,
    table: Any,
    shown: str,
    unit_words: list[tuple[int, str]],
    number: str,
    used: set[int],
    unit_text: str,
) -> tuple[str | None, Reading | None]:
    """The unit in short words ("mg per dl"): the unit, or the question to ask back (the
    unit's positions added to ``used``)."""
    lex = reader.lex
    spec = reader.labs.lab(table.qid)
    found = _longest(unit_words, lex.short_units, 0)
    if found is not None:
        length, candidates = found
        fits = [u for u in candidates if u.lower() in spec.units]
        used |= {j for j, _ in unit_words[:length]}
        if len(fits) == 1:
            return fits[0], None
        elif len(fits) > 1:
            return None, reader._ask(
                table,
                shown,
                f"Which unit: {' or '.join(fits)}?",
                pending=number,
                understood=f"Understood: {spec.name} {number}, unit not known yet.",
            )
        else:
            typed = re.search(r"[0-9][0-9.,]*\s*([^\s0-9][^\s]*)", shown)
            unit_typed = (
                typed.group(1) if typed is not None else " ".join(w for _, w in unit_words[:length])
            )
            return None, reader._ask(
                table,
                shown,
                f"{spec.title} cannot be given in {unit_typed}; please use {unit_text}.",
                pending=number,
            )
    return None, None


def _number_reading(
    reader: Reader,
    question: Question,
    table: Any,
    shown: str,
    words: list[str],
    num: tuple[int, str],
    used: set[int],
    texts: tuple[str, str],
) -> Reading:
    """A lab value typed as a number, with its unit or asking for it."""
    lex = reader.lex
    spec = reader.labs.lab(question.id)
    how, unit_text = texts
    at, number = num
    used.add(at)
    if at > 0 and words[at - 1] == "-":  # "-3 mg/dL": a negative value is refused
        number = "-" + number
        used.add(at - 1)
    rest = [(j, x) for j, x in enumerate(words) if j > at and x != BREAK]
    unit_words = [(j, x) for j, x in rest if x not in numbers.SYMBOLS]
    exact_unit, unit_used = _exact_unit(rest, spec)
    chosen: str | None = None
    if exact_unit is not None:
        chosen = exact_unit
        used |= unit_used
    elif unit_words:
        chosen, asked = _short_unit(reader, table, shown, unit_words, number, used, unit_text)
        if asked is not None:
            return asked
    chunk = re.search(r"[0-9][0-9.,]*\s*([^\s0-9][^\s]*)", shown)
    typed_unit = (
        tuple(t for t in tokens(fold(chunk.group(1))) if t not in numbers.SYMBOLS and t != BREAK)
        if chunk is not None
        else ()
    )
    if (
        chunk is not None
        and "/" in chunk.group(1)
        and exact_unit is None
        and typed_unit not in lex.short_units
    ):
        chosen = None  # "mg/dk": a whole unit as labs print them, but not one of these
    unit_like = (
        bool(unit_words)
        and unit_words[0][1] not in lex.lab_words
        and unit_words[0][1] not in table.vocab
    )
    if chosen is None and unit_like and exact_unit is None:
        # a unit that is none of the lab's: the lab check names what was typed
        found_at = re.search(r"[0-9][0-9.,]*", shown)
        if found_at is not None:
            try:
                parse_lab_text(question.id, shown[found_at.start() :].strip(), reader.labs)
            except LabError as exc:
                if exc.kind == "unit":
                    return reader._ask(table, shown, exc.message, pending=number)
    leftover = _leftover(reader, table, words, used)
    if leftover.unknown:
        return reader._ask(
            table,
            shown,
            f"I did not recognise {', '.join(repr_(w) for w in leftover.unknown)}. {how}",
        )
    if chosen is None:
        return reader._ask(
            table,
            shown,
            f"Please add the unit for {spec.name}: {unit_text}.",
            pending=number,
            understood=f"Understood: {spec.name} {number}, unit not known yet.",
        )
    try:
        value = parse_lab_text(question.id, f"{number} {chosen}", reader.labs)
    except LabError as exc:
        return reader._ask(table, shown, exc.message)
    if not isinstance(value, LabValue):  # pragma: no cover - a number is a value
        return reader._ask(table, shown, how)
    confirm = extreme_message(value, reader.labs)
    return Reading(
        question.id,
        shown,
        value,
        {},
        None,
        f"Understood: {spec.name} {value.entered()}.",
        confirm=confirm,
        said=f"{spec.name} {value.entered()}",
    )


_LAB_VOCAB: dict[int, tuple[frozenset[str], dict[str, frozenset[str]]]] = {}


def _corrected(reader: Reader, words: list[str]) -> list[str]:
    """Typos of label and unit words ("calcuim", "phosphat", "alubmin"), for words that
    are not English; a word two labels are equally close to is left as typed."""
    from chatbot.engine.reading import english

    found = _LAB_VOCAB.get(id(reader.lex))
    if found is None:
        vocab = frozenset(
            w
            for phrase in (*reader.lex.lab_labels, *reader.lex.short_units)
            for w in phrase
            if len(w) >= 4
        )
        collected: dict[str, set[str]] = {}
        for w in vocab:
            for d in _deletions(w, _max_edits(w)):
                collected.setdefault(d, set()).add(w)
        found = (vocab, {k: frozenset(v) for k, v in collected.items()})
        _LAB_VOCAB[id(reader.lex)] = found
    vocab, deletes = found
    out = []
    for w in words:
        if (
            len(w) >= 5
            and w not in vocab
            and w.isalpha()
            and w not in reader.lex.known
            and not english.is_english(w)
        ):
            edits = _max_edits(w)
            dist = {c: _osa(w, c) for d in _deletions(w, edits) for c in deletes.get(d, ())}
            close = {c: n for c, n in dist.items() if n <= edits}
            if close:
                best = min(close.values())
                top = [c for c, n in close.items() if n == best]
                if len(top) == 1:
                    w = top[0]
        out.append(w)
    return out


class _Left:
    def __init__(self, unknown: list[str]):
        self.unknown = unknown


def _leftover(reader: Reader, table: Any, words: list[str], used: set[int]) -> _Left:
    """Words beside a value that are neither lab words nor a status ("high, 11.8 mg/dL")."""
    lex = reader.lex
    rest = [w if i not in used else BREAK for i, w in enumerate(words)]
    items, _ = reader.scan(table, rest)
    unknown = [
        " ".join(it.words)
        for it in items
        if it.kind in ("unknown", "num", "doubt", "neg") and it.words[0] not in lex.lab_words
    ]
    return _Left(unknown)


def repr_(word: str) -> str:
    return f'"{word}"'
