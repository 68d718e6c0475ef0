"""The change log of watch mode: what a cycle changed in the stories, read from the store."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from storyline.store.feeds import Change

if TYPE_CHECKING:
    from collections.abc import Iterable

    from storyline.store import Store


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The parts of the store a change log compares: stories, timelines, claims, conflicts."""

    stories: dict[str, tuple[str, int]]  # storyline id -> (label, article count)
    timeline: set[tuple[str, str, str]]  # (story id, date, text)
    # story id -> its corroborated claims as (text, supporting article ids, support)
    corroborated: dict[str, list[tuple[str, frozenset[str], int]]]
    conflicts: dict[tuple[str, str, str], str]  # (story id, kind, subject) -> values as JSON


def snapshot(store: Store) -> Snapshot:
    """Read what a change log compares from the store."""
    stories = {
        s.id: (s.label, len(s.article_ids)) for s in store.stories(level="storyline", order="id")
    }
    # the stage keeps one sentence per date: an entry's text is that sentence
    timeline = {(e.story_id, e.date, e.text[0]) for e in store.timeline()}
    corroborated: dict[str, list[tuple[str, frozenset[str], int]]] = {}
    for claim in sorted(store.claims(), key=lambda c: c.id):  # the order changes come in
        if claim.kind == "corroborated":
            corroborated.setdefault(claim.story_id, []).append(
                (claim.text, frozenset(claim.article_ids), claim.support)
            )
    conflicts: dict[tuple[str, str, str], str] = {
        (c.story_id, c.kind, c.subject): json.dumps(
            [{"value": value, "article_ids": list(ids)} for value, ids in c.values]
        )
        for c in store.conflicts()
    }
    return Snapshot(
        stories=stories,
        timeline=timeline,
        corroborated=corroborated,
        conflicts=conflicts,
    )


def diff(before: Snapshot, after: Snapshot) -> list[Change]:
    """Return what is new in ``after``: stories, growth, events, corroborations, conflicts."""
    changes: list[Change] = []
    for story_id, (label, count) in sorted(after.stories.items()):
        if story_id not in before.stories:
            changes.append(Change("new_story", story_id, f"{label} ({count} articles)"))
        elif count > before.stories[story_id][1]:
            was = before.stories[story_id][1]
            changes.append(Change("story_grew", story_id, f"{label}: {was} -> {count} articles"))
    changes.extend(
        Change("new_event", story_id, f"{date}: {text}")
        for story_id, date, text in sorted(after.timeline - before.timeline)
    )
    for story_id, claims in sorted(after.corroborated.items()):
        earlier = before.corroborated.get(story_id, [])
        for text, article_ids, support in claims:
            # the same claim is the one whose supporters it still has (its wording may change)
            was = max((s for _, ids, s in earlier if ids <= article_ids), default=0)
            if support > was:
                since = f" (was {was})" if was else ""
                changes.append(
                    Change("corroborated", story_id, f"now {support} sources{since}: {text}")
                )
    for key, values in sorted(after.conflicts.items()):
        if before.conflicts.get(key) != values:
            story_id, kind, subject = key
            changes.append(
                Change("conflict", story_id, f"{kind} {subject}: {_values(json.loads(values))}")
            )
    return changes


def _values(values: Iterable[Any]) -> str:
    """Return a conflict's values as ``v1 (a, b) vs v2 (c)``."""
    parts = []
    for item in values:
        if isinstance(item, dict):
            value, ids = item.get("value"), item.get("article_ids") or []
        else:
            value, ids = item[0], item[1]
        parts.append(f"{value} ({', '.join(str(i) for i in ids)})")
    return " vs ".join(parts)
