"""Lab values: reading what a person typed, checking it, and interpreting it.

Every number (conversion factors, reference ranges by age, refuse and confirm
limits, the albumin correction, Ca x P thresholds, hypercalcaemia grades) comes
from ``content/labs.yaml``, read once by :func:`load_lab_table` into a frozen
:class:`LabTable`. The functions here do no I/O and are cheap: regexes are
compiled at import and every unit's limits are converted when the table loads.

* :func:`parse_lab_text` reads what a person types (``"2,9 mmol/L"``, ``"high"``,
  and, with the engine's table, words such as ``"it was high"`` or ``"hihg"``);
* :func:`lab_from_answer` reads what an answers file holds
  (``{value: 11.8, unit: mg/dL}`` or ``high``);
* :func:`extreme_message` asks to confirm a possible but far-from-normal value;
* :func:`interpret` classifies all four labs for an age group, corrects calcium
  for albumin, and works out the Ca x P product and the hypercalcaemia grade.

Problems with a value raise :class:`LabError`, whose message is one calm
sentence for a person saying what was wrong and what is allowed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Any, ClassVar, Literal

from chatbot.engine import contract
from chatbot.engine.schema import (
    NOT_EMPTY,
    NOWHERE,
    OneOf,
    Place,
    SourceKeys,
    Table,
    meta,
    read,
    shape,
)
from chatbot.engine.yamlio import YamlError, load_file

LAB_IDS: tuple[str, ...] = tuple(contract.LAB_UNITS)
BASE_UNITS: dict[str, str] = {
    "calcium": "mg/dL",
    "phosphate": "mg/dL",
    "albumin": "g/dL",
    "pth": "pg/mL",
    "ionized_calcium": "mmol/L",
    "vitamin_d_level": "ng/mL",
}
AGE_GROUPS: tuple[str, ...] = contract.QUESTIONS["age_group"][1]
STATUSES: tuple[str, ...] = ("high", "normal", "low", contract.UNSURE)
ERROR_KINDS: frozenset[str] = frozenset({"syntax", "no_unit", "unit", "impossible"})
CAXP_LEVELS: tuple[str, ...] = ("normal", "raised", "high")

MEASUREMENT = "measurement"
STATUS = "status"
UNANSWERED = "unanswered"


# --------------------------------------------------------------------------- errors


class LabError(ValueError):
    """One clear sentence for a person: what was wrong and what is allowed."""

    def __init__(self, message: str, kind: str) -> None:
        if kind not in ERROR_KINDS:
            raise ValueError(f"unknown LabError kind {kind!r}")
        super().__init__(message)
        self.message = message
        self.kind = kind

    def __str__(self) -> str:
        return self.message


class LabTableError(ValueError):
    """A broken ``labs.yaml``: every problem, each starting with "file, line N:"."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


# --------------------------------------------------------------------------- the table


@dataclass(frozen=True)
class Limits:
    """An inclusive interval; ``None`` means no limit on that side."""

    low: float | None
    high: float | None

    def below(self, value: float) -> bool:
        return self.low is not None and value < self.low

    def above(self, value: float) -> bool:
        return self.high is not None and value > self.high

    def contains(self, value: float) -> bool:
        return not self.below(value) and not self.above(value)


@dataclass(frozen=True)
class UnitSpec:
    """One accepted unit of a lab, with the lab's limits converted into it."""

    unit: str  # as the contract spells it
    factor: float  # value in this unit x factor = value in the base unit
    decimals: int  # precision of limits shown and checked in this unit
    refuse: Limits  # in this unit
    confirm: Limits  # in this unit


# Days per unit of an exact age (contract: days, weeks, months, years).
AGE_UNIT_DAYS: Mapping[str, float] = MappingProxyType(
    {"days": 1.0, "weeks": 7.0, "months": 365.25 / 12, "years": 365.25}
)
ADULT_DAYS = 18 * 365.25
INFANT_BELOW_DAYS = 365.25


def age_in_days(value: float, unit: str) -> float:
    """An exact age (``{value: 3, unit: weeks}``) in days."""
    return float(value) * AGE_UNIT_DAYS[unit.lower()]


def exact_age_days(raw: object) -> float | None:
    """The exact age in days from an ``age`` answer (``{value: 62, unit: years}``, or any
    object with ``value`` and ``unit``); None when it is not a usable age."""
    if isinstance(raw, Mapping):
        value, unit = raw.get("value"), raw.get("unit")
    else:
        value, unit = getattr(raw, "value", None), getattr(raw, "unit", None)
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not isinstance(unit, str)
        or unit.lower() not in AGE_UNIT_DAYS
    ):
        return None
    days = age_in_days(value, unit)
    return days if math.isfinite(days) and days > 0 else None


def age_group_of(age_days: float) -> str:
    """The contract's age group of an exact age (under 1 year, 1-17, 18 or more)."""
    if age_days < INFANT_BELOW_DAYS:
        return "infant"
    return "child" if age_days < ADULT_DAYS else "adult"


@dataclass(frozen=True)
class AgeBand:
    """A reference range for ages below ``below_days`` (and above the previous band)."""

    below_days: float
    limits: Limits


@dataclass(frozen=True)
class LabSpec:
    """Everything the table says about one lab."""

    lab: str
    name: str  # as shown to people ("calcium", "PTH")
    base_unit: str
    units: Mapping[str, UnitSpec]  # keyed by the lower-case unit
    ranges: Mapping[str, Limits]  # age group -> reference range, base unit
    refuse: Limits  # base unit
    confirm: Limits  # base unit
    statuses: tuple[str, ...]  # status codes besides ``unsure``
    # reference ranges by exact age (clinical.md 8.3), youngest first; an age at
    # or above the last band's end uses the adult range
    by_age: tuple[AgeBand, ...] = ()

    def range_for(self, group: str, age_days: float | None) -> Limits:
        """The reference range for the exact age when known, else for the age group."""
        if age_days is None or not self.by_age:
            return self.ranges[group]
        for band in self.by_age:
            if age_days < band.below_days:
                return band.limits
        return self.ranges["adult"]

    @property
    def unit_names(self) -> tuple[str, ...]:
        return tuple(spec.unit for spec in self.units.values())

    @property
    def title(self) -> str:
        return self.name[:1].upper() + self.name[1:]


