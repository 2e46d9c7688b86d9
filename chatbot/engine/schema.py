"""One typed validator for the YAML files in ``dialogs/`` and ``content/``.

The shape of a file is declared as frozen dataclasses with ordinary type
annotations (``@shape``, or ``@dataclass(frozen=True)``); :func:`read` walks a
parsed YAML node (:class:`~chatbot.engine.yamlio.Located` mappings, which know
their file and the line of each key) against them and returns the typed object,
or records what is wrong, each message with the file and line of the offending
key::

    @shape
    class CautionSpec:
        WHAT: ClassVar[str] = "a caution"            # how messages name one
        SHAPE: ClassVar[str] = "each caution needs ..."  # (optional) said for a non-mapping
        id: str
        when: Any                                    # free-form: conditions.py checks it
        text: Annotated[str, NOT_EMPTY]
        sources: SourceKeys = ()                     # a default makes the key optional
        not_: bool = field(default=False, metadata=meta(key="not"))  # YAML key "not"
        place: Place = field(default=NOWHERE, compare=False)  # filled in: where it stood

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

Declarations live at module level: their annotations are resolved in their module.

Only the shape is checked here: unknown keys (naming the allowed ones and the
nearest), missing keys, wrong types, values outside their set. Checks across
files (an id that must exist elsewhere) stay with each loader, on typed objects.
A list item or mapping value that is wrong is left out (its problem recorded),
so that one mistake does not hide the others.
"""

from __future__ import annotations

import dataclasses
import difflib
import sys
import types
import typing
from collections.abc import Callable, Mapping
from functools import cache
from typing import (
    Annotated,
    Any,
    Literal,
    NoReturn,
    TypeVar,
    dataclass_transform,
    get_args,
    get_origin,
)

from chatbot.engine.yamlio import Located

T = TypeVar("T")


def _frozen_setattr(self: object, name: str, value: Any) -> NoReturn:
    raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")


def _frozen_delattr(self: object, name: str) -> NoReturn:
    raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")


@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field,))
def shape(cls: type[T]) -> type[T]:
    """Declares the shape of a YAML mapping: a frozen dataclass (its fields cannot be
    set) made without generated methods. :func:`read` makes the objects, so no
    ``__init__``, ``__eq__`` or ``__repr__`` is needed, and generating them for the 60 or
    so declarations (``@dataclass(frozen=True)``) cost about 30 ms at every start."""
    if not cls.__doc__:  # else dataclass writes one from inspect.signature, which is slow
        cls.__doc__ = f"The shape of {getattr(cls, 'WHAT', cls.__name__)}."
    dataclasses.dataclass(init=False, eq=False, repr=False)(cls)
    cls.__setattr__ = _frozen_setattr  # type: ignore[method-assign]
    cls.__delattr__ = _frozen_delattr  # type: ignore[method-assign]
    return cls


class SchemaError(ValueError):
    """Every problem found, each as 'FILE, line N: message'."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


# The markers below are plain classes: a dataclass is made by generating code at import,
# and this module is imported at every start.


class OneOf:
    """``Annotated[str, OneOf(codes)]``: the value must be one of ``codes``."""

    __slots__ = ("choices",)

    def __init__(self, choices: tuple[str, ...]):
        self.choices = choices


class What:
    """``Annotated[X, What("a list of source keys")]``: how messages name the value."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text


class _NotEmpty:
    __slots__ = ()


NOT_EMPTY = _NotEmpty()
"""``Annotated[X, NOT_EMPTY]``: a blank text or an empty list is a problem."""


class _OrOne:
    __slots__ = ()


OR_ONE = _OrOne()
"""``Annotated[tuple[X, ...], OR_ONE]``: one value alone stands for a list of one."""


class Place:
    """Where a mapping stood: its file, its line and the line of each of its keys.
    (A plain class: one is made for every mapping read, and a dataclass costs more.)"""

    __slots__ = ("file", "key_lines", "line")

    def __init__(self, file: str, line: int, key_lines: Mapping[Any, int] | None = None):
        self.file, self.line = file, line
        self.key_lines: Mapping[Any, int] = {} if key_lines is None else key_lines

    def __repr__(self) -> str:
        return f"Place({self.where()!r})"

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


class _Field:
    """One declared field: its name, YAML key, type, whether required, its description."""

    __slots__ = ("convert", "key", "name", "plain", "required", "type", "what")

    def __init__(
        self, name: str, key: str, tp: Any, required: bool, what: str | None, convert: Any
    ):
        self.name, self.key, self.type, self.required, self.what = name, key, tp, required, what
        self.convert = convert  # reads a value of ``type`` (see _converter)
        # str, int, float, bool: a value of that exact type is taken as it is; Any: not None
        self.plain = tp if tp in (str, int, float, bool, Any) else None


