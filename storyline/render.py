"""Rich renderables for what the CLI prints: run summaries, rejected inputs."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Self

from rich.panel import Panel
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from storyline.errors import DESCRIPTIONS
from storyline.flagged import flagged_only

if TYPE_CHECKING:
    from collections.abc import Collection, Sequence

    from rich.console import Console
    from rich.progress import Task

    from storyline.models import Briefing, IngestSummary, Story, TimelineEntry

# C0 and C1 control characters but tab and newline: an outlet name or a file name holding
# ESC sequences cleared the journalist's terminal or set its title when printed (OSC 52 could
# even write the clipboard). The stored and exported data keep them; only the screen is spared.
# Also the bidi embeddings, overrides and isolates (U+202A-E, U+2066-9): one left open in a
# title reversed the rest of its line on a bidi terminal, table borders and the next columns
# too ("Trojan Source"). Right-to-left names need none of them; the marks (LRM, RLM) stay.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """Return ``text`` without the control characters a terminal would act on."""
    return _CONTROLS.sub("", text)


def plain(text: str, style: str = "") -> Text:
    """Return data as Text: no markup, no emoji codes, no terminal control characters."""
    return Text(printable(text), style=style)


class _RateColumn(ProgressColumn):
    """Items per second: a slow article shows as a falling rate, not as a hang."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:.1f} items/s", style="progress.data.speed")


class StageBars:
    """One progress bar per stage (items done / total, rate), on a terminal only.

    Called as ``bars(stage, done, total)``, the ``progress`` of ``Workspace.run``. Off when
    the console is not a terminal: pipes and CI logs get no bar noise.
    """

    def __init__(self, console: Console) -> None:
        self.progress = Progress(
            TextColumn("[bold]{task.description:<9}"),
            BarColumn(),
            MofNCompleteColumn(),
            _RateColumn(),
            TimeElapsedColumn(),
            console=console,
            disable=not console.is_terminal,
        )
        self.tasks: dict[str, TaskID] = {}

    def __enter__(self) -> Self:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def __call__(self, stage: str, done: int, total: int) -> None:
        """Show that ``stage`` has processed ``done`` of its ``total`` items."""
        if stage not in self.tasks:
            self.tasks[stage] = self.progress.add_task(stage, total=total)
        self.progress.update(self.tasks[stage], completed=done, total=total)


def summary_table(summary: IngestSummary, *, title: str = "storyline ingest") -> Table:
    """Return the end-of-run table: read, stored, unchanged, rejected by code."""
    table = Table(title=title, show_header=True, header_style="bold")
    table.add_column("what")
    table.add_column("count", justify="right")
    table.add_row("articles read", str(summary.read))
    table.add_row("stored (new or changed)", str(summary.stored))
    table.add_row("unchanged", str(summary.unchanged))
    table.add_row("rejected", str(len(summary.rejected)))
    for code, count in summary.rejected_by_code.items():
        table.add_row(f"  {code} {DESCRIPTIONS.get(code, '')}", str(count))
    return table


def rejected_table(summary: IngestSummary, *, limit: int = 20) -> Table:
    """Return a table of the rejected inputs of a run (the first ``limit`` of them)."""
    table = Table(title="rejected inputs", show_header=True, header_style="bold")
    table.add_column("input")
    table.add_column("code")
    table.add_column("reason")
    for item in summary.rejected[:limit]:
        # Text, not markup: a file name or a quoted field like "[/x]" is data, not a style tag
        table.add_row(plain(item.locator), item.code, plain(item.reason))
    if len(summary.rejected) > limit:
        table.add_row(f"... {len(summary.rejected) - limit} more", "", "export --what rejected")
    return table


# What a row told only by flagged pages carries (the web page's "flagged copy" mark); the
# title of a story told only by them already ends in it (``titles.FLAGGED_TITLE_MARK``).
FLAGGED_CELL = "(flagged copy only)"


def stories_table(stories: Sequence[Story], *, flagged: Collection[str] = ()) -> Table:
    """Return the stories as a table: storylines with their events indented under them.

    ``flagged`` holds the articles whose copy is flagged untrustworthy: a story told by them
    alone is marked, as the export's ``flagged_only`` marks it.
    """
    table = Table(title="stories", show_header=True, header_style="bold")
    for column in ("id", "level", "dates", "articles", "title"):
        table.add_column(column)
    storylines = [s for s in stories if s.level == "storyline"]
    events = [s for s in stories if s.level == "event"]
    for story in storylines:
        table.add_row(*_story_cells(story, indent="", flagged=flagged))
        for event in (e for e in events if e.parent == story.id):
            table.add_row(*_story_cells(event, indent="  ", flagged=flagged))
    return table