@dataclass(frozen=True)
class Grade:
    """A hypercalcaemia grade on corrected calcium: ``low <= value < below``."""

    name: str
    low: float
    below: float | None

    def contains(self, value: float) -> bool:
        return value >= self.low and (self.below is None or value < self.below)


@dataclass(frozen=True)
class LabTable:
    """A frozen, typed view of ``content/labs.yaml``."""

    labs: Mapping[str, LabSpec]
    decimals: int  # base-unit values are compared and shown at this precision
    unknown_age_group: str
    correction_factor: float  # mg/dL calcium per g/dL albumin
    correction_reference: float  # g/dL
    correction_unreliable_below: float  # g/dL
    caxp_unit: str
    caxp_raised: float
    caxp_high: float
    grades: tuple[Grade, ...]
    source_keys: frozenset[str] = field(default_factory=frozenset)
    # (raised, high) for age groups whose normal calcium and phosphate make a
    # larger product than the adult thresholds allow; others use the defaults.
    caxp_by_age: Mapping[str, tuple[float, float]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    # Typed words as a status: (lab id, text) -> high | normal | low | unsure, or
    # None when the words are not one (may raise LabError to ask back). Set by
    # the engine loader from dialogs/ (chatbot.engine.reading.matching.lab_status_reader),
    # so that people may type "It was high" or "hihg"; without it only the
    # exact status words are known. Answers files never use it.
    read_words: Callable[[str, str], str | None] | None = field(
        default=None, compare=False, repr=False
    )
    # The albumin the correction aims at, by exact age (below_days, g/dL), youngest
    # first; other ages use ``correction_reference`` (clinical.md 8.3).
    correction_reference_by_age: tuple[tuple[float, float], ...] = ()
    # An ionised calcium (mmol/L) at or above this counts as severe (clinical.md 8.2).
    ionized_severe_from: float | None = None
    # (file and line, source key) of every source cited, for ``calcinosis validate``
    cited: tuple[tuple[str, str], ...] = field(default=(), compare=False, repr=False)

    def correction_reference_for(self, age_days: float | None) -> float:
        """The reference albumin (g/dL) of the correction for an exact age."""
        if age_days is not None:
            for below_days, value in self.correction_reference_by_age:
                if age_days < below_days:
                    return value
        return self.correction_reference

    def caxp_limits(self, age_group: str) -> tuple[float, float]:
        """The (raised, high) Ca x P thresholds for an age group."""
        return self.caxp_by_age.get(age_group, (self.caxp_raised, self.caxp_high))

    def lab(self, lab: str) -> LabSpec:
        """The spec of one lab; ``ValueError`` for an id that is not a lab."""
        try:
            return self.labs[lab]
        except KeyError:
            raise ValueError(f"{lab!r} is not a lab; labs: {', '.join(self.labs)}") from None


# --------------------------------------------------------------------------- the file's shape

_Sources = Annotated[SourceKeys, NOT_EMPTY]
_AgeUnit = Literal["days", "weeks", "months", "years"]


@shape
class _Sourced:
    WHAT: ClassVar[str] = "a value with its sources"
    value: float
    sources: _Sources
    choice: bool = False
    place: Place = field(default=NOWHERE, compare=False)


@shape
class _Range:
    WHAT: ClassVar[str] = "a range with its sources"
    low: float
    high: float
    sources: _Sources
    choice: bool = False
    place: Place = field(default=NOWHERE, compare=False)


@shape
class _Bounds:
    WHAT: ClassVar[str] = "limits with their sources"
    sources: _Sources
    low: float | None = None
    high: float | None = None
    choice: bool = False
    place: Place = field(default=NOWHERE, compare=False)


@shape
class _Unit:
    WHAT: ClassVar[str] = "a unit"
    factor: float
    decimals: int
    sources: _Sources
    choice: bool = False
    place: Place = field(default=NOWHERE, compare=False)


@shape
class _RangeBand:
    WHAT: ClassVar[str] = "an age band"
    below: float
    unit: _AgeUnit
    low: float
    high: float
    sources: _Sources
    choice: bool = False
    place: Place = field(default=NOWHERE, compare=False)


@shape
class _ValueBand:
    WHAT: ClassVar[str] = "an age band"
    below: float
    unit: _AgeUnit
    value: float
    sources: _Sources
    choice: bool = False
    place: Place = field(default=NOWHERE, compare=False)


@shape
class _AgeRanges:
    """One range per age group of the contract (tests/test_labs.py keeps them equal)."""

    WHAT: ClassVar[str] = "the reference ranges by age group"
    infant: _Range
    child: _Range
    adult: _Range
    place: Place = field(default=NOWHERE, compare=False)


@shape
class _Lab:
    WHAT: ClassVar[str] = "a lab"
    name: Annotated[str, NOT_EMPTY]
    base_unit: str
    units: Table[_Unit]
    ranges: _AgeRanges
    refuse: _Range
    confirm: _Bounds
    by_age: Annotated[tuple[_RangeBand, ...], NOT_EMPTY] = ()
    place: Place = field(default=NOWHERE, compare=False)


@shape
class _Labs:
    """One entry per lab of the contract (tests/test_labs.py keeps them equal)."""

    WHAT: ClassVar[str] = "the labs"
    calcium: _Lab
    phosphate: _Lab
    albumin: _Lab
    pth: _Lab
    ionized_calcium: _Lab
    vitamin_d_level: _Lab


@shape
class _Precision:
    WHAT: ClassVar[str] = "the precision"
    decimals: int
    sources: _Sources
    choice: bool = False
    place: Place = field(default=NOWHERE, compare=False)


@shape
class _Correction:
    WHAT: ClassVar[str] = "the albumin correction"
    factor: _Sourced
    reference_albumin: _Sourced
    unreliable_below: _Sourced
    reference_albumin_by_age: Annotated[tuple[_ValueBand, ...], NOT_EMPTY] = ()


@shape
class _GroupCaxp:
    WHAT: ClassVar[str] = "the Ca x P thresholds of an age group"
    raised: _Sourced | None = None
    high: _Sourced | None = None
    place: Place = field(default=NOWHERE, compare=False)


@shape
class _CaxpByAge:
    WHAT: ClassVar[str] = "Ca x P thresholds by age group"
    infant: _GroupCaxp | None = None
    child: _GroupCaxp | None = None
    adult: _GroupCaxp | None = None


@shape
class _Caxp:
    WHAT: ClassVar[str] = "the calcium x phosphate product"
    unit: Annotated[str, NOT_EMPTY]
    raised: _Sourced
    high: _Sourced
    by_age: _CaxpByAge = _CaxpByAge()
    place: Place = field(default=NOWHERE, compare=False)


@shape
class _Grade:
    WHAT: ClassVar[str] = "a hypercalcaemia grade"
    grade: Annotated[str, NOT_EMPTY]
    start: float = field(metadata=meta(key="from"))
    sources: _Sources
    below: float | None = None  # none only for the last grade
    place: Place = field(default=NOWHERE, compare=False)


@shape
class _LabsFile:
    WHAT: ClassVar[str] = "content/labs.yaml"
    precision: _Precision
    unknown_age_group: Annotated[str, OneOf(AGE_GROUPS)]
    labs: _Labs
    albumin_correction: _Correction
    calcium_phosphate_product: _Caxp
    hypercalcemia_grades: Annotated[tuple[_Grade, ...], NOT_EMPTY]
    ionized_calcium_severe_from: _Sourced | None = None
    place: Place = field(default=NOWHERE, compare=False)


# --------------------------------------------------------------------------- numbers and ranges


@cache
def _keys_of(cls: type) -> tuple[tuple[str, str], ...]:
    """(field, YAML key) of a declared class, its place left out."""
    return tuple((f.name, f.metadata.get("key", f.name)) for f in fields(cls) if f.name != "place")


_Path = tuple[str | int, ...]  # keys, and list positions from 0; joined only for a message


def _path(at: _Path) -> str:
    """("labs", "calcium", "units") -> "labs: calcium: units"; a position is "item N"."""
    return ": ".join(f"item {p + 1}" if isinstance(p, int) else p for p in at)


def _parts(spec: Any) -> list[tuple[Any, _Path]]:
    """Every declared object in ``spec`` with its path."""
    out: list[tuple[Any, _Path]] = []
    todo: list[tuple[Any, _Path]] = [(spec, ())]
    while todo:
        node, at = todo.pop()
        if isinstance(node, tuple):
            todo.extend((item, (*at, i)) for i, item in enumerate(node))
        elif isinstance(node, Mapping):
            todo.extend((item, (*at, key)) for key, item in node.items())
        elif hasattr(type(node), "__dataclass_fields__"):
            out.append((node, at))
            keys = _keys_of(type(node))  # type: ignore[arg-type]  # a class is hashable
            todo.extend((getattr(node, name), (*at, key)) for name, key in keys)
    return out


_NUMBERS = {"value": "value", "low": "low", "high": "high", "factor": "factor"}
_NUMBERS.update(below="below", start="from")


def _number_problems(parts: list[tuple[Any, _Path]]) -> list[str]:
    """Every number finite and more than zero (a refused low may be zero)."""
    problems = []
    for node, at in parts:
        for name, key in _NUMBERS.items():
            value = getattr(node, name, None)
            if not isinstance(value, float) or (math.isfinite(value) and value > 0):
                continue
            where = node.place.where(key)
            if not math.isfinite(value):
                problems.append(f"{where}: {_path(at)}: {key} must be a number, not {value!r}")
            elif value < 0 or not (key == "low" and at[-1:] == ("refuse",)):
                problems.append(
                    f"{where}: {_path(at)}: {key} must be more than zero, not {value!r}"
                )
    return problems


def _limits(spec: _Range | _Bounds, what: str, problems: list[str]) -> Limits:
    """Low below high; one of them at least."""
    if spec.low is None and spec.high is None:
        problems.append(f"{spec.place.where()}: {what} needs low, high or both")
    if spec.low is not None and spec.high is not None and spec.low >= spec.high:
        problems.append(f"{spec.place.where()}: {what} low must be below high")
    return Limits(spec.low, spec.high)


def _inside(inner: Limits, outer: Limits) -> bool:
    """Whether ``inner`` lies within ``outer`` (an open side of ``inner`` is not checked)."""
    low_ok = outer.low is None or inner.low is None or inner.low >= outer.low
    high_ok = outer.high is None or inner.high is None or inner.high <= outer.high
    return low_ok and high_ok


def _convert_limits(limits: Limits, factor: float, decimals: int) -> Limits:
    """Base-unit limits in another unit, rounded to that unit's precision."""

    def conv(x: float | None) -> float | None:
        return None if x is None else round(x / factor, decimals)

    return Limits(conv(limits.low), conv(limits.high))


def _decimals(spec: _Unit | _Precision, what: str, problems: list[str]) -> None:
    if not 0 <= spec.decimals <= 6:
        problems.append(
            f"{spec.place.where('decimals')}: {what}: decimals must be a whole number 0-6"
        )


def _load_units(
    table: Table[_Unit], lab: str, base_unit: str, refuse: Limits, confirm: Limits, p: list[str]
) -> dict[str, UnitSpec]:
    what = f"labs: {lab}: units"
    expected = contract.LAB_UNITS[lab]
    if set(table) != set(expected):
        p.append(
            f"{table.place.where()}: {what} must be exactly {', '.join(expected)} (the "
            f"contract's units), not {', '.join(map(str, table))}"
        )
        return {}
    units: dict[str, UnitSpec] = {}
    for unit in expected:
        spec = table[unit]
        _decimals(spec, f"{what}: {unit}", p)
        if unit == base_unit and spec.factor != 1:
            p.append(
                f"{spec.place.where('factor')}: {what}: {unit} is the base unit, so its "
                "factor must be 1"
            )
        units[unit.lower()] = UnitSpec(
            unit,
            spec.factor,
            spec.decimals,
            _convert_limits(refuse, spec.factor, spec.decimals),
            _convert_limits(confirm, spec.factor, spec.decimals),
        )
    return units


def _age_bands(
    bands: Sequence[_RangeBand | _ValueBand], what: str, p: list[str]
) -> list[tuple[float, Limits]]:
    """A ``by_age`` list, youngest first: (below this age in days, its limits)."""
    out: list[tuple[float, Limits]] = []
    previous = 0.0
    for index, band in enumerate(bands):
        at = f"{what}: item {index + 1}"
        below = age_in_days(band.below, band.unit)
        if below <= previous:
            p.append(f"{band.place.where('below')}: {at}: the bands must go from the youngest up")
        previous = below
        if isinstance(band, _RangeBand):
            if band.low >= band.high:
                p.append(f"{band.place.where('low')}: {at}: low must be below high")
            out.append((below, Limits(band.low, band.high)))
        else:
            out.append((below, Limits(band.value, None)))
    return out


def _load_lab(spec: _Lab, lab: str, p: list[str]) -> LabSpec:
    what = f"labs: {lab}"
    if spec.base_unit != BASE_UNITS[lab]:
        p.append(f"{spec.place.where('base_unit')}: {what}: base_unit must be {BASE_UNITS[lab]}")
    refuse = _limits(spec.refuse, f"{what}: refuse", p)
    confirm = _limits(spec.confirm, f"{what}: confirm", p)
    if not _inside(confirm, refuse):
        p.append(
            f"{spec.place.where('confirm')}: {what}: the confirm limits must lie inside "
            "the refuse limits"
        )
    ranges: dict[str, Limits] = {}
    for group in AGE_GROUPS:
        ranges[group] = _limits(getattr(spec.ranges, group), f"{what}: ranges: {group}", p)
        if not _inside(ranges[group], confirm):
            p.append(
                f"{spec.ranges.place.where(group)}: {what}: ranges: {group} must lie inside "
                "the confirm limits"
            )
    units = _load_units(spec.units, lab, spec.base_unit, refuse, confirm, p)
    bands = _age_bands(spec.by_age, f"{what}: by_age", p)
    for (below, limits), band in zip(bands, spec.by_age, strict=True):
        if not _inside(limits, confirm):
            p.append(
                f"{band.place.where()}: {what}: by_age: the range below {below:g} days must "
                "lie inside the confirm limits"
            )
    return LabSpec(
        lab,
        spec.name.strip(),
        spec.base_unit,
        MappingProxyType(units),
        MappingProxyType(ranges),
        refuse,
        confirm,
        contract.QUESTIONS[lab][1],
        tuple(AgeBand(below, limits) for below, limits in bands),
    )


def _load_grades(grades: tuple[_Grade, ...], p: list[str]) -> tuple[Grade, ...]:
    out: list[Grade] = []
    for index, spec in enumerate(grades):
        what = f"hypercalcemia_grades: item {index + 1}"
        last = index == len(grades) - 1
        if last and spec.below is not None:
            p.append(f"{spec.place.where('below')}: {what}: the last grade has no 'below'")
        if not last and spec.below is None:
            p.append(f"{spec.place.where()}: {what}: missing 'below' (where the next grade starts)")
        if spec.below is not None and spec.below <= spec.start:
            p.append(f"{spec.place.where('below')}: {what}: below must be more than from")
        if out and out[-1].below != spec.start:
            p.append(
                f"{spec.place.where('from')}: {what}: from must equal the previous grade's below"
            )
        out.append(Grade(spec.grade, spec.start, None if last else spec.below))
    return tuple(out)


def _caxp_by_age(spec: _Caxp, p: list[str]) -> dict[str, tuple[float, float]]:
    """(raised, high) for the age groups that differ from the defaults."""
    raised, high = spec.raised.value, spec.high.value
    if raised >= high:
        p.append(
            f"{spec.place.where('raised')}: calcium_phosphate_product: raised must be below high"
        )
    by_age: dict[str, tuple[float, float]] = {}
    for group in AGE_GROUPS:
        node = getattr(spec.by_age, group)
        if node is None:
            continue
        group_raised = node.raised.value if node.raised else raised
        group_high = node.high.value if node.high else high
        if group_raised >= group_high:
            p.append(
                f"{node.place.where('raised')}: calcium_phosphate_product: by_age: {group}: "
                "raised must be below high"
            )
        by_age[group] = (group_raised, group_high)
    return by_age


def _build_table(root: Any, file: str) -> LabTable:
    p: list[str] = []
    spec = read(_LabsFile, root, f"{file}, line 1", p)
    if spec is None or p:
        raise LabTableError(p)
    parts = _parts(spec)
    p.extend(_number_problems(parts))
    _decimals(spec.precision, "precision", p)
    labs = {lab: _load_lab(getattr(spec.labs, lab), lab, p) for lab in LAB_IDS}
    corr = spec.albumin_correction
    reference_by_age = tuple(
        (below, limits.low or 0.0)
        for below, limits in _age_bands(
            corr.reference_albumin_by_age, "albumin_correction: reference_albumin_by_age", p
        )
    )
    caxp = spec.calcium_phosphate_product
    by_age = _caxp_by_age(caxp, p)
    grades = _load_grades(spec.hypercalcemia_grades, p)
    if p:
        raise LabTableError(p)
    cited = tuple(
        (node.place.where("sources"), key)
        for node, _ in parts
        for key in getattr(node, "sources", ())
    )
    return LabTable(
        labs=MappingProxyType(labs),
        decimals=spec.precision.decimals,
        unknown_age_group=spec.unknown_age_group,
        correction_factor=corr.factor.value,
        correction_reference=corr.reference_albumin.value,
        correction_unreliable_below=corr.unreliable_below.value,
        caxp_unit=caxp.unit,
        caxp_raised=caxp.raised.value,
        caxp_high=caxp.high.value,
        grades=grades,
        source_keys=frozenset(key for _where, key in cited),
        caxp_by_age=MappingProxyType(by_age),
        correction_reference_by_age=reference_by_age,
        ionized_severe_from=(
            spec.ionized_calcium_severe_from.value if spec.ionized_calcium_severe_from else None
        ),
        cited=cited,
    )


def load_lab_table(path: Path) -> LabTable:
    """Read and check ``labs.yaml``; a broken file raises :class:`LabTableError`."""
    display = f"{path.parent.name}/{path.name}" if path.parent.name else path.name
    try:
        root = load_file(path, display)
    except YamlError as exc:
        raise LabTableError([str(exc)]) from exc
    return _build_table(root, display)


# --------------------------------------------------------------------------- values


def _fmt(x: float) -> str:
    """A number as short as it can be written: 12, 11.8, 0.05."""
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return repr(x)


def _or_list(items: tuple[str, ...] | list[str]) -> str:
    """``a``, ``a or b``, ``a, b or c``."""
    items = list(items)
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} or {items[-1]}"


