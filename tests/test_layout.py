"""The package layout keeps the promises of STYLE.md: short modules, no import cycles.

A module over the limit must be listed here with the reason it is still long; a listed module
that has become short fails too, so the list never goes stale.
"""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "storyline"
MAX_LINES = 500
# module -> why it is still over MAX_LINES (each one a split that is due, not an exemption).
LONG_MODULES = {}


def _modules() -> dict[str, Path]:
    return {p.relative_to(PACKAGE).as_posix(): p for p in sorted(PACKAGE.rglob("*.py"))}


def _line_count(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def test_layout_modules_stay_under_the_line_limit_or_say_why():
    modules = _modules()
    too_long = {
        name: _line_count(path)
        for name, path in modules.items()
        if _line_count(path) > MAX_LINES and name not in LONG_MODULES
    }
    stale = {
        name
        for name in LONG_MODULES
        if name not in modules or _line_count(modules[name]) <= MAX_LINES
    }

    assert too_long == {}, f"over {MAX_LINES} lines: split them, or list them with a reason"
    assert stale == set(), "listed as long but no longer: take them off LONG_MODULES"


def _module_name(relative: str) -> str:
    parts = ["storyline", *relative.removesuffix(".py").split("/")]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _top_level_imports(tree: ast.Module, module: str, *, package: bool) -> set[str]:
    """Names a module imports when it is loaded (not inside functions or TYPE_CHECKING)."""
    found: set[str] = set()
    pending: list[ast.stmt] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.If):
            if not _is_type_checking(node):
                pending.extend(node.body + node.orelse)
        elif isinstance(node, ast.Try):
            pending.extend(node.body + node.orelse + node.finalbody)
            for handler in node.handlers:
                pending.extend(handler.body)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = module.split(".")
                anchor = anchor if package else anchor[:-1]
                base = ".".join(anchor[: len(anchor) - node.level + 1])
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return found


def _drop_submodule_packages(imported: set[str], modules: set[str]) -> set[str]:
    """``from pkg import submodule`` depends on the submodule, not on pkg's __init__ body."""
    return {
        m
        for m in imported
        if not any(other.startswith(f"{m}.") and other in modules for other in imported)
    }


def _import_graph() -> dict[str, set[str]]:
    modules = {_module_name(rel): (rel, path) for rel, path in _modules().items()}
    graph: dict[str, set[str]] = {}
    for name, (rel, path) in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = _top_level_imports(tree, name, package=rel.endswith("__init__.py"))
        imported = _drop_submodule_packages(imported, set(modules))
        graph[name] = {m for m in imported if m in modules and m != name}
    return graph


def test_layout_import_graph_sees_the_package():
    graph = _import_graph()

    assert "storyline.extract.quotes.find" in graph
    assert "storyline.models" in graph["storyline.extract.quotes.find"]


def test_layout_has_no_import_cycles():
    try:
        list(graphlib.TopologicalSorter(_import_graph()).static_order())
    except graphlib.CycleError as exc:
        pytest.fail(f"import cycle: {' -> '.join(exc.args[1])}")
