"""The built-in stages: declared with ``@stage``, registered through an entry point.

They are listed under the ``storyline.stages`` entry point exactly as a third-party stage is.

The per-article ones (dates, nlp, quality) declare their work, writes and counts
(``dates_stage``, ``stages``, ``quality_stage``) and run through ``article_runner``, which owns
pending items, chunks, the executor, the boundary and progress. The others wrap a ``run_*``
body (``stages``, ``briefing.stage``, ``quote_groups_stage``) that reads and writes the store
itself. All are ``context`` stages; each returns a ``StageSummary`` of counts, which the
report templates render.
The bodies import spaCy, scikit-learn and scipy: they are imported inside each function, so
loading the registry (``storyline stages``) stays cheap.

The declaration order is today's run order; requires/provides name what each stage really
reads and writes, and they agree with that order (``Pipeline.resolve`` keeps it on ties).
Dedupe runs before dates on purpose: it reads the publication dates stored so far, and the
exports are fixed by that order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from storyline.registry import stage
from storyline.summaries import StageSummary

if TYPE_CHECKING:
    from storyline.boundary import RunTally
    from storyline.briefing.abstractive import Endpoint
    from storyline.config import Settings
    from storyline.registry import RunContext

CLEAN = ("{articles} articles, {removed} boilerplate lines set aside",)
DEDUPE = ("{copies} copies of other articles",)
DATES = (
    (
        "{dated} articles dated ({inferred} publication dates inferred, "
        "{unknown} unknown), {timexes} time expressions"
    ),
)
NLP = ("{parsed} articles parsed, {mentions} mentions, {quotes} quotes",)
ENTITIES = ("{entities} entities ({people} people), {attributed} of {quotes} quotes attributed",)
QUALITY = ("{flagged} of {assessed} articles flagged as untrustworthy copy",)
STORIES = ("{storylines} storylines, {events} events",)
TIMELINE = ("{entries} dated entries on {timelines} timelines",)
QUOTE_GROUPS = ("{groups} quote groups ({shared} reported by 2+ outlets)",)
BRIEFING = (
    (
        "{claims} claims ({corroborated} corroborated), {conflicts} conflicts, {briefings} "
        "briefings ({reworded} reworded by {detail_endpoint})"
    ),
    "{claims} claims ({corroborated} corroborated), {conflicts} conflicts, {briefings} briefings",
)


def endpoint_of(settings: Settings) -> Endpoint | None:
    """Return the abstractive briefing endpoint of ``[briefing]``, or None (extractive).

    Raises:
        ConfigError: abstractive mode without an endpoint.
    """
    from storyline.briefing.abstractive import endpoint_from  # noqa: PLC0415

    brief = settings.briefing
    return endpoint_from(brief) if brief.mode == "abstractive" else None


def _duplicates(ctx: RunContext) -> dict[str, str]:
    duplicates: dict[str, str] = ctx.values["duplicates"]
    return duplicates


def _tally(ctx: RunContext) -> RunTally:
    from storyline.boundary import RunTally  # noqa: PLC0415 - see the module docstring

    if ctx.tally is None:
        ctx.tally = RunTally()
    return ctx.tally


@stage(
    "storyline.clean.v1",
    requires={"articles"},
    provides={"clean"},
    unit="article",
    context=True,
    report=CLEAN,
)
def clean(ctx: RunContext) -> StageSummary:
    """Report the cleaning that ingest did (articles kept, boilerplate lines set aside)."""
    counts = {
        "articles": ctx.store.count("articles"),
        "removed": ctx.store.count("removed_lines"),
    }
    return StageSummary("clean", counts)


@stage(
    "storyline.dedupe.v1",
    requires={"clean"},
    provides={"duplicates"},
    unit="corpus",
    context=True,
    report=DEDUPE,
)
def dedupe(ctx: RunContext) -> StageSummary:
    """Find exact and near copies; hand the copy -> original map to the later stages."""
    from storyline.stages import run_dedupe  # noqa: PLC0415

    read_chunk = ctx.settings.run.read_chunk
    ctx.values["duplicates"] = duplicates = run_dedupe(
        ctx.store, ctx.settings.dedupe, read_chunk=read_chunk
    )
    return StageSummary("dedupe", {"copies": len(duplicates)})


@stage(
    "storyline.dates.v1",
    requires={"clean"},
    provides={"published", "timexes", "events"},
    unit="article",
    context=True,
    report=DATES,
)
def dates(ctx: RunContext) -> StageSummary:
    """Infer publication dates and resolve time expressions in pending articles."""
    from storyline.article_runner import run_articles  # noqa: PLC0415
    from storyline.dates_stage import dates_stage  # noqa: PLC0415

    work = dates_stage(ctx.settings.run.date_chunk)
    return run_articles(work, ctx.store, ctx.executor, _tally(ctx))


@stage(
    "storyline.nlp.v1",
    requires={"clean", "duplicates"},
    provides={"mentions", "quotes"},
    unit="article",
    context=True,
    report=NLP,
)
def nlp(ctx: RunContext) -> StageSummary:
    """Parse pending articles (copies are not): mentions and quotes."""
    from storyline.article_runner import run_articles  # noqa: PLC0415
    from storyline.stages import nlp_stage  # noqa: PLC0415

    work = nlp_stage(ctx.settings, set(_duplicates(ctx)))
    return run_articles(work, ctx.store, ctx.executor, _tally(ctx))


@stage(
    "storyline.entities.v1",
    requires={"mentions", "quotes"},
    provides={"entities", "speakers"},
    unit="corpus",
    context=True,
    report=ENTITIES,
)
def entities(ctx: RunContext) -> StageSummary:
    """Merge mentions into entities and map quote speakers onto them."""
    from storyline.stages import run_entities  # noqa: PLC0415

    return run_entities(ctx.store, ctx.settings, tally=_tally(ctx))


@stage(
    "storyline.quality.v1",
    requires={"clean", "duplicates", "speakers"},
    provides={"quality"},
    unit="article",
    context=True,
    report=QUALITY,
)
def quality(ctx: RunContext) -> StageSummary:
    """Score every article's trustworthiness (``sentence_model`` resolved before the run)."""
    from storyline.article_runner import run_articles  # noqa: PLC0415
    from storyline.quality.assess import QualityThresholds  # noqa: PLC0415
    from storyline.quality_stage import quality_stage  # noqa: PLC0415

    quality = ctx.settings.quality
    work = quality_stage(
        _duplicates(ctx),
        ctx.values["sentence_model"],  # resolved by analyse before any stage runs
        QualityThresholds(quality.incoherent_at, quality.min_words, quality.boilerplate_ratio),
        chunk=ctx.settings.run.quality_chunk,
        read_chunk=ctx.settings.run.read_chunk,
    )
    return run_articles(work, ctx.store, ctx.executor, _tally(ctx))


