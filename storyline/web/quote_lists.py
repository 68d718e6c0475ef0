"""Who said what, once: the quote groups a story or entity page lists, filtered and shown.

A quote group (``storyline.quote_groups``) is one statement by one speaker with every outlet's
variant. Pages list groups, not quotes: the representative wording, in quotation marks only
when those are the speaker's own words (else as reported speech), "reported by N outlets"
linking each variant. An event lists its storyline's groups that its own articles report.
A store whose quote-groups stage has not run yet falls back to the per-speaker quote list.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from storyline.speaker_kinds import majority_kind
from storyline.store.read import Reader
from storyline.web import queries

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Collection, Sequence

PER_SPEAKER = 12  # groups shown per speaker before "N more" (a page-length bound, not fitted)


@dataclass(frozen=True, slots=True)
class GroupView:
    """One quote group as a page shows it."""

    id: str
    speaker: str
    text: str
    kind: str  # the representative's: direct words get quotation marks, others do not
    cue: str
    outlets: int
    first_date: str | None
    last_date: str | None
    flagged_only: bool
    variants: tuple[dict[str, Any], ...]  # article_id, quote_id, outlet, text, kind, match, ...


@dataclass(frozen=True, slots=True)
class SpeakerGroups:
    """One speaker's quote groups: the first few shown, and how many there are."""

    speaker: str
    entity_id: str | None
    shown: list[GroupView] = field(default_factory=list)
    total: int = 0
    kind: str | None = None  # person, organisation, outlet, place (``speaker_kinds``)


def story_groups(conn: sqlite3.Connection, story: dict[str, Any]) -> list[dict[str, Any]] | None:
    """Return the quote groups a story's articles report, best first; None when none stored.

    Groups belong to storylines: an event gets those of its storyline that one of its own
    articles reports, each with every variant (the corroboration is the storyline's).
    """
    owner = story.get("parent") or story["id"]
    rows = Reader(conn).quote_groups(owner)
    if not rows:
        return None
    ids = set(story["article_ids"])
    return [g for g in rows if any(v["article_id"] in ids for v in g["variants"])]


def entity_groups(conn: sqlite3.Connection, entity: dict[str, Any]) -> list[dict[str, Any]]:
    """Return the quote groups of one speaker, across storylines, most outlets first."""
    rows = Reader(conn).speaker_quote_groups(entity["name"])
    return sorted(rows, key=lambda g: (-g["outlets"], g["first_date"] or "", g["id"]))


def speaker_names(conn: sqlite3.Connection, speaker: str) -> set[str]:
    """Return the canonical speaker names ``speaker`` can mean: itself, or an entity's alias."""
    found = queries.speaker_entities(conn, speaker)
    return {speaker.casefold(), *(e["name"].casefold() for e in found)}


def filter_groups(
    groups: Sequence[dict[str, Any]],
    *,
    speakers: Collection[str] | None = None,
    outlet: str | None = None,
) -> list[dict[str, Any]]:
    """Return the groups of one of ``speakers`` (casefolded) and reported by ``outlet``."""
    out = []
    for group in groups:
        if speakers is not None and group["speaker"].casefold() not in speakers:
            continue
        wanted = (outlet or "").strip().casefold()
        if wanted and not any(
            (v.get("outlet") or "").casefold() == wanted for v in group["variants"]
        ):
            continue
        out.append(group)
    return out


def group_view(group: dict[str, Any], quotes: dict[str, dict[str, Any]]) -> GroupView:
    """Return a group as shown; ``quotes`` (by id) give the representative's cue."""
    variants = tuple(group["variants"])
    rep = next((v for v in variants if v.get("match") == "representative"), variants[0])
    cue = (quotes.get(rep["quote_id"]) or {}).get("cue") or "said"
    return GroupView(
        id=group["id"],
        speaker=group["speaker"],
        text=group["representative"],
        kind=group["representative_kind"],
        cue=cue,
        outlets=int(group["outlets"]),
        first_date=group.get("first_date"),
        last_date=group.get("last_date"),
        flagged_only=bool(group["flagged_only"]),
        variants=_one_per_article(variants),
    )


def _one_per_article(variants: tuple[dict[str, Any], ...]) -> tuple[dict[str, Any], ...]:
    """Return the variants an outlets line cites: one per article, the representative first.

    A quote nested in its own speaker's longer quote is a variant of the same article: listed
    twice, one report would read as two.
    """
    ranked = sorted(variants, key=lambda v: v.get("match") != "representative")
    chosen: dict[str, dict[str, Any]] = {}
    for variant in ranked:
        chosen.setdefault(variant["article_id"], variant)
    return tuple(v for v in variants if chosen[v["article_id"]] is v)


def by_speaker(
    groups: Sequence[dict[str, Any]],
    quotes: Sequence[dict[str, Any]],
    per_speaker: int = PER_SPEAKER,
) -> list[SpeakerGroups]:
    """Return the groups by speaker, most statements first, each speaker's best groups first."""
    by_id = {q["id"]: q for q in quotes}
    entity_of = {q["speaker"]: q["speaker_entity_id"] for q in quotes if q.get("speaker_entity_id")}
    kinds: dict[str, list[str | None]] = {}
    for q in quotes:
        if q.get("speaker"):
            kinds.setdefault(q["speaker"], []).append(q.get("speaker_kind"))
    found: dict[str, list[dict[str, Any]]] = {}
    for group in groups:
        found.setdefault(group["speaker"], []).append(group)
    ordered = sorted(found.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    return [
        SpeakerGroups(
            speaker=speaker,
            entity_id=entity_of.get(speaker),
            shown=[group_view(g, by_id) for g in items[:per_speaker]],
            total=len(items),
            kind=majority_kind(kinds.get(speaker, ())),
        )
        for speaker, items in ordered
    ]


def choices(groups: Sequence[dict[str, Any]]) -> dict[str, list[str]]:
    """Return the speakers and outlets a page's filter offers, by name."""
    speakers = sorted({g["speaker"] for g in groups})
    outlets = sorted({v["outlet"] for g in groups for v in g["variants"] if v.get("outlet")})
    return {"speakers": speakers, "outlets": outlets}
