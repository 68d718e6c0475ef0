"""The last stage of a run: each storyline's claims, conflicts and briefing.

Storylines are independent of each other, so chunks of them map over the executor; a
storyline that makes claims or the briefing raise becomes a Rejected row naming that stage
(``boundary``) and the other storylines are briefed as usual.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from storyline.boundary import Failure, RunTally, failure_of, guard, is_item_error
from storyline.briefing.abstractive import Endpoint, rewrite_briefing
from storyline.briefing.select import (
    DEFAULT_SELECTION,
    SelectionParams,
    build_briefing,
    to_json,
)
from storyline.claims.align import find_claims, groups_quoted, normal_wordings
from storyline.claims.conflicts import find_conflicts
from storyline.claims.extracted import Extracted
from storyline.claims.params import DEFAULT_PARAMS, ClaimsParams
from storyline.quote_groups_stage import links
from storyline.story_marks import mark_of
from storyline.storyline_runner import StorylineStage, Task, run_storylines
from storyline.summaries import StageSummary

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from concurrent.futures import Executor

    from storyline.models import Claim, CleanArticle, Conflict, Quote, Story, TimeExpr
    from storyline.store import Store

# Articles (about) per briefing task: a pool spreads them evenly.
_BRIEFING_CHUNK = 100
_STAGE = "briefing"
_VERSION = "briefing.v1"  # bump when claims or the briefing change for the same inputs


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
    # those of its storyline's quote groups (id -> variant wordings) that its articles' quotes
    # can be read as (``groups_quoted``): statements quoting one group are one claim, and a
    # quote conflict stays in a group; None compares quote wordings by words
    quote_groups: dict[str, tuple[str, ...]] | None = None
    claims: ClaimsParams = DEFAULT_PARAMS  # the [claims] settings
    selection: SelectionParams = DEFAULT_SELECTION  # the [briefing] selection weights
    # its articles' stored days and quotes, in article order; None: found in their texts
    extracted: tuple[Extracted, ...] | None = None


Briefed = tuple["list[Claim]", "list[Conflict]", dict[str, Any]]


def claims_of(task: BriefingTask) -> tuple[list[Claim], list[Conflict]]:
    """Return a storyline's claims aligned across its articles, and where they conflict."""
    articles, sid = list(task.articles), task.story_id
    extracted = None if task.extracted is None else {e.article_id: e for e in task.extracted}
    claims = find_claims(
        articles,
        story_id=sid,
        duplicates=task.duplicates,
        untrusted=task.untrusted,
        quote_groups=task.quote_groups,
        params=task.claims,
        extracted=extracted,
    )
    conflicts = find_conflicts(
        claims,
        articles,
        story_id=sid,
        duplicates=task.duplicates,
        quote_groups=task.quote_groups,
        params=task.claims,
        extracted=extracted,
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


def _brief_guarded(task: BriefingTask | Failure) -> Briefed | Failure:
    if isinstance(task, Failure):  # its task could not be built: a Rejected row, as below
        return task
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


def _briefing_tasks(
    store: Store,
    storylines: Sequence[Story],
    duplicates: dict[str, str],
    max_sentences: int,
    endpoint: Endpoint | None,
    *,
    claims: ClaimsParams,
    selection: SelectionParams,
) -> Iterator[BriefingTask | Failure]:
    """Yield each story's task (or the Failure that building it raised), in ``storylines`` order.

    A task holds only what its story's claims and briefing read, so that a story whose own
    articles did not change keeps its mark: an event gets its own articles' stored days and
    quotes, and of its storyline's quote groups only those its quotes can be read as.
    """
    untrusted = store.untrusted()
    groups: dict[str, dict[str, tuple[str, ...]]] = {}
    for group in store.quote_groups():
        wordings = tuple(v.text for v in group.variants)
        groups.setdefault(group.story_id, {})[group.id] = wordings
    normals: dict[str, dict[str, tuple[str, ...]]] = {}  # a storyline's, for its events too

    def task_of(story: Story) -> BriefingTask:
        ids = story.article_ids
        extracted = _extracted(store, ids)
        storyline = story.parent or story.id
        stored = groups.get(storyline)  # None: no groups stored, the old test
        quoted = [q for e in extracted for q in e.quotes or ()]
        if stored is not None and storyline not in normals:
            normals[storyline] = normal_wordings(stored)
        return BriefingTask(
            story.id,
            tuple(store.articles(ids=ids)),
            links(duplicates, ids),
            frozenset(untrusted.intersection(ids)),
            max_sentences,
            endpoint,
            story.level,
            None if stored is None else groups_quoted(quoted, stored, normals[storyline]),
            claims,
            selection,
            extracted,
        )

    for story in storylines:
        # building a task reads and normalises the story's own extractions: a story that
        # makes it raise is that story's Rejected row (claims), not the end of the stage
        try:
            yield task_of(story)
        except Exception as exc:
            if not is_item_error(exc):
                raise
            yield failure_of("claims", story.id, exc)


def _extracted(store: Store, article_ids: Sequence[str]) -> tuple[Extracted, ...]:
    """Return the stored days and quotes of these articles, in their order."""
    timexes: dict[str, list[TimeExpr]] = {a: [] for a in article_ids}
    quotes: dict[str, list[Quote]] = {a: [] for a in article_ids}
    for timex in store.timexes(article_ids):
        timexes[timex.article_id].append(timex)
    for quote in store.quotes(local=True, article_ids=article_ids):
        quotes[quote.article_id].append(quote)
    return tuple(Extracted.of(a, timexes[a], quotes[a]) for a in article_ids)


def task_mark(task: BriefingTask) -> str:
    """Return the mark of everything a story's claims and briefing read (``story_marks``).

    The endpoint counts by where it is and which model answers, not by its key or timeout.
    """
    where = None if task.endpoint is None else (task.endpoint.url, task.endpoint.model)
    return mark_of(_VERSION, dataclasses.replace(task, endpoint=None), where)


def briefing_stage(
    duplicates: dict[str, str],
    *,
    max_sentences: int = 8,
    endpoint: Endpoint | None = None,
    claims: ClaimsParams = DEFAULT_PARAMS,
    selection: SelectionParams = DEFAULT_SELECTION,
) -> StorylineStage:
    """Declare the claims and briefing stage for ``storyline_runner``: every story's briefing.

    Stories are independent of each other: chunks of about ``_BRIEFING_CHUNK`` articles map
    over the run's executor. A story's claims or briefing that raise is a Rejected row
    naming that step (claims, briefing). With an ``endpoint``, a briefing it did not reword
    is stored unmarked: the next run asks again, even with nothing new.
    """

    def tasks(store: Store, stories: Sequence[Story]) -> Iterator[Task]:
        for task in _briefing_tasks(
            store,
            stories,
            duplicates,
            max_sentences,
            endpoint,
            claims=claims,
            selection=selection,
        ):
            if isinstance(task, Failure):  # never a stored mark: the story is tried again
                yield task.item_id, mark_of("unbuilt", task.detail), task
            else:
                yield task.story_id, task_mark(task), task

    def settled(briefed: Briefed) -> bool:
        briefing = briefed[2]
        return (
            endpoint is None or briefing.get("mode") == "abstractive" or not briefing["sentences"]
        )

    def save(store: Store, built: list[Briefed], keep: set[str], state: tuple[str, bytes]) -> None:
        store.replace_briefings(
            [c for found, _, _ in built for c in found],
            [c for _, found, _ in built for c in found],
            [briefing for _, _, briefing in built],
            keep=keep,
            state=state,
        )

    def summary(counts: dict[str, int], _stories: int, unsettled: bool) -> StageSummary:
        if endpoint is None:
            counts.pop("reworded")
            return StageSummary(_STAGE, counts)
        details = {"detail_endpoint": endpoint.url}
        if unsettled:  # not reworded: the next run asks again, even if nothing is new
            details["unfinished"] = "briefings the endpoint did not reword"
        return StageSummary(_STAGE, counts, details)

    return StorylineStage(
        _STAGE,
        stories=lambda store: store.stories(order="id"),  # an event's briefing is its own
        tasks=tasks,
        work=_brief_guarded,
        count=lambda briefed: _counts(briefed[0], briefed[1], [briefed[2]]),
        save=save,
        totals=_COUNTS,
        labels=("claims", "briefing"),
        chunk=_BRIEFING_CHUNK,
        weight=lambda task: len(getattr(task, "articles", ())),
        settled=settled,
        summary=summary,
    )


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

    ``briefing_stage`` run by ``storyline_runner``: only stories whose inputs changed are
    briefed again, in chunks over ``executor``. ``claims`` and ``selection`` are the
    ``[claims]`` and ``[briefing]`` settings.
    """
    stage = briefing_stage(
        duplicates,
        max_sentences=max_sentences,
        endpoint=endpoint,
        claims=claims,
        selection=selection,
    )
    return run_storylines(stage, store, executor, tally)


_COUNTS = ("claims", "corroborated", "conflicts", "briefings", "reworded")


def _counts(
    claims: list[Claim], conflicts: list[Conflict], briefings: list[dict[str, Any]]
) -> dict[str, int]:
    """Return the counts of one story's stored rows."""
    return {
        "claims": len(claims),
        "corroborated": sum(c.kind == "corroborated" for c in claims),
        "conflicts": len(conflicts),
        "briefings": len(briefings),
        "reworded": sum(b.get("mode") == "abstractive" for b in briefings),
    }