@dataclass(frozen=True)
class LabValue:
    """A measurement: the number and unit as entered, and its base-unit value."""

    lab: str
    value: float
    unit: str
    base_value: float
    base_unit: str

    def entered(self) -> str:
        """The value as entered, e.g. ``"2.9 mmol/L"``."""
        return f"{_fmt(self.value)} {self.unit}"


# --------------------------------------------------------------------------- parsing

_WS = re.compile(r"\s+")
_MEASURE = re.compile(
    r"(?P<num>[-+]?(?:nan|inf(?:inity)?|[0-9.,]*[0-9][0-9.,]*(?:e[-+]?[0-9]+)?))"
    r"\s*(?P<unit>.*)",
    re.IGNORECASE | re.DOTALL,
)
_PLAIN = re.compile(r"[-+]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)(?:e[-+]?[0-9]+)?", re.IGNORECASE)
_AMBIGUOUS = re.compile(r"[-+]?[0-9]{1,3},[0-9]{3}")
_THOUSANDS = re.compile(r"[-+]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?")
_SPECIAL = re.compile(r"[-+]?(?:nan|inf(?:inity)?)", re.IGNORECASE)

_STATUS_WORDS: dict[str, str] = {
    "high": "high",
    "normal": "normal",
    "low": "low",
    **{
        word: contract.UNSURE
        for word in (
            "unsure",
            "not sure",
            "im not sure",
            "i am not sure",
            "dont know",
            "do not know",
            "i dont know",
            "i do not know",
            "no idea",
            "unknown",
            "idk",
            "?",
        )
    },
}
_STATUS_STRIP = re.compile(r"[\s.!?]+$")
_KNOWN_UNITS: dict[str, str] = {
    u.lower(): u for units in contract.LAB_UNITS.values() for u in units
}


