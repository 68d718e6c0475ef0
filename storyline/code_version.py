"""What identifies the code that made stored outputs: new code never replays what old code made.

Its own module: the run's closing mark (``stage_runner``), the storyline marks
(``story_marks``) and the quality marks all digest it, and the runners import those.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
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
