"""Safe YAML loading that remembers where each mapping key stood.

One small module chooses the loader: libyaml's ``CSafeLoader`` when PyYAML was
built with it, else the pure-Python ``SafeLoader``. Only safe loading is ever
used: nothing in a YAML file is executed or imported.

Every mapping is returned as a :class:`Located` dict that knows the file and the
line of itself and of each of its keys, so that schema errors can say
"dialogs/questions.yaml, line 42: ...".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

try:  # pragma: no cover - depends on how PyYAML was built
    _BaseLoader: type = yaml.CSafeLoader
    C_LOADER = True
except AttributeError:  # pragma: no cover
    _BaseLoader = yaml.SafeLoader
    C_LOADER = False


class Located(dict):
    """A dict from YAML that knows its file and the line of each key."""

    __slots__ = ("file", "key_lines", "line")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.file: str = "<string>"
        self.line: int = 0
        self.key_lines: dict[Any, int] = {}

    def line_of(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)

    def where(self, key: Any = None) -> str:
        line = self.line if key is None else self.line_of(key)
        return f"{self.file}, line {line}"


class YamlError(Exception):
    """A YAML file that cannot be read: the message names the file and line."""


class _LocatedLoader(_BaseLoader):
    """Builds :class:`Located` mappings; ``located_file`` is set on each instance (one
    class for every file: making a loader class per file cost more than the parsing)."""

    located_file = "<string>"


_STR = "tag:yaml.org,2002:str"


def _construct(loader: Any, node: yaml.Node) -> Any:
    # a plain string is the node's own text (what the str constructor returns); answers
    # files are mostly strings, and the general path costs several calls each
    if node.tag == _STR and isinstance(node, yaml.ScalarNode):
        return node.value
    return loader.construct_object(node, deep=True)


def _construct_located(loader: Any, node: yaml.MappingNode) -> Located:
    filename = loader.located_file
    loader.flatten_mapping(node)
    result = Located()
    result.file = filename
    result.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = _construct(loader, key_node)
        try:
            hash(key)
        except TypeError as exc:
            raise YamlError(
                f"{filename}, line {key_node.start_mark.line + 1}: a key must be a plain "
                f"value, not a list or mapping"
            ) from exc
        if key in result:
            raise YamlError(
                f"{filename}, line {key_node.start_mark.line + 1}: the key {key!r} appears "
                f"twice in the same mapping (first on line {result.key_lines[key]})"
            )
        result[key] = _construct(loader, value_node)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


_LocatedLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_located)


MAX_VALUES = 100_000  # values a document may expand to (the shipped files hold about 3,000)


def _expanded_size(root: yaml.Node) -> int:
    """How many values ``root`` stands for once every alias is expanded. Without an alias
    no node is met twice and the count is the number of nodes (one quick pass: the big
    shipped files cost about 3 ms instead of 17); a node met twice is an alias, and the
    exact count follows."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            return _shared_size(root)
        seen.add(id(node))
        if type(node) is yaml.SequenceNode:
            stack.extend(node.value)
        elif type(node) is yaml.MappingNode:
            for key, value in node.value:
                stack.append(key)
                stack.append(value)
    return len(seen)


def _shared_size(root: yaml.Node) -> int:
    """The expanded size of a document with aliases, counted without expanding (each node
    once, bottom-up), so an alias bomb is measured in milliseconds."""
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        children: list[yaml.Node] = []
        if isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            children = [part for pair in node.value for part in pair]
        if children_done or not children:
            sizes[id(node)] = 1 + sum(sizes.get(id(c), 0) for c in children)
            if sizes[id(node)] > MAX_VALUES:
                return sizes[id(node)]
            continue
        stack.append((node, True))
        stack.extend((c, False) for c in children if id(c) not in sizes)
    return sizes.get(id(root), 0)


def _load(text: str, filename: str, located: bool) -> Any:
    loader_class = _LocatedLoader if located else _BaseLoader
    try:
        loader = loader_class(text)  # a SafeLoader subclass: nothing is executed
        if located:
            loader.located_file = filename
        try:
            node = loader.get_single_node()
            if node is None:
                return None
            # without an alias (*name) a document is no bigger than its text: a short one
            # needs no counting (an answers file is a few hundred characters)
            if ("*" in text or len(text) * 4 >= MAX_VALUES) and _expanded_size(node) > MAX_VALUES:
                raise YamlError(
                    f"{filename}: its aliases (*name) expand to more than "
                    f"{MAX_VALUES:,} values; refused (a YAML 'alias bomb')"
                )
            return loader.construct_document(node)
        finally:
            loader.dispose()
    except YamlError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f", line {mark.line + 1}" if mark is not None else ""
        problem = exc.problem or exc.context or "not valid YAML"
        raise YamlError(f"{filename}{line}: {problem}") from exc
    except yaml.YAMLError as exc:
        raise YamlError(f"{filename}: not valid YAML ({exc})") from exc
    except RecursionError as exc:
        raise YamlError(f"{filename}: lists and mappings are nested too deep") from exc
    except ValueError as exc:  # such as an integer of more than 4,300 digits
        if "digits" in str(exc):
            raise YamlError(
                f"{filename}: a number has more than 4,300 digits; no value needs one that long"
            ) from exc
        raise YamlError(f"{filename}: a value cannot be read ({str(exc)[:120]})") from exc


def load_text(text: str, filename: str = "<string>", *, located: bool = True) -> Any:
    """Parse YAML text safely. ``located`` keeps file and line on every mapping."""
    return _load(text, filename, located)


def load_file(path: Path, display: str | None = None, *, located: bool = True) -> Any:
    """Read and parse a YAML file; errors name ``display`` (default: the path)."""
    name = display or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise YamlError(f"{name}: cannot be read ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        raise YamlError(f"{name}: is not UTF-8 text") from exc
    return _load(text, name, located)