def stages_table(stages: list[dict[str, Any]]) -> Table:
    """Return the resolved pipeline as a table: one row per stage, in run order."""
    table = Table(title="stages", show_header=True, header_style="bold")
    table.add_column("#")
    table.add_column("name", no_wrap=True)
    for column in ("unit", "requires", "provides"):
        table.add_column(column)
    for number, spec in enumerate(stages, start=1):
        table.add_row(
            str(number),
            spec["name"],
            spec["unit"],
            ", ".join(spec["requires"]),
            ", ".join(spec["provides"]),
        )
    return table


def _story_cells(story: Story, *, indent: str, flagged: Collection[str]) -> list[str | Text]:
    dates = f"{story.first_date or '?'} – {story.last_date or '?'}"
    title = story.title or story.label  # the keyword label stays in the export
    if flagged_only(story.article_ids, flagged) and not title.endswith(FLAGGED_CELL):
        title = f"{title} {FLAGGED_CELL}"
    # article text goes in as Text, never as markup: a title holding "[/]" was a MarkupError
    # (S199 for `stories` and `run`), and "[link=...]" or ":fire:" would have been rendered
    cells = [f"{indent}{story.id}", story.level, dates, str(len(story.article_ids)), title]
    return [plain(cell) for cell in cells]


_SHOWN_ACTORS = 3  # the rest are in the export


def timeline_table(
    entries: list[TimelineEntry], *, title: str = "timeline", flagged: Collection[str] = ()
) -> Table:
    """Return a timeline as a table: date, what happened, who and where, how many articles.

    An entry whose every source is in ``flagged`` (pages flagged untrustworthy) is marked.
    """
    table = Table(title=title, show_header=True, header_style="bold")
    table.add_column("date")
    table.add_column("what happened")
    table.add_column("who / where")
    table.add_column("sources", justify="right")
    for entry in entries:
        where = f"in {entry.place}" if entry.place else ""
        who = "\n".join([*entry.actors[:_SHOWN_ACTORS], where]).strip()
        when = f"{entry.date} –\n{entry.until}" if entry.until else entry.date
        count = str(len(entry.sources))
        if flagged_only(entry.sources, flagged):
            count = f"{count}\n{FLAGGED_CELL}"
        table.add_row(plain(when), plain(" ".join(entry.text)), plain(who), count)
    return table


def briefing_panel(story: Story, briefing: Briefing) -> Panel:
    """Return a story's briefing as a panel: dated, cited sentences and where sources differ."""
    numbers: dict[str, int] = {}
    for article_id, _, _ in briefing.titles:
        numbers.setdefault(article_id, len(numbers) + 1)
    from storyline.briefing.select import (  # noqa: PLC0415 - briefing loads sklearn
        ALL_FLAGGED_WARNING,
        FLAGGED_SOURCE,
    )

    lines = Text(f"{ALL_FLAGGED_WARNING}\n" if briefing.all_flagged else "", style="bold red")
    for sentence in briefing.sentences:
        refs = "".join(f"[{numbers.setdefault(a, len(numbers) + 1)}]" for a in sentence.citations)
        if sentence.date:
            lines.append(f"{sentence.date}  ", style="bold")
        lines.append(plain(sentence.text))
        lines.append(f" {refs}", style="cyan")
        if sentence.corroboration != "corroborated":
            lines.append(f" ({sentence.corroboration.replace('_', ' ')})", style="dim")
        if sentence.flagged_only:
            lines.append(" (flagged copy)", style="red")
        if sentence.wording_differs:  # the text is one outlet's wording of the quote
            lines.append(" (wording differs between outlets)", style="yellow")  # WORDING_MARK
        lines.append("\n")
    for conflict in briefing.conflicts:
        values = "; ".join(
            f"{value} [{', '.join(str(numbers.get(a, '?')) for a in ids)}]"
            for value, ids in conflict.values
        )
        lines.append(plain(f"sources differ on {conflict.subject}: {values}\n", "yellow"))
    for article_id, outlet, title in briefing.titles:
        line = f"[{numbers[article_id]}] {outlet or 'unknown outlet'}: {title}"
        lines.append(plain(line, "dim"))
        if article_id in briefing.flagged:  # a trusted sentence may cite a flagged page too
            lines.append(f" ({FLAGGED_SOURCE})", style="red")
        lines.append("\n")
    dates = f"{story.first_date or '?'} – {story.last_date or '?'}"
    heading = story.title or story.label
    return Panel(lines, title=plain(f"{heading}  ({dates})"), subtitle=plain(story.id))
