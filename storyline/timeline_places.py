"""Who and where a timeline entry names: the actors and the place of its sentences.

A place after a locative word ("talks in Vienna") is where it happened; a place a noun is about
("the war in Syria") is neither place nor actor; people, organisations and acting countries are
actors.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from storyline.models import DatedEvent

__all__ = ["Participant", "named_in"]

# An entity mention inside an article: (start, end, canonical name, type, text as written).
Participant = tuple[int, int, str, str, str]
_ACTOR_TYPES = frozenset({"PERSON", "ORG"})
_PLACE_TYPES = frozenset({"GPE", "LOC", "FAC"})
# "talks in Vienna", "flew to Moscow": a place after these is where it happened; a country
# or city named otherwise acts ("Russia will join the talks", "Moscow denied it").
_LOCATIVE_OF = frozenset({"outside", "north", "south", "east", "west"})
# "the war in Syria", "peace in Ukraine": the place is what the noun is about.
_SUBJECT_NOUNS = frozenset({
    "crisis", "crises", "war", "wars", "conflict", "conflicts", "situation", "fighting",
    "violence", "unrest", "turmoil", "peace", "ceasefire", "truce", "intervention", "campaign",
    "involvement", "presence", "role", "policy", "strategy",
})  # fmt: skip
_LOCATIVE = _LOCATIVE_OF | {"in", "at", "to", "near", "inside", "into", "from", "across", "over"}


def named_in(
    chosen: Sequence[DatedEvent], participants: Mapping[str, Sequence[Participant]]
) -> tuple[tuple[str, ...], str | None]:
    """Return the actors (in order of mention) and the place of the first sentence naming one.

    A sentence's place is the one written nearest to its date: "the downing of an airliner over
    Egypt on Oct. 31 and the attacks in Paris on Nov. 13" puts Nov. 13 in Paris.
    """
    actors: dict[str, None] = {}
    place: str | None = None
    for event in chosen:
        places: list[tuple[int, str]] = []  # (distance to the date, name)
        for start, end, name, kind, written in participants.get(event.article_id, ()):
            if not (start >= event.start and end <= event.end):
                continue
            at = _written_at(event.text, written, start - event.start)
            if kind in _PLACE_TYPES and _is_subject(event.text, at):
                continue  # neither where it happened nor who acted
            if kind in _PLACE_TYPES and _word_before(event.text, at) in _LOCATIVE:
                when = event.date_at
                gap = 0 if when is None else min(abs(start - when), abs(end - when))
                places.append((gap, name))
            elif kind in _ACTOR_TYPES or kind == "GPE":
                actors[name] = None
        if place is None and places:
            place = min(places, key=lambda p: p[0])[1]  # min keeps the first of equals
    return tuple(actors), place


def _written_at(sentence: str, written: str, offset: int) -> int:
    """Return where the mention ``written`` starts in ``sentence``, -1 when it is not there.

    The sentence is stored with its spaces collapsed, so of the places the name is written
    ("the war in Syria ... targets in Syria") the one nearest ``offset`` is the mention.
    """
    found = [m.start() for m in re.finditer(re.escape(written), sentence)]
    return min(found, key=lambda at: abs(at - offset), default=-1)


def _word_before(sentence: str, at: int) -> str:
    """Return the lower-cased word just before position ``at`` of ``sentence``.

    "outside of Moscow", "north of Aleppo": the word before "of" tells.
    """
    words = [w.casefold() for w in sentence[: max(at, 0)].split()]
    if len(words) > 1 and words[-1] == "of" and words[-2] in _LOCATIVE_OF:
        return words[-2]
    return words[-1] if at > 0 and words else ""


def _is_subject(sentence: str, at: int) -> bool:
    """Return whether the place at ``at`` is what a noun is about ("the crisis in Syria")."""
    words = [w.casefold().strip(",;:") for w in sentence[: max(at, 0)].split()]
    return len(words) > 1 and words[-1] in _LOCATIVE and words[-2] in _SUBJECT_NOUNS
