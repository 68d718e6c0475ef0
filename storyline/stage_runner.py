"""Run one registered stage by its spec's ``unit``: built-ins and plug-ins alike.

A factory stage (every built-in) describes its work for its unit's runner
(``article_runner``, ``storyline_runner``, ``corpus_runner``); a simple plug-in is a pure
function of one item (``unit`` article or storyline) or of every article (corpus), which is
described here. The runners own the rest: which items are pending, chunks mapped over the
run's executor, the per-item boundary (``boundary.guard``/``isolate``: an item that makes it
raise is a Rejected row naming the stage and the item, S199 with the traceback, and the run
goes on) and the writes (a plug-in's to ``stage_outputs``).

Per-article stages are incremental: an article done (with an output or rejected) is marked
in ``article_stages`` with the stage's version (``article_version``) and not given to the stage
again until that version changes. Storyline plug-ins are incremental as
the built-in storyline stages are (``story_marks``): a storyline whose input (its
``StorylineInput``: its ids and its articles' records) and the stage's code did not change
keeps its stored output; the others are given to the stage again. Corpus plug-ins are
incremental as a whole: their function reads every article, so it is called again when any
article's record or the stage's code changed since its stored output, and not otherwise.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import importlib.metadata
import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from storyline.article_runner import ArticleStage, run_articles
from storyline.boundary import Failure, RunTally, guard, isolate
from storyline.code_version import code_digest, package_closure, stage_version
from storyline.corpus_runner import CorpusStage, run_corpus
from storyline.registry import PipelineError, RunSetup, specs_in
from storyline.story_marks import mark_of
from storyline.storyline_runner import StorylineStage, Task, run_storylines
from storyline.summaries import StageSummary

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    from storyline.config import Settings
    from storyline.models import CleanArticle, Story
    from storyline.registry import RunContext, StageSpec
    from storyline.store import Store

# Articles per task given to a pool: as the dates stage's chunks (a bound, not a fitted value).
_ARTICLE_CHUNK = 64


@dataclass(frozen=True, slots=True)
class StorylineInput:
    """What a storyline plug-in stage gets: the storyline and its articles, in ingest order."""

    id: str
    title: str | None
    article_ids: tuple[str, ...]
    articles: tuple[CleanArticle, ...]


def run_stage(spec: StageSpec, ctx: RunContext) -> StageSummary:
    """Run ``spec`` over the store in ``ctx`` by its unit's runner; return what it did.

    A factory stage (every built-in) describes its work for the runner of its unit; a
    plug-in's function of one item is described here. Either way the runner owns pending
    items, the executor, the boundary and the writes.

    Raises:
        PipelineError: a factory described its work for another unit's runner.
    """
    if ctx.tally is None:
        ctx.tally = RunTally()
    if spec.factory:
        work = spec.func(RunSetup(ctx.settings, MappingProxyType(ctx.values)))
    else:
        work = _PLUGIN[spec.unit](spec)
    if spec.unit == "article" and isinstance(work, ArticleStage):
        if work.pending is None and work.version is None:
            work = dataclasses.replace(work, version=article_version(spec, work, ctx.settings))
        return run_articles(work, ctx.store, ctx.executor, ctx.tally)
    if spec.unit == "storyline" and isinstance(work, StorylineStage):
        return run_storylines(work, ctx.store, ctx.executor, ctx.tally)
    if spec.unit == "corpus" and isinstance(work, CorpusStage):
        summary, value = run_corpus(work, ctx.store, ctx.tally)
        if work.hands is not None:
            ctx.values[work.hands] = value
        return summary
    raise PipelineError(
        f"stage {spec.name} (unit {spec.unit}) described its work as {type(work).__name__}"
    )


def checked(func: Callable[[Any], Any], item: object) -> Any:  # noqa: ANN401 - a plug-in's value
    """Return ``func(item)`` when it is None or a JSON-able mapping; raise TypeError if not.

    Raised inside the boundary, so a plug-in's bad value rejects that item only.
    """
    value = func(item)
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise TypeError(f"a stage returned {type(value).__name__}, not a mapping or None")
    json.dumps(value)  # TypeError/ValueError here: not JSON-able
    return dict(value)


def apply_chunk(
    stage: str, func: Callable[[Any], Any], articles: Sequence[CleanArticle]
) -> list[tuple[str, Any] | Failure]:
    """Return (article id, value) or the Failure for each article, in order (on a worker)."""
    found = [(a.id, guard(stage, functools.partial(checked, func), a, a.id)) for a in articles]
    return [v if isinstance(v, Failure) else (i, v) for i, v in found]


def _plugin_work(
    articles: Sequence[CleanArticle], params: tuple[str, Callable[[Any], Any]]
) -> list[tuple[str, Any] | Failure]:
    """A plug-in's work on one chunk: ``apply_chunk`` with (label, the stage's function)."""
    return apply_chunk(*params, articles)


def _plugin_articles(spec: StageSpec) -> ArticleStage:
    """Describe a plug-in's function of one article for ``article_runner``."""

    def save(store: Store, found: list[tuple[str, Any]], failed: list[Failure]) -> None:
        outputs = {i: v for i, v in found if v is not None}
        # a failed article is marked done too: a rerun does not give it to the stage again
        done = [i for i, _ in found] + [f.item_id for f in failed]
        store.save_outputs(spec.name, outputs, done=done)

    def count(found: Sequence[tuple[str, Any]], failed: Sequence[Failure]) -> dict[str, int]:
        made = sum(v is not None for _, v in found)
        return {"articles": len(found) + len(failed), "outputs": made}

    return ArticleStage(
        spec.label,
        work=_plugin_work,
        save=save,
        count=count,
        chunk=_ARTICLE_CHUNK,
        prepare=lambda _store: (spec.label, spec.func),
    )


