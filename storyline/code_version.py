"""What identifies the code that made stored outputs: new code never replays what old code made.

Its own module: the run's closing mark (``stage_runner``), the storyline marks
(``story_marks``) and the quality marks all digest it, and the runners import those.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import re
from pathlib import Path


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


# An import statement of a storyline module; a parenthesised name list may span lines.
_IMPORT = re.compile(
    r"^(?P<indent>[ \t]*)(?:from[ \t]+(?P<module>storyline[\w.]*)[ \t]+import[ \t]+"
    r"(?P<names>\([^)]*\)|[^\n]*)|import[ \t]+(?P<plain>storyline[\w.]*))",
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


def _imported(path: Path, *, lazy: bool) -> set[str]:
    """Return the storyline modules a file imports (with ``lazy``, inside functions too).

    Imports under ``if TYPE_CHECKING:`` are left out: they never run, so they change no output.
    Without ``lazy`` only the top level's count. ``from storyline.x import y`` counts
    ``storyline.x.y`` too (kept when ``y`` is a module). A scan of import lines, not a
    parse: it runs on every ``storyline run`` and a parse of the closure costs 0.4 s of CPU.
    """
    text = path.read_text(encoding="utf-8")
    hidden = _hidden(text)
    found: set[str] = set()
    for match in _IMPORT.finditer(text):
        if (match["indent"] and not lazy) or any(a <= match.start() < b for a, b in hidden):
            continue
        if match["plain"]:
            found.add(match["plain"])
            continue
        module = match["module"]
        found.add(module)
        names = match["names"].split("#")[0] if "(" not in match["names"] else match["names"]
        for name in re.findall(r"\b(\w+)\b(?:[ \t]+as[ \t]+\w+)?", names.strip("() \n")):
            if name != "as":
                found.add(f"{module}.{name}")
    return found


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
    seen: dict[str, bool] = {}  # module -> read with its lazy imports
    todo = [(name, True) for name in roots]
    while todo:
        name, lazy = todo.pop()
        path = _module_file(name)
        if path is None or seen.get(name, False) or (name in seen and not lazy):
            continue
        if _mover(name):
            continue
        seen[name] = lazy
        parts = name.split(".")
        todo.extend((".".join(parts[:i]), False) for i in range(1, len(parts)))
        todo.extend((found, True) for found in _imported(path, lazy=lazy))
    return tuple(sorted(seen))


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