class _Plan:
    """What :func:`read` needs to know of a declared class, worked out once."""

    __slots__ = ("by_key", "defaults", "factories", "fields", "place", "what")

    def __init__(
        self,
        fields: tuple[_Field, ...],
        place: str | None,
        what: str,
        defaults: Mapping[str, Any] | None,
        factories: tuple[tuple[str, Callable[[], Any]], ...],
    ):
        self.fields, self.by_key = fields, {f.key: f for f in fields}
        self.place = place  # the field that receives the Place, if any
        self.what = what  # "a caution"
        # the values of the fields left out, for making an object without calling its
        # __init__ (a frozen dataclass's sets each field through object.__setattr__);
        # None for a class that needs its __init__ (__post_init__, __slots__)
        self.defaults, self.factories = defaults, factories


def _type_of(cls: type, field: dataclasses.Field[Any]) -> Any:
    """A field's annotation, evaluated in its module when written as a string (``from
    __future__ import annotations``): what ``typing.get_type_hints`` gives with its
    extras, for a third of the cost (each of some 60 classes is resolved once per run)."""
    if not isinstance(field.type, str):
        return field.type
    module = sys.modules.get(cls.__module__)
    return eval(field.type, vars(module) if module else {})  # our own source, as typing does


@cache
def _plan(cls: type) -> _Plan:
    """The fields of a declared class, its annotations resolved once."""
    fields: list[_Field] = []
    place = None
    for f in dataclasses.fields(cls):
        if not f.init:
            continue
        tp = _type_of(cls, f)
        if tp is Place:
            place = f.name
            continue
        required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        key = f.metadata.get("key", f.name)
        what = f.metadata.get("what")
        fields.append(_Field(f.name, key, tp, required, what, _converter(tp)))
    what = getattr(cls, "WHAT", None) or f"a {cls.__name__}"
    plain = not hasattr(cls, "__post_init__") and "__slots__" not in cls.__dict__
    every = dataclasses.fields(cls)
    defaults = {f.name: f.default for f in every if f.default is not dataclasses.MISSING}
    factories = tuple(
        (f.name, f.default_factory) for f in every if f.default_factory is not dataclasses.MISSING
    )
    if any(not f.init for f in every):
        plain = False
    return _Plan(tuple(fields), place, what, defaults if plain else None, factories)


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


# Where a value stands: (mapping or None, key, fallback 'FILE, line N', what the field
# says it is, a name such as "the file", the slot of the list it is an item of). A tuple:
# one is made for each value read, and 'FILE, line N' only for a message.
_Slot = tuple[Located | None, Any, str, str | None, str | None, Any]


def _at(slot: _Slot) -> str:
    node, key, fallback = slot[0], slot[1], slot[2]
    return node.where(key) if node is not None else fallback


def _label(slot: _Slot) -> str:  # "'rules'", "each item of 'rules'", "the file"
    if slot[5] is not None:
        return f"each item of {_label(slot[5])}"
    return slot[4] if slot[4] is not None else f"'{slot[1]}'"


_Convert = Callable[["_Reader", Any, _Slot], Any]


@cache
def _converter(full: Any) -> _Convert:
    """A function that reads a value as the annotation ``full`` (made once per type)."""
    tp, extras = _unwrap(full)
    inner = _optional(tp)
    if inner is not None:
        convert = _converter(inner)
        return lambda r, v, s: None if v is None else convert(r, v, s)
    if tp is Any:  # free-form, but written: null is a slip (a "when:" left empty)
        return lambda r, v, s: r.fail(s, full, v) if v is None else v
    if tp in _SCALARS:
        return _scalar(full, tp, extras)
    origin = get_origin(tp)
    if origin is Literal:
        choices = get_args(tp)
        return lambda r, v, s: r.choice(choices, v, s)
    if origin in (list, tuple):
        return _sequence(full, get_args(tp)[0], extras)
    if origin is dict or origin is Table:
        return _mapping(tp)
    if dataclasses.is_dataclass(tp):
        return lambda r, v, s: r.record(tp, v, s)  # type: ignore[arg-type]
    raise TypeError(f"schema: unsupported annotation {tp!r}")


def _scalar(full: Any, tp: type, extras: tuple[Any, ...]) -> _Convert:
    choices = next((e.choices for e in extras if isinstance(e, OneOf)), None)
    not_empty = any(isinstance(e, _NotEmpty) for e in extras)

    def convert(r: _Reader, v: Any, s: _Slot) -> Any:
        if type(v) is not tp:  # YAML gives exact types; True is no int here
            if tp is not float or type(v) is not int:
                return r.fail(s, full, v)
            v = float(v)
        if choices is not None:
            return r.choice(choices, v, s)
        if not_empty and not v.strip():
            return r.empty(s, full)
        return v

    return convert


def _sequence(full: Any, item_type: Any, extras: tuple[Any, ...]) -> _Convert:
    or_one = any(isinstance(e, _OrOne) for e in extras)
    not_empty = any(isinstance(e, _NotEmpty) for e in extras)

    def convert(r: _Reader, v: Any, s: _Slot) -> Any:
        if or_one and v is not None and not isinstance(v, list | dict):
            v = [v]
        if not isinstance(v, list):
            return r.fail(s, full, v)
        item = _converter(item_type)
        item_slot = (s[0], s[1], s[2], None, None, s)
        out = []
        for x in v:
            built = item(r, x, item_slot)
            if built is not BAD:
                out.append(built)
        return r.empty(s, full) if not_empty and not out else tuple(out)

    return convert


