"""The stage registry: ``@stage`` declares a stage, entry points make it part of the pipeline.

A stage is declared where it is written::

    @stage("acme.wordcount.v1", requires={"clean"}, provides={"acme.wordcount"}, unit="article")
    def wordcount(article: CleanArticle) -> dict[str, int]: ...

and listed under the entry-point group ``storyline.stages`` of its distribution
(``[project.entry-points."storyline.stages"]`` in pyproject.toml). The built-in stages are
listed there exactly the same way (``storyline.builtin_stages``), as datasette loads its
default plugins. An entry point names a module (every stage declared in it, in the order they
are written) or one decorated function.

What a stage function receives depends on ``unit``; the runner of that unit
(``stage_runner.run_stage`` dispatches) owns the loop, the per-item boundary (S199 rows) and
the store writes:

- ``article``: one ``CleanArticle``; returns a JSON-able mapping (stored) or None.
- ``storyline``: one ``StorylineInput``; returns a mapping or None.
- ``corpus``: every article at once; returns item id -> mapping.

A stage declared with ``factory=True`` is a factory, as in spaCy's ``Language.factory``: it
is called once per run with the run's ``RunSetup`` (settings, and the values the pipeline
resolved or an earlier stage handed on) and returns the description of its work for its
unit's runner: an ``article_runner.ArticleStage`` (a pure chunk function plus its pending,
save and count hooks), a ``storyline_runner.StorylineStage`` or a ``corpus_runner.CorpusStage``.
The runner then owns the loop, the boundary and the writes, as for any plug-in. The built-ins
are declared so: their work needs settings and chunk sizes, and writes typed tables rather
than ``stage_outputs``. No stage reads or writes the store outside its runner's hooks.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from types import ModuleType
from typing import TYPE_CHECKING, Any, Final, Literal, TypeVar

from storyline.errors import ConfigError, interrupt_behind

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence
    from concurrent.futures import Executor

    from storyline.boundary import RunTally
    from storyline.config import Settings
    from storyline.store import Store

Unit = Literal["article", "storyline", "corpus"]
UNITS: Final[tuple[str, ...]] = ("article", "storyline", "corpus")
GROUP: Final = "storyline.stages"
BUILTIN_MODULE: Final = "storyline.builtin_stages"
# What exists before any stage runs: ingest stores the articles.
INITIAL: Final[frozenset[str]] = frozenset({"articles"})
_ATTR: Final = "__storyline_stage__"

F = TypeVar("F", bound="Callable[..., Any]")


class PipelineError(ConfigError):
    """The stages cannot be put together: missing inputs, a cycle, two stages of one name."""


@dataclass(frozen=True, slots=True)
class StageSpec:
    """One declared stage: its name, what it needs and makes, and the function that runs it."""

    name: str
    func: Callable[..., Any] = field(compare=False, repr=False)
    requires: frozenset[str] = frozenset()
    provides: frozenset[str] = frozenset()
    unit: Unit = "article"
    factory: bool = False  # the function takes the RunSetup and returns its runner's description
    report: tuple[str, ...] = ()  # templates that render its StageSummary (summaries.render)
    # Per-article stages (stage_runner.article_version): bump ``version`` for a change the
    # code digest cannot see; ``settings`` ("nlp.model") and ``libraries`` ("spacy") name
    # what else changes the output, so a change of them does the stored articles again.
    version: str = ""
    settings: tuple[str, ...] = ()
    libraries: tuple[str, ...] = ()
    # the storyline modules whose code computes its outputs (their closure is digested);
    # empty: the work function's own module
    code: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """Return the short name printed and stored for a built-in ("nlp"), else the name."""
        parts = self.name.split(".")
        if len(parts) == 3 and parts[0] == "storyline":
            return parts[1]
        return self.name

    def describe(self) -> dict[str, Any]:
        """Return the stage as JSON-able data (the snapshot test and ``storyline stages``)."""
        return {
            "name": self.name,
            "unit": self.unit,
            "requires": sorted(self.requires),
            "provides": sorted(self.provides),
        }


def stage(
    name: str,
    *,
    requires: Iterable[str] = (),
    provides: Iterable[str] = (),
    unit: Unit = "article",
    factory: bool = False,
    report: Sequence[str] = (),
    version: str = "",
    settings: Sequence[str] = (),
    libraries: Sequence[str] = (),
    code: Sequence[str] = (),
) -> Callable[[F], F]:
    """Declare ``name`` (``"namespace.what.v1"``) as a stage; the function is returned unchanged.

    Raises:
        PipelineError: the name is not namespaced and versioned, or the unit is unknown.
    """
    parts = name.split(".")
    if len(parts) < 3 or not parts[-1].startswith("v") or not all(parts):
        raise PipelineError(f"stage name {name!r} is not 'namespace.what.vN'")
    if unit not in UNITS:
        raise PipelineError(f"stage {name}: unknown unit {unit!r}; choose {', '.join(UNITS)}")

    def declare(func: F) -> F:
        spec = StageSpec(
            name,
            func,
            frozenset(requires),
            frozenset(provides),
            unit,
            factory,
            tuple(report),
            version,
            tuple(settings),
            tuple(libraries),
            tuple(code),
        )
        setattr(func, _ATTR, spec)
        return func

    return declare


def specs_in(obj: object) -> list[StageSpec]:
    """Return the stages declared by an entry point's object: a module's, or one function's."""
    if isinstance(obj, ModuleType):
        return [getattr(v, _ATTR) for v in vars(obj).values() if hasattr(v, _ATTR)]
    spec = getattr(obj, _ATTR, None)
    if spec is None:
        raise PipelineError(f"entry point {obj!r} declares no @stage")
    return [spec]


