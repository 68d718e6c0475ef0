"""What a stage reports: a ``StageSummary`` of counts, and the line a person reads from it.

A stage returns counts, never a sentence; the CLI renders them through the stage's report
templates (``StageSpec.report``), so the printed line is the same sentence the stage bodies
once wrote and tests assert counts (``tests/test_registry.py`` renders every built-in's).
"""

from __future__ import annotations

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

    ``text``, when set, is printed as is instead of a rendered line (a plug-in's own words).
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
