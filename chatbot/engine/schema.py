"""One typed validator for the YAML files in ``dialogs/`` and ``content/``.

The shape of a file is declared as frozen dataclasses with ordinary type
annotations; :func:`read` walks a parsed YAML node (:class:`~chatbot.engine.yamlio.Located`
mappings, which know their file and the line of each key) against them and
returns the typed object, or records what is wrong, each message with the file
and line of the offending key::

    @dataclass(frozen=True)
    class CautionSpec:
        WHAT: ClassVar[str] = "a caution"            # how messages name one
        SHAPE: ClassVar[str] = "each caution needs ..."  # (optional) said for a non-mapping
        id: str
        when: Any                                    # free-form: conditions.py checks it
        text: Annotated[str, NOT_EMPTY]
        sources: SourceKeys = ()                     # a default makes the key optional
        not_: bool = field(default=False, metadata=meta(key="not"))  # YAML key "not"
        place: Place = NOWHERE                       # filled in: where the mapping stood

Supported annotations: ``str``, ``int``, ``float`` (an integer is accepted and
converted), ``bool``, ``Literal[...]``, ``X | None``, ``list[X]``,
``tuple[X, ...]`` (both give tuples), ``dict[str, X]`` (or :class:`Table`, which
keeps where the mapping stood), nested dataclasses, and
``Any`` for a free-form node that another module checks itself (a condition; null
is refused there, as an empty ``when:`` is a slip).
``Annotated[X, ...]`` adds :class:`OneOf` (allowed values known only at run
time, such as the contract's codes), :class:`What` (how a message describes the
expected value), :data:`NOT_EMPTY` (a blank text or an empty list is wrong) and
:data:`OR_ONE` (a single value where a list is declared is a list of one).

Only the shape is checked here: unknown keys (naming the allowed ones and the
nearest), missing keys, wrong types, values outside their set. Checks across
files (an id that must exist elsewhere) stay with each loader, on typed objects.
A list item or mapping value that is wrong is left out (its problem recorded),
so that one mistake does not hide the others.
"""

from __future__ import annotations

import dataclasses
import difflib
import types
import typing
from collections.abc import Mapping
from functools import cache
from typing import Annotated, Any, Literal, TypeVar, get_args, get_origin

from chatbot.engine.yamlio import Located

T = TypeVar("T")