def load_specs() -> list[StageSpec]:
    """Return every stage listed under the ``storyline.stages`` entry points, built-ins first.

    The built-ins come first, then other distributions' by entry-point name: that order only
    breaks ties between stages the requires/provides leave free (``Pipeline.resolve``).
    """
    found = list(entry_points(group=GROUP))
    builtin = [ep for ep in found if ep.value.split(":")[0] == BUILTIN_MODULE]
    others = sorted((ep for ep in found if ep not in builtin), key=lambda ep: (ep.name, ep.value))
    specs: list[StageSpec] = []
    if builtin:
        for ep in builtin[:1]:  # an editable install seen twice on sys.path lists it twice
            specs.extend(specs_in(ep.load()))
    else:
        # Fallback: a checkout whose install predates the entry point (`pip install -e .`
        # writes it) still runs; the built-ins are then imported by module name.
        specs.extend(specs_in(importlib.import_module(BUILTIN_MODULE)))
    for ep in others:
        try:
            loaded = ep.load()
        # a plug-in's module can raise anything while it is imported (a RuntimeError of its
        # own, a SyntaxError, sys.exit): that is the plug-in's fault, not a storyline bug,
        # and was an S199 traceback (or a silent exit) for every command that loads stages
        except (Exception, SystemExit) as exc:  # the plug-in boundary
            if interrupt_behind(exc) is not None:
                raise  # Ctrl-C while it was imported, wrapped by the import: not its fault
            reason = f"{type(exc).__name__}: {exc}"
            raise PipelineError(f"stage entry point {ep.name} = {ep.value}: {reason}") from exc
        declared = specs_in(loaded)
        if not declared:  # an installed plug-in whose stages would never run, without a word
            raise PipelineError(f"stage entry point {ep.name} = {ep.value} declares no @stage")
        specs.extend(declared)
    return _unique(specs)


def _unique(specs: Sequence[StageSpec]) -> list[StageSpec]:
    seen: dict[str, StageSpec] = {}
    for spec in specs:
        other = seen.get(spec.name)
        if other is None:
            seen[spec.name] = spec
        elif other.func is not spec.func:  # the same module listed twice is harmless
            where = f"{_where(other.func)} and {_where(spec.func)}"
            raise PipelineError(f"two stages are named {spec.name}: {where}")
    return list(seen.values())