def article_version(spec: StageSpec, work: ArticleStage | None, settings: Settings) -> str:
    """Return the version of a per-article stage: what its stored rows are stamped with.

    A digest, so that nobody has to remember to bump it: of the code that computes the
    outputs (for storyline's own stages the modules ``StageSpec.code`` names, else the work
    function's module, with every storyline module they import except those that only move
    data: ``code_digest``; for a plug-in, as for storyline plug-in stages, ``plugin_code`` and its
    distribution's version), of the settings that change its output (``StageSpec.settings``,
    e.g. the spaCy model), of the libraries it names (``StageSpec.libraries``) and of the
    spec's explicit ``version``, which a developer bumps for what the digest cannot see.
    The whole package's ``stage_version`` is not used: an edit to the web UI must not
    re-parse every article. ``work`` may be None (the run's mark, ingest's clean stamp): a
    built-in that names its ``code`` gets the same version without its description.
    """
    func = work.work if spec.factory and work is not None else spec.func
    module = func.__module__
    if module.split(".", maxsplit=1)[0] == "storyline":
        code = code_digest(spec.code or (module,))
    else:
        code = f"{plugin_code(func)}:{_owner_version(module)}"
    values, libraries, packages = _depends_on(spec, settings)
    payload = [spec.name, spec.version, code, values, libraries, packages]
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode())
    return f"{spec.version}+{digest.hexdigest()[:16]}" if spec.version else digest.hexdigest()[:16]


def _depends_on(
    spec: StageSpec, settings: Settings
) -> tuple[dict[str, Any], dict[str, str], dict[str, str]]:
    """Return what changes a stage's output besides its code: settings, libraries, packages."""
    values = {path: _setting(settings, path) for path in spec.settings}
    libraries = {name: _installed(name) for name in spec.libraries}
    # a setting that names an installed package (nlp.model: a spaCy model package) counts
    # with that package's version, so a model upgraded under the same name re-parses
    packages = {
        value: _owner_version(value)
        for value in values.values()
        if isinstance(value, str) and value.isidentifier()
    }
    return values, libraries, packages


