"""The built-in stages: declared with ``@stage``, registered through an entry point.

They are listed under the ``storyline.stages`` entry point exactly as a third-party stage is,
and run by the runner of their unit exactly as one: each is a factory (``factory=True``)
that, given the run's settings and values (``RunSetup``), returns the description of its
work, never touching the store itself:

- unit ``article`` (clean, dates, nlp, quality): an ``article_runner.ArticleStage``, a pure
  chunk function plus its pending, save and count hooks; the runner owns pending selection,
  chunks, the executor, the per-article boundary (S199), the writes, progress and counts.
- unit ``storyline`` (timeline, quote_groups, briefing): a
  ``storyline_runner.StorylineStage``, a pure function of one story's task plus its marks,
  save and count hooks; the runner owns the selection of changed storylines
  (``story_marks``), the per-storyline boundary, the writes and counts.
- unit ``corpus`` (dedupe, entities, stories): a ``corpus_runner.CorpusStage``, run once on
  the driver; the runner owns its summary and hands its value on (dedupe's duplicates map).

They are factories rather than functions of one item (as a simple plug-in is) because their
work needs the run's settings and chunk sizes, writes typed tables rather than
``stage_outputs``, and (dates, nlp, quality) maps whole chunks over a process pool. The
descriptions import spaCy, scikit-learn and scipy: they are imported inside each factory, so
loading the registry (``storyline stages``) stays cheap.

The declaration order is today's run order; requires/provides name what each stage really
reads and writes, and they agree with that order (``Pipeline.resolve`` keeps it on ties).
Dedupe runs before dates on purpose: it reads the publication dates stored so far, and the
exports are fixed by that order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from storyline.registry import stage

if TYPE_CHECKING:
    from storyline.article_runner import ArticleStage
    from storyline.boundary import RunTally
    from storyline.briefing.abstractive import Endpoint
    from storyline.config import Settings
    from storyline.corpus_runner import CorpusStage
    from storyline.models import CleanArticle
    from storyline.registry import RunSetup
    from storyline.store import Store
    from storyline.storyline_runner import StorylineStage
    from storyline.summaries import StageSummary

CLEAN = (
    (
        "{articles} articles, {removed} boilerplate lines set aside "
        "({redone} articles cleaned again: the cleaner changed; {changed} of them changed)"
    ),
    "{articles} articles, {removed} boilerplate lines set aside",
)
DEDUPE = ("{copies} copies of other articles",)
DATES = (
    (
        "{dated} articles dated ({redone} again: the extractor or corpus window changed; "
        "{inferred} publication dates inferred, {unknown} unknown), {timexes} time expressions"
    ),
    (
        "{dated} articles dated ({inferred} publication dates inferred, "
        "{unknown} unknown), {timexes} time expressions"
    ),
)
NLP = (
    (
        "{parsed} articles parsed ({redone} again: the extractor changed), {mentions} mentions, "
        "{quotes} quotes"
    ),
    "{parsed} articles parsed, {mentions} mentions, {quotes} quotes",
)
ENTITIES = ("{entities} entities ({people} people), {attributed} of {quotes} quotes attributed",)
QUALITY = (
    (
        "{flagged} of {assessed} articles flagged as untrustworthy copy "
        "({redone} assessed again: the code or settings changed)"
    ),
    "{flagged} of {assessed} articles flagged as untrustworthy copy",
)
STORIES = (
    (
        "{storylines} storylines, {events} events ({redone} articles clustered again: "
        "a clustered article's text changed)"
    ),
    "{storylines} storylines, {events} events",
)
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


def _duplicates(run: RunSetup) -> dict[str, str]:
    duplicates: dict[str, str] = run.values["duplicates"]
    return duplicates


def _clean_counts(store: Store, totals: dict[str, int]) -> dict[str, int]:
    counts = {"articles": store.count("articles"), "removed": store.count("removed_lines")}
    # every article this stage cleans is cleaned again (ingest cleaned it first), whether
    # stamped by another version or by none (a store written before the stamp)
    if not totals.get("cleaned"):
        return counts
    return counts | {"redone": totals["cleaned"], "changed": totals["changed"]}


@stage(
    "storyline.clean.v1",
    requires={"articles"},
    provides={"clean"},
    unit="article",
    factory=True,
    report=CLEAN,
    # what changes the cleaning besides the code: an article cleaned otherwise is cleaned again
    settings=("clean", "text"),
    code=("storyline.clean_stage",),  # the cleaner (clean, clean_guard, clean_weights)
)
def clean(run: RunSetup) -> ArticleStage:
    """Clean again the articles cleaned by another version of the cleaner (ingest did the rest).

    Each is cleaned from its stored raw text; one whose cleaning changed is done again by
    every later stage (``clean_stage``). The line counts every stored article.
    """
    from storyline.article_runner import ArticleStage  # noqa: PLC0415
    from storyline.clean_stage import Cleaner, reclean_work  # noqa: PLC0415

    def load(store: Store, ids: list[str]) -> list[tuple[CleanArticle, str]]:
        raws = store.raw_texts(ids)
        return [(a, raws[a.id]) for a in store.articles(ids=ids)]

    def save(store: Store, found: list[tuple[CleanArticle, bool]], _failed: object) -> None:
        changed = [article for article, changed in found if changed]
        if changed:  # a new content hash: the stories stage clusters the corpus again
            store.replace_clean(changed)

    return ArticleStage(
        "clean",
        work=reclean_work,
        save=save,
        count=lambda found, failed: {
            "cleaned": len(found) + len(failed),
            "changed": sum(changed for _, changed in found),
        },
        chunk=run.settings.run.clean_chunk,
        prepare=lambda _store: Cleaner.from_settings(run.settings),
        load=load,
        finish=_clean_counts,
    )


@stage(
    "storyline.dedupe.v1",
    requires={"clean"},
    provides={"duplicates"},
    unit="corpus",
    factory=True,
    report=DEDUPE,
)
def dedupe(run: RunSetup) -> CorpusStage:
    """Find exact and near copies; hand the copy -> original map to the later stages."""
    from storyline.corpus_runner import CorpusStage  # noqa: PLC0415
    from storyline.stages import run_dedupe  # noqa: PLC0415

    def apply(store: Store, tally: RunTally) -> dict[str, str]:
        # an article that makes dedupe raise is rejected through the tally, as an original
        read_chunk = run.settings.run.read_chunk
        return run_dedupe(store, run.settings.dedupe, read_chunk=read_chunk, tally=tally)

    return CorpusStage(
        "dedupe", apply, count=lambda copies: {"copies": len(copies)}, hands="duplicates"
    )


@stage(
    "storyline.dates.v1",
    requires={"clean"},
    provides={"published", "timexes", "events"},
    unit="article",
    factory=True,
    report=DATES,
    code=("storyline.dates_stage",),  # its work and what it runs, not the other stages
)
def dates(run: RunSetup) -> ArticleStage:
    """Infer publication dates and resolve time expressions in pending articles."""
    from storyline.dates_stage import dates_stage  # noqa: PLC0415

    return dates_stage(run.settings.run.date_chunk)


@stage(
    "storyline.nlp.v1",
    requires={"clean", "duplicates"},
    provides={"mentions", "quotes"},
    unit="article",
    factory=True,
    report=NLP,
    # what the parse depends on beyond the code: another model or piece size re-parses
    settings=("nlp.model", "nlp.piece_chars"),
    libraries=("spacy",),
    code=("storyline.nlp_work",),  # the parse and the extraction it runs, not stages.py
)
def nlp(run: RunSetup) -> ArticleStage:
    """Parse pending articles (copies are not): mentions and quotes."""
    from storyline.stages import nlp_stage  # noqa: PLC0415

    return nlp_stage(run.settings, set(_duplicates(run)))


@stage(
    "storyline.entities.v1",
    requires={"mentions", "quotes"},
    provides={"entities", "speakers"},
    unit="corpus",
    factory=True,
    report=ENTITIES,
)
def entities(run: RunSetup) -> CorpusStage:
    """Merge mentions into entities and map quote speakers onto them."""
    from storyline.corpus_runner import CorpusStage  # noqa: PLC0415
    from storyline.stages import run_entities  # noqa: PLC0415

    def apply(store: Store, tally: RunTally) -> StageSummary:
        return run_entities(store, run.settings, tally=tally)

    return CorpusStage("entities", apply, count=lambda summary: summary.counts)


@stage(
    "storyline.quality.v1",
    requires={"clean", "duplicates", "speakers"},
    provides={"quality"},
    unit="article",
    factory=True,
    report=QUALITY,
)
def quality(run: RunSetup) -> ArticleStage:
    """Score every article's trustworthiness (``sentence_model`` resolved before the run)."""
    from storyline.quality.assess import QualityThresholds  # noqa: PLC0415
    from storyline.quality_stage import quality_stage  # noqa: PLC0415

    quality = run.settings.quality
    return quality_stage(
        _duplicates(run),
        run.values["sentence_model"],  # resolved by analyse before any stage runs
        QualityThresholds(quality.incoherent_at, quality.min_words, quality.boilerplate_ratio),
        chunk=run.settings.run.quality_chunk,
        read_chunk=run.settings.run.read_chunk,
    )


