"""Settings: ``defaults.toml`` ships in the package, a user file overrides the keys it sets.

The resolved ``Settings`` is frozen and passed explicitly to whatever needs it; there is no
module-level global.
"""

from __future__ import annotations

import errno
import json
import os
import stat
import tomllib
import warnings
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from storyline.errors import ConfigError

USER_CONFIG_NAME = "storyline.toml"


# No setting counts anywhere near this: a larger integer (TOML allows 64 bits) only overflows
# later, in a C call (readline, spaCy's batching), as one S199 row per input. A bound, not fitted.
MAX_SETTING_INT = 2**53


_TOML_NAMES = {"bool": "boolean", "int": "integer", "float": "number", "str": "string"}


class _Section(BaseModel):
    # inf or nan is no size, threshold or delay (fetch.delay = inf waited for ever). The
    # validators are built on first use, not at import: `storyline --help` never validates
    # settings, and building ~20 section schemas was a tenth of its CPU (issue #17, 0.5 s).
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, defer_build=True)

    @field_validator("*", mode="before")
    @classmethod
    def _of_its_toml_type(cls, value: object, info: ValidationInfo) -> object:
        # pydantic's lax mode converted across TOML types: "max_bytes = true" was read as 1
        # (every input then over the limit, S106), "allow_private = 1" or "no" as a boolean,
        # "delay = '2'" as a number. A number for a number stays lax ("max_bytes = 5e7" is 50M).
        kind = cls.model_fields[info.field_name or ""].annotation
        wrong = (
            (kind is bool and not isinstance(value, bool))
            or (kind in {int, float} and isinstance(value, bool | str))
            or (kind is str and not isinstance(value, str))
        )
        if wrong:
            name = _TOML_NAMES.get(getattr(kind, "__name__", ""), "value")
            # as TOML writes it: true, "5", 1979-05-27
            plain = isinstance(value, bool | int | float | str)
            shown = json.dumps(value) if plain else str(value)
            message = "Input should be a TOML {name}, not {shown}"
            raise PydanticCustomError("toml_type", message, {"name": name, "shown": shown})
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _not_huge(cls, value: object) -> object:
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_SETTING_INT:
            raise ValueError(f"Input should be at most {MAX_SETTING_INT} in size")
        return value


class IngestSettings(_Section):
    """How inputs are read."""

    max_bytes: int = Field(gt=0)
    batch_size: int = Field(gt=0)
    html_vote_min_share: float = Field(ge=0.0)
    html_vote_support: float = Field(ge=0.0, le=1.0)
    html_vote_add_words: int = Field(ge=1)
    html_readability_port_share: float = Field(ge=0.0)
    html_repeat_line_words: int = Field(ge=1)
    html_repeat_share: float = Field(ge=0.0)
    html_readability_small_port_share: float = Field(ge=0.0)
    html_readability_agree_factor: float = Field(ge=1.0)
    html_vote_tail_anchor_words: int = Field(ge=1)
    html_vote_tail_max_words: int = Field(ge=0)
    html_vote_tail_min_held: float = Field(ge=0.0, le=1.0)
    html_readability_short_words: int = Field(ge=0)
    html_comment_share: float = Field(ge=0.0)


class CleanScores(_Section):
    """What each feature of a line scores (storyline.clean_weights.LineWeights)."""

    url: float = Field(ge=0.0, le=1.0)
    credit: float = Field(ge=0.0, le=1.0)
    header: float = Field(ge=0.0, le=1.0)
    cta_short: float = Field(ge=0.0, le=1.0)
    cta_long: float = Field(ge=0.0, le=1.0)
    cta_per_term: float = Field(ge=0.0, le=1.0)
    cta_terms_max: float = Field(ge=0.0, le=1.0)
    caption_credit: float = Field(ge=0.0, le=1.0)
    caption_edge: float = Field(ge=0.0, le=1.0)
    headline: float = Field(ge=0.0, le=1.0)
    bio_tail: float = Field(ge=0.0, le=1.0)
    bio_body: float = Field(ge=0.0, le=1.0)
    byline_edge: float = Field(ge=0.0, le=1.0)
    byline_body: float = Field(ge=0.0, le=1.0)
    protect_reporting: float = Field(ge=0.0, le=1.0)
    protect_quote: float = Field(ge=0.0, le=1.0)
    protect_long_sentence: float = Field(ge=0.0, le=1.0)
    title: float = Field(ge=0.0, le=1.0)
    repeated: float = Field(ge=0.0, le=1.0)
    furniture: float = Field(ge=0.0, le=1.0)
    related_block: float = Field(ge=0.0, le=1.0)


class CleanSettings(_Section):
    """How boilerplate lines are scored and removed."""

    threshold: float = Field(ge=0.0, le=1.0)
    threshold_html: float = Field(ge=0.0, le=1.0)
    html_long_line_words: int = Field(ge=1)
    html_max_removed_share: float = Field(ge=0.0, le=1.0)
    scores: CleanScores


