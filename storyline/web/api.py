"""The JSON API under ``/api``: the export's rows, paginated, plus search and ingest."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import AfterValidator
from starlette.convertors import PathConvertor, register_url_convertor

from storyline.store.read import Reader
from storyline.web import queries, quote_lists
from storyline.web.ingest import receive_and_ingest
from storyline.web.views import Page

if TYPE_CHECKING:
    from storyline.web.app import WebState

router = APIRouter(prefix="/api", tags=["api"])


class IdConvertor(PathConvertor):
    """A stored id as the rest of the path, line breaks included.

    ``:path`` (``.*``) stops at a line break: an article whose input id held one was stored
    but answered 404, in the API and on its page.
    """

    regex = r"[\s\S]*"


register_url_convertor("id", IdConvertor())

MAX_PAGE_SIZE = 100
PageNo = Annotated[int, Query(ge=1, le=100_000, description="1-based page number")]
PageSize = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="items per page")]


def _real_day(value: str | None) -> str | None:
    """Refuse a day the calendar lacks: "2015-02-30" was compared as text and filtered."""
    if value is not None:
        date.fromisoformat(value)  # its ValueError is a 400 with the parameter named
    return value


IsoDay = Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}-\d{2}$"), AfterValidator(_real_day)]


def state_of(request: Request) -> WebState:
    """Return the app's shared state."""
    state: WebState = request.app.state.web
    return state


def paginated(page: Page, items: list[dict[str, Any]]) -> dict[str, Any]:
    """Return the envelope of a paginated list."""
    return {
        "items": items,
        "page": page.number,
        "per_page": page.size,
        "total": page.total,
        "pages": page.pages,
    }


@router.get("/stories")
def list_stories(
    request: Request,
    *,
    page: PageNo = 1,
    per_page: PageSize = 20,
    date_from: Annotated[IsoDay, Query(alias="from")] = None,
    date_to: Annotated[IsoDay, Query(alias="to")] = None,
    entity: Annotated[str | None, Query(max_length=200)] = None,
) -> dict[str, Any]:
    """Stories overlapping a date range (ISO days) and mentioning an entity (its id)."""
    with state_of(request).reading() as conn:
        entity_articles = None
        if entity is not None:
            found = queries.entity(conn, entity)
            entity_articles = set(found["article_ids"]) if found else set()
        stories = queries.filter_stories(
            queries.all_stories(conn),
            date_from=date_from,
            date_to=date_to,
            entity_articles=entity_articles,
        )
    at = Page(page, per_page, len(stories))
    return paginated(at, stories[at.offset : at.offset + per_page])


@router.get("/stories/{story_id:id}")
def get_story(request: Request, story_id: str) -> dict[str, Any]:
    """One story with its briefing, timeline, quotes, entities, claims and articles."""
    state = state_of(request)
    with state.reading() as conn:
        story = queries.story(conn, story_id)
        if story is None:
            raise HTTPException(404, f"no story {story_id!r}")
        ids = story["article_ids"]
        return {
            "story": story,
            "events": queries.child_stories(conn, story_id),
            "briefing": state.providers.briefing(conn, story),
            "timeline": state.providers.timeline(conn, story),
            "quotes": queries.quotes_for(conn, ids),
            "entities": queries.entities_in(conn, ids, index=state.entity_index(conn)),
            "claims": state.providers.claims(conn, story),
            "articles": queries.article_rows(conn, ids),
        }


@router.get("/articles")
def list_articles(request: Request, page: PageNo = 1, per_page: PageSize = 20) -> dict[str, Any]:
    """Articles in ingest order, as export rows."""
    with state_of(request).reading() as conn:
        at = Page(page, per_page, 0)
        total, items = queries.article_page(conn, offset=at.offset, limit=per_page)
    return paginated(Page(page, per_page, total), items)


@router.get("/articles/{article_id:id}")
def get_article(request: Request, article_id: str) -> dict[str, Any]:
    """One article (export row) with its quotes and time expressions."""
    with state_of(request).reading() as conn:
        rows = queries.article_rows(conn, [article_id])
        if not rows:
            raise HTTPException(404, f"no article {article_id!r}")
        return {
            "article": rows[0],
            "quotes": queries.quotes_for(conn, [article_id]),
            "timexes": queries.timexes_for(conn, [article_id]),
        }


