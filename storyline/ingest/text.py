"""Plain-text reader: line 1 is the headline, the rest is the body."""

from __future__ import annotations

import hashlib

from storyline import errors
from storyline.errors import InputError
from storyline.ingest.decode import decode_bytes
from storyline.models import RawArticle, content_hash


def read_text(data: bytes, locator: str) -> RawArticle:
    """Read one plain-text article.

    Raises:
        InputError: S101/S104/S105 from decoding, S108 when there is no body under the headline.
    """
    text = decode_bytes(data, locator)
    lines = text.strip("\n").split("\n")
    title = lines[0].strip()
    body = "\n".join(lines[1:]).strip("\n")
    if not body.strip():
        raise InputError(errors.NO_ARTICLE_TEXT, locator, "headline only, no body text")
    return RawArticle(
        id=content_hash(title, body),
        title=title,
        text=body,
        locator=locator,
        format="txt",
        raw_sha256=hashlib.sha256(data).hexdigest(),
    )