class SchemaError(ValueError):
    """Every problem found, each as 'FILE, line N: message'."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclasses.dataclass(frozen=True)
class OneOf:
    """``Annotated[str, OneOf(codes)]``: the value must be one of ``codes``."""

    choices: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class What:
    """``Annotated[X, What("a list of source keys")]``: how messages name the value."""

    text: str


@dataclasses.dataclass(frozen=True)
class _NotEmpty:
    pass


NOT_EMPTY = _NotEmpty()
"""``Annotated[X, NOT_EMPTY]``: a blank text or an empty list is a problem."""


@dataclasses.dataclass(frozen=True)
class _OrOne:
    pass


OR_ONE = _OrOne()
"""``Annotated[tuple[X, ...], OR_ONE]``: one value alone stands for a list of one."""


@dataclasses.dataclass(frozen=True, eq=False)
class Place:
    """Where a mapping stood: its file, its line and the line of each of its keys."""

    file: str
    line: int
    key_lines: Mapping[Any, int] = dataclasses.field(default_factory=dict)

    def where(self, key: Any = None) -> str:
        """'FILE, line N' of the mapping, or of ``key`` in it."""
        line = self.line if key is None else self.key_lines.get(key, self.line)
        return f"{self.file}, line {line}"


NOWHERE = Place("<unknown>", 0)

V = TypeVar("V")


class Table(dict[str, V]):
    """``Table[X]``: like ``dict[str, X]``, and it keeps ``place``, where the mapping stood
    (for checks on its keys: "no advice for the triage level 'urgent'")."""

    place: Place = NOWHERE


SourceKeys = Annotated[tuple[str, ...], What("a list of source keys")]
"""The keys of ``content/sources.yaml`` a fact rests on."""


def meta(*, key: str | None = None, what: str | None = None) -> dict[str, str]:
    """A field's metadata: its YAML ``key`` when that is no Python name (``in``,
    ``not``), and ``what`` its value is, for messages (``missing 'id' (a rule id)``)."""
    out: dict[str, str] = {}
    if key is not None:
        out["key"] = key
    if what is not None:
        out["what"] = what
    return out


# --------------------------------------------------------------------------- declarations


@dataclasses.dataclass(frozen=True)
class _Field:
    name: str  # the dataclass field
    key: str  # the YAML key
    type: Any
    required: bool
    what: str | None


@dataclasses.dataclass(frozen=True)
class _Plan:
    fields: tuple[_Field, ...]
    by_key: Mapping[str, _Field]
    place: str | None  # the field that receives the Place, if any
    what: str  # "a caution"


@cache
def _plan(cls: type) -> _Plan:
    """The fields of a declared class, its type hints resolved once."""
    hints = typing.get_type_hints(cls, include_extras=True)
    fields: list[_Field] = []
    place = None
    for f in dataclasses.fields(cls):
        if not f.init:
            continue
        tp = hints[f.name]
        if tp is Place:
            place = f.name
            continue
        required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        key = f.metadata.get("key", f.name)
        fields.append(_Field(f.name, key, tp, required, f.metadata.get("what")))
    what = getattr(cls, "WHAT", None) or f"a {cls.__name__}"
    return _Plan(tuple(fields), {f.key: f for f in fields}, place, what)


def _unwrap(tp: Any) -> tuple[Any, tuple[Any, ...]]:
    """``Annotated[X, m...]`` -> (X, (m...)); anything else -> (tp, ())."""
    if get_origin(tp) is Annotated:
        return tp.__origin__, tp.__metadata__
    return tp, ()


def _optional(tp: Any) -> Any | None:
    """X for ``X | None``, else None."""
    if get_origin(tp) in (typing.Union, types.UnionType):
        members = [a for a in get_args(tp) if a is not type(None)]
        if len(members) == 1 and len(get_args(tp)) == 2:
            return members[0]
        raise TypeError(f"only 'X | None' unions are supported, not {tp}")
    return None


_SCALARS: dict[Any, tuple[str, str]] = {
    str: ("text", "texts"),
    int: ("a whole number", "whole numbers"),
    float: ("a number", "numbers"),
    bool: ("true or false", "true/false values"),
}


def expected(tp: Any) -> str:
    """How a message names a value of type ``tp``: 'a list of texts'."""
    tp, extras = _unwrap(tp)
    for extra in extras:
        if isinstance(extra, What):
            return extra.text
    inner = _optional(tp)
    if inner is not None:
        return expected(inner)
    if tp in _SCALARS:
        return _SCALARS[tp][0]
    origin, args = get_origin(tp), get_args(tp)
    if origin is Literal:
        return "one of " + ", ".join(map(str, args))
    if origin in (list, tuple):
        item, _ = _unwrap(args[0])
        if item in _SCALARS:
            return f"a list of {_SCALARS[item][1]}"
        if dataclasses.is_dataclass(item):
            return f"a list of mappings ({_plan(item).what} each)"  # type: ignore[arg-type]
        return f"a list ({expected(args[0])} each)"
    if origin is dict or origin is Table:
        return f"a mapping ({expected(args[-1])} each)"
    if dataclasses.is_dataclass(tp):
        return f"a mapping ({_plan(tp).what})"  # type: ignore[arg-type]
    return "a value"


def got(value: Any) -> str:
    """How a message names what it found: 'a number', "the text 'abc'"."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):  # yes, no, on and off too, unless quoted
        return (
            f"{'true' if value else 'false'} (YAML reads an unquoted yes, no, on or off as "
            "true or false: put it in quotes)"
        )
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        shown = " ".join(value.split())
        shown = shown if len(shown) <= 50 else shown[:49] + "\u2026"
        return f"plain text: {shown!r}"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def _key(key: Any) -> str:
    """A key as a message shows it: 'name', or what YAML made of it (true, 3)."""
    return repr(key) if isinstance(key, str) else got(key)


