"""Command-line arguments that are URLs, and URL list files: light, so the CLI loads fast."""

from __future__ import annotations

from typing import TYPE_CHECKING

from storyline.errors import UsageError

if TYPE_CHECKING:
    from pathlib import Path

URL_SCHEMES = ("http://", "https://")


def is_url(text: str) -> bool:
    """Return True when a command-line argument is a URL rather than a path."""
    return text.lower().startswith(URL_SCHEMES)


def read_url_list(path: Path, *, max_bytes: int) -> list[str]:
    """Return the URLs of a list file: one a line, blank lines and ``#`` comments skipped.

    At most ``max_bytes`` are read (``[ingest] max_bytes``, as for any input file): ``--urls``
    naming /dev/zero or a runaway pipe hung the run, reading without end. Pipes stay usable
    (``--urls <(grep ...)``), so the bound is on the bytes, not on the kind of file.

    Raises:
        UsageError: the file cannot be read, is not UTF-8, or is over ``max_bytes``.
    """
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise UsageError(f"cannot read the URL list {path}: over {max_bytes} bytes")
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read the URL list {path}: {exc}") from exc
    urls = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            urls.append(stripped)
    return urls
