"""Errors and the stable codes that bad input is reported with.

The tree::

    StorylineError            base of everything storyline raises
    ├── ConfigError           a config file or setting is wrong        (S001)
    ├── StoreError            the database cannot be opened or migrated (S002)
    │   └── StoreBusyError    another run is writing the same store      (S004)
    ├── UsageError            the caller asked for something impossible (S003)
    └── InputError            one input item is unusable; carries a code below

Input codes (``Rejected.code``) are stable: tests and users match on them, not on wording.
"""

from __future__ import annotations

from typing import Final

MISSING_PATH: Final = "S100"
EMPTY_INPUT: Final = "S101"
MALFORMED_JSONL: Final = "S102"
MISSING_FIELD: Final = "S103"
BINARY_INPUT: Final = "S104"
UNDECODABLE: Final = "S105"
TOO_LARGE: Final = "S106"
UNKNOWN_FORMAT: Final = "S107"
NO_ARTICLE_TEXT: Final = "S108"
MALFORMED_CSV: Final = "S109"
MALFORMED_WARC: Final = "S110"
INVALID_FIELD: Final = "S111"
FETCH_FAILED: Final = "S112"
FETCH_REFUSED: Final = "S113"
NOT_AN_ARTICLE: Final = "S114"
MALFORMED_FEED: Final = "S115"
NOT_REGULAR_FILE: Final = "S116"
FILE_REFUSED: Final = "S117"
DUPLICATE_ID: Final = "S118"
INTERNAL: Final = "S199"

DESCRIPTIONS: Final[dict[str, str]] = {
    MISSING_PATH: "path does not exist",
    EMPTY_INPUT: "empty input",
    MALFORMED_JSONL: "malformed JSONL line",
    MISSING_FIELD: "required field missing",
    BINARY_INPUT: "binary content, not text",
    UNDECODABLE: "bytes could not be decoded as text",
    TOO_LARGE: "input over the size limit",
    UNKNOWN_FORMAT: "unknown input format",
    NO_ARTICLE_TEXT: "no article text could be extracted",
    MALFORMED_CSV: "malformed CSV row",
    MALFORMED_WARC: "malformed WARC file",
    INVALID_FIELD: "field has an invalid value",
    FETCH_FAILED: "URL could not be fetched (network error, timeout, HTTP error, redirect loop)",
    FETCH_REFUSED: "URL refused by the safety rules (scheme, private address) or robots.txt",
    NOT_AN_ARTICLE: "fetched content-type is not an HTML page",
    MALFORMED_FEED: "feed or sitemap could not be parsed",
    NOT_REGULAR_FILE: "not a regular file (FIFO, socket, device, symlinked folder)",
    FILE_REFUSED: "a manifest 'file' outside the manifest's folder, or in an upload",
    DUPLICATE_ID: "an id already read in this run with other content (the first is kept)",
    INTERNAL: "unexpected internal error (a bug: the traceback is stored)",
}


class StorylineError(Exception):
    """Base class of every error storyline raises on purpose."""

    code = "S000"

    def __str__(self) -> str:
        return f"[{self.code}] {super().__str__()}"


class ConfigError(StorylineError):
    """A config file or setting is wrong."""

    code = "S001"


class StoreError(StorylineError):
    """The database cannot be opened, read or migrated."""

    code = "S002"


class StoreBusyError(StoreError):
    """Another storyline run holds the store's run lock: one run per store at a time."""

    code = "S004"


class UsageError(StorylineError):
    """The caller asked for something that cannot be done (unknown story, bad option)."""

    code = "S003"


class InputError(StorylineError):
    """One input item cannot become an article; the batch goes on without it."""

    def __init__(self, code: str, locator: str, reason: str) -> None:
        super().__init__(f"{locator}: {reason}")
        self.code = code
        self.locator = locator
        self.reason = reason


def interrupt_behind(exc: BaseException) -> KeyboardInterrupt | None:
    """Return the Ctrl-C that ``exc`` is, or was raised from or while handling; else None.

    Python wraps some exceptions it meets: a KeyboardInterrupt that lands in a descriptor's
    ``__set_name__`` while a module defines a class (a dataclass field, during an import)
    comes out as a RuntimeError. The per-item boundaries, which catch ``Exception``, took it
    for a bug in one input: an S199 row, and the run went on as if Ctrl-C had not been pressed.
    """
    pending: list[BaseException] = [exc]
    seen: set[int] = set()
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, KeyboardInterrupt):
            return current
        pending.extend(e for e in (current.__cause__, current.__context__) if e is not None)
    return None