@stage(
    "storyline.stories.v1",
    # "quality": a story's title is its most representative trusted headline (quality flags)
    requires={"clean", "duplicates", "entities", "events", "quality"},
    provides={"stories"},
    unit="corpus",
    factory=True,
    report=STORIES,
)
def stories(run: RunSetup) -> CorpusStage:
    """Add new articles to the events and storylines (all again if a clustered one changed)."""
    from storyline.cluster.settings import ClusterSettings  # noqa: PLC0415
    from storyline.corpus_runner import CorpusStage  # noqa: PLC0415
    from storyline.stages import run_clusters  # noqa: PLC0415

    settings = ClusterSettings(**run.settings.cluster.model_dump())
    batch = run.settings.run.cluster_batch

    def apply(store: Store, tally: RunTally) -> StageSummary:
        # clustering reports its own progress, batch by batch
        duplicates = _duplicates(run)
        return run_clusters(store, duplicates, tally=tally, settings=settings, batch=batch)

    return CorpusStage("stories", apply, count=lambda summary: summary.counts)


@stage(
    "storyline.timeline.v1",
    requires={"stories", "events", "entities", "quality"},
    provides={"timelines"},
    unit="storyline",
    factory=True,
    report=TIMELINE,
)
def timeline(run: RunSetup) -> StorylineStage:
    """Build each storyline's timeline."""
    from storyline.stages import timeline_stage  # noqa: PLC0415
    from storyline.timeline import TimelineSettings  # noqa: PLC0415

    return timeline_stage(TimelineSettings(**run.settings.timeline.model_dump()))


