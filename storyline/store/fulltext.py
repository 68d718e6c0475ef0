"""Full-text search on PostgreSQL: a ``simple`` tsvector of title and text, GIN-indexed.

SQLite searches with FTS5 (``web.search``); migration 15 gives PostgreSQL a GIN index on
``PG_SEARCH_VECTOR``, the very expression the queries below match, so that the planner uses it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from storyline.store.postgres import PgConnection

# The text PostgreSQL indexes for search; the GIN index of migration 15 is on this expression.
# 'simple': lower-cased words, no stemming and no stop words, like FTS5's unicode61 tokenizer.
PG_SEARCH_VECTOR = "to_tsvector('simple'::regconfig, title || ' ' || text)"
MAX_QUERY_CHARS = 200
HIT_OPEN, HIT_CLOSE = "\x02", "\x03"
_TOKEN = re.compile(r"\w+", re.UNICODE)
# ts_headline's fragment size, close to FTS5's snippet of 16 tokens used on SQLite
_HEADLINE = f"StartSel={HIT_OPEN}, StopSel={HIT_CLOSE}, MaxWords=16, MinWords=6"


def ts_query(query: str) -> str:
    """Return a ``to_tsquery`` text matching every word of ``query``, each word quoted.

    Quoting every token means no user input is read as tsquery syntax; the last word is a
    prefix so that results appear while typing (as ``web.search.fts_query`` does for FTS5).
    """
    tokens = _TOKEN.findall(query[:MAX_QUERY_CHARS].lower())
    if not tokens:
        return ""
    quoted = [f"'{t}'" for t in tokens]
    quoted[-1] += ":*"
    return " & ".join(quoted)


def search(
    conn: PgConnection, query: str, *, offset: int, limit: int
) -> tuple[int, list[dict[str, Any]]]:
    """Return how many articles match every word of ``query``, and one page of them.

    Hits are ranked by ``ts_rank``, then in ingest order. Each is ``{"id", "title", "source",
    "published", "snippet"}``, the snippet's matches between ``HIT_OPEN`` and ``HIT_CLOSE``.
    """
    match = ts_query(query)
    if not match:
        return 0, []
    tsq = "to_tsquery('simple'::regconfig, %s)"
    where = f"{PG_SEARCH_VECTOR} @@ {tsq}"
    # PostgreSQL's own SQL, untranslated: the store's dialect has no tsvector
    count = f"SELECT COUNT(*) FROM articles WHERE {where}"  # noqa: S608 - fixed text
    row = conn.raw.execute(count, (match,)).fetchone()
    total = int(row[0]) if row is not None else 0
    page = (
        "SELECT id, title, source, published, "  # noqa: S608 - fixed text, the words bound
        f"ts_headline('simple'::regconfig, text, {tsq}, %s) FROM articles WHERE {where} "
        f"ORDER BY ts_rank({PG_SEARCH_VECTOR}, {tsq}) DESC, seq LIMIT %s OFFSET %s"
    )
    rows = conn.raw.execute(page, (match, _HEADLINE, match, match, limit, offset)).fetchall()
    hits = [
        {"id": r[0], "title": r[1], "source": r[2], "published": r[3], "snippet": r[4]}
        for r in rows
    ]
    return total, hits
