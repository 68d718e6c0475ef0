"""The last stage of a run: each storyline's claims, conflicts and briefing.

Storylines are independent of each other, so chunks of them map over the executor; a
storyline that makes claims or the briefing raise becomes a Rejected row naming that stage
(``boundary``) and the other storylines are briefed as usual.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from storyline.boundary import Failure, RunTally, guard
from storyline.briefing.abstractive import Endpoint, rewrite_briefing
from storyline.briefing.select import (
    DEFAULT_SELECTION,
    SelectionParams,
    build_briefing,
    to_json,
)
from storyline.claims.align import find_claims
from storyline.claims.conflicts import find_conflicts
from storyline.claims.params import DEFAULT_PARAMS, ClaimsParams
from storyline.runners import map_ordered
from storyline.summaries import StageSummary

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence
    from concurrent.futures import Executor

    from storyline.models import Claim, CleanArticle, Conflict
    from storyline.store import Store

# Articles (about) per briefing task: a pool spreads them evenly.
_BRIEFING_CHUNK = 100


@dataclasses.dataclass(frozen=True, slots=True)
class BriefingTask:
    """One storyline's articles, with what its briefing needs to know about them."""

    story_id: str
    articles: tuple[CleanArticle, ...]
    duplicates: dict[str, str]  # the copy -> original links its articles lead to
    untrusted: frozenset[str]  # those of its articles whose copy is untrustworthy
    max_sentences: int = 8
    endpoint: Endpoint | None = None  # reword through this model (abstractive mode)
    level: str = "storyline"  # an event's briefing is its own; its claims stay the storyline's
    # its storyline's quote groups (id -> variant wordings): statements quoting one group are
    # one claim, and a quote conflict stays in a group; None compares quote wordings by words
    quote_groups: dict[str, tuple[str, ...]] | None = None
    claims: ClaimsParams = DEFAULT_PARAMS  # the [claims] settings
    selection: SelectionParams = DEFAULT_SELECTION  # the [briefing] selection weights


Briefed = tuple["list[Claim]", "list[Conflict]", dict[str, Any]]


def claims_of(task: BriefingTask) -> tuple[list[Claim], list[Conflict]]:
    """Return a storyline's claims aligned across its articles, and where they conflict."""
    articles, sid = list(task.articles), task.story_id
    claims = find_claims(
        articles,
        story_id=sid,
        duplicates=task.duplicates,
        untrusted=task.untrusted,
        quote_groups=task.quote_groups,
        params=task.claims,
    )
    conflicts = find_conflicts(
        claims,
        articles,
        story_id=sid,
        duplicates=task.duplicates,
        quote_groups=task.quote_groups,
        params=task.claims,
    )
    return claims, conflicts


def briefing_of(
    task: BriefingTask, claims: list[Claim], conflicts: list[Conflict]
) -> dict[str, Any]:
    """Return a storyline's briefing (as JSON), reworded when the task has an endpoint."""
    briefing = build_briefing(
        list(task.articles),
        claims,
        conflicts,
        story_id=task.story_id,
        max_sentences=task.max_sentences,
        untrusted=task.untrusted,
        params=task.selection,
    )
    if task.endpoint is not None:
        briefing, _ = rewrite_briefing(briefing, task.endpoint)
    return to_json(briefing)


def brief_storyline(task: BriefingTask) -> Briefed:
    """Return a storyline's claims, its conflicts and its briefing (as JSON)."""
    claims, conflicts = claims_of(task)
    briefing = briefing_of(task, claims, conflicts)
    if task.level != "storyline":
        return [], [], briefing
    return claims, conflicts, briefing


def _brief_guarded(task: BriefingTask) -> Briefed | Failure:
    found = guard("claims", claims_of, task, task.story_id)
    if isinstance(found, Failure):
        return found
    claims, conflicts = found
    briefing = guard("briefing", lambda t: briefing_of(t, claims, conflicts), task, task.story_id)
    if isinstance(briefing, Failure):
        return briefing
    if task.level != "storyline":
        return [], [], briefing  # only the storyline's claims are stored
    return claims, conflicts, briefing


