"""Numbers in typed answers: number words, ages, pain scores, sizes, counts and doses.

Every function takes the folded tokens of :func:`chatbot.engine.reading.text.tokens`
and the :class:`~chatbot.engine.reading.lexicon.Lexicon` (which holds the bands),
and returns what it found plus the positions of the tokens it used, so that the
reader can account for every word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from chatbot.engine.reading.lexicon import Lexicon

SYMBOLS = frozenset({"/", "-", "~", "<", ">", "=", "+"})
_DECIMAL = re.compile(r"^\d*[.,]?\d+$")
_THOUSANDS = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_TENS = {20, 30, 40, 50, 60, 70, 80, 90}


def is_number(token: str) -> bool:
    return bool(token) and (token[0].isdigit() or (token[0] == "." and token[1:].isdigit()))


def to_float(token: str) -> float | None:
    """``"50,000"`` is fifty thousand; ``"2,9"`` and ``"2.9"`` are two point nine."""
    if _THOUSANDS.match(token):
        return float(token.replace(",", ""))
    if _DECIMAL.match(token):
        return float(token.replace(",", "."))
    return None


def numerals(
    words: list[str], lex: Lexicon, *, articles: frozenset[str] = frozenset()
) -> tuple[list[str], list[list[int]]]:
    """Number words made digits: ``seventy three`` -> ``73``; ``a`` / ``an`` count as one
    only before a word in ``articles`` (such as "a week old"). Returns the new tokens and,
    for each, the positions of the tokens it came from."""
    out: list[str] = []
    where: list[list[int]] = []
    i = 0
    while i < len(words):
        word = words[i]
        value = lex.number_words.get(word)
        nxt = words[i + 1] if i + 1 < len(words) else ""
        if word == "half" and nxt in ("a", "an"):
            out.append("0.5")
            where.append([i, i + 1])
            i += 2
            continue
        if word in ("a", "an", "half"):
            value = 1.0 if word != "half" and nxt in articles else None
        if value is None:
            out.append(word)
            where.append([i])
            i += 1
            continue
        total, used = value, [i]
        j = i + 1
        if (
            value in _TENS
            and j + 1 < len(words)
            and words[j] == "-"
            and words[j + 1] in lex.number_words
        ):
            used.append(j)
            j += 1
        if value in _TENS and j < len(words):
            unit = lex.number_words.get(words[j])
            if unit is not None and 1 <= unit <= 9:
                total += unit
                used.append(j)
                j += 1
        if j < len(words) and words[j] == "hundred":
            total = (total or 1) * 100
            used.append(j)
            j += 1
            if j + 1 < len(words) and words[j] == "and" and words[j + 1] in lex.number_words:
                extra = lex.number_words[words[j + 1]]
                if extra < 100:
                    total += extra
                    used += [j, j + 1]
                    j += 2
        out.append(_fmt(total))
        where.append(used)
        i = j
    return out, where


def _fmt(x: float) -> str:
    return str(int(x)) if x == int(x) else str(x)


# ----------------------------------------------------------------------------- ages


@dataclass(frozen=True)
class Age:
    value: float
    unit: str  # days | weeks | months | years

    @property
    def years(self) -> float:
        return (
            self.value / {"days": 365.25, "weeks": 52.18, "months": 12.0, "years": 1.0}[self.unit]
        )

    def as_answer(self) -> dict[str, float | str]:
        value: float | int = int(self.value) if self.value == int(self.value) else self.value
        return {"value": value, "unit": self.unit}

    def said(self) -> str:
        value = _fmt(self.value)
        unit = self.unit[:-1] if value == "1" else self.unit
        return f"{value} {unit}"


AGE_BOUNDS = frozenset(
    {
        "under",
        "over",
        "below",
        "above",
        "less",
        "more",
        "than",
        "nearly",
        "almost",
        "between",
        "till",
        "until",
        "younger",
        "older",
        "about",
        "around",
        "roughly",
        "approximately",
        "approx",
        "ish",
        "plus",
        "+",
        "<",
        ">",
        "-",
        "or",
        "to",
    }
)


@dataclass(frozen=True)
class AgeFound:
    age: Age | None = None  # an exact age
    used: frozenset[int] = frozenset()  # positions of the original tokens used
    problem: str = ""  # an age that cannot be (asks back)
    bounded: bool = False  # a number with "under", "over", "about", ...


def find_age(words: list[str], lex: Lexicon) -> AgeFound | None:
    """An age typed at the age question: "62", "3 weeks old", "she's 7", "seventy three".
    ``None`` when the text has no number."""
    unit_words = set(lex.age_units)
    conv, where = numerals(words, lex, articles=frozenset(unit_words))
    found = [(k, t) for k, t in enumerate(conv) if is_number(t)]
    if not found:
        return None
    if (
        len(found) == 2
        and found[1][0] == found[0][0] + 2
        and conv[found[0][0] + 1] in ("or", "to", "-")
    ):
        # "10 or 11", "30-40": an age between, read only as an age group
        low, high = to_float(found[0][1]), to_float(found[1][1])
        unit = (
            lex.age_units.get(conv[found[1][0] + 1], "years")
            if found[1][0] + 1 < len(conv)
            else "years"
        )
        if low is not None and high is not None and 0 < low <= high:
            used = {p for k in range(found[0][0], found[1][0] + 1) for p in where[k]}
            return AgeFound(age=Age(high, unit), used=frozenset(used), bounded=True)
    if len(found) > 1:
        return AgeFound(problem="several", used=frozenset(p for k, _ in found for p in where[k]))
    k, token = found[0]
    value = to_float(token)
    used = set(where[k])
    unit = "years"
    nxt = conv[k + 1] if k + 1 < len(conv) else ""
    if nxt in unit_words and not (
        nxt in ("m", "d", "w", "y") and k + 2 < len(conv) and conv[k + 2] not in ("old", ",")
    ):
        unit = lex.age_units[nxt]
        used |= set(where[k + 1])
        if k + 2 < len(conv) and conv[k + 2] == "old":
            used |= set(where[k + 2])
    elif nxt in ("yrs", "yo"):  # pragma: no cover - listed in the units
        pass
    before = conv[k - 1] if k > 0 else ""
    bounded = before in AGE_BOUNDS or nxt in AGE_BOUNDS - {"old"}
    if nxt == "s":  # "in his 80s": a decade, read only as an age group
        used |= set(where[k + 1])
        bounded = True
    if value is None:
        return AgeFound(problem="number", used=frozenset(used))
    age = Age(value, unit)
    if value <= 0 or age.years > lex.age_max_years:
        return AgeFound(age=None, used=frozenset(used), problem="range")
    return AgeFound(age=age, used=frozenset(used), bounded=bounded)


def age_group(age: Age) -> str:
    years = age.years
    if years < 1:
        return "infant"
    return "child" if years < 18 else "adult"


# ----------------------------------------------------------------------------- scores, sizes


@dataclass(frozen=True)
class Found:
    value: float
    used: frozenset[int]
    high: float | None = None  # the top of a range ("3 or 4", "1-2 cm")


def _range_at(words: list[str], k: int) -> tuple[float, float, list[int]] | None:
    """A number at ``k``, or a range "3 or 4", "3-4", "3 to 4" starting there."""
    low = to_float(words[k])
    if low is None:
        return None
    if k + 2 < len(words) and words[k + 1] in ("or", "-", "to") and is_number(words[k + 2]):
        high = to_float(words[k + 2])
        if high is not None and high >= low:
            return low, high, [k, k + 1, k + 2]
    return low, low, [k]


def pain_scores(words: list[str], lex: Lexicon) -> Found | None:
    """ "8/10", "7 out of 10", "about a 6 out of ten": the highest score."""
    conv, where = numerals(words, lex)
    for k, token in enumerate(conv):
        if not is_number(token):
            continue
        span = _range_at(conv, k)
        if span is None:
            continue
        _low, high, at = span
        end = at[-1] + 1
        tail: list[int] = []
        if end + 1 < len(conv) and conv[end] == "/" and conv[end + 1] == "10":
            tail = [end, end + 1]
        elif (
            end + 2 < len(conv)
            and conv[end] in ("out", "outta")
            and conv[end + 1] == "of"
            and conv[end + 2] == "10"
        ):
            tail = [end, end + 1, end + 2]
        elif end + 2 < len(conv) and conv[end] == "out" and conv[end + 1] == "10":
            tail = [end, end + 1]
        if not tail or high > 10:
            continue
        used = {p for q in at + tail for p in where[q]}
        return Found(high, frozenset(used), high)
    return None


_MM = {
    "mm": 1.0,
    "millimetre": 1.0,
    "millimetres": 1.0,
    "millimeter": 1.0,
    "millimeters": 1.0,
    "cm": 10.0,
    "cms": 10.0,
    "centimetre": 10.0,
    "centimetres": 10.0,
    "centimeter": 10.0,
    "centimeters": 10.0,
    "inch": 25.4,
    "inches": 25.4,
    "in": 25.4,
}


def sizes_mm(words: list[str], lex: Lexicon) -> Found | None:
    """ "about 2 cm", "5mm", "1-2 cm", "half an inch": the largest size, in millimetres."""
    conv, where = numerals(words, lex, articles=frozenset({"inch", "centimetre", "cm"}))
    best: Found | None = None
    for k, token in enumerate(conv):
        if not is_number(token):
            continue
        span = _range_at(conv, k)
        if span is None:
            continue
        _low, high, at = span
        end = at[-1] + 1
        if end < len(conv) and conv[end] in _MM:
            factor = _MM[conv[end]]
            used = {p for q in [*at, end] for p in where[q]}
            size = Found(high * factor, frozenset(used), high * factor)
            if best is None or size.value > best.value:
                best = Found(size.value, best.used | size.used if best else size.used)
    return best


def size_code(mm: float, lex: Lexicon) -> str:
    if mm <= lex.size_small_max:
        return "small"
    return "medium" if mm <= lex.size_medium_max else "large"


def pain_code(score: float, lex: Lexicon) -> str | None:
    if score <= lex.pain_none_max:
        return "none"
    if score <= lex.pain_mild_max:
        return "mild"
    return "severe" if score >= lex.pain_severe_min else None


def counts(words: list[str], lex: Lexicon) -> Found | None:
    """A number of lumps: "3 or 4", "two", "about 20" (the highest)."""
    conv, where = numerals(words, lex)
    for k, token in enumerate(conv):
        if not is_number(token):
            continue
        span = _range_at(conv, k)
        if span is None:
            continue
        _low, high, at = span
        used = {p for q in at for p in where[q]}
        return Found(high, frozenset(used), high)
    return None


# ----------------------------------------------------------------------------- doses

_IU = {"iu", "ius", "units", "unit", "u", "iu s"}
_MICRO = {"mcg", "ug", "microgram", "micrograms", "mcgs"}
_MG = {"mg", "mgs", "milligram", "milligrams"}
_G = {"g", "gram", "grams"}
_PER = {"a", "per", "each", "every", "/", "an", "x"}
_DAY = {
    "day": 1.0,
    "daily": 1.0,
    "days": 1.0,
    "week": 7.0,
    "weekly": 7.0,
    "weeks": 7.0,
    "month": 30.0,
    "monthly": 30.0,
    "months": 30.0,
    "fortnight": 14.0,
    "night": 1.0,
    "nightly": 1.0,
    "morning": 1.0,
}


@dataclass(frozen=True)
class Dose:
    amount: float
    unit: str  # iu | mg
    per_days: float  # the dose is taken once every so many days (1 when not said)
    used: frozenset[int]
    period_said: bool

    @property
    def per_day(self) -> float:
        return self.amount / self.per_days


def doses(words: list[str], lex: Lexicon) -> list[Dose]:
    """Doses: "1000 IU a day", "50,000 units a week", "25 mcg daily", "1200mg"."""
    conv, where = numerals(words, lex)
    out: list[Dose] = []
    for k, token in enumerate(conv):
        value = to_float(token) if is_number(token) else None
        if value is None or k + 1 >= len(conv):
            continue
        unit_word = conv[k + 1]
        if unit_word in _IU:
            amount, unit = value, "iu"
        elif unit_word in _MICRO:
            amount, unit = value * lex.iu_per_microgram, "iu"
        elif unit_word in _MG:
            amount, unit = value, "mg"
        elif unit_word in _G:
            amount, unit = value * 1000, "mg"
        else:
            continue
        used = [k, k + 1]
        per, said = 1.0, False
        j = k + 2
        if j < len(conv) and conv[j] in _DAY:
            per, said = _DAY[conv[j]], True
            used.append(j)
        elif j + 1 < len(conv) and conv[j] in _PER and conv[j + 1] in _DAY:
            per, said = _DAY[conv[j + 1]], True
            used += [j, j + 1]
        elif (
            j + 2 < len(conv) and conv[j] in _PER and is_number(conv[j + 1]) and conv[j + 2] in _DAY
        ):
            n = to_float(conv[j + 1]) or 1.0
            per, said = _DAY[conv[j + 2]] * n, True
            used += [j, j + 1, j + 2]
        out.append(Dose(amount, unit, per, frozenset(p for q in used for p in where[q]), said))
    return out