class DedupeSettings(_Section):
    """When two articles are copies (storyline.dedupe.DuplicateIndex)."""

    threshold: float = Field(ge=0.0, le=1.0)
    num_perm: int = Field(ge=16)
    shingle_size: int = Field(ge=1)
    candidate_margin: float = Field(ge=0.0, le=1.0)


class NlpSettings(_Section):
    """Which spaCy model runs and how it batches."""

    model: str
    batch_size: int = Field(gt=0)
    piece_chars: int = Field(gt=0)


class FetchSettings(_Section):
    """How URLs, feeds and sitemaps are fetched."""

    user_agent: str = Field(min_length=1)
    timeout: float = Field(gt=0)
    retries: int = Field(ge=0)
    backoff: float = Field(ge=0)
    max_bytes: int = Field(gt=0)
    max_redirects: int = Field(ge=0)
    max_entries_per_feed: int = Field(gt=0)
    politeness: bool
    delay: float = Field(ge=0)
    concurrency: int = Field(gt=0)
    allow_private: bool
    archive_dir: str


class BriefingWeights(_Section):
    """How a claim's relevance is scored (storyline.briefing.select.SelectionParams)."""

    support: float = Field(ge=0.0)
    central: float = Field(ge=0.0)
    centroid: float = Field(ge=0.0)
    lead: float = Field(ge=0.0)
    question: float = Field(ge=0.0)
    quote: float = Field(ge=0.0)
    dangling: float = Field(ge=0.0)
    novel_date: float = Field(ge=0.0)


class BriefingSettings(_Section):
    """How briefings are written: extractive, or reworded by a local OpenAI-compatible model."""

    max_sentences: int = Field(gt=0)
    mmr_lambda: float = Field(ge=0.0, le=1.0)
    untrusted_weight: float = Field(ge=0.0, le=1.0)
    paraphrase_cut: float = Field(ge=0.0, le=1.0)
    weights: BriefingWeights
    mode: Literal["extractive", "abstractive"]
    endpoint: str
    model: str
    timeout: float = Field(gt=0)
    api_key_env: str


class QualitySettings(_Section):
    """How page quality is judged."""

    # "auto": the MiniLM encoder when the [embeddings] extra and its model are installed;
    # "": never; otherwise an installed model package or a folder (see storyline.quality.encoder).
    sentence_model: str
    # defaults equal storyline.quality.assess's constants (a test checks defaults.toml against them)
    incoherent_at: float = Field(default=0.92, ge=0.0, le=1.0)
    min_words: int = Field(default=80, ge=0)
    boilerplate_ratio: float = Field(default=0.5, ge=0.0)


class QuoteGroupSettings(_Section):
    """How the quotes that report one statement are grouped (storyline.quote_groups)."""

    threshold: float = Field(ge=0.0, le=1.0)
    soft_floor: float = Field(ge=-1.0, le=1.0)
    min_words: int = Field(ge=1)
    max_days: int = Field(ge=0)
    sentence_model: str
    encoder_layer: int = Field(ge=0)
    encoder_threshold: float = Field(ge=0.0, le=1.0)


class RunSettings(_Section):
    """How runs that write one store take turns."""

    lock_wait: float = Field(ge=0.0)
    read_chunk: int = Field(ge=1)
    date_chunk: int = Field(ge=1)
    quality_chunk: int = Field(ge=1)
    clean_chunk: int = Field(ge=1)
    cluster_batch: int = Field(ge=1)


class TimelineSection(_Section):
    """How a timeline picks its dates (storyline.timeline.TimelineSettings)."""

    max_dates: int = Field(ge=1)
    min_outlets: int = Field(ge=1)
    same_happening_share: float = Field(ge=0.0, le=1.0)
    sparse_density: float = Field(ge=0.0)
    merge_threshold: float = Field(ge=0.0, le=1.0)
    happening_days: int = Field(ge=0)


class ClusterSection(_Section):
    """The clusterer's thresholds and weights (storyline.cluster.ClusterSettings)."""

    storyline_threshold: float = Field(ge=0.0, le=1.0)
    event_threshold: float = Field(ge=0.0, le=1.0)
    merge_threshold: float = Field(ge=0.0, le=1.0)
    title_weight: float = Field(ge=0.0)
    entity_weight: float = Field(ge=0.0)
    name_weight: float = Field(ge=0.0)
    stranger_factor: float = Field(ge=0.0, le=1.0)
    principal_share: float = Field(ge=0.0, le=1.0)
    storyline_decay_days: float = Field(gt=0.0)
    event_decay_days: float = Field(gt=0.0)


