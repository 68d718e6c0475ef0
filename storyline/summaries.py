"""What a stage reports: a ``StageSummary`` of counts, and the line a person reads from it.

A stage returns counts, never a sentence; the CLI renders them through the stage's report
templates (``StageSpec.report``). The built-in stage bodies still return today's sentences:
``from_text`` reads a sentence back into counts with the same templates, so the printed line
is byte-identical and tests can assert counts (``tests/test_registry.py`` checks the round
trip for every built-in).
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Mapping

_FORMATTER: Final = string.Formatter()


@dataclass(frozen=True, slots=True)
class StageSummary:
    """What one stage did in one run: counts by name, plus text details (an endpoint's URL).

    ``text`` holds a sentence no template could read (a stage body whose wording changed):
    it is printed as is, so nothing is lost, and a test catches the drift.
    """

    stage: str
    counts: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    details: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    text: str | None = None

    def __post_init__(self) -> None:
        # frozen means frozen: a caller's dict changed later must not change the summary
        object.__setattr__(self, "counts", MappingProxyType(dict(self.counts)))
        object.__setattr__(self, "details", MappingProxyType(dict(self.details)))


def fields_of(template: str) -> list[str]:
    """Return the ``{name}`` fields of a template, in order."""
    return [name for _, name, _, _ in _FORMATTER.parse(template) if name]


def render(summary: StageSummary, templates: tuple[str, ...]) -> str:
    """Return the line for ``summary``: the first template whose fields it all has.

    Without a fitting template (a plug-in stage declares none) the counts are listed as
    ``name value`` pairs in the order the stage gave them.
    """
    if summary.text is not None:
        return summary.text
    values: dict[str, object] = {**summary.counts, **summary.details}
    for template in templates:
        if all(name in values for name in fields_of(template)):
            return template.format(**values)
    return ", ".join(f"{value} {name}" for name, value in values.items()) or "done"


def from_text(stage: str, text: str, templates: tuple[str, ...]) -> StageSummary:
    """Read a built-in stage's sentence back into counts with its templates.

    Fields named in a template as ``{name}`` are integers; a field whose name starts with
    ``detail_`` is text. A sentence that fits no template is kept whole in ``text``.
    """
    for template in templates:
        match = _pattern(template).fullmatch(text)
        if match is None:
            continue
        counts = {k: int(v) for k, v in match.groupdict().items() if not k.startswith("detail_")}
        details = {k: v for k, v in match.groupdict().items() if k.startswith("detail_")}
        return StageSummary(stage, counts, details)
    return StageSummary(stage, text=text)


def _pattern(template: str) -> re.Pattern[str]:
    parts: list[str] = []
    for literal, name, _, _ in _FORMATTER.parse(template):
        parts.append(re.escape(literal))
        if name:
            parts.append(f"(?P<{name}>.+?)" if name.startswith("detail_") else rf"(?P<{name}>\d+)")
    return re.compile("".join(parts))
