"""What identifies the code that made stored outputs: new code never replays what old code made.

Its own module: the run's closing mark (``stage_runner``), the storyline marks
(``story_marks``) and the quality marks all digest it, and the runners import those.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import importlib.util
import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable


@functools.cache
def stage_version() -> str:
    """Return what identifies the code that made the stored outputs.

    The installed version alone misses a code change in a checkout (its metadata keeps the
    version it was installed with), so a digest of the package's own files (code, defaults,
    packaged data) and every plug-in stage's distribution and version are part of it: new
    code never replays, nor keeps, what older code made.
    """
    try:
        version = importlib.metadata.version("storyline")
    except importlib.metadata.PackageNotFoundError:  # run from a checkout
        version = "unknown"
    digest = hashlib.sha256(version.encode())
    root = Path(__file__).resolve().parent
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    for entry in sorted(
        importlib.metadata.entry_points(group="storyline.stages"), key=lambda e: e.value
    ):
        dist = entry.dist
        owner = f"{dist.metadata['Name']}=={dist.version}" if dist is not None else "?"
        digest.update(f"{entry.name}={entry.value}:{owner}".encode())
    return f"{version}+{digest.hexdigest()[:16]}"


# -- the version of one per-article stage ---------------------------------------------------

_ROOT = Path(__file__).resolve().parent
_PACKAGE = "storyline"


def _module_file(name: str) -> Path | None:
    """Return the file of ``storyline.x.y`` (a module or a package's ``__init__``), if any."""
    parts = name.split(".")[1:]
    base = _ROOT.joinpath(*parts)
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


# An import statement of a module of ``package`` (storyline, or a plug-in's own package), or a
# relative one (``from . import x``, ``from .helpers import y``: plug-ins write them); a
# parenthesised name list may span lines.
@functools.cache
def _import_pattern(package: str) -> re.Pattern[str]:
    top = re.escape(package)
    return re.compile(
        rf"^(?P<indent>[ \t]*)(?:from[ \t]+(?P<module>{top}(?:\.[\w.]*)?(?!\w)|\.+[\w.]*)"
        rf"[ \t]+import[ \t]+(?P<names>\([^)]*\)|[^\n]*)|"
        rf"import[ \t]+(?P<plain>{top}(?:\.[\w.]*)?(?!\w)))",
        re.MULTILINE,
    )


_GUARD = re.compile(r"^(?P<indent>[ \t]*)if (?:typing\.)?TYPE_CHECKING:", re.MULTILINE)


def _hidden(text: str) -> list[tuple[int, int]]:
    """Return the spans of the ``if TYPE_CHECKING:`` blocks: their imports never run."""
    spans: list[tuple[int, int]] = []
    for guard in _GUARD.finditer(text):
        depth = len(guard["indent"])
        end = len(text)
        line_end = text.find("\n", guard.end())
        for line in re.finditer(r"^([ \t]*)\S", text[line_end + 1 :], re.MULTILINE):
            if len(line[1]) <= depth:
                end = line_end + 1 + line.start()
                break
        spans.append((guard.start(), end))
    return spans


def _imported(path: Path, *, lazy: bool, package: str = _PACKAGE, module: str = "") -> set[str]:
    """Return the modules of ``package`` a file imports (with ``lazy``, inside functions too).

    Imports under ``if TYPE_CHECKING:`` are left out: they never run, so they change no output.
    Without ``lazy`` only the top level's count. ``from storyline.x import y`` counts
    ``storyline.x.y`` too (kept when ``y`` is a module). A relative import is read from
    ``module``, the importing module's name (``path`` an ``__init__.py``: a package). A scan
    of import lines, not a parse: it runs on every ``storyline run`` and a parse of the
    closure costs 0.4 s of CPU.
    """
    text = path.read_text(encoding="utf-8")
    hidden = _hidden(text)
    found: set[str] = set()
    for match in _import_pattern(package).finditer(text):
        if (match["indent"] and not lazy) or any(a <= match.start() < b for a, b in hidden):
            continue
        if match["plain"]:
            found.add(match["plain"])
            continue
        name = _absolute(match["module"], module, package=path.name == "__init__.py")
        if name is None:
            continue
        found.add(name)
        names = match["names"].split("#")[0] if "(" not in match["names"] else match["names"]
        for part in re.findall(r"\b(\w+)\b(?:[ \t]+as[ \t]+\w+)?", names.strip("() \n")):
            if part != "as":
                found.add(f"{name}.{part}")
    return found


def _absolute(name: str, module: str, *, package: bool) -> str | None:
    """Return the absolute name of ``from NAME import`` in ``module`` (None: above its root)."""
    dots = len(name) - len(name.lstrip("."))
    if not dots:
        return name
    parts = module.split(".") if package else module.split(".")[:-1]
    if dots - 1 >= len(parts):
        return None
    base = parts[: len(parts) - (dots - 1)]
    rest = name[dots:]
    return ".".join(base + ([rest] if rest else []))


# Modules left out of every closure (and not followed): they move data between the store and
# the stages, they do not compute it. A runner's or the store's edit must not redo every
# stored article; a config value that changes a stage's output is named in its
# ``@stage(settings=...)``, so the config module's code does not stand for it.
_MOVERS = frozenset(
    {
        "storyline.article_runner",
        "storyline.runners",
        "storyline.summaries",
        "storyline.config",
        "storyline.registry",
        "storyline.stage_runner",
        "storyline.store",
    }
)


def _mover(name: str) -> bool:
    return any(name == m or name.startswith(m + ".") for m in _MOVERS)


@functools.cache
def code_closure(roots: tuple[str, ...]) -> tuple[str, ...]:
    """Return every storyline module ``roots`` run, transitively, with their parent packages.

    A module's imports inside functions count (a stage calls what it imports lazily); a
    parent package's only at its top level: importing ``storyline.x`` runs ``storyline``'s
    ``__init__``, not the functions its PEP 562 ``__getattr__`` imports from. The runner
    and infrastructure modules (``_MOVERS``) are left out.
    """
    return tuple(sorted(_closure(roots, _PACKAGE, _module_file, skip=_mover)))


def package_closure(module: str) -> dict[str, Path]:
    """Return the file of ``module`` and of every module of its own top-level package it runs.

    For a plug-in: the modules of its package that it imports (relative imports too, inside
    functions too), transitively, with their parent packages, as ``code_closure`` does for
    storyline. Not cached: an editable install's files change under a running process.
    """
    return _closure((module,), module.split(".", maxsplit=1)[0], _installed_file)


def _installed_file(name: str) -> Path | None:
    """Return the source file of an importable module (None: none, or not a .py file)."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    origin = None if spec is None or not spec.has_location else spec.origin
    return Path(origin) if origin and origin.endswith(".py") else None


def _closure(
    roots: tuple[str, ...],
    package: str,
    file_of: Callable[[str], Path | None],
    skip: Callable[[str], bool] = lambda _name: False,
) -> dict[str, Path]:
    """Return module -> file of everything ``roots`` run within ``package``, transitively."""
    seen: dict[str, bool] = {}  # module -> read with its lazy imports
    files: dict[str, Path] = {}
    todo = [(name, True) for name in roots]
    while todo:
        name, lazy = todo.pop()
        if seen.get(name, False) or (name in seen and not lazy) or skip(name):
            continue
        path = file_of(name)
        if path is None:
            continue
        seen[name] = lazy
        files[name] = path
        parts = name.split(".")
        todo.extend((".".join(parts[:i]), False) for i in range(1, len(parts)))
        imported = _imported(path, lazy=lazy, package=package, module=name)
        todo.extend((found, True) for found in imported)
    return files


@functools.cache
def code_digest(roots: tuple[str, ...]) -> str:
    """Return a digest of the storyline code ``roots`` run and of the packaged data.

    The data files (``storyline/data``: word vectors, weights) are read by path, not
    imported, so every stage's digest holds them all: a stage re-runs for data it may not
    read rather than keep what old data made.
    """
    digest = hashlib.sha256()
    for name in code_closure(roots):
        path = _module_file(name)
        if path is not None:
            digest.update(name.encode() + b"\0" + path.read_bytes())
    for path in sorted((_ROOT / "data").rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(_ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()