def _status_key(text: str) -> str:
    """Lower case, apostrophes dropped, spaces collapsed: "I'm  not sure." -> "im not sure"."""
    text = text.lower().replace("'", "").replace("\u2019", "")
    return _STATUS_STRIP.sub("", _WS.sub(" ", text).strip()) or text.strip()


def _show_text(text: str, limit: int = 20) -> str:
    """What the person typed, quoted and kept short, for messages."""
    text = _WS.sub(" ", text).strip()
    return f'"{text[:limit]}…"' if len(text) > limit else f'"{text}"'


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _how_to_enter(spec: LabSpec) -> str:
    """ "please type calcium as a number followed by its unit (...), or say ..."."""
    if spec.statuses:
        alternatives = f"say {_or_list(list(spec.statuses) + ['not sure'])}"
    else:
        alternatives = "say you are not sure"
    return (
        f"please type {spec.name} as a number followed by its unit "
        f"({_or_list(spec.unit_names)}), or {alternatives}"
    )


def _syntax_error(spec: LabSpec, shown: str | None = None) -> LabError:
    """``shown`` (quoted text the person typed) is not a number; say what is."""
    if shown is None:
        return LabError(_capital(_how_to_enter(spec)) + ".", "syntax")
    return LabError(f"{shown} is not a number; {_how_to_enter(spec)}.", "syntax")


