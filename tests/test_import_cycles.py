"""No import circles among the ``chatbot`` modules.

The graph is read with ``ast`` from every module's imports: at the top, inside
functions (imported late, to start faster) and under ``TYPE_CHECKING`` (a type is a
dependency too). A circle fails the test and is named, module by module. The layers
this keeps are written in README's "How it is built".
"""

from __future__ import annotations

import ast
from pathlib import Path

from support import REPO

PACKAGE = REPO / "chatbot"


def module_files(root: Path = PACKAGE) -> dict[str, tuple[Path, bool]]:
    """Module name -> (file, is a package's ``__init__``)."""
    out: dict[str, tuple[Path, bool]] = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        package = parts[-1] == "__init__"
        if package:
            parts.pop()
        out[".".join(parts)] = (path, package)
    return out


def imports_of(name: str, path: Path, package: bool, known: set[str]) -> set[str]:
    """The ``chatbot`` modules that ``name`` imports anywhere in its file."""
    here = name if package else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here.split(".")[: len(here.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            for alias in node.names:  # "from pkg import module" imports the module
                full = f"{module}.{alias.name}"
                found.add(full if full in known else module)
    return {m for m in found if m in known and m != name}


def import_graph(root: Path = PACKAGE) -> dict[str, set[str]]:
    files = module_files(root)
    known = set(files)
    return {name: imports_of(name, path, package, known) for name, (path, package) in files.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One circle (as a path that returns to its start) per group of modules that
    import each other (Tarjan's strongly connected components)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.add(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(group)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return [_circle(graph, group) for group in groups]


def _circle(graph: dict[str, set[str]], group: set[str]) -> list[str]:
    """A shortest path from the group's first module back to itself, inside the group."""
    start = min(group)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        after = []
        for v in frontier:
            for w in sorted(graph[v] & group):
                if w == start:
                    return paths[v] + [start]
                if w not in paths:
                    paths[w] = paths[v] + [w]
                    after.append(w)
        frontier = after
    return sorted(group)  # not reached: every group holds a circle


def test_no_import_circles():
    graph = import_graph()
    assert len(graph) > 40 and graph["chatbot.engine.loading"]  # the graph was really read
    found = cycles(graph)
    assert not found, "import circles:\n" + "\n".join(" -> ".join(c) for c in found)


def test_a_circle_would_be_found_and_named(tmp_path):
    """Guard against a vacuous test: two modules that import each other (one in a
    function, one for types only) are named as a circle."""
    pkg = tmp_path / "chatbot"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "sub" / "a.py").write_text("def f():\n    from . import b\n")
    (pkg / "sub" / "b.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from chatbot.sub.a import f\n"
    )
    (pkg / "c.py").write_text("from .sub import a\n")
    graph = import_graph(pkg)
    assert graph["chatbot.c"] == {"chatbot.sub.a"}
    assert cycles(graph) == [["chatbot.sub.a", "chatbot.sub.b", "chatbot.sub.a"]]
