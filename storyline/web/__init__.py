"""The web UI and REST API: ``create_app(store)`` for tests, ``serve(db, ...)`` for the CLI."""

from __future__ import annotations

from storyline.web.app import create_app, serve
from storyline.web.providers import Providers

__all__ = ["Providers", "create_app", "serve"]
