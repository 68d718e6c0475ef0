"""storyline: turn a pile of news articles from many outlets into sourced stories."""

from __future__ import annotations

from storyline.api import RunReport, Workspace, open  # noqa: A004 - storyline.open is the API
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