CLEAN_STAGE = "storyline.clean.v1"


def clean_version(settings: Settings) -> str:
    """Return the cleaner's version: what ingest stamps each article it cleans with.

    The clean stage's ``article_version`` (its code closure and ``[clean]``), so an article
    cleaned by another version is cleaned again by the next run (``clean_stage``).
    """
    from storyline.builtin_stages import clean  # noqa: PLC0415 - the registry imports this module

    [spec] = specs_in(clean)
    return article_version(spec, None, settings)


def _setting(settings: Settings, path: str) -> Any:  # noqa: ANN401 - a setting's value
    value: Any = settings
    for part in path.split("."):
        value = getattr(value, part)
    return value.model_dump(mode="json") if hasattr(value, "model_dump") else value


@functools.cache  # an imported library is not replaced within a process: read once
def _installed(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "absent"


@functools.cache  # installed distributions do not change within a process; the scan is slow
def _owner_version(module: str) -> str:
    """Return the version of the distributions that install a plug-in's top-level package."""
    owners = importlib.metadata.packages_distributions().get(module.split(".", maxsplit=1)[0], [])
    return ",".join(f"{name}=={_installed(name)}" for name in sorted(owners)) or "?"


def _plugin_work_on(func: Callable[[Any], Any], item: StorylineInput) -> tuple[str, Any]:
    """A plug-in's work on one storyline: (its id, ``checked`` value)."""
    return item.id, checked(func, item)


def plugin_code(func: Callable[..., Any]) -> str:
    """Return a digest of a plug-in function's code: its module and the helpers it imports.

    ``stage_version`` holds each plug-in distribution's version; an editable install keeps
    its version while its code changes, so the source is digested too: the file that defines
    the function, then every module of the plug-in's own top-level package that it imports,
    transitively (``package_closure``: relative imports and imports inside functions count),
    so an edit of a helper module redoes what the stage made. Other packages are left to
    their distributions' versions. A plug-in of one module digests as it did before helpers
    counted, so its stored outputs stand.
    """
    module = sys.modules.get(func.__module__)
    path = getattr(module, "__file__", None)
    digest = hashlib.sha256(f"{func.__module__}.{func.__qualname__}".encode())
    if path:
        # a module without a readable file (a zip import): its version alone stands for it
        with contextlib.suppress(OSError):
            digest.update(Path(path).read_bytes())
    with contextlib.suppress(OSError, UnicodeDecodeError):
        helpers = package_closure(func.__module__)
        for name, found in sorted(helpers.items()):
            if name != func.__module__:
                digest.update(name.encode() + b"\0" + found.read_bytes())
    return digest.hexdigest()


def _plugin_storylines(spec: StageSpec) -> StorylineStage:
    """Describe a plug-in's function of one storyline for ``storyline_runner``.

    Its function is pure: what it returns depends on its ``StorylineInput`` alone (it is
    given no settings). A storyline's mark digests that input (its id, title, article ids and
    every field of its articles' records), the stage's name, its code (``plugin_code``) and
    storyline's and every plug-in's version (``mark_of``): an equal mark keeps the stored
    output, any other storyline is given to the function again.
    """
    code = plugin_code(spec.func)

    def tasks(store: Store, stories: Sequence[Story]) -> Iterator[Task]:
        for story in stories:
            ids = story.article_ids
            item = StorylineInput(story.id, story.title, ids, tuple(store.articles(ids=ids)))
            yield story.id, mark_of(spec.name, code, item), item

    def save(
        store: Store, built: list[tuple[str, Any]], keep: set[str], state: tuple[str, bytes]
    ) -> None:
        outputs = {i: v for i, v in built if v is not None}
        store.save_outputs(spec.name, outputs, replace=True, keep=keep, state=state)

    def summary(counts: dict[str, int], stories: int, _unsettled: bool) -> StageSummary:
        return StageSummary(spec.label, {"storylines": stories, "outputs": counts["outputs"]})

    return StorylineStage(
        spec.label,
        stories=lambda store: store.stories(level="storyline", order="id"),
        tasks=tasks,
        work=functools.partial(_plugin_work_on, spec.func),
        count=lambda built: {"outputs": int(built[1] is not None)},
        save=save,
        totals=("outputs",),
        summary=summary,
    )


def _plugin_corpus(spec: StageSpec) -> CorpusStage:
    """Describe a plug-in's function of every article for ``corpus_runner``.

    Run inside ``isolate``: the articles that make it raise are left out and rejected. Its
    mark digests what it reads (every article's record, in ingest order), the stage's name,
    its code (``plugin_code``) and every version (``mark_of``), and is stored with its
    outputs: an equal mark keeps them and the function is not called. A run that rejected
    an article stores no mark, so the next run calls it again (as a storyline's retry).
    """
    code = plugin_code(spec.func)
    key = _CORPUS_MARKS + spec.name

    def run(chosen: Sequence[CleanArticle]) -> dict[str, Any]:
        value = spec.func(list(chosen))
        if not isinstance(value, Mapping):
            raise TypeError(f"a corpus stage returned {type(value).__name__}, not a mapping")
        json.dumps(value)
        return {str(k): v for k, v in value.items()}

    def apply(store: Store, tally: RunTally) -> dict[str, int]:
        articles = list(store.articles())
        mark = mark_of(spec.name, code, articles)
        saved = json.loads(store.get_state(key) or b"{}")
        tally.step(spec.label, 0, 1)
        if saved.get("mark") == mark:  # nothing it reads changed: its outputs stand
            tally.step(spec.label, 1, 1)
            return dict(saved["counts"])
        store.clear_failures([spec.label])
        outputs, failed = isolate(spec.label, run, articles, key=lambda a: a.id)
        tally.reject(store, failed)
        counts = {"articles": len(articles), "outputs": len(outputs)}
        marked = {} if failed else {"mark": mark, "counts": counts}
        state = (key, json.dumps(marked).encode())
        store.save_outputs(spec.name, outputs, replace=True, state=state)
        tally.step(spec.label, 1, 1)
        return counts

    return CorpusStage(spec.label, apply, count=lambda counts: counts)


_CORPUS_MARKS = "corpus_marks.v1:"  # + a corpus plug-in's name: the mark of its stored outputs

_PLUGIN: dict[str, Callable[[StageSpec], ArticleStage | StorylineStage | CorpusStage]] = {
    "article": _plugin_articles,
    "storyline": _plugin_storylines,
    "corpus": _plugin_corpus,
}


# -- a rerun with nothing new -------------------------------------------------------------------

_RUN_STATE = "run.v1"
# Stages that already find nothing to do when nothing is new (their work is what is pending):
# they run as usual, so their line reads as it always did ("0 articles parsed").
_PENDING_DRIVEN = frozenset({CLEAN_STAGE, "storyline.dates.v1", "storyline.nlp.v1"})
# The stage labels under which the storyline and corpus stages store what they reject: a run
# that rejected any of those items is never replayed whole (the item is tried again).
_REDONE: dict[str, tuple[str, ...]] = {"timeline": ("timeline",), "quote_groups": ("quote_groups",)}
_REDONE["briefing"] = ("claims", "briefing")


def stage_versions(stages: Sequence[StageSpec], settings: Settings) -> dict[str, str]:
    """Return the version of each stage that stamps or marks what it made, by name.

    A per-article stage's is ``article_version``, the one its stored rows are stamped with
    (code, the settings and packages it names, a plug-in's code and distribution); a
    storyline or corpus plug-in's is its code (``plugin_code``) and distribution; any such
    stage adds the installed versions of its ``libraries`` and of the packages its settings
    name. Storyline's own code is digested whole by ``stage_version``.
    """
    found: dict[str, str] = {}
    for spec in stages:
        if spec.unit == "article":
            found[spec.name] = article_version(spec, None, settings)
            continue
        # the installed versions of the libraries it declares and of the packages its
        # settings name (the settings themselves are in the mark whole): an upgrade is no replay
        _values, libraries, packages = _depends_on(spec, settings)
        code = (
            ""
            if spec.factory
            else f"{plugin_code(spec.func)}:{_owner_version(spec.func.__module__)}"
        )
        installed = (
            json.dumps([libraries, packages], sort_keys=True) if libraries or packages else ""
        )
        if code or installed:
            found[spec.name] = f"{code}{installed}"
    return found


def inputs_mark(store: Store, settings: Settings, stages: Sequence[StageSpec]) -> str:
    """Return a digest of everything the stages read: articles, settings, stages, versions.

    Equal digests at the start of a run and at the end of the last complete one mean no
    stage would read anything it has not read: every stored output stands. Each stage's
    version is in it (``stage_versions``, the one source of what a version is made of), so
    a version change alone (new code, a plug-in's edited helper, a model upgraded under one
    name, the cleaner's settings) means the run is no replay.
    """
    digest = hashlib.sha256()
    head = [
        stage_version(),
        settings.model_dump(mode="json"),
        [s.name for s in stages],
        stage_versions(stages, settings),
    ]
    digest.update(json.dumps(head, sort_keys=True, default=str).encode())
    for row in store.input_marks():
        digest.update(json.dumps(list(row), default=str).encode())
    return digest.hexdigest()


def last_run(store: Store) -> dict[str, Any]:
    """Return what the last complete run left: its closing mark and each stage's summary."""
    saved = store.get_state(_RUN_STATE)
    return {} if not saved else json.loads(saved)


def forget_run(store: Store) -> None:
    """Mark the stored outputs as unfinished: a run that stops half-way is never skipped."""
    store.set_state(_RUN_STATE, b"{}")


def retried(stages: Sequence[StageSpec]) -> tuple[str, ...]:
    """Return the labels under which the stages that redo every item store their rejections."""
    found: list[str] = []
    for spec in stages:
        if spec.factory:
            found.extend(_REDONE.get(spec.label, ()))
        elif spec.unit != "article":
            found.append(spec.label)
    return tuple(found)


def remember_run(
    store: Store, stages: Sequence[StageSpec], mark: str, summaries: Sequence[StageSummary]
) -> None:
    """Save the closing mark of a complete run and each stage's summary.

    Not when a storyline or corpus stage rejected an item: it is tried again next run (the
    fix may be in the code, which the mark does not see).
    """
    if store.stage_rejections(retried(stages)):
        return
    if any(s.details.get("unfinished") for s in summaries):  # e.g. briefings not reworded
        return
    saved = {
        s.stage: {"counts": dict(s.counts), "details": dict(s.details), "text": s.text}
        for s in summaries
    }
    store.set_state(_RUN_STATE, json.dumps({"mark": mark, "summaries": saved}).encode())


def replay_stage(spec: StageSpec, ctx: RunContext, saved: Mapping[str, Any]) -> StageSummary:
    """Stand in for a stage whose inputs did not change since the last complete run.

    A pending-driven stage runs (it has nothing to do); any other reports the summary it
    made then without reading an article (that run rejected none of its items: see
    ``remember_run``).
    """
    if spec.name in _PENDING_DRIVEN or (spec.unit == "article" and not spec.factory):
        if spec.name == "storyline.nlp.v1":  # copies are not parsed: as dedupe found them
            ctx.values.setdefault("duplicates", ctx.store.duplicates())
        return run_stage(spec, ctx)
    if spec.name == "storyline.dedupe.v1":
        ctx.values["duplicates"] = ctx.store.duplicates()
    found = saved.get(spec.label)
    if found is None:  # cannot happen for a mark that matched: the stage list is in it
        return run_stage(spec, ctx)
    return StageSummary(spec.label, found["counts"], found["details"], found["text"])
