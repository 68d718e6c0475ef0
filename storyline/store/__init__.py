"""The store: SQLite with migrations; only the driver writes it."""

from __future__ import annotations

from storyline.store.db import Outcome, Store

__all__ = ["Outcome", "Store"]