def brief_chunk(tasks: Sequence[BriefingTask]) -> list[Briefed | Failure]:
    """Brief a chunk of storylines, in input order; one that raises comes back a Failure."""
    return [_brief_guarded(task) for task in tasks]


def _links(duplicates: dict[str, str], ids: Iterable[str]) -> dict[str, str]:
    """Return the copy -> original links reachable from ``ids`` (chains included)."""
    found: dict[str, str] = {}
    for article_id in ids:
        current = article_id
        while current in duplicates and current not in found:
            found[current] = duplicates[current]
            current = duplicates[current]
    return found


def _briefing_tasks(
    store: Store,
    storylines: Sequence[dict[str, Any]],
    duplicates: dict[str, str],
    max_sentences: int,
    endpoint: Endpoint | None,
    *,
    claims: ClaimsParams,
    selection: SelectionParams,
) -> Iterator[list[BriefingTask]]:
    untrusted = store.untrusted()
    groups: dict[str, dict[str, tuple[str, ...]]] = {}
    for group in store.quote_groups():
        wordings = tuple(v["text"] for v in group["variants"])
        groups.setdefault(group["story_id"], {})[group["id"]] = wordings
    chunk: list[BriefingTask] = []
    size = 0
    for story in storylines:
        ids = story["article_ids"]
        chunk.append(
            BriefingTask(
                story["id"],
                tuple(store.articles(ids=ids)),
                _links(duplicates, ids),
                frozenset(untrusted.intersection(ids)),
                max_sentences,
                endpoint,
                story["level"],
                groups.get(story["parent"] or story["id"]),  # None: no groups stored, the old test
                claims,
                selection,
            )
        )
        size += len(ids)
        if size >= _BRIEFING_CHUNK:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def run_briefings(
    store: Store,
    duplicates: dict[str, str],
    executor: Executor | None = None,
    *,
    max_sentences: int = 8,
    endpoint: Endpoint | None = None,
    tally: RunTally | None = None,
    claims: ClaimsParams = DEFAULT_PARAMS,
    selection: SelectionParams = DEFAULT_SELECTION,
) -> StageSummary:
    """Align each storyline's claims, find where its sources conflict, and write its briefing.

    Storylines are independent of each other: chunks of them map over ``executor``. With an
    ``endpoint``, each briefing is reworded by that model (``abstractive.rewrite_briefing``).
    ``claims`` and ``selection`` are the ``[claims]`` and ``[briefing]`` settings.
    A storyline that makes a step raise is a Rejected row (stage claims or briefing); it is
    tried again next run, since a storyline changes as articles join it.
    """
    tally = tally or RunTally()
    store.clear_failures(["claims", "briefing"])  # every storyline is tried again
    all_claims: list[Claim] = []
    all_conflicts: list[Conflict] = []
    briefings: list[dict[str, Any]] = []
    # every story gets a briefing: an event's is made from its own articles
    storylines = list(store.rows("stories", order="id"))
    tasks = _briefing_tasks(
        store, storylines, duplicates, max_sentences, endpoint, claims=claims, selection=selection
    )
    done = 0
    tally.step("briefing", done, len(storylines))
    for results in map_ordered(brief_chunk, tasks, executor):
        tally.reject(store, [r for r in results if isinstance(r, Failure)])
        for result in results:
            if isinstance(result, Failure):
                continue
            claims, conflicts, briefing = result
            all_claims.extend(claims)
            all_conflicts.extend(conflicts)
            briefings.append(briefing)
        done += len(results)
        tally.step("briefing", done, len(storylines))
    store.replace_briefings(all_claims, all_conflicts, briefings)
    counts = {
        "claims": len(all_claims),
        "corroborated": sum(c.kind == "corroborated" for c in all_claims),
        "conflicts": len(all_conflicts),
        "briefings": len(briefings),
    }
    if endpoint is None:
        return StageSummary("briefing", counts)
    counts["reworded"] = sum(b.get("mode") == "abstractive" for b in briefings)
    return StageSummary("briefing", counts, {"detail_endpoint": endpoint.url})