def _where(func: Callable[..., Any]) -> str:
    return f"{func.__module__}.{func.__qualname__}"


@dataclass(frozen=True, slots=True)
class RunSetup:
    """What a factory stage is given: the run's settings and the values known so far.

    ``values`` holds what the pipeline resolved before any stage ran (``sentence_model``,
    ``endpoint``, ``quote_group_params``) and what earlier stages handed on (``duplicates``).
    No store: a factory only describes the work; its runner reads and writes.
    """

    settings: Settings
    values: Mapping[str, Any]


@dataclass(slots=True)
class RunContext:
    """What the runners share in one run: the store, settings, executor, tally, values.

    ``values`` carries what one stage hands the next within a run (the duplicates map).
    """

    store: Store
    settings: Settings
    executor: Executor | None = None
    tally: RunTally | None = None
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Pipeline:
    """The stages of a run in the order they run: each after every stage it requires."""

    stages: tuple[StageSpec, ...]

    @classmethod
    def load(cls) -> Pipeline:
        """Return the resolved pipeline of every registered stage.

        Raises:
            PipelineError: an input is missing, or the stages require each other in a cycle.
        """
        return cls.resolve(load_specs())

    @classmethod
    def resolve(cls, specs: Sequence[StageSpec]) -> Pipeline:
        """Order ``specs`` topologically; ties keep the order they are given in.

        Raises:
            PipelineError: an input is missing, or the stages require each other in a cycle.
        """
        cls.validate_specs(specs)
        makers: dict[str, list[int]] = {}
        for index, spec in enumerate(specs):
            for thing in spec.provides:
                makers.setdefault(thing, []).append(index)
        needs = [
            {m for thing in spec.requires for m in makers.get(thing, []) if m != index}
            for index, spec in enumerate(specs)
        ]
        done: list[int] = []
        while len(done) < len(specs):
            ready = [i for i in range(len(specs)) if i not in done and needs[i] <= set(done)]
            if not ready:
                stuck = ", ".join(specs[i].name for i in range(len(specs)) if i not in done)
                raise PipelineError(f"stages require each other in a cycle: {stuck}")
            done.append(ready[0])
        return cls(tuple(specs[i] for i in done))

    @staticmethod
    def validate_specs(specs: Sequence[StageSpec]) -> None:
        """Check that every input some stage requires is made by another or exists at start.

        Raises:
            PipelineError: listing every missing input and the stages that wanted it.
        """
        made = set(INITIAL).union(*(spec.provides for spec in specs))
        missing = [
            f"{spec.name} requires {thing!r}"
            for spec in specs
            for thing in sorted(spec.requires)
            if thing not in made
        ]
        if missing:
            raise PipelineError(
                f"{len(missing)} missing stage input(s), nothing was run: " + "; ".join(missing)
            )

    def validate(self) -> None:
        """Check the pipeline before any work: every missing input is listed in one error.

        Raises:
            PipelineError: an input no stage provides, or one provided only by a later stage.
        """
        self.validate_specs(self.stages)
        made = set(INITIAL)
        late: list[str] = []
        for spec in self.stages:
            late.extend(
                f"{spec.name} requires {thing!r} before it is made"
                for thing in sorted(spec.requires - made)
            )
            made |= spec.provides
        if late:
            raise PipelineError(f"{len(late)} stage input(s) out of order: " + "; ".join(late))

    def describe(self) -> list[dict[str, Any]]:
        """Return every stage as data, in run order."""
        return [spec.describe() for spec in self.stages]

    def find(self, name: str) -> StageSpec:
        """Return the stage called ``name`` (its full name, or a built-in's label).

        Raises:
            PipelineError: no such stage.
        """
        for spec in self.stages:
            if name in (spec.name, spec.label):
                return spec
        raise PipelineError(f"no stage {name!r}: see `storyline stages`")
