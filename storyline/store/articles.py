"""Articles in the store: what was read, what was removed from it, what was rejected."""

from __future__ import annotations

import dataclasses
import json
import traceback
from typing import TYPE_CHECKING, Any, Literal

from storyline.errors import INTERNAL, interrupt_behind
from storyline.models import CleanArticle, RawArticle, Rejected, RemovedLine
from storyline.store.base import StoreBase, chunks, dump, upsert

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence

    from storyline.boundary import Failure
    from storyline.store.dialect import Connection

Outcome = Literal["stored", "updated", "unchanged"]

_ARTICLE_COLUMNS = (
    "id, content_hash, title, text, raw_text, source, url, published, published_source, "
    "published_confidence, language, format, locator, raw_sha256, meta, seq, published_precision"
)
_REJECTED_UPSERT = upsert("rejected", ("locator", "code", "reason", "detail"), ("locator",))
_STAGE_REJECTED_UPSERT = upsert(
    "rejected", ("locator", "code", "reason", "detail", "stage", "item_id"), ("locator",)
)
# The clean stage's name in ``article_stages``: the cleaner's version of each stored article.
CLEANED = "clean"
# Flags that make an article's copy itself untrustworthy (``untrusted``).
_UNTRUSTED = frozenset({"incoherent", "spliced", "attribution_mismatch"})


