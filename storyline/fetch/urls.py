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


def read_url_list(path: Path) -> list[str]:
    """Return the URLs of a list file: one a line, blank lines and ``#`` comments skipped.

    Raises:
        UsageError: the file cannot be read.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read the URL list {path}: {exc}") from exc
    urls = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            urls.append(stripped)
    return urls
