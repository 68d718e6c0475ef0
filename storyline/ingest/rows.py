"""Validation of JSONL/CSV rows: the trust boundary for structured input."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from storyline import errors
from storyline.errors import InputError
from storyline.ingest.decode import repair_text
from storyline.ingest.published import Published, date_order, read_published
from storyline.models import InputFormat, RawArticle, content_hash

_KNOWN = ("id", "title", "source", "url", "published", "language", "text")


class ArticleRow(BaseModel):
    """One structured input row; unknown columns are kept aside as ``meta``."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    text: str
    id: str | None = None
    title: str | None = None
    source: str | None = None
    url: str | None = None
    published: str | None = None
    language: str | None = None

    @field_validator("id", mode="before")
    @classmethod
    def _id_as_text(cls, value: object) -> object:
        # Numeric ids are common in CSV/JSONL exports; they are still ids.
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        return value


def row_to_article(record: dict[str, Any], locator: str, fmt: InputFormat) -> RawArticle:
    """Validate one row and turn it into a RawArticle.

    Raises:
        InputError: S103 when ``text`` is missing or empty, S111 when a field is invalid.
    """
    # NULs are dropped from stored text: a text of NULs alone is as empty as ""
    if not str(record.get("text") or "").replace("\x00", "").strip():
        raise InputError(errors.MISSING_FIELD, locator, "row has no 'text'")
    try:
        row = ArticleRow.model_validate(record)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise InputError(errors.INVALID_FIELD, locator, problems) from exc
    stated = Published(None)
    if row.published:
        try:
            # the row's language states the order of "03.04.2015" when it has one ("de")
            stated = read_published(row.published, date_order(row.language), row.language)
        except (ValueError, OverflowError) as exc:
            raise InputError(
                errors.INVALID_FIELD, locator, f"published: not a date ({row.published!r})"
            ) from exc
    # ftfy as the HTML reader runs it (curly quotes kept, NFC, CJK lines' full widths kept)
    text = repair_text(row.text.replace("\r\n", "\n"))
    title = repair_text(row.title or "")
    meta = {k: v for k, v in record.items() if k not in _KNOWN}
    # a date whose order is not stated ("12/11/10") keeps what all readings share, else none
    meta |= stated.meta()
    published = stated.value
    return RawArticle(
        id=row.id or content_hash(title, text),
        title=title,
        text=text,
        locator=locator,
        format=fmt,
        source=row.source or None,
        url=row.url or None,
        published=published,
        published_source="metadata" if published else "unknown",
        language=row.language or None,
        meta=meta,
    )