def _nearest(word: Any, choices: Any) -> str:
    if not isinstance(word, str):
        return ""
    close = difflib.get_close_matches(word, [str(c) for c in choices], n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


# --------------------------------------------------------------------------- reading


class _Bad:
    """A value that did not fit (its problem is recorded)."""


BAD = _Bad()


@dataclasses.dataclass
class _Slot:
    """Where a value stands, for messages: 'FILE, line N' and how to name it."""

    at: str
    label: str  # "'rules'", "each item of 'rules'", "the file"
    what: str | None = None  # the field's own description, if it has one


class _Reader:
    def __init__(self, problems: list[str]):
        self.problems = problems

    def fail(self, slot: _Slot, tp: Any, value: Any) -> _Bad:
        what = slot.what or expected(tp)
        base, _ = _unwrap(tp)
        shape = getattr(base, "SHAPE", None) if dataclasses.is_dataclass(base) else None
        if shape:  # the class says how one is written
            message = f"{shape}, not {got(value)}"
        elif dataclasses.is_dataclass(base) or get_origin(base) in (dict, Table):
            message = f"missing or not a mapping: {slot.label} must be {what}, not {got(value)}"
        else:
            message = f"{slot.label} must be {what}, not {got(value)}"
        self.problems.append(f"{slot.at}: {message}")
        return BAD

    def value(self, full: Any, value: Any, slot: _Slot) -> Any:
        tp, extras = _unwrap(full)
        inner = _optional(tp)
        if inner is not None:
            return None if value is None else self.value(inner, value, slot)
        if tp is Any:  # free-form, but written: null is a slip (a "when:" left empty)
            return self.fail(slot, full, value) if value is None else value
        if tp in _SCALARS:
            return self.scalar(full, tp, extras, value, slot)
        origin = get_origin(tp)
        if origin is Literal:
            return self.choice(get_args(tp), value, slot)
        if origin in (list, tuple):
            return self.sequence(full, tp, extras, value, slot)
        if origin is dict or origin is Table:
            return self.mapping(tp, value, slot)
        if dataclasses.is_dataclass(tp):
            return self.record(tp, value, slot)  # type: ignore[arg-type]
        raise TypeError(f"schema: unsupported annotation {tp!r}")

    def scalar(self, full: Any, tp: type, extras: tuple[Any, ...], value: Any, slot: _Slot) -> Any:
        fits = isinstance(value, tp) and (tp is bool or not isinstance(value, bool))
        if tp is float and isinstance(value, int) and not isinstance(value, bool):
            value, fits = float(value), True
        if not fits:
            return self.fail(slot, full, value)
        for extra in extras:
            if isinstance(extra, OneOf):
                return self.choice(extra.choices, value, slot)
        return self.not_empty(full, extras, value, slot)

    def not_empty(self, full: Any, extras: tuple[Any, ...], value: Any, slot: _Slot) -> Any:
        if any(isinstance(e, _NotEmpty) for e in extras) and not (
            value.strip() if isinstance(value, str) else value
        ):
            self.problems.append(
                f"{slot.at}: {slot.label} is empty ({slot.what or expected(full)})"
            )
            return BAD
        return value

    def choice(self, choices: tuple[Any, ...], value: Any, slot: _Slot) -> Any:
        if not isinstance(value, str):  # such as yes, no or on, which YAML reads as true/false
            what = "one of " + ", ".join(map(str, choices))
            self.problems.append(f"{slot.at}: {slot.label} must be {what}, not {got(value)}")
            return BAD
        if value in choices:
            return value
        self.problems.append(
            f"{slot.at}: {value!r} is not one of {', '.join(map(str, choices))}"
            + _nearest(value, choices)
        )
        return BAD

    def sequence(self, full: Any, tp: Any, extras: tuple[Any, ...], value: Any, slot: _Slot) -> Any:
        one = value is not None and not isinstance(value, list | Mapping)
        if one and any(isinstance(e, _OrOne) for e in extras):
            value = [value]
        if not isinstance(value, list):
            return self.fail(slot, full, value)
        item_type = get_args(tp)[0]
        item_slot = _Slot(slot.at, f"each item of {slot.label}")
        out = []
        for item in value:
            built = self.value(item_type, item, item_slot)
            if built is not BAD:
                out.append(built)
        return self.not_empty(full, extras, tuple(out), slot)

    def mapping(self, tp: Any, value: Any, slot: _Slot) -> Any:
        if not isinstance(value, Mapping):
            return self.fail(slot, tp, value)
        value_type = get_args(tp)[-1]
        out: dict[str, Any] = Table() if get_origin(tp) is Table else {}
        if isinstance(out, Table) and isinstance(value, Located):
            out.place = Place(value.file, value.line, value.key_lines)
        for key, item in value.items():
            at = value.where(key) if isinstance(value, Located) else slot.at
            if not isinstance(key, str):
                self.problems.append(f"{at}: the key {_key(key)} must be text")
                continue
            built = self.value(value_type, item, _Slot(at, f"{key!r}"))
            if built is not BAD:
                out[key] = built
        return out

    def record(self, cls: type, value: Any, slot: _Slot) -> Any:
        if not isinstance(value, Mapping):
            return self.fail(slot, cls, value)
        plan = _plan(cls)

        def where(key: Any) -> str:
            return value.where(key) if isinstance(value, Located) else slot.at

        for key in value:
            if key not in plan.by_key:
                allowed = [f.key for f in plan.fields]
                self.problems.append(
                    f"{where(key)}: unknown key {_key(key)} in {plan.what}; allowed: "
                    f"{', '.join(allowed)}" + _nearest(key, allowed)
                )
        kwargs: dict[str, Any] = {}
        ok = True
        for f in plan.fields:
            if f.key not in value:
                if f.required:
                    what = f.what or expected(f.type)
                    self.problems.append(f"{where(None)}: missing '{f.key}' ({what})")
                    ok = False
                continue
            built = self.value(f.type, value[f.key], _Slot(where(f.key), f"'{f.key}'", f.what))
            ok = ok and built is not BAD
            kwargs[f.name] = built
        if not ok:
            return BAD
        if plan.place is not None:
            if isinstance(value, Located):
                kwargs[plan.place] = Place(value.file, value.line, value.key_lines)
            else:
                kwargs[plan.place] = NOWHERE
        return cls(**kwargs)


def read(cls: type[T], node: Any, where: str, problems: list[str]) -> T | None:
    """``node`` (a parsed YAML file) as a ``cls``, or None; every problem is appended to
    ``problems``. ``where`` names the file ('content/rules/triage.yaml, line 1') for a
    file that is not a mapping at all."""
    if not isinstance(node, Mapping):
        keys = ", ".join(f.key for f in _plan(cls).fields)  # type: ignore[arg-type]
        problems.append(
            f"{where}: the file must be a mapping (keys such as {keys}), not {got(node)}"
        )
        return None
    built = _Reader(problems).record(cls, node, _Slot(where, "the file"))
    return None if built is BAD else built


def check(tp: Any, value: Any, where: str, label: str, problems: list[str]) -> Any:
    """``value`` read as the annotation ``tp`` (``Table[X]``, ``tuple[str, ...]``), for a
    node whose keys are data (question ids) rather than a declared shape; None when it
    does not fit. ``where`` and ``label`` name it in messages ("'locations'")."""
    built = _Reader(problems).value(tp, value, _Slot(where, label))
    return None if built is BAD else built


def build(cls: type[T], node: Any, where: str) -> T:
    """``node`` as a ``cls``; raises :class:`SchemaError` with every problem."""
    problems: list[str] = []
    built = read(cls, node, where, problems)
    if problems or built is None:
        raise SchemaError(problems)
    return built


__all__ = [
    "NOT_EMPTY",
    "NOWHERE",
    "OR_ONE",
    "OneOf",
    "Place",
    "SchemaError",
    "SourceKeys",
    "Table",
    "What",
    "build",
    "check",
    "meta",
    "read",
]