def _number_readings(text: str) -> tuple[float, float | None] | None:
    """The number as written, and a second reading when a comma is ambiguous.

    ``2,9`` is a decimal comma; ``1,060`` may be 1.06 or 1060, so both are
    returned; ``10,000.5`` has thousands commas. ``None`` when not a number.
    """
    if _SPECIAL.fullmatch(text):
        return float(text), None
    if _AMBIGUOUS.fullmatch(text):
        return float(text.replace(",", ".")), float(text.replace(",", ""))
    if _PLAIN.fullmatch(text):
        return float(text.replace(",", ".")), None
    if _THOUSANDS.fullmatch(text):
        return float(text.replace(",", "")), None
    return None


def _unit_spec(spec: LabSpec, unit_text: str) -> UnitSpec:
    """The accepted unit matching ``unit_text`` (any case, spaces ignored)."""
    key = _WS.sub("", unit_text).rstrip(".").lower()
    found = spec.units.get(key)
    if found is not None:
        return found
    accepted = _or_list(spec.unit_names)
    if key in _KNOWN_UNITS:
        raise LabError(
            f"{spec.title} cannot be given in {_KNOWN_UNITS[key]}; please use {accepted}.", "unit"
        )
    raise LabError(
        f"{spec.title} can be given in {accepted}, not in {_show_text(unit_text)}.", "unit"
    )


def _refused(value: float, unit: UnitSpec) -> bool:
    return value <= 0 or not unit.refuse.contains(value)


def _extreme(value: float, unit: UnitSpec) -> bool:
    return not unit.confirm.contains(value)


def _other_units(spec: LabSpec, value: float, unit: UnitSpec) -> list[str]:
    """Other accepted units in which ``value`` would be possible and not extreme."""
    return [
        other.unit
        for other in spec.units.values()
        if other.factor != unit.factor and not _refused(value, other) and not _extreme(value, other)
    ]


def _plausible_range(unit: UnitSpec) -> str:
    low, high = unit.refuse.low, unit.refuse.high
    if low is None or low == 0:
        return f"more than 0 and at most {_fmt(high or 0)} {unit.unit}"
    return f"between {_fmt(low)} and {_fmt(high or 0)} {unit.unit}"


def _check_possible(spec: LabSpec, value: float, unit: UnitSpec) -> None:
    """Raise ``impossible`` for non-finite, zero, negative or out-of-range values."""
    if not math.isfinite(value):
        raise LabError(
            f"That is not a value a blood test can give; {_how_to_enter(spec)}.", "impossible"
        )
    if not _refused(value, unit):
        return
    plausible = _plausible_range(unit)
    if value <= 0:
        raise LabError(
            f"{spec.title} cannot be zero or less; a possible value is {plausible}.", "impossible"
        )
    hint = _other_units(spec, value, unit)
    tail = f" Did you mean {_or_list(hint)}?" if hint else ""
    raise LabError(
        f"{spec.title} {_fmt(value)} {unit.unit} is not possible; a possible value "
        f"is {plausible}.{tail}",
        "impossible",
    )