@router.get("/entities")
def list_entities(request: Request, page: PageNo = 1, per_page: PageSize = 20) -> dict[str, Any]:
    """Entities by name, as export rows."""
    with state_of(request).reading() as conn:
        total, items = queries.entity_page(conn, offset=(page - 1) * per_page, limit=per_page)
    return paginated(Page(page, per_page, total), items)


@router.get("/changes")
def list_changes(request: Request, page: PageNo = 1, per_page: PageSize = 20) -> dict[str, Any]:
    """The watch change log, newest cycle first, as export rows."""
    with state_of(request).reading() as conn:
        total, items = queries.change_page(conn, offset=(page - 1) * per_page, limit=per_page)
    return paginated(Page(page, per_page, total), items)


@router.get("/entities/{entity_id:id}")
def get_entity(request: Request, entity_id: str) -> dict[str, Any]:
    """One entity with the quotes attributed to it."""
    with state_of(request).reading() as conn:
        found = queries.entity(conn, entity_id)
        if found is None:
            raise HTTPException(404, f"no entity {entity_id!r}")
        return {"entity": found, "quotes": queries.quotes_by_entity(conn, found)}


@router.get("/quotes")
def list_quotes(
    request: Request,
    page: PageNo = 1,
    per_page: PageSize = 20,
    speaker: Annotated[str | None, Query(max_length=200)] = None,
    outlet: Annotated[str | None, Query(max_length=200)] = None,
) -> dict[str, Any]:
    """Quotes as export rows, optionally by one speaker and from one outlet.

    ``speaker`` is the entity's name or any of its aliases ("Putin" finds Vladimir Putin);
    ``outlet`` is the article's outlet. Both ignore case.
    """
    with state_of(request).reading() as conn:
        total, items = queries.quote_page(
            conn,
            speaker=speaker,
            outlet=outlet,
            offset=(page - 1) * per_page,
            limit=per_page,
        )
    return paginated(Page(page, per_page, total), items)


@router.get("/quote_groups")
def list_quote_groups(  # noqa: PLR0917 - FastAPI reads each query parameter by name
    request: Request,
    page: PageNo = 1,
    per_page: PageSize = 20,
    story_id: Annotated[str | None, Query(max_length=200)] = None,
    speaker: Annotated[str | None, Query(max_length=200)] = None,
    outlet: Annotated[str | None, Query(max_length=200)] = None,
) -> dict[str, Any]:
    """Quote groups (one statement by one speaker, every outlet's variant), of one story.

    ``speaker`` is the entity's name or any of its aliases ("Putin" finds Vladimir Putin);
    ``outlet`` keeps the groups one of whose variants that outlet reports. Both ignore case.
    """
    with state_of(request).reading() as conn:
        groups = Reader(conn).quote_groups(story_id)
        names = quote_lists.speaker_names(conn, speaker) if speaker else None
    groups = quote_lists.filter_groups(groups, speakers=names, outlet=outlet)
    begin = (page - 1) * per_page
    return paginated(Page(page, per_page, len(groups)), groups[begin : begin + per_page])


@router.get("/search")
def search(
    request: Request,
    q: Annotated[str, Query(min_length=1, max_length=200)],
    page: PageNo = 1,
    per_page: PageSize = 20,
) -> dict[str, Any]:
    """Articles matching every word of ``q`` (full-text, SQLite FTS5), best first."""
    state = state_of(request)
    with state.reading() as conn:
        total, hits = state.index.search(q, offset=(page - 1) * per_page, limit=per_page, conn=conn)
    for hit in hits:
        hit["snippet"] = [{"text": text, "match": match} for text, match in hit["snippet"]]
    return paginated(Page(page, per_page, total), hits)


@router.post("/ingest")
async def ingest(request: Request) -> dict[str, Any]:
    """Ingest uploaded files (multipart) or a JSONL body; off unless ``--allow-ingest``."""
    state = state_of(request)
    if not state.allow_ingest:
        raise HTTPException(403, "ingest is disabled; start the server with --allow-ingest")
    return await receive_and_ingest(request, state)
