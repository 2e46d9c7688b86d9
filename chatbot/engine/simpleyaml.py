"""A fast reader for the simple YAML that answers files are written in.

``calcinosis assess`` reads one answers file per person, and libyaml with PyYAML's
constructors spends about a quarter of a millisecond on each (most of it in Python,
building nodes and resolving every scalar). Answers files use a small part of YAML:
block mappings of ``key: value``, block sequences of scalars, one-line flow lists and
mappings (``[a, b]``, ``{value: 9.4, unit: mg/dL}``), plain and quoted scalars and
comments. :func:`load_simple` reads that part line by line and returns None for
anything else (or anything it is not sure of), so that the caller uses the full
loader: a file either reads here exactly as PyYAML's safe loader reads it, or is read
by that loader, with its messages (a key given twice, a line that is not YAML).

Scalars are resolved with PyYAML's own resolver and constructors (``yes`` is true,
``012`` is octal, ``9.4`` a float); a scalar PyYAML would turn into something other
than text, a number, a truth value or null (a date, a merge key) is left to it.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

_STR = "tag:yaml.org,2002:str"
_IMPLICIT = Resolver.yaml_implicit_resolvers
_WILDCARD = _IMPLICIT.get(None, [])
_CONSTRUCTOR = SafeConstructor()
_BUILD = {
    "tag:yaml.org,2002:int": SafeConstructor.construct_yaml_int,
    "tag:yaml.org,2002:float": SafeConstructor.construct_yaml_float,
    "tag:yaml.org,2002:bool": SafeConstructor.construct_yaml_bool,
    "tag:yaml.org,2002:null": SafeConstructor.construct_yaml_null,
}

# printable ASCII and line ends: anything else (control characters, tabs, carriage
# returns; text beyond ASCII, with line breaks of its own) goes to the full loader
_NOT_SIMPLE = re.compile(r"[^\n\x20-\x7e]")
# a plain scalar in block context: not starting with an indicator, without ": " or " #"
_BLOCK_PLAIN = re.compile(r"(?![-?:,\[\]{}#&*!|>'\"%@`])(?!.*(?:: | #))[^ ].*(?<![: ])$")
_NUMBER_START = re.compile(r"[-+.][0-9.]")
# a plain scalar inside a flow list or mapping: words, numbers, units
_FLOW_PLAIN = re.compile(r"(?:[\w.]|[-+][\w.])(?:[\w./+\- ]*[\w./+-])?")
_FLOW_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_-]{0,127}): +(.+)$")


class _NotSimple(Exception):
    """The text uses YAML beyond the simple part: the full loader reads it."""


def _resolve(value: str) -> Any:
    """A plain scalar as PyYAML's safe loader builds it."""
    for tag, pattern in _IMPLICIT.get(value[0], []) + _WILDCARD:
        if pattern.match(value):
            build = _BUILD.get(tag)
            if build is None:
                raise _NotSimple  # a date, a merge key: the full loader builds it
            try:
                return build(_CONSTRUCTOR, ScalarNode(tag, value))
            except ValueError as exc:  # such as an int of more than 4,300 digits
                raise _NotSimple from exc
    return value


def _quoted(text: str) -> str | None:
    """A quoted scalar's text (None when ``text`` is not one simple quoted scalar)."""
    if len(text) < 2 or text[-1] != text[0]:
        return None
    inner = text[1:-1]
    if text[0] == "'":
        return None if "'" in inner.replace("''", "") else inner.replace("''", "'")
    return None if '"' in inner or "\\" in inner else inner


def _flow_scalar(text: str) -> Any:
    if text[:1] in ("'", '"'):
        value = _quoted(text)
        if value is None:
            raise _NotSimple
        return value
    if not _FLOW_PLAIN.fullmatch(text):
        raise _NotSimple
    return _resolve(text)


def _flow(text: str) -> Any:
    """A one-line flow list or mapping of scalars."""
    inner = text[1:-1].strip()
    parts = [part.strip() for part in inner.split(",")] if inner else []
    if text[0] == "[":
        return [_flow_scalar(part) for part in parts]
    out: dict[str, Any] = {}
    for part in parts:
        match = _FLOW_KEY.match(part)
        if match is None or match[1] in out or _resolve(match[1]) != match[1]:
            raise _NotSimple
        out[match[1]] = _flow_scalar(match[2].strip())
    return out