class ClaimsSettings(_Section):
    """How statements align into claims and when they conflict (storyline.claims.params)."""

    align_threshold: float = Field(ge=0.0, le=1.0)
    conflict_threshold: float = Field(ge=0.0, le=1.0)
    quote_threshold: float = Field(ge=0.0, le=1.0)
    quote_min_shared: int = Field(ge=0)
    max_statements: int = Field(ge=1)
    pair_chunk_rows: int = Field(ge=1)
    max_days: int = Field(ge=0)
    lead_sentences: int = Field(ge=1)
    toll_window_days: int = Field(ge=0)


class TextSettings(_Section):
    """How words are counted in scripts written without spaces (storyline.text.scripts)."""

    cjk_chars_per_word: float = Field(gt=0.0)
    thai_chars_per_word: float = Field(gt=0.0)


class Settings(_Section):
    """Every setting storyline reads, resolved from defaults, a user file and flags."""

    ingest: IngestSettings
    clean: CleanSettings
    dedupe: DedupeSettings
    nlp: NlpSettings
    briefing: BriefingSettings
    fetch: FetchSettings
    quality: QualitySettings
    run: RunSettings
    quote_groups: QuoteGroupSettings
    timeline: TimelineSection
    cluster: ClusterSection
    claims: ClaimsSettings
    text: TextSettings
    aliases: dict[str, str] = Field(default_factory=dict)

    @field_validator("aliases", mode="after")
    @classmethod
    def _no_blank_alias(cls, value: dict[str, str]) -> dict[str, str]:
        # 'Putin = "   "' made an entity named "   " and parted "Putin" from "Vladimir Putin";
        # 'Putin = ""' parted them as well, without a word: neither side means anything blank
        for alias, name in value.items():
            if not alias.strip() or not name.strip():
                message = "an alias and the name it stands for must not be blank ({pair})"
                pair = f"{json.dumps(alias)} = {json.dumps(name)}"
                raise PydanticCustomError("blank_alias", message, {"pair": pair})
        return value


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Return ``base`` with ``override``'s keys laid over it, tables merged key by key."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def default_values() -> dict[str, Any]:
    """Return the packaged defaults as a plain mapping."""
    text = resources.files("storyline").joinpath("defaults.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


# Keys a release removed: an old storyline.toml that still sets one keeps working (the key is
# ignored, with a warning that says why) instead of failing every command with S001.
RETIRED_KEYS: dict[tuple[str, str], str] = {
    ("clean", "corpus_repeat_min"): (
        "ingest cleans each article from its own text since 2026-12-07 (a batch-wide count "
        "made an article's text depend on the articles read with it)"
    ),
}


def _without_retired(user: dict[str, Any], path: Path) -> dict[str, Any]:
    """Return the user's table without retired keys, warning once for each one it sets."""
    kept = dict(user)
    for (section, key), why in RETIRED_KEYS.items():
        table = kept.get(section)
        if isinstance(table, dict) and key in table:
            kept[section] = {k: v for k, v in table.items() if k != key}
            warnings.warn(f"{path}: [{section}] {key} is ignored: {why}", UserWarning, stacklevel=3)
    return kept


def _read_config(path: Path) -> str:
    """Return a config file's text; a FIFO, device or folder is refused, never waited on.

    Raises:
        OSError: the path cannot be opened or is not a regular file.
        UnicodeDecodeError: the file is not UTF-8.
    """
    # O_NONBLOCK: --config naming a FIFO no one writes to hung the command for ever
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as stream:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        return stream.read().decode("utf-8")


def load_settings(path: Path | None = None, overrides: dict[str, Any] | None = None) -> Settings:
    """Resolve settings: packaged defaults, then the user file, then explicit overrides.

    Args:
        path: a TOML file; when None, ``./storyline.toml`` is read if it exists.
        overrides: nested mapping of keys set on the command line.

    Returns:
        The frozen, validated settings.

    Raises:
        ConfigError: the file is missing, is not TOML, or sets unknown or invalid keys.
    """
    values = default_values()
    if path is None and os.path.lexists(USER_CONFIG_NAME):
        # anything at ./storyline.toml is meant as the config: a dangling symlink or a FIFO
        # there was passed over in silence (is_file() is False) and the defaults used instead
        path = Path(USER_CONFIG_NAME)
    if path is not None:
        try:
            user = tomllib.loads(_read_config(path))
        except FileNotFoundError as exc:
            raise ConfigError(f"config file not found: {path}") from exc
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: not valid TOML ({exc})") from exc
        except OSError as exc:
            # a folder, a file we may not read, a FIFO that EOFs: say so, not a traceback
            raise ConfigError(f"cannot read config file {path}: {exc.strerror or exc}") from exc
        values = _merge(values, _without_retired(user, path))
    if overrides:
        if not isinstance(overrides, Mapping):
            # a list failed inside the merge as AttributeError: 'list' object has no 'items'
            raise ConfigError(f"overrides must be a mapping of sections, not {overrides!r}")
        values = _merge(values, dict(overrides))
    try:
        return Settings.model_validate(values)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(f"invalid settings: {problems}") from exc