def _choose_reading(
    spec: LabSpec, readings: tuple[float, float | None], number: str, unit: UnitSpec
) -> float:
    """Pick the reading of an ambiguous comma that is possible, or ask."""
    first, second = readings
    if second is None:
        return first
    ok = [r for r in (first, second) if not _refused(r, unit)]
    if len(ok) == 1:
        return ok[0]
    if not ok:
        return first
    raise LabError(
        f"Is {number} {unit.unit} meant as {_fmt(second)} or as {_fmt(first)}? "
        f"Please type it again with a decimal point and no thousands comma.",
        "syntax",
    )


def _measurement(spec: LabSpec, number: str, unit_text: str) -> LabValue:
    """Build a checked :class:`LabValue` from a number text and a unit text."""
    readings = _number_readings(number)
    if readings is None:
        raise _syntax_error(spec, _show_text(number))
    if not math.isfinite(readings[0]):  # nan, inf, 1e400: no unit makes them possible
        raise LabError(
            f"That is not a value a blood test can give; {_how_to_enter(spec)}.", "impossible"
        )
    if not unit_text.strip():
        raise LabError(
            f"Please add the unit for {spec.name}: {_or_list(spec.unit_names)}.", "no_unit"
        )
    unit = _unit_spec(spec, unit_text)
    value = _choose_reading(spec, readings, number, unit)
    return _make_value(spec, value, unit)


def _make_value(spec: LabSpec, value: float, unit: UnitSpec) -> LabValue:
    _check_possible(spec, value, unit)
    return LabValue(spec.lab, value, unit.unit, value * unit.factor, spec.base_unit)


def _status(spec: LabSpec, text: str) -> str | None:
    """The status code for a status word, ``None`` when ``text`` is not one."""
    code = _STATUS_WORDS.get(_status_key(text))
    if code is None:
        return None
    if code != contract.UNSURE and code not in spec.statuses:
        raise LabError(
            f"{spec.title} needs a number with its unit "
            f"({_or_list(spec.unit_names)}), or say you are not sure.",
            "syntax",
        )
    return code


def parse_lab_text(lab: str, text: str, table: LabTable) -> LabValue | str:
    """What a person typed: a :class:`LabValue` or a status code.

    Besides the exact status words, words for a status ("It was high", "very
    high", "hihg", "dunno") are read by the table's :attr:`LabTable.read_words`
    when it has one (the engine's table does).

    Raises :class:`LabError` (kinds ``syntax``, ``no_unit``, ``unit``,
    ``impossible``) with one sentence saying what is allowed.
    """
    return _parse_text(lab, text, table, words=True)


def _parse_text(lab: str, text: str, table: LabTable, *, words: bool) -> LabValue | str:
    spec = table.lab(lab)
    if not isinstance(text, str):
        raise _syntax_error(spec)
    status = _status(spec, text)
    if status is not None:
        return status
    match = _MEASURE.fullmatch(text.strip())
    if match is None:
        if words and table.read_words is not None and text.strip():
            code = table.read_words(lab, text)
            if code is not None and (code == contract.UNSURE or code in spec.statuses):
                return code
        raise _syntax_error(spec, _show_text(text) if text.strip() else None)
    return _measurement(spec, match["num"], match["unit"])


_ANSWER_KEYS = ("value", "unit")


def _answer_mapping(spec: LabSpec, raw: Mapping[Any, Any]) -> LabValue:
    """``{value: 11.8, unit: mg/dL}`` from an answers file."""
    unknown = [str(k) for k in raw if k not in _ANSWER_KEYS]
    if unknown:
        raise LabError(
            f"A {spec.name} measurement has only a value and a unit, not {_or_list(unknown)}.",
            "syntax",
        )
    value = raw.get("value")
    unit_text = raw.get("unit")
    if value is None:
        raise LabError(
            f"The {spec.name} measurement has no value; give a number with its unit "
            f"({_or_list(spec.unit_names)}).",
            "syntax",
        )
    if unit_text is None or (isinstance(unit_text, str) and not unit_text.strip()):
        raise LabError(
            f"Please add the unit for {spec.name}: {_or_list(spec.unit_names)}.", "no_unit"
        )
    if not isinstance(unit_text, str):
        raise LabError(f"{spec.title} can be given in {_or_list(spec.unit_names)}.", "unit")
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise _syntax_error(spec, "That value")
    if isinstance(value, str):
        return _measurement(spec, value.strip(), unit_text)
    unit = _unit_spec(spec, unit_text)
    try:
        number = float(value)
    except OverflowError:  # an int too large for a float
        number = math.inf
    return _make_value(spec, number, unit)


def lab_from_answer(lab: str, raw: object, table: LabTable) -> LabValue | str:
    """What an answers file holds: a measurement mapping, a status, or "11.8 mg/dL".

    ``None`` (no answer) counts as ``unsure``. Raises :class:`LabError`.
    """
    spec = table.lab(lab)
    if raw is None:
        return contract.UNSURE
    if isinstance(raw, LabValue):
        if raw.lab != lab:
            raise LabError(f"That value is for {raw.lab}, not for {spec.name}.", "syntax")
        return raw
    if isinstance(raw, str):  # exact words only: nothing in a file is guessed
        return _parse_text(lab, raw, table, words=False)
    if isinstance(raw, Mapping):
        return _answer_mapping(spec, raw)
    raise _syntax_error(spec)


def extreme_message(value: LabValue, table: LabTable) -> str | None:
    """A question asking to confirm a possible but far-from-normal value, else ``None``."""
    spec = table.lab(value.lab)
    unit = spec.units[value.unit.lower()]
    if not _extreme(value.value, unit):
        return None
    direction = "low" if unit.confirm.below(value.value) else "high"
    hint = [f"{_fmt(value.value)} {u}" for u in _other_units(spec, value.value, unit)]
    if hint:
        return (
            f"{spec.title} {value.entered()} is very {direction}; please check it. "
            f"Was it perhaps {_or_list(hint)}?"
        )
    return f"{spec.title} {value.entered()} is very {direction}; please check that it is right."