@stage(
    "storyline.stories.v1",
    requires={"clean", "duplicates", "entities", "events"},
    provides={"stories"},
    unit="corpus",
    context=True,
    report=STORIES,
)
def stories(ctx: RunContext) -> StageSummary:
    """Add new articles to the events and storylines."""
    from storyline.cluster.settings import ClusterSettings  # noqa: PLC0415
    from storyline.stages import run_clusters  # noqa: PLC0415

    settings = ClusterSettings(**ctx.settings.cluster.model_dump())
    batch = ctx.settings.run.cluster_batch
    return run_clusters(
        ctx.store, _duplicates(ctx), tally=_tally(ctx), settings=settings, batch=batch
    )


@stage(
    "storyline.timeline.v1",
    requires={"stories", "events", "entities", "quality"},
    provides={"timelines"},
    unit="storyline",
    context=True,
    report=TIMELINE,
)
def timeline(ctx: RunContext) -> StageSummary:
    """Build each storyline's timeline."""
    from storyline.stages import run_timelines  # noqa: PLC0415
    from storyline.timeline import TimelineSettings  # noqa: PLC0415

    settings = TimelineSettings(**ctx.settings.timeline.model_dump())
    return run_timelines(ctx.store, tally=_tally(ctx), settings=settings)


@stage(
    "storyline.quote_groups.v1",
    requires={"stories", "speakers", "quality", "duplicates"},
    provides={"quote_groups"},
    unit="storyline",
    context=True,
    report=QUOTE_GROUPS,
)
def quote_groups(ctx: RunContext) -> StageSummary:
    """Group each storyline's quotes by the statement they report."""
    from storyline.quote_groups import params_from  # noqa: PLC0415
    from storyline.quote_groups_stage import run_quote_groups  # noqa: PLC0415

    return run_quote_groups(
        ctx.store,
        _duplicates(ctx),
        params=ctx.values.get("quote_group_params") or params_from(ctx.settings.quote_groups),
        tally=_tally(ctx),
    )


@stage(
    "storyline.briefing.v1",
    requires={"stories", "quote_groups", "quality", "duplicates"},
    provides={"claims", "conflicts", "briefings"},
    unit="storyline",
    context=True,
    report=BRIEFING,
)
def briefing(ctx: RunContext) -> StageSummary:
    """Align claims, find conflicts and write each story's briefing."""
    from storyline.briefing.select import SelectionParams  # noqa: PLC0415
    from storyline.briefing.stage import run_briefings  # noqa: PLC0415
    from storyline.claims.params import ClaimsParams  # noqa: PLC0415

    if "endpoint" not in ctx.values:  # the pipeline checks it before any stage runs
        ctx.values["endpoint"] = endpoint_of(ctx.settings)
    return run_briefings(
        ctx.store,
        _duplicates(ctx),
        ctx.executor,
        tally=_tally(ctx),
        max_sentences=ctx.settings.briefing.max_sentences,
        endpoint=ctx.values["endpoint"],
        claims=ClaimsParams(**ctx.settings.claims.model_dump()),
        selection=SelectionParams.from_values(ctx.settings.briefing.model_dump()),
    )