class ArticleStore(StoreBase):
    """Writing and reading articles, their removed lines, and rejected inputs."""

    def save_batch(
        self,
        articles: Sequence[tuple[RawArticle, CleanArticle]],
        rejected: Sequence[Rejected],
        *,
        cleaned_by: str | None = None,
    ) -> list[Outcome]:
        """Write a batch of cleaned articles and rejected inputs in one transaction.

        ``cleaned_by`` is the cleaner's version (``stage_runner.clean_version``): each article
        written is stamped with it, so the clean stage does not clean it again (None: it does,
        once).

        Returns:
            For each article, whether it was new, changed, or already stored as it is.
        """
        outcomes: list[Outcome] = []
        with self.transaction() as conn:
            seq = int(conn.execute("SELECT COALESCE(MAX(seq), 0) FROM articles").fetchone()[0])
            for raw, read in articles:
                clean = self._stored_page(conn, raw, read)
                row = conn.execute(
                    "SELECT content_hash, raw_text, title FROM articles WHERE id = ?", (clean.id,)
                ).fetchone()
                if row is not None and (row["raw_text"], row["title"]) == (raw.text, raw.title):
                    outcomes.append("unchanged")
                    continue
                seq += 1
                self._write_article(conn, raw, clean, seq)
                if cleaned_by is not None:
                    conn.execute(
                        "INSERT INTO article_stages (article_id, stage, version) VALUES (?, ?, ?)",
                        (clean.id, CLEANED, cleaned_by),
                    )
                outcomes.append("updated" if row is not None else "stored")
                # an input that was rejected before and now reads fine is no longer rejected,
                # and a changed article goes through the stages again
                conn.execute("DELETE FROM rejected WHERE locator = ?", (clean.locator,))
                conn.execute("DELETE FROM rejected WHERE item_id = ?", (clean.id,))
            conn.executemany(
                _REJECTED_UPSERT,
                [(item.locator, item.code, item.reason, None) for item in rejected],
            )
        return outcomes

    @staticmethod
    def _stored_page(conn: Connection, raw: RawArticle, clean: CleanArticle) -> CleanArticle:
        """Return ``clean`` under the id its HTML page is stored with, if it was read before.

        A page's id is the hash of the text read from it, so a reader that changed (trafilatura's
        fast mode, a new vote) gave the same file, re-read, a new id: the old row stayed and the
        new one looked like a copy of it. The page's bytes (``raw_sha256``) name it across
        reader versions: its stored id is kept, and the text read now updates that article.
        """
        if raw.format != "html" or not clean.raw_sha256:
            return clean
        if conn.execute("SELECT 1 FROM articles WHERE id = ?", (clean.id,)).fetchone():
            return clean  # the id is stored: this text (or another page with it) is known
        row = conn.execute(
            "SELECT id FROM articles WHERE raw_sha256 = ? AND format = 'html' ORDER BY seq LIMIT 1",
            (clean.raw_sha256,),
        ).fetchone()
        return clean if row is None else dataclasses.replace(clean, id=str(row["id"]))

    @staticmethod
    def _write_article(conn: Connection, raw: RawArticle, clean: CleanArticle, seq: int) -> None:
        conn.execute("DELETE FROM articles WHERE id = ?", (clean.id,))
        conn.execute(
            f"INSERT INTO articles ({_ARTICLE_COLUMNS}) VALUES "  # noqa: S608 - fixed columns
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                clean.id,
                clean.content_hash,
                clean.title,
                clean.text,
                raw.text,
                clean.source,
                clean.url,
                clean.published,
                clean.published_source,
                clean.published_confidence,
                clean.language,
                clean.format,
                clean.locator,
                clean.raw_sha256,
                json.dumps(clean.meta, ensure_ascii=False, sort_keys=True, default=str),
                seq,
                clean.published_precision if clean.published else None,
            ),
        )
        conn.executemany(
            "INSERT INTO removed_lines (article_id, line_no, text, reason, score) "
            "VALUES (?, ?, ?, ?, ?)",
            [(clean.id, r.line_no, r.text, r.reason, r.score) for r in clean.removed],
        )

    def replace_clean(self, articles: Sequence[CleanArticle]) -> None:
        """Store what a new cleaner made of stored articles; the later stages do them again.

        The clean text, content hash, outlet, meta, date (``clean_stage.recleaned``) and
        removed lines are replaced in place (an article keeps its place in ingest order, as a
        run from scratch gives it); every other per-article stage's stamp is cleared (version
        unknown: done again, counted as ``redone``) and the rejections of the stages that keep
        an item out until it changes (dedupe, quality) are dropped, as for an updated article.
        """
        with self.transaction() as conn:
            for clean in articles:
                conn.execute(
                    "UPDATE articles SET content_hash = ?, text = ?, source = ?, meta = ?, "
                    "published = ?, published_source = ?, published_confidence = ?, "
                    "published_precision = ? WHERE id = ?",
                    (
                        clean.content_hash,
                        clean.text,
                        clean.source,
                        json.dumps(clean.meta, ensure_ascii=False, sort_keys=True, default=str),
                        clean.published,
                        clean.published_source,
                        clean.published_confidence,
                        clean.published_precision if clean.published else None,
                        clean.id,
                    ),
                )
                conn.execute("DELETE FROM removed_lines WHERE article_id = ?", (clean.id,))
                conn.executemany(
                    "INSERT INTO removed_lines (article_id, line_no, text, reason, score) "
                    "VALUES (?, ?, ?, ?, ?)",
                    [(clean.id, r.line_no, r.text, r.reason, r.score) for r in clean.removed],
                )
                conn.execute(
                    "UPDATE article_stages SET version = NULL WHERE article_id = ? AND stage <> ?",
                    (clean.id, CLEANED),
                )
                conn.execute(
                    "DELETE FROM rejected WHERE item_id = ? AND (stage IS NULL OR stage <> ?)",
                    (clean.id, CLEANED),
                )

    def raw_texts(self, ids: Iterable[str]) -> dict[str, str]:
        """Return the bodies as they were read (boilerplate included), by article id."""
        found: dict[str, str] = {}
        for chunk, marks in chunks(ids):
            rows = self.conn.execute(
                f"SELECT id, raw_text FROM articles WHERE id IN ({marks})",  # noqa: S608
                chunk,
            )
            found.update((r[0], str(r[1])) for r in rows)
        return found

    def record_internal_error(self, locator: str, exc: BaseException) -> Rejected:
        """Store an unexpected exception as a Rejected row with its traceback (S199).

        Raises:
            KeyboardInterrupt: ``exc`` is a Ctrl-C that the code it landed in wrapped (see
                ``errors.interrupt_behind``): the run stops, as the user asked, no row is stored.
        """
        from storyline.ingest.files import locator_of, printable  # noqa: PLC0415

        if interrupt_behind(exc) is not None:
            raise KeyboardInterrupt from exc
        # the locator may be a file name with bytes that are not UTF-8: the row must still fit
        item = Rejected(locator_of(locator), INTERNAL, printable(f"{type(exc).__name__}: {exc}"))
        detail = printable("".join(traceback.format_exception(exc)))
        with self.transaction() as conn:
            conn.execute(_REJECTED_UPSERT, (item.locator, item.code, item.reason, detail))
        return item

    def record_failures(self, failures: Sequence[Failure]) -> list[Rejected]:
        """Store items that a stage could not process as Rejected rows naming the stage.

        One row per (stage, item): a rerun that fails on the same item replaces its row.
        """
        with self.transaction() as conn:
            conn.executemany(
                _STAGE_REJECTED_UPSERT,
                [(f.locator, f.code, f.reason, f.detail, f.stage, f.item_id) for f in failures],
            )
        return [Rejected(f.locator, f.code, f.reason) for f in failures]

    def clear_failures(self, stages: Sequence[str]) -> None:
        """Forget what these storyline stages rejected: a rejected storyline is tried again."""
        marks = ", ".join("?" for _ in stages)
        with self.transaction() as conn:
            conn.execute(f"DELETE FROM rejected WHERE stage IN ({marks})", tuple(stages))  # noqa: S608

    def rejected_items(self, stage: str) -> set[str]:
        """Return the ids of the items that ``stage`` rejected (kept out until they change)."""
        rows = self.conn.execute(
            "SELECT item_id FROM rejected WHERE stage = ? AND item_id IS NOT NULL", (stage,)
        )
        return {r[0] for r in rows}

    def articles(self, *, ids: Iterable[str] | None = None) -> Iterator[CleanArticle]:
        """Yield stored articles in the order they were first stored."""
        if ids is None:
            # by id chunks: the whole corpus is never held at once, on either backend
            ids = self.article_ids()
        for chunk, marks in chunks(ids):
            rows = self.conn.execute(
                f"SELECT * FROM articles WHERE id IN ({marks}) ORDER BY seq",  # noqa: S608
                chunk,
            )
            for row in rows.fetchall():
                yield self._article_from_row(row)

    def titles(self) -> dict[str, str]:
        """Return article id -> headline."""
        rows = self.conn.execute("SELECT id, title FROM articles")
        return {r[0]: r[1] or "" for r in rows}

    def article(self, article_id: str) -> CleanArticle | None:
        """Return one article, or None."""
        return next(self.articles(ids=[article_id]), None)

    def read_as(self, article_id: str) -> tuple[str | None, str] | None:
        """Return the title and body an article was stored as (read, before cleaning), or None."""
        row = self.conn.execute(
            "SELECT title, raw_text FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        return None if row is None else (row["title"], str(row["raw_text"]))

    def raw_text(self, article_id: str) -> str | None:
        """Return the body as it was read, boilerplate included."""
        row = self.conn.execute("SELECT raw_text FROM articles WHERE id = ?", (article_id,))
        found = row.fetchone()
        return None if found is None else str(found[0])

    def _article_from_row(self, row: Any) -> CleanArticle:  # noqa: ANN401 - a row of either backend
        removed = tuple(
            RemovedLine(r["line_no"], r["text"], r["reason"], r["score"])
            for r in self.conn.execute(
                "SELECT * FROM removed_lines WHERE article_id = ? ORDER BY line_no", (row["id"],)
            )
        )
        return CleanArticle(
            id=row["id"],
            title=row["title"],
            text=row["text"],
            locator=row["locator"],
            format=row["format"],
            content_hash=row["content_hash"],
            source=row["source"],
            url=row["url"],
            published=row["published"],
            published_source=row["published_source"],
            published_confidence=row["published_confidence"],
            language=row["language"],
            raw_sha256=row["raw_sha256"],
            removed=removed,
            meta=json.loads(row["meta"]),
            published_precision=row["published_precision"] or "day",
        )

    def article_ids(self) -> list[str]:
        """Return every stored article's id, in ingest order."""
        return [r[0] for r in self.conn.execute("SELECT id FROM articles ORDER BY seq").fetchall()]

    def content_hashes(self) -> dict[str, str]:
        """Return every stored article's content hash, by id."""
        rows = self.conn.execute("SELECT id, content_hash FROM articles")
        return {r[0]: r[1] for r in rows}

    def pending(self, stage: str) -> list[CleanArticle]:
        """Return the articles a per-article stage has not processed yet, in ingest order."""
        return list(self.articles(ids=self.pending_ids(stage)))

    def pending_ids(self, stage: str, version: str | None = None) -> list[str]:
        """Return the ids of the articles a per-article stage has not processed, in ingest order.

        With ``version``, an article processed by another version of the stage (or by one that
        stored none) is pending too.
        """
        params: tuple[str, ...]
        if version is None:
            done, params = "WHERE stage = ?", (stage,)
        else:
            done, params = "WHERE stage = ? AND version = ?", (stage, version)
        rows = self.conn.execute(
            f"SELECT id FROM articles WHERE id NOT IN (SELECT article_id FROM article_stages "  # noqa: S608
            f"{done}) ORDER BY seq",
            params,
        )
        return [r[0] for r in rows.fetchall()]

    def stale_ids(self, stage: str, version: str) -> set[str]:
        """Return the articles a per-article stage processed with another version than this."""
        rows = self.conn.execute(
            "SELECT article_id FROM article_stages WHERE stage = ? "
            "AND (version IS NULL OR version <> ?)",
            (stage, version),
        )
        return {r[0] for r in rows}

    def undated_done(self, stage: str, head_lines: int) -> set[str]:
        """Return the articles a per-article stage has done whose date a window can change.

        Those whose publication date was inferred (by the dates stage), and those whose date
        is unknown but which state a day the dates stage reads as a candidate: a stored time
        expression valued as a day (``2011-05-03``, or ``XXXX-01-13`` without a year, as an
        undated article's are stored), a digit in the title, or a line removed from the first
        ``head_lines`` (a page's stamp). A superset: a candidate in future tense is kept too.
        Never one whose date came with its metadata, nor one that states no day at all.
        """
        # a day is written with digits ("13 January"); LIKE is the same on SQLite and Postgres
        digit = " OR ".join(f"title LIKE '%{d}%'" for d in range(10))
        rows = self.conn.execute(
            "SELECT id FROM articles WHERE published_source <> 'metadata' AND id IN "  # noqa: S608 - fixed digits
            "(SELECT article_id FROM article_stages WHERE stage = ?) AND ("
            "published_source = 'inferred' OR " + digit + " OR EXISTS "
            "(SELECT 1 FROM timexes WHERE article_id = articles.id "
            "AND value LIKE '____-__-__%') OR EXISTS "
            "(SELECT 1 FROM removed_lines WHERE article_id = articles.id AND line_no < ?))",
            (stage, head_lines),
        )
        return {r[0] for r in rows}

    def stamp_stage(self, stage: str, article_ids: Sequence[str], version: str) -> None:
        """Mark articles as done by ``version`` of a per-article stage."""
        with self.transaction() as conn:
            conn.executemany(
                "INSERT INTO article_stages (article_id, stage, version) VALUES (?, ?, ?) "
                "ON CONFLICT (article_id, stage) DO UPDATE SET version = excluded.version",
                [(a, stage, version) for a in article_ids],
            )

    def forget_failures(self, stage: str, item_ids: Iterable[str]) -> None:
        """Forget why ``stage`` failed on these items (S199): they are about to be done again."""
        with self.transaction() as conn:
            conn.executemany(
                "DELETE FROM rejected WHERE stage = ? AND item_id = ? AND code = ?",
                [(stage, i, INTERNAL) for i in item_ids],
            )

    def input_marks(self) -> Iterator[tuple[Any, ...]]:
        """Yield what every stage's input derives from, article by article in ingest order.

        An article's identity, content and publication date (the dates stage sets it), then
        how many articles each per-article stage has marked done: equal marks between two
        runs mean no stage has anything new to read (``stage_runner.inputs_mark``).
        """
        yield from self.conn.execute(
            "SELECT id, content_hash, raw_sha256, title, source, url, language, published, "
            "published_source, published_confidence, published_precision FROM articles "
            "ORDER BY seq"
        )
        yield from self.conn.execute(
            "SELECT stage, version, COUNT(*) FROM article_stages GROUP BY stage, version "
            "ORDER BY stage, version"
        )

    def stage_rejections(self, stages: Sequence[str]) -> list[Rejected]:
        """Return what these stages rejected, ordered by item (as they meet their items)."""
        if not stages:
            return []
        marks = ", ".join("?" for _ in stages)
        rows = self.conn.execute(
            f"SELECT locator, code, reason FROM rejected WHERE stage IN ({marks}) "  # noqa: S608
            "ORDER BY item_id, stage",
            tuple(stages),
        )
        return [Rejected(r["locator"], r["code"], r["reason"]) for r in rows]

    def rejected(self) -> list[Rejected]:
        """Return every rejected input, by locator."""
        rows = self.conn.execute("SELECT locator, code, reason FROM rejected ORDER BY locator")
        return [Rejected(r["locator"], r["code"], r["reason"]) for r in rows]

    # -- what the article-level stages set on articles ----------------------------------------

    def set_published(self, updates: Sequence[tuple[str, str | None, str, float, str]]) -> None:
        """Set (article id, date, source, confidence, precision) where the date was inferred.

        ``precision`` is "day", "month" or "year"; for the latter two ``date`` is the first day
        of the period.
        """
        with self.transaction() as conn:
            conn.executemany(
                "UPDATE articles SET published = ?, published_source = ?, published_confidence = ?"
                ", published_precision = ? WHERE id = ?",
                [
                    (date, source, conf, precision if date else None, aid)
                    for aid, date, source, conf, precision in updates
                ],
            )

    def set_quality(
        self,
        rows: Sequence[tuple[str, float, Sequence[str]]],
        reasons: dict[str, Sequence[str]] | None = None,
    ) -> None:
        """Set (article id, quality score, flags) for articles, and each flag's reason."""
        reasons = reasons or {}
        with self.transaction() as conn:
            conn.executemany(
                "UPDATE articles SET quality = ?, quality_flags = ?, quality_reasons = ? "
                "WHERE id = ?",
                [
                    (score, dump(tuple(flags)), dump(tuple(reasons.get(aid, ()))), aid)
                    for aid, score, flags in rows
                ],
            )

    def untrusted(self) -> set[str]:
        """Return the ids of articles whose copy itself is flagged as untrustworthy."""
        rows = self.conn.execute("SELECT id, quality_flags FROM articles")
        return {r[0] for r in rows if _UNTRUSTED.intersection(json.loads(r[1]))}

    def known_dates(self) -> list[str]:
        """Return the publication days that came with the articles (metadata, not inferred).

        A year-only date is no day: its 1 January would stretch the corpus's window.
        """
        rows = self.conn.execute(
            "SELECT published FROM articles WHERE published IS NOT NULL "
            "AND published_source = 'metadata' AND published_precision = 'day'"
        )
        return [r[0] for r in rows]