# --------------------------------------------------------------------------- interpreting


@dataclass(frozen=True)
class LabResult:
    """One lab, interpreted for an age group."""

    lab: str
    status: str  # high | normal | low | unsure
    source: str  # measurement | status | unanswered
    entered: str | None  # "11.8 mg/dL" as entered; None for status/unanswered
    value: float | None  # base unit; calcium corrected for albumin when known
    measured: float | None  # base unit, before correction
    unit: str  # base unit
    low: float | None  # reference range for the age group, base unit
    high: float | None
    corrected: bool
    extreme: bool
    name: str = ""  # as shown to people; the lab id when empty

    def describe(self) -> str:
        """A plain sentence for reasons, e.g. "calcium 11.8 mg/dL is above the normal range
        of 8.5-10.5 mg/dL"."""
        name = self.name or self.lab
        if self.source != MEASUREMENT:
            if self.status == contract.UNSURE:
                return f"{name} is not known"
            return f"{name} was reported as {self.status}"
        shown = self.entered or ""
        base = f"{_fmt(self.measured)} {self.unit}" if self.measured is not None else ""
        if base and base != shown:
            shown = f"{shown} ({base})"
        if self.corrected and self.value is not None and self.value != self.measured:
            shown = f"{shown}, corrected for albumin to {_fmt(self.value)} {self.unit},"
        where = {"high": "above", "low": "below", "normal": "within"}[self.status]
        return (
            f"{name} {shown} is {where} the normal range of "
            f"{_fmt(self.low or 0)}-{_fmt(self.high or 0)} {self.unit}"
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "entered": self.entered,
            "value": self.value,
            "unit": self.unit,
            "status": self.status,
            "range": [self.low, self.high],
            "corrected": self.corrected,
            "measured": self.measured,
            "source": self.source,
            "extreme": self.extreme,
        }


# The fact names of conditions that read a lab's value (see LabReport.number).
NUMBER_LABS = {
    "calcium_mgdl": "calcium",
    "phosphate_mgdl": "phosphate",
    "albumin_gdl": "albumin",
    "pth_pgml": "pth",
    "ionized_calcium_mmoll": "ionized_calcium",
    "vitamin_d_ngml": "vitamin_d_level",
}
IONIZED = "ionized_calcium"