@stage(
    "storyline.quote_groups.v1",
    requires={"stories", "speakers", "quality", "duplicates"},
    provides={"quote_groups"},
    unit="storyline",
    factory=True,
    report=QUOTE_GROUPS,
)
def quote_groups(run: RunSetup) -> StorylineStage:
    """Group each storyline's quotes by the statement they report."""
    from storyline.quote_groups import params_from  # noqa: PLC0415
    from storyline.quote_groups_stage import quote_groups_stage  # noqa: PLC0415

    params = run.values.get("quote_group_params") or params_from(run.settings.quote_groups)
    return quote_groups_stage(_duplicates(run), params)


@stage(
    "storyline.briefing.v1",
    requires={"stories", "quote_groups", "quality", "duplicates"},
    provides={"claims", "conflicts", "briefings"},
    unit="storyline",
    factory=True,
    report=BRIEFING,
)
def briefing(run: RunSetup) -> StorylineStage:
    """Align claims, find conflicts and write each story's briefing."""
    from storyline.briefing.select import SelectionParams  # noqa: PLC0415
    from storyline.briefing.stage import briefing_stage  # noqa: PLC0415
    from storyline.claims.params import ClaimsParams  # noqa: PLC0415

    # the pipeline resolves the endpoint before any stage runs; a stage run alone, here
    endpoint = run.values["endpoint"] if "endpoint" in run.values else endpoint_of(run.settings)
    return briefing_stage(
        _duplicates(run),
        max_sentences=run.settings.briefing.max_sentences,
        endpoint=endpoint,
        claims=ClaimsParams(**run.settings.claims.model_dump()),
        selection=SelectionParams.from_values(run.settings.briefing.model_dump()),
    )
