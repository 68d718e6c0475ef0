"""The HTML pages: stories, one story, one article, entities, changes, search, API docs."""

from __future__ import annotations

import re
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from storyline.quality.assess import UNTRUSTED_FLAGS
from storyline.speaker_kinds import KIND_LABELS
from storyline.titles import FLAGGED_TITLE_MARK
from storyline.web import queries, quote_lists, views
from storyline.web.api import MAX_PAGE_SIZE, IsoDay, PageNo, state_of
from storyline.web.app import TEMPLATES

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 20


_PLAIN_ID = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]*")


def _id_url(prefix: str, ident: str) -> str:
    """Return the page URL of a record; ids are user data, so anything unusual is quoted."""
    if _PLAIN_ID.fullmatch(ident):  # hashes and simple ids: quoting would not change them
        return f"{prefix}/{ident}"
    return f"{prefix}/{quote(ident, safe='')}"


TEMPLATES.env.globals["article_url"] = lambda ident: _id_url("/articles", ident)
TEMPLATES.env.globals["story_url"] = lambda ident: _id_url("/stories", ident)
TEMPLATES.env.globals["entity_url"] = lambda ident: _id_url("/entities", ident)
TEMPLATES.env.globals["source_count"] = views.source_count
TEMPLATES.env.globals["reported_speech"] = views.reported_speech
TEMPLATES.env.globals["quote_marks"] = views.quote_marks
TEMPLATES.env.globals["speaker_kind_labels"] = KIND_LABELS
# a flagged-only story's title already ends in the mark: the list does not add it twice
TEMPLATES.env.globals["flagged_title_mark"] = FLAGGED_TITLE_MARK


def _render(request: Request, name: str, **context: Any) -> HTMLResponse:  # noqa: ANN401
    return TEMPLATES.TemplateResponse(request, name, context)


@router.get("/", response_class=HTMLResponse)
def stories_page(
    request: Request,
    page: PageNo = 1,
    date_from: Annotated[IsoDay, Query(alias="from")] = None,
    date_to: Annotated[IsoDay, Query(alias="to")] = None,
) -> HTMLResponse:
    """The list of storylines with their dates, outlets and a coverage sparkline."""
    with state_of(request).reading() as conn:
        stories = queries.filter_stories(
            queries.all_stories(conn), date_from=date_from, date_to=date_to, top_level=True
        )
        stories.sort(key=lambda s: (s.get("last_date") or "", s["id"]), reverse=True)
        at = views.Page(page, PAGE_SIZE, len(stories))
        shown = []
        for story in stories[at.offset : at.offset + PAGE_SIZE]:
            cover = queries.coverage(queries.article_briefs(conn, story["article_ids"]))
            shown.append(
                {
                    "story": story,
                    "outlets": len(cover["outlets"]),
                    "sources": views.source_count(cover),
                    "spark": views.sparkline(cover["per_day"]),
                }
            )
        articles = queries.article_page(conn, offset=0, limit=0)[0]
    return _render(
        request,
        "stories.html",
        rows=shown,
        page=at,
        articles=articles,
        date_from=date_from or "",
        date_to=date_to or "",
    )


Filter = Annotated[str | None, Query(max_length=200)]


def _quote_context(
    conn: Any,  # noqa: ANN401 - the reading connection
    groups: list[dict[str, Any]] | None,
    quotes: list[dict[str, Any]],
    speaker: str | None,
    outlet: str | None,
) -> dict[str, Any]:
    """Return what a page's "who said what" shows: quote groups by speaker, filtered."""
    if groups is None:  # the quote-groups stage has not run on this store: quotes by speaker
        return {"quote_groups": None, "speakers": views.group_quotes(quotes)}
    names = quote_lists.speaker_names(conn, speaker) if speaker else None
    shown = quote_lists.filter_groups(groups, speakers=names, outlet=outlet)
    return {
        "quote_groups": quote_lists.by_speaker(shown, quotes),
        "quote_choices": quote_lists.choices(groups),
        "quote_filter": {"speaker": speaker or "", "outlet": outlet or ""},
        "unattributed": [] if (speaker or outlet) else [q for q in quotes if not q["speaker"]],
    }


@router.get("/stories/{story_id:id}", response_class=HTMLResponse)
def story_page(
    request: Request, story_id: str, speaker: Filter = None, outlet: Filter = None
) -> HTMLResponse:
    """One story: briefing, timeline, quote groups by speaker, entities, claims, articles."""
    state = state_of(request)
    with state.reading() as conn:
        story = queries.story(conn, story_id)
        if story is None:
            raise HTTPException(404, "There is no story with this id.")
        ids = story["article_ids"]
        articles = queries.article_briefs(conn, ids)
        # the chart draws a date filled when independent outlets corroborate it
        timeline = queries.mark_corroboration(
            conn, state.providers.timeline(conn, story), min_outlets=state.min_outlets
        )
        cover = queries.coverage(articles)
        entities = queries.entities_in(conn, ids, limit=40, index=state.entity_index(conn))
        context: dict[str, Any] = {
            "story": story,
            "parent": queries.story(conn, story["parent"]) if story.get("parent") else None,
            "events": queries.child_stories(conn, story_id),
            "briefing": state.providers.briefing(conn, story),
            "timeline": timeline,
            "chart": views.timeline_chart(timeline),
            "entities": entities,
            "graph": views.entity_graph(entities, ids),
            "cover": cover,
            "spark": views.sparkline(cover["per_day"], width=240, height=32),
            "articles": articles,
        }
        # a citation's number is its article's place in the story's numbered article list
        context["cite_no"] = cite_no = {a["id"]: n for n, a in enumerate(articles, start=1)}
        # an article of no known outlet is a source of its own: one matrix column each
        outlet_of = {a["id"]: a["source"] or f"unknown [{cite_no[a['id']]}]" for a in articles}
        context["matrix"] = views.claim_matrix(state.providers.claims(conn, story), outlet_of)
        context["titles"] = {a["id"]: a["title"] for a in articles}
        # a page flagged as untrustworthy copy is marked wherever it is cited, not only where
        # it is a sentence's sole source
        context["flagged"] = queries.flagged_in(conn, ids)
        groups = quote_lists.story_groups(conn, story)
        context |= _quote_context(conn, groups, queries.quotes_for(conn, ids), speaker, outlet)
    return _render(request, "story.html", **context)