@dataclass(frozen=True)
class LabReport:
    """All labs interpreted together."""

    results: Mapping[str, LabResult]
    caxp: float | None
    calcium_grade: str | None
    notes: tuple[str, ...]
    caxp_level: str | None = None  # normal | raised | high, None without a product
    caxp_unit: str = "mg2/dL2"
    # The ionised calcium, when known, decides whether calcium is high, normal or
    # low (clinical.md 8.2); the total calcium's own status stays in ``results``.
    calcium_decided_by: str = "calcium"
    age_days: float | None = None  # the exact age the ranges were chosen for

    @property
    def total_calcium_counts(self) -> bool:
        """Whether the total calcium's value may decide (no ionised value says otherwise)."""
        return (
            self.calcium_decided_by == "calcium"
            or self.results["calcium"].status == self.results[IONIZED].status
        )

    def status(self, lab: str) -> str:
        """high, normal, low or unsure (for calcium: as the deciding calcium test says)."""
        if lab == "calcium" and IONIZED in self.results:
            return self.results[self.calcium_decided_by].status
        return self.results[lab].status

    def number(self, name: str) -> float | None:
        """A derived number for conditions (``{fact: NAME}``): ``caxp``, ``age_days``, or a
        lab's value in its base unit (calcium corrected for albumin, and None when an
        ionised calcium decides otherwise); None when not measured."""
        if name == "caxp":
            return self.caxp
        if name == "age_days":
            return self.age_days
        if name == "calcium_mgdl" and not self.total_calcium_counts:
            return None
        lab = NUMBER_LABS[name]
        return self.results[lab].value if lab in self.results else None

    def caxp_status(self) -> str:
        """The Ca x P level for conditions (``{caxp: LEVEL}``): unsure without a product."""
        return self.caxp_level or contract.UNSURE

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: each lab, the Ca x P product, the calcium grade and the notes."""
        out: dict[str, Any] = {lab: result.to_dict() for lab, result in self.results.items()}
        out["caxp"] = (
            None
            if self.caxp is None
            else {"value": self.caxp, "unit": self.caxp_unit, "level": self.caxp_level}
        )
        out["calcium_grade"] = self.calcium_grade
        out["notes"] = list(self.notes)
        return out


def _classify(value: float, limits: Limits) -> str:
    if limits.below(value):
        return "low"
    if limits.above(value):
        return "high"
    return "normal"


def _as_answer(spec: LabSpec, raw: object, table: LabTable) -> LabValue | str | None:
    """A :class:`LabValue`, a status code, or ``None`` for no answer."""
    if raw is None:
        return None
    if isinstance(raw, str) and (raw == contract.UNSURE or raw in spec.statuses):
        return raw  # the common case, without parsing
    return lab_from_answer(spec.lab, raw, table)


def _result(
    spec: LabSpec, answer: LabValue | str | None, limits: Limits, table: LabTable
) -> LabResult:
    """The result of one lab before any albumin correction."""
    if answer is None:
        return LabResult(
            spec.lab,
            contract.UNSURE,
            UNANSWERED,
            None,
            None,
            None,
            spec.base_unit,
            limits.low,
            limits.high,
            False,
            False,
            spec.name,
        )
    if isinstance(answer, str):
        return LabResult(
            spec.lab,
            answer,
            STATUS,
            None,
            None,
            None,
            spec.base_unit,
            limits.low,
            limits.high,
            False,
            False,
            spec.name,
        )
    value = round(answer.base_value, table.decimals)
    unit = spec.units[answer.unit.lower()]
    return LabResult(
        spec.lab,
        _classify(value, limits),
        MEASUREMENT,
        answer.entered(),
        value,
        value,
        spec.base_unit,
        limits.low,
        limits.high,
        False,
        _extreme(answer.value, unit),
        spec.name,
    )


def _correct_calcium(
    calcium: LabResult, albumin: LabResult, table: LabTable, age_days: float | None
) -> LabResult:
    """Calcium corrected for albumin, towards the reference albumin for the age, and
    compared with the calcium range for the age; both must be measurements."""
    assert calcium.measured is not None and albumin.measured is not None
    reference = table.correction_reference_for(age_days)
    shift = table.correction_factor * (reference - albumin.measured)
    value = round(calcium.measured + shift, table.decimals)
    limits = Limits(calcium.low, calcium.high)
    return LabResult(
        calcium.lab,
        _classify(value, limits),
        calcium.source,
        calcium.entered,
        value,
        calcium.measured,
        calcium.unit,
        calcium.low,
        calcium.high,
        True,
        calcium.extreme,
        calcium.name,
    )


def _grade(
    calcium: LabResult, ionized: LabResult | None, table: LabTable, total_counts: bool
) -> str | None:
    """The hypercalcaemia grade on the total calcium; with an ionised value that decides
    otherwise, none; with only an ionised value, only ``severe`` from its own limit."""
    if (
        ionized is not None
        and ionized.source == MEASUREMENT
        and ionized.status == "high"
        and table.ionized_severe_from is not None
        and ionized.value is not None
        and ionized.value >= table.ionized_severe_from
    ):
        return table.grades[-1].name
    if not total_counts:
        return None
    if calcium.source != MEASUREMENT or calcium.status != "high" or calcium.value is None:
        return None
    for grade in table.grades:
        if grade.contains(calcium.value):
            return grade.name
    return None


def _caxp(
    calcium: LabResult, phosphate: LabResult, table: LabTable, group: str
) -> tuple[float | None, str | None]:
    if calcium.value is None or phosphate.value is None:
        return None, None
    product = round(calcium.value * phosphate.value, 1)
    raised, high = table.caxp_limits(group)
    if product >= high:
        return product, "high"
    if product >= raised:
        return product, "raised"
    return product, "normal"


def _age_group(age_group: str | None, table: LabTable, age_days: float | None) -> tuple[str, bool]:
    """The age group whose ranges apply, and whether it was a fallback."""
    if age_days is not None:
        return age_group_of(age_days), False
    if age_group is None or age_group == contract.UNSURE:
        return table.unknown_age_group, True
    if age_group not in AGE_GROUPS:
        raise ValueError(
            f"{age_group!r} is not an age group; allowed: "
            f"{', '.join(AGE_GROUPS + (contract.UNSURE,))}"
        )
    return age_group, False


def interpret(
    raw_answers: Mapping[str, LabValue | str | None],
    age_group: str | None,
    table: LabTable,
    age_days: float | None = None,
) -> LabReport:
    """Classify every lab for the age, correct calcium, grade it, compute Ca x P.

    ``raw_answers`` maps lab ids to a :class:`LabValue`, a status code, or
    anything :func:`lab_from_answer` accepts; other keys are ignored and a
    missing lab is unanswered. The exact age (``age_days``) chooses each lab's
    range by age band when known (clinical.md 8.3); else ``age_group``, and
    ``None`` or ``unsure`` uses the table's ``unknown_age_group`` ranges and
    adds a note. An ionised calcium, when known, decides whether calcium is
    high, normal or low (clinical.md 8.2).
    """
    group, fallback = _age_group(age_group, table, age_days)
    results: dict[str, LabResult] = {}
    notes: list[str] = []
    for lab, spec in table.labs.items():
        answer = _as_answer(spec, raw_answers.get(lab), table)
        results[lab] = _result(spec, answer, spec.range_for(group, age_days), table)
        if isinstance(answer, LabValue) and results[lab].extreme:
            unit = spec.units[answer.unit.lower()]
            hint = [f"{_fmt(answer.value)} {u}" for u in _other_units(spec, answer.value, unit)]
            if hint:  # far from usual here, ordinary in another unit: a likely mix-up
                notes.append(
                    f"{spec.title} {answer.entered()} is far from usual values; "
                    f"check the unit on the lab report (was it perhaps "
                    f"{_or_list(hint)}?)."
                )
    calcium, albumin = results["calcium"], results["albumin"]
    if calcium.source == MEASUREMENT and albumin.source == MEASUREMENT:
        results["calcium"] = calcium = _correct_calcium(calcium, albumin, table, age_days)
        if albumin.measured is not None and albumin.measured < table.correction_unreliable_below:
            notes.append(
                f"Albumin is below {_fmt(table.correction_unreliable_below)} "
                f"{albumin.unit}, so the corrected calcium is less reliable; an ionised "
                f"calcium test would be better."
            )
        if group != "adult":
            notes.append(
                f"The albumin correction of calcium is checked in adults; for a "
                f"{'baby' if group == 'infant' else 'child'} the corrected value was "
                f"compared with the calcium range for the age, and an ionised calcium "
                f"test is the better measure."
            )
    ionized = results.get(IONIZED)
    decided_by = "calcium"
    if ionized is not None and ionized.status != contract.UNSURE:
        decided_by = IONIZED
        if calcium.status not in (contract.UNSURE, ionized.status):
            notes.append(
                f"The ionised calcium ({ionized.status}) decides whether calcium is "
                f"high, normal or low; the total calcium alone would read "
                f"{calcium.status}."
            )
    total_counts = ionized is None or decided_by == "calcium" or calcium.status == ionized.status
    if fallback and any(r.source == MEASUREMENT for r in results.values()):
        notes.append(f"The age group is not known, so {group} normal ranges were used.")
    caxp, level = (
        _caxp(calcium, results["phosphate"], table, group) if total_counts else (None, None)
    )
    if caxp is not None and level != "high" and caxp >= table.caxp_high:
        notes.append(
            f"The calcium × phosphate product is {_fmt(caxp)} mg²/dL², which "
            f"would be high in an adult; {group} ranges are higher, so with both values "
            "normal for the age it is not counted as a blood-level problem."
        )
    return LabReport(
        MappingProxyType(results),
        caxp,
        _grade(calcium, ionized, table, total_counts),
        tuple(notes),
        level,
        table.caxp_unit,
        decided_by,
        age_days,
    )