_SCALARS: dict[str, Any] = {}  # a scalar's text -> its value (answers repeat their words)
_MAX_REMEMBERED = 10_000


def _value(text: str) -> Any:
    """A value written on the line of its key or after ``- ``."""
    value = _SCALARS.get(text, _SCALARS)
    if value is not _SCALARS:
        return value
    if text[0] in ("'", '"'):
        value = _quoted(text)
        if value is None:
            raise _NotSimple
    else:
        plain = text[: text.index(" #")].rstrip() if " #" in text else text  # a comment
        if (plain[0] == "[" and plain[-1] == "]") or (plain[0] == "{" and plain[-1] == "}"):
            return _flow(plain)  # a new list or mapping each time
        if not _BLOCK_PLAIN.match(plain) and not (
            _NUMBER_START.match(plain) and _BLOCK_PLAIN.match(plain[1:])
        ):
            raise _NotSimple
        value = _resolve(plain)
    if len(_SCALARS) < _MAX_REMEMBERED:
        _SCALARS[text] = value
    return value


def _key(text: str) -> str:
    """A mapping key (a word that PyYAML reads as text, not ``yes`` or ``null``)."""
    if _value(text) != text:
        raise _NotSimple
    return text


# one line: its indent, then "- " (a list item) or "key:" (and a space or the end), and
# the rest without the spaces at its end; any line matches (the rest may be anything)
_LINE = re.compile(r"^( *)(?:(- +)|([A-Za-z_][A-Za-z0-9_-]{0,127}):(?: +|$))?(.*?) *$", re.M)
_GOOD_KEYS: set[str] = set()


def _lines(text: str) -> list[tuple[int, str | None, str]]:
    """The lines that hold something, as (indent, key or None for a list item, the rest)."""
    out: list[tuple[int, str | None, str]] = []
    for indent, dash, key, rest in _LINE.findall(text):
        if dash:
            if not rest or rest[0] in "-?[{" or ": " in rest or rest[-1] == ":":
                raise _NotSimple  # an empty item, a nested list or a mapping in a list
            out.append((len(indent), None, rest))
        elif key:
            if key not in _GOOD_KEYS:
                _key(key)
                if len(_GOOD_KEYS) < _MAX_REMEMBERED:
                    _GOOD_KEYS.add(key)
            out.append((len(indent), key, "" if rest[:1] == "#" else rest))
        elif rest and rest[0] != "#":
            raise _NotSimple  # neither blank, a comment, an item nor a key
    return out


def _block(lines: list[tuple[int, str | None, str]]) -> dict[str, Any]:
    """Block mappings and lists of scalars, nested by indent."""
    root: dict[str, Any] = {}
    stack: list[tuple[int, Any]] = [(0, root)]  # (indent, the mapping or list there)
    waiting: tuple[dict[str, Any], str, int] | None = None  # a key without a value yet
    for indent, key, rest in lines:
        if waiting is not None:
            mapping, wkey, windent = waiting
            waiting = None
            if indent > windent or (indent == windent and key is None):
                mapping[wkey] = [] if key is None else {}
                stack.append((indent, mapping[wkey]))
            else:
                mapping[wkey] = None
        # close what this line is not in (a list at a key's own indent ends at a key)
        while stack[-1][0] > indent or (
            key is not None and stack[-1][0] == indent and type(stack[-1][1]) is list
        ):
            stack.pop()
        at, container = stack[-1]
        if at != indent or (key is None) != (type(container) is list):
            raise _NotSimple  # an indent between levels, an item in a mapping, ...
        if key is None:
            container.append(_value(rest))
        elif key in container:
            raise _NotSimple  # a key twice: the full loader names both lines
        elif rest:
            container[key] = _value(rest)
        else:
            container[key] = None
            waiting = (container, key, indent)
    return root


def load_simple(text: str) -> dict[Any, Any] | None:
    """``text`` read as PyYAML's safe loader reads it, when it is a mapping written in
    the simple YAML of answers files; None when the full loader must read it."""
    if not text.isascii() or _NOT_SIMPLE.search(text):
        return None
    try:
        lines = _lines(text)
        if not lines or lines[0][0] != 0 or lines[0][1] is None:
            return None
        return _block(lines)
    except (_NotSimple, yaml.YAMLError):
        return None
