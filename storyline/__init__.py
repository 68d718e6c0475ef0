"""storyline: turn a pile of news articles from many outlets into sourced stories."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from storyline.config import Settings, load_settings
from storyline.errors import StorylineError
from storyline.models import (
    CleanArticle,
    Entity,
    IngestSummary,
    Quote,
    RawArticle,
    Rejected,
    Story,
    TimeExpr,
)

if TYPE_CHECKING:
    from storyline.api import RunReport, Workspace, open  # noqa: A004 - storyline.open is the API

# The workspace API pulls in every stage (spaCy, scikit-learn, scipy): it is imported on first
# use (PEP 562), so ``import storyline`` and ``storyline --help`` stay fast.
_LAZY = frozenset({"RunReport", "Workspace", "open"})


def __getattr__(name: str) -> Any:  # noqa: ANN401 - whatever the API module holds
    if name in _LAZY:
        from storyline import api  # noqa: PLC0415 - the point of PEP 562

        return getattr(api, name)
    msg = f"module 'storyline' has no attribute {name!r}"
    raise AttributeError(msg)


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "CleanArticle",
    "Entity",
    "IngestSummary",
    "Quote",
    "RawArticle",
    "Rejected",
    "RunReport",
    "Settings",
    "Story",
    "StorylineError",
    "TimeExpr",
    "Workspace",
    "load_settings",
    "open",
]
