"""The store: one table per record type, written by the driver only.

Writes happen in short transactions, one per batch, so a crash mid-run leaves the store as it
was after the last complete batch (WAL journal, foreign keys on). The database is a SQLite
file, or a PostgreSQL database when ``path`` is a ``postgresql://`` URL: the SQL is written in
SQLite's dialect, in portable forms, and ``store.postgres`` translates it.

``Store`` is put together from one class per noun: ``base`` (the connection, reading any
table), ``articles``, ``extracts`` (per-article stage records) and ``stories`` (whole-corpus
records); the feeds, fetch state and change log are functions in ``feeds``.
"""

from __future__ import annotations

from storyline.store.articles import ArticleStore, Outcome
from storyline.store.extracts import ExtractStore
from storyline.store.outputs import OutputStore
from storyline.store.stories import StoryStore

__all__ = ["Outcome", "Store"]


class Store(ArticleStore, ExtractStore, StoryStore, OutputStore):
    """A storyline database: articles, what was removed from them, and everything derived."""
