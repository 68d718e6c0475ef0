"""Per-storyline input marks: a storyline stage redoes only the storylines whose inputs changed.

A storyline stage (quote groups, timeline, claims and briefing) is a pure function of what it
reads about one storyline: its article ids, those articles' records as the stage reads them
(text, dates, quotes with their canonical speakers, events, participants), their duplicate
links and quality flags, the stage's settings. Its mark is a digest of exactly those
arguments, built before any work, plus the stage's version. A storyline whose mark equals
the one stored with its rows keeps its rows (not read, not rewritten); any other storyline is
computed again, and a storyline that no longer exists loses its rows.

Digesting the arguments themselves, rather than a list of what they are believed to depend
on, keeps the rows byte-identical to recomputing everything: whatever reaches the stage is
in the mark. The marks are written in the same transaction as the rows they describe.

``mark_of`` is the one digest of a stage's inputs: the storyline plug-ins' marks
(``stage_runner``) and each article's quality mark (``quality_stage.quality_mark``) are
made by it too.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import TYPE_CHECKING, Any

from storyline.code_version import stage_version

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from storyline.store import Store

_PREFIX = "story_marks.v1:"
# Every storyline stage that keeps marks, by the name its marks are stored under.
STAGES = ("quote_groups", "timeline", "briefing")


def canonical(value: Any) -> Any:  # noqa: ANN401 - any stage argument
    """Return ``value`` as JSON-able data that is the same for equal values in every process.

    Sets are sorted (their iteration order follows the per-process string hash), dataclasses
    become their class name and fields, mappings keep their order (a stage may read it).
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = [canonical(getattr(value, f.name)) for f in dataclasses.fields(value)]
        return [type(value).__name__, *fields]
    if isinstance(value, (set, frozenset)):
        return sorted((canonical(v) for v in value), key=repr)
    if isinstance(value, dict):
        return [[canonical(k), canonical(v)] for k, v in value.items()]
    if isinstance(value, (list, tuple)):
        return [canonical(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return repr(value)


def mark_of(stage: str, *inputs: object) -> str:
    """Return the digest of a storyline's inputs to ``stage`` (with the stage's version)."""
    payload = json.dumps([stage, stage_version(), canonical(inputs)], ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


@dataclasses.dataclass(frozen=True, slots=True)
class StoryMarks:
    """The marks a stage stored with its rows: story id -> (mark, the counts of its rows)."""

    stage: str
    saved: Mapping[str, tuple[str, dict[str, int]]]

    @classmethod
    def load(cls, store: Store, stage: str) -> StoryMarks:
        """Return the marks ``stage`` stored (none in a store written before them)."""
        raw = store.get_state(_PREFIX + stage)
        found = json.loads(raw) if raw else {}
        return cls(stage, {sid: (m, dict(c)) for sid, (m, c) in found.items()})

    def kept(self, story_id: str, mark: str) -> dict[str, int] | None:
        """Return the counts of a storyline's stored rows if they stand for ``mark``, else None."""
        saved = self.saved.get(story_id)
        return saved[1] if saved is not None and saved[0] == mark else None

    def state(self, marks: Mapping[str, tuple[str, dict[str, int]]]) -> tuple[str, bytes]:
        """Return the state row that stores ``marks`` (written with the rows they describe)."""
        return _PREFIX + self.stage, json.dumps(marks, sort_keys=True).encode()


def total(counts: Iterable[Mapping[str, int]], names: Iterable[str]) -> dict[str, int]:
    """Return the sums of the named counts over storylines."""
    rows = list(counts)
    return {name: sum(c.get(name, 0) for c in rows) for name in names}


def forget_marks(store: Store) -> None:
    """Drop every stored mark: the next run recomputes every storyline (as before marks)."""
    for stage in STAGES:
        store.set_state(_PREFIX + stage, b"{}")