@router.get("/articles/{article_id:id}", response_class=HTMLResponse)
def article_page(request: Request, article_id: str) -> HTMLResponse:
    """One article: clean text with quotes and dates marked, and what the cleaner removed."""
    with state_of(request).reading() as conn:
        rows = queries.article_rows(conn, [article_id])
        if not rows:
            raise HTTPException(404, "There is no article with this id.")
        article = rows[0]
        quotes = queries.quotes_for(conn, [article_id])
        timexes = queries.timexes_for(conn, [article_id])
        stories = queries.story_titles(conn, article["story_ids"])
    # each flag with the reason the quality stage stored for it (older stores have none)
    reasons = list(article.get("quality_reasons") or [])
    flags = [
        {"flag": flag, "reason": reasons[i] if i < len(reasons) else ""}
        for i, flag in enumerate(article.get("quality_flags") or [])
    ]
    spans: list[views.Span] = [
        (
            q["start"],
            q["end"],
            "quote",
            f"{q.get('speaker') or 'unattributed'} ({q['cue']})",
            f"q-{q['id']}",
        )
        for q in quotes
    ]
    spans += [(t["start"], t["end"], "timex", f"{t['type']} {t['value']}", "") for t in timexes]
    return _render(
        request,
        "article.html",
        article=article,
        segments=views.highlight(article["text"], spans),
        quotes=quotes,
        timexes=timexes,
        stories=stories,
        flags=flags,
        untrusted=any(f["flag"] in UNTRUSTED_FLAGS for f in flags),
    )


@router.get("/entities", response_class=HTMLResponse)
def entities_page(request: Request, page: PageNo = 1) -> HTMLResponse:
    """Every entity, by name."""
    with state_of(request).reading() as conn:
        total, items = queries.entity_page(conn, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    return _render(
        request, "entities.html", entities=items, page=views.Page(page, PAGE_SIZE, total)
    )


@router.get("/changes", response_class=HTMLResponse)
def changes_page(request: Request, page: PageNo = 1) -> HTMLResponse:
    """What each `storyline watch` cycle changed, newest first."""
    with state_of(request).reading() as conn:
        total, items = queries.change_page(conn, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    return _render(request, "changes.html", changes=items, page=views.Page(page, PAGE_SIZE, total))


@router.get("/entities/{entity_id:id}", response_class=HTMLResponse)
def entity_page(request: Request, entity_id: str) -> HTMLResponse:
    """One entity: aliases, roles, what it said, and the stories it appears in."""
    with state_of(request).reading() as conn:
        found = queries.entity(conn, entity_id)
        if found is None:
            raise HTTPException(404, "There is no entity with this id.")
        quotes = queries.quotes_by_entity(conn, found)
        groups = quote_lists.entity_groups(conn, found)
        every_story = queries.all_stories(conn)
        stories = queries.filter_stories(every_story, entity_articles=set(found["article_ids"]))
        articles = queries.article_briefs(conn, found["article_ids"][:MAX_PAGE_SIZE])
        titles = {
            a["id"]: a["title"]
            for a in queries.article_briefs(conn, sorted({q["article_id"] for q in quotes}))
        }
        story_titles = {s["id"]: s for s in every_story}
    by_id = {q["id"]: q for q in quotes}
    return _render(
        request,
        "entity.html",
        entity=found,
        quotes=quotes,
        groups=[quote_lists.group_view(g, by_id) for g in groups] if groups else None,
        group_stories={g["id"]: story_titles.get(g["story_id"]) for g in groups},
        stories=stories,
        articles=articles,
        titles=titles,
    )


@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    q: Annotated[str, Query(max_length=200)] = "",
    page: PageNo = 1,
) -> HTMLResponse:
    """Full-text search over article titles and texts."""
    state = state_of(request)
    total, hits = 0, list[dict[str, Any]]()
    if q.strip():
        with state.reading() as conn:
            total, hits = state.index.search(
                q, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE, conn=conn
            )
    return _render(request, "search.html", q=q, hits=hits, page=views.Page(page, PAGE_SIZE, total))


@router.get("/docs", response_class=HTMLResponse)
def docs_page(request: Request) -> HTMLResponse:
    """The API reference, rendered from the OpenAPI schema without any outside script."""
    schema = request.app.openapi()
    endpoints = [
        {
            "method": method.upper(),
            "path": path,
            "summary": op.get("description") or op.get("summary") or "",
            "params": [
                {"name": p["name"], "in": p["in"], "required": p.get("required", False)}
                for p in op.get("parameters", [])
            ],
        }
        for path, item in schema.get("paths", {}).items()
        for method, op in item.items()
    ]
    return _render(request, "docs.html", endpoints=endpoints)
