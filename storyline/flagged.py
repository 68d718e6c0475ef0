"""Whether a row stands on flagged copy alone: one predicate for the store, CLI and briefing.

Kept apart from the store and the quality stage so that the CLI's renderer (on the path of
``storyline --help``) can use it without importing either.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable


def flagged_only(article_ids: Iterable[str], flagged: Collection[str]) -> bool:
    """Return True when every article behind a row is flagged as untrustworthy copy."""
    ids = list(article_ids)
    return bool(ids) and all(a in flagged for a in ids)