def _mapping(tp: Any) -> _Convert:
    value_type = get_args(tp)[-1]
    table = get_origin(tp) is Table

    def convert(r: _Reader, v: Any, s: _Slot) -> Any:
        if not isinstance(v, dict):
            return r.fail(s, tp, v)
        item = _converter(value_type)
        out: dict[str, Any] = Table() if table else {}
        node, fallback = (v, "") if isinstance(v, Located) else (None, _at(s))
        if isinstance(out, Table) and node is not None:
            out.place = Place(node.file, node.line, node.key_lines)
        for key, value in v.items():
            slot = (node, key, fallback, None, None, None)
            if type(key) is not str:
                r.problems.append(f"{_at(slot)}: the key {_key(key)} must be text")
                continue
            built = item(r, value, slot)
            if built is not BAD:
                out[key] = built
        return out

    return convert


class _Reader:
    """Records the problems of one read. Mappings are tested as ``dict`` (what YAML gives),
    not ``Mapping``, whose isinstance check costs ten times more."""

    def __init__(self, problems: list[str]):
        self.problems = problems

    def fail(self, slot: _Slot, tp: Any, value: Any) -> _Bad:
        what = slot[3] or expected(tp)
        base, _ = _unwrap(tp)
        shape = getattr(base, "SHAPE", None) if dataclasses.is_dataclass(base) else None
        if shape:  # the class says how one is written
            message = f"{shape}, not {got(value)}"
        elif dataclasses.is_dataclass(base) or get_origin(base) in (dict, Table):
            message = f"missing or not a mapping: {_label(slot)} must be {what}, not {got(value)}"
        else:
            message = f"{_label(slot)} must be {what}, not {got(value)}"
        self.problems.append(f"{_at(slot)}: {message}")
        return BAD

    def empty(self, slot: _Slot, tp: Any) -> _Bad:
        self.problems.append(f"{_at(slot)}: {_label(slot)} is empty ({slot[3] or expected(tp)})")
        return BAD

    def choice(self, choices: tuple[Any, ...], value: Any, slot: _Slot) -> Any:
        if not isinstance(value, str):  # such as yes, no or on, which YAML reads as true/false
            what = "one of " + ", ".join(map(str, choices))
            self.problems.append(f"{_at(slot)}: {_label(slot)} must be {what}, not {got(value)}")
            return BAD
        if value in choices:
            return value
        self.problems.append(
            f"{_at(slot)}: {value!r} is not one of {', '.join(map(str, choices))}"
            + _nearest(value, choices)
        )
        return BAD

    def unknown_keys(self, plan: _Plan, value: Mapping[Any, Any], slot: _Slot) -> None:
        for key in value:
            if key not in plan.by_key:
                allowed = [f.key for f in plan.fields]
                at = value.where(key) if isinstance(value, Located) else _at(slot)
                self.problems.append(
                    f"{at}: unknown key {_key(key)} in {plan.what}; allowed: "
                    f"{', '.join(allowed)}" + _nearest(key, allowed)
                )

    def record(self, cls: type, value: Any, slot: _Slot) -> Any:
        if not isinstance(value, dict):
            return self.fail(slot, cls, value)
        plan = _plan(cls)
        if not value.keys() <= plan.by_key.keys():
            self.unknown_keys(plan, value, slot)
        node, fallback = (value, "") if isinstance(value, Located) else (None, _at(slot))
        kwargs: dict[str, Any] = {}
        ok = True
        for f in plan.fields:
            if f.key in value:
                v = value[f.key]
                if type(v) is f.plain or (f.plain is Any and v is not None):  # the usual case
                    kwargs[f.name] = v
                    continue
                built = f.convert(self, v, (node, f.key, fallback, f.what, None, None))
                if built is BAD:
                    ok = False
                kwargs[f.name] = built
            elif f.required:
                at = node.where() if node is not None else fallback
                self.problems.append(f"{at}: missing '{f.key}' ({f.what or expected(f.type)})")
                ok = False
        if not ok:
            return BAD
        if plan.place is not None:
            kwargs[plan.place] = (
                NOWHERE if node is None else Place(node.file, node.line, node.key_lines)
            )
        if plan.defaults is None:
            return cls(**kwargs)
        made: Any = object.__new__(cls)
        attributes = made.__dict__
        attributes.update(plan.defaults)
        for name, factory in plan.factories:
            attributes[name] = factory()
        attributes.update(kwargs)
        return made


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
    built = _Reader(problems).record(cls, node, (None, None, where, None, "the file", None))
    return None if built is BAD else built


def check(tp: Any, value: Any, where: str, label: str, problems: list[str]) -> Any:
    """``value`` read as the annotation ``tp`` (``Table[X]``, ``tuple[str, ...]``), for a
    node whose keys are data (question ids) rather than a declared shape; None when it
    does not fit. ``where`` and ``label`` name it in messages ("'locations'")."""
    built = _converter(tp)(_Reader(problems), value, (None, None, where, None, label, None))
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
    "shape",
]
