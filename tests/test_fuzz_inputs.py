"""Fuzz suite for ingest (issue #16, Build 2): hostile folders never crash a run.

Hypothesis builds folders of hostile entries: file names with bytes that are not UTF-8,
texts in UTF-8/UTF-16/UTF-32 (with and without BOMs) and legacy code pages, gzip (including
small bombs, scaled down through a small ``max_bytes``), JSONL lines that are junk, nested
deep, oversized or hold lone surrogates, CSV with oversized fields, binary files, FIFOs,
symlinks (dangling, loops, to a folder, to a file) and a manifest naming paths outside its
folder. For every folder:

* reading yields exactly one article or Rejected row per file (per line/row for JSONL/CSV),
  never S199 and never an exception;
* ``storyline ingest`` (typer's CliRunner) exits 0 or 3, never 1, and its summary counts the
  same articles and rejections.

One test runs the installed ``storyline`` script on a folder of full-size bombs in a
subprocess and bounds its peak memory. ``bench/fuzz_inputs.py --examples N`` runs the same
property for longer.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import gzip
import io
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from typer.testing import CliRunner

from storyline import errors
from storyline.cli.app import app
from storyline.cli.exit_codes import EXIT_REJECTED
from storyline.ingest import read_paths
from storyline.ingest.files import locator_of
from storyline.models import RawArticle, Rejected
from tests.conftest import REPO

if TYPE_CHECKING:
    from collections.abc import Callable

# Small enough that the scaled-down bombs below (64 KiB .. 1 MiB) are 16x-256x over it.
MAX_BYTES = 4096
runner = CliRunner()

BODY_WORDS = "The council voted on Tuesday to close the old bridge after engineers found cracks."
HTML_PAGE = (
    "<!doctype html><html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
    "<p>{body}</p><p>{body}</p></article></body></html>"
)


@dataclasses.dataclass(frozen=True)
class Entry:
    """One entry of a hostile folder: how to make it and how many items it must yield."""

    name: bytes  # file name, may hold bytes that are not UTF-8
    kind: str
    payload: bytes = b""  # file content (already encoded/compressed)
    expected: int = 1  # articles + Rejected rows that carry this entry's locator
    subfolder: bool = False

    def with_suffix(self, suffix: bytes) -> Entry:
        return dataclasses.replace(self, name=self.name + suffix)


# -- strategies ---------------------------------------------------------------------------

# no "/" or NUL (impossible in a name), no "." (the suffix, drawn separately, picks the reader)
_NAME_BYTES = st.binary(min_size=1, max_size=16).map(
    lambda b: b.replace(b"/", b"_").replace(b"\x00", b"_").replace(b".", b"_")
)
_TEXT = st.text(min_size=0, max_size=200)
_ENCODINGS = st.sampled_from(
    ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "cp1252", "latin-1"]
)


@st.composite
def _text_entry(draw: st.DrawFn) -> Entry:
    title = draw(_TEXT.filter(lambda t: "\n" not in t))
    body = draw(_TEXT)
    encoding = draw(_ENCODINGS)
    data = f"{title}\n{body}".encode(encoding, errors="ignore")
    if draw(st.booleans()) and encoding.startswith("utf-16-"):
        bom = codecs.BOM_UTF16_LE if encoding.endswith("le") else codecs.BOM_UTF16_BE
        data = bom + data
    suffix = draw(st.sampled_from([b".txt", b".md", b".text"]))
    subfolder = draw(st.booleans())
    if draw(st.booleans()):
        return Entry(b"", "text", gzip.compress(data), subfolder=subfolder).with_suffix(
            suffix + b".gz"
        )
    return Entry(b"", "text", data, subfolder=subfolder).with_suffix(suffix)


@st.composite
def _html_entry(draw: st.DrawFn) -> Entry:
    title = draw(_TEXT.filter(lambda t: "<" not in t))
    page = HTML_PAGE.format(title=title, body=draw(st.sampled_from([BODY_WORDS, "", "x y"])))
    data = page.encode("utf-8")
    if draw(st.booleans()):
        return Entry(b"", "html", gzip.compress(data)).with_suffix(b".html.gz")
    return Entry(b"", "html", data).with_suffix(b".html")


_JSONL_LINES = st.one_of(
    st.builds(lambda t: json.dumps({"text": t}).encode(), _TEXT),
    st.builds(lambda t: json.dumps({"text": t}, ensure_ascii=False).encode(), _TEXT),
    st.binary(max_size=60).map(lambda b: b.replace(b"\n", b" ")),  # junk
    st.integers(1, 3000).map(lambda d: b'{"text": "x", "m": ' + b"[" * d + b"]" * d + b"}"),
    st.integers(1, 4).map(lambda k: b'{"text": "' + b"a" * (MAX_BYTES * k) + b'"}'),  # over
    st.just(b'{"text": "lone \\udcff surrogate", "id": 7}'),
    st.just(b'{"file": "/etc/passwd"}'),  # a manifest row in an article JSONL
    st.just(b'{"text": "x", "published": "[/bold] not a date"}'),
)


@st.composite
def _jsonl_entry(draw: st.DrawFn) -> Entry:
    lines = draw(st.lists(_JSONL_LINES, max_size=6))
    data = b"".join(line + b"\n" for line in lines)
    expected = max(1, sum(1 for line in lines if line.strip()))
    if draw(st.booleans()):
        return Entry(b"", "jsonl", gzip.compress(data), expected).with_suffix(b".jsonl.gz")
    return Entry(b"", "jsonl", data, expected).with_suffix(b".jsonl")


_CSV_FIELD = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"))


@st.composite
def _csv_entry(draw: st.DrawFn) -> Entry:
    rows = draw(st.lists(st.tuples(_CSV_FIELD, _CSV_FIELD), max_size=5))
    oversized = draw(st.none() | st.integers(0, len(rows) - 1)) if rows else None
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["title", "text"])
    for number, (title, text) in enumerate(rows):
        if number == oversized:
            text = "o\n" * MAX_BYTES  # one quoted field over many lines  # noqa: PLW2901
        writer.writerow([title, text])
    expected = len(rows) if oversized is None else oversized + 1  # the parser stops there
    data = out.getvalue().encode("utf-8")
    if draw(st.booleans()):
        return Entry(b"", "csv", gzip.compress(data), max(1, expected)).with_suffix(b".csv.gz")
    return Entry(b"", "csv", data, max(1, expected)).with_suffix(b".csv")


@st.composite
def _bomb_entry(draw: st.DrawFn) -> Entry:
    size = draw(st.sampled_from([64 * 1024, 256 * 1024, 1024 * 1024]))
    suffix, head, tail = draw(
        st.sampled_from(
            [
                (b".txt.gz", b"Headline\n", b""),
                (b".html.gz", b"<html><body><p>", b"</p></body></html>"),
                (b".jsonl.gz", b'{"text": "', b'"}\n'),
                (b".csv.gz", b'title,text\nBomb,"', b'"\n'),
            ]
        )
    )
    data = gzip.compress(head + b"a" * size + tail, compresslevel=9)
    return Entry(b"", "bomb", data).with_suffix(suffix)


_BINARY = st.builds(
    lambda data, suffix: Entry(b"", "binary", b"\x00\x01" + data).with_suffix(suffix),
    st.binary(max_size=300),
    st.sampled_from([b"", b".txt", b".html", b".bin", b".pdf", b".docx"]),
)
_SPECIAL = st.sampled_from(
    [
        Entry(b"", "fifo").with_suffix(b".txt"),
        Entry(b"", "dangling").with_suffix(b".txt"),
        Entry(b"", "loop").with_suffix(b".txt"),
        Entry(b"", "dirlink"),
        Entry(b"", "filelink").with_suffix(b".txt"),
    ]
)


@st.composite
def hostile_folders(draw: st.DrawFn) -> list[Entry]:
    """Return the entries of one hostile folder (names made unique by a numeric prefix)."""
    kinds = st.one_of(
        _text_entry(), _html_entry(), _jsonl_entry(), _csv_entry(), _bomb_entry(), _BINARY, _SPECIAL
    )
    entries = draw(st.lists(kinds, min_size=1, max_size=6))
    named = []
    for number, entry in enumerate(entries):
        stem = draw(_NAME_BYTES)
        name = b"%02d-" % number + stem + entry.name
        named.append(dataclasses.replace(entry, name=name[:200]))
    if draw(st.booleans()):
        named.append(_manifest(named))
    return named


def _manifest(entries: list[Entry]) -> Entry:
    """Return a manifest naming paths outside its folder, a missing file and one real file."""
    rows: list[dict[str, object]] = [
        {"file": "/etc/passwd"},
        {"file": "../outside.txt"},
        {"file": "sub/../../outside.txt"},
        {"file": "missing.txt"},
    ]
    named = next(
        (e for e in entries if e.kind == "text" and not e.subfolder and _utf8(e.name)), None
    )
    if named is not None:
        rows.insert(0, {"file": named.name.decode("utf-8"), "id": "from-manifest"})
    data = b"".join(json.dumps(r).encode() + b"\n" for r in rows)
    return Entry(b"metadata.jsonl", "manifest", data, expected=4)


def _utf8(name: bytes) -> bool:
    try:
        name.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


# -- building and checking a folder -------------------------------------------------------


def build_folder(root: Path, entries: list[Entry]) -> tuple[Path, dict[str, int]]:
    """Make the folder under ``root``; return it and the items each locator must yield."""
    folder = root / "in"
    sub = folder / os.fsdecode(b"sub\xfe")
    sub.mkdir(parents=True)
    (root / "outside.txt").write_text("Outside\nA file outside the folder must not be read.\n")
    expected: dict[str, int] = {}
    for entry in entries:
        path = (sub if entry.subfolder else folder) / os.fsdecode(entry.name)
        if entry.kind == "fifo":
            os.mkfifo(path)
        elif entry.kind == "dangling":
            path.symlink_to(folder / "no-such-target")
        elif entry.kind == "loop":
            path.symlink_to(path)
        elif entry.kind == "dirlink":
            path.symlink_to(folder)
        elif entry.kind == "filelink":
            path.symlink_to(root / "outside.txt")
        else:
            path.write_bytes(entry.payload)
        expected[locator_of(path)] = entry.expected
    return folder, expected


def count_by_file(items: list[RawArticle | Rejected], expected: dict[str, int]) -> dict[str, int]:
    """Return how many items carry each expected locator (``path``, ``path:line``, ``path@n``)."""
    found = dict.fromkeys(expected, 0)
    for item in items:
        owner = next(
            (
                loc
                for loc in expected
                if item.locator == loc or item.locator.startswith((f"{loc}:", f"{loc}@"))
            ),
            None,
        )
        assert owner is not None, f"an item no input accounts for: {item}"
        found[owner] += 1
    return found


def check_folder(root: Path, entries: list[Entry]) -> None:
    """Build a hostile folder, read it, and ingest it through the CLI; assert the invariants."""
    folder, expected = build_folder(root, entries)

    items = list(read_paths([folder], max_bytes=MAX_BYTES))

    assert count_by_file(items, expected) == expected
    rejected = [i for i in items if isinstance(i, Rejected)]
    assert all(r.code in errors.DESCRIPTIONS and r.code != errors.INTERNAL for r in rejected)
    for item in items:  # everything is storable text
        item.locator.encode("utf-8")
        if isinstance(item, Rejected):
            item.reason.encode("utf-8")

    config = root / "storyline.toml"
    config.write_text(f"[ingest]\nmax_bytes = {MAX_BYTES}\n")
    db = str(root / "fuzz.db")
    result = runner.invoke(app, ["ingest", str(folder), "--db", db, "--config", str(config)])

    assert result.exit_code == (EXIT_REJECTED if rejected else 0), result.output
    articles = len(items) - len(rejected)
    assert _summary_count(result.output, "articles read") == articles
    assert _summary_count(result.output, "rejected") == len(rejected)


def _summary_count(output: str, what: str) -> int:
    match = re.search(rf"│ {what}\s*│\s*(\d+) │", output)
    assert match, output
    return int(match.group(1))


# -- the properties -----------------------------------------------------------------------

FUZZ_SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ_SETTINGS
@given(entries=hostile_folders())
def test_fuzz_inputs_hostile_folders_never_crash_and_account_for_every_input(
    tmp_path_factory: pytest.TempPathFactory, entries: list[Entry]
):
    check_folder(tmp_path_factory.mktemp("fuzz"), entries)


def test_fuzz_inputs_markup_in_names_and_fields_is_printed_as_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.chdir(tmp_path)  # short relative locators: the table shows them whole
    folder = Path("a[b")
    folder.mkdir()
    (folder / "[bold]x.pdf").write_bytes(b"%PDF-1.7")
    (folder / "rows.jsonl").write_text('{"text": "x", "published": "[/x] never"}\n')

    result = runner.invoke(app, ["ingest", str(folder), "--db", str(tmp_path / "m.db")])

    assert result.exit_code == EXIT_REJECTED, result.output
    flat = re.sub(r"[\s│]+", "", result.output)  # the table wraps long cells
    assert "a[b/[bold]x.pdf" in flat  # printed as they are, not read as style tags
    assert "('[/x]never')" in flat
    assert _summary_count(result.output, "rejected") == 2


# A run of the installed script on full-size bombs: its peak RSS must not grow with the
# decompressed size (256 MiB each), only with max_bytes (1 MB). Measured in a fresh wrapper
# process, whose only child is the script (RUSAGE_CHILDREN is the script's peak).
_MEASURE = textwrap.dedent(
    """
    import resource, subprocess, sys
    code = subprocess.run(sys.argv[1:], capture_output=True).returncode
    print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    """
)
_BOMB_BYTES = 256 * 1024 * 1024
_SCRIPT_MAX_BYTES = 1_000_000
# RSS the bombs may add over a run on tiny input: a few copies of max_bytes, far below the
# 256 MiB that reading a bomb whole would take (a bound from the sizes above, not fitted).
_MAX_EXTRA_RSS = 64 * 1024 * 1024


def _gzip_bomb(path: Path, head: bytes, tail: bytes) -> None:
    """Write a gzip file that inflates to ``_BOMB_BYTES``: one member, repeated (cheap to make)."""
    member = gzip.compress(b"a" * (1 << 20), compresslevel=9)
    with path.open("wb") as f:
        f.write(gzip.compress(head))
        for _ in range(_BOMB_BYTES >> 20):
            f.write(member)
        f.write(gzip.compress(tail))


def _script_run(folder: Path, root: Path, name: str) -> tuple[int, int]:
    script = Path(sys.executable).with_name("storyline")
    if not script.exists():
        pytest.fail(f"the installed script is missing: {script} (pip install -e .)")
    config = root / "script.toml"
    config.write_text(f"[ingest]\nmax_bytes = {_SCRIPT_MAX_BYTES}\n")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [
        str(script),
        "ingest",
        str(folder),
        "--db",
        str(root / name),
        "--config",
        str(config),
    ]
    out = subprocess.run(
        [sys.executable, "-c", _MEASURE, *command], capture_output=True, check=True, env=env
    )
    code, rss_kib = out.stdout.split()
    return int(code), int(rss_kib) * 1024


def test_fuzz_inputs_installed_script_bounds_memory_on_gzip_bombs(tmp_path: Path):
    tiny = tmp_path / "tiny"
    tiny.mkdir()
    (tiny / "a.txt").write_text("Bridge closes\nThe council closed the bridge on Tuesday.\n")
    bombs = tmp_path / "bombs"
    bombs.mkdir()
    (bombs / "a.txt").write_text("Bridge closes\nThe council closed the bridge on Tuesday.\n")
    _gzip_bomb(bombs / "line.jsonl.gz", b'{"text": "', b'"}\n{"text": "kept"}\n')
    _gzip_bomb(bombs / "field.csv.gz", b'title,text\nBomb,"', b'"\n')
    _gzip_bomb(bombs / "page.txt.gz", b"Headline\n", b"")
    os.mkfifo(bombs / "pipe.txt")

    base_code, base_rss = _script_run(tiny, tmp_path, "tiny.db")
    code, rss = _script_run(bombs, tmp_path, "bombs.db")

    assert (base_code, code) == (0, EXIT_REJECTED)
    assert rss - base_rss < _MAX_EXTRA_RSS, (base_rss, rss)


def run_examples(
    examples: int,
    root: Path,
    progress: Callable[[int], None] | None = None,
    seed: int | None = None,
) -> int:
    """Run the folder property ``examples`` times (bench/fuzz_inputs.py); return the calls."""
    calls = 0

    @settings(FUZZ_SETTINGS, max_examples=examples, database=None)
    @given(entries=hostile_folders())
    def one(entries: list[Entry]) -> None:
        nonlocal calls
        calls += 1  # shrinking calls again: every call gets a fresh folder
        check_folder(root / f"ex{calls}", entries)
        if progress is not None:
            progress(calls)

    (one if seed is None else hypothesis_seed(seed)(one))()
    return calls
