"""Publication dates from text alone: ``infer_publication`` by confidence band, and htmldate.

Usage: python bench/published_t17.py [--set t17|meantime|tempeval|htmldate|htmldate-tests]
                                     [--data PATH] [--limit N] [--no-peer]
Each set gives every article's true publication date; the text gives it only through what the
page says: stamps ("Page last updated at 08:14 GMT, Tuesday, 8 November 2011"), datelines and the
dates of what it reports. storyline answers a day, a month or a year with a confidence, or
nothing. An answer is exact when the true day lies in it (the day itself, or the month or year
answered), 1 day off when a day answer misses by one, else wrong. The table counts answers by
confidence band (>= 0.8, 0.5-0.8, < 0.5) and precision; no day may be wrong in the top band.
The sets (T17's three wrong top-band answers were read to write the stamp rules: a list of dated
posts, an "as of" cut-off and a reader's comment are no page stamp; the reported-day confidence
is calibrated on t17 + meantime + tempeval together; nothing else was fitted on them):
- t17: Timeline17 articles (``dct``), ../shared/eval/timeline17.
- meantime: MEANTIME, 120 Wikinews articles (CC BY 4.0); the dateline line under the headline is
  blanked, since it is the date itself.
- tempeval: TempEval-3 TBAQ-cleaned, 256 TimeBank/AQUAINT newswire documents (DCT).
- htmldate: htmldate's own evaluation pages (github.com/adbar/htmldate, tests/eval_default.json
  with the pages in tests/cache/ and tests/eval/): ``--data`` is a checkout of that repository.
  Pages go through storyline's HTML reader; its metadata dates are scored apart, and the date is
  inferred from the text where they are missing (on every page with ``--ignore-metadata``).
  Not stored here (no license stated for the pages): read from ``--data``.
- htmldate-tests: the pages htmldate's unit tests read (tests/cache/) with the dates those tests
  assert (tests/unit_tests.py: ``find_date(load_mock_page(URL), ...) == "YYYY-MM-DD"``; the
  ``original_date=True`` answer where a test gives one, else the default call's). Published in
  htmldate's source distributions 0.6-1.2 on PyPI (``pip download --no-deps --no-binary :all:
  htmldate==0.6.3``; Apache-2.0 code, pages without a stated license): ``--data`` is the
  unpacked folder. The truth is the answer htmldate is tested to give, so htmldate is tuned on
  it; pages go through storyline's HTML reader as for ``htmldate``.
The peer is htmldate on the same text laid out as a page (extensive search on); ``--no-peer``
skips it. The last line is ``exact: X``: storyline's exact days as a share of all articles.
"""

from __future__ import annotations

import argparse
import ast
import datetime as dt
import html
import json
import re
import sys
import warnings
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from htmldate import find_date
from tls_t17 import DEFAULT_DATA, SHARED, detokenise, read_articles

from storyline.extract.timex.find import PublishedGuess, infer_publication
from storyline.models import published_confidence, published_period

if TYPE_CHECKING:
    from collections.abc import Iterator

BANDS = ((0.8, ">= 0.8"), (0.5, "0.5-0.8"), (0.0, "< 0.5"))
OUTCOMES = ("exact", "1 day off", "wrong")
DATA = {
    "t17": DEFAULT_DATA,
    "meantime": SHARED / "eval" / "meantime-en" / "meantime_en.jsonl",
    "tempeval": SHARED / "eval" / "tempeval3" / "TBAQ-cleaned" / "timex_tbaq_train.jsonl",
    "htmldate": SHARED / "htmldate",
    "htmldate-tests": SHARED / "htmldate-0.6.3",
}
_DMY = re.compile(r"(\d\d)-(\d\d)-(\d{4})$")
_ISO_DAY = re.compile(r"\d{4}-\d\d-\d\d")


def outcome(guess: PublishedGuess, truth: dt.date) -> str:
    """Return how an answer compares with the true publication day."""
    if guess.day is None:
        return "none"
    if guess.precision != "day":
        iso = guess.iso or ""
        return "exact" if truth.isoformat().startswith(iso) else "wrong"
    gap = abs((guess.day - truth).days)
    return "exact" if gap == 0 else "1 day off" if gap == 1 else "wrong"


def htmldate_guess(text: str) -> PublishedGuess:
    """Return htmldate's publication date for ``text`` laid out as a bare page."""
    page = f"<html><body><p>{html.escape(text)}</p></body></html>"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        found = find_date(page, extensive_search=True, original_date=True, outputformat="%Y-%m-%d")
    return PublishedGuess(dt.date.fromisoformat(found), "day", 1.0) if found else PublishedGuess()


def t17_items(data: Path) -> Iterator[tuple[str, str, dt.date]]:
    """Yield (title, text, true day) for the Timeline17 articles."""
    for article in read_articles(data):
        yield "", detokenise(article["text"]), dt.date.fromisoformat(article["dct"])


def meantime_items(data: Path) -> Iterator[tuple[str, str, dt.date]]:
    """Yield MEANTIME articles with their dateline (the date itself) blanked."""
    for line in data.open(encoding="utf-8"):
        doc = json.loads(line)
        dct = doc.get("dct") or ""
        if m := _DMY.match(dct):
            dct = f"{m[3]}-{m[2]}-{m[1]}"
        if not _ISO_DAY.match(dct):
            continue
        lines = doc["text"].split("\n")
        yield lines[0], "\n".join(lines[2:]), dt.date.fromisoformat(dct[:10])


def tempeval_items(data: Path) -> Iterator[tuple[str, str, dt.date]]:
    """Yield TempEval-3 documents with their document creation day."""
    for line in data.open(encoding="utf-8"):
        doc = json.loads(line)
        dct = (doc.get("dct") or {}).get("value") or ""
        if _ISO_DAY.match(dct):
            yield doc.get("title") or "", doc["text"], dt.date.fromisoformat(dct[:10])


def htmldate_pages(data: Path) -> Iterator[tuple[str, str, dt.date, str | None]]:
    """Yield (title, text, true day, metadata date) for htmldate's evaluation pages."""
    from storyline.ingest.html import read_html  # noqa: PLC0415 - only this set reads HTML

    truth = json.loads((data / "tests" / "eval_default.json").read_text(encoding="utf-8"))
    for url, entry in truth.items():
        date, name = entry.get("date"), entry.get("file")
        if not isinstance(date, str) or not _ISO_DAY.match(date) or not name:
            continue
        for folder in ("cache", "eval"):
            path = data / "tests" / folder / name
            if path.is_file():
                raw = read_html(path.read_bytes(), str(path), url=url)
                yield raw.title, raw.text, dt.date.fromisoformat(date), raw.published
                break


def unit_test_truth(source: str) -> tuple[dict[str, str], dict[str, str]]:
    """Return htmldate's unit-test pages {url: file} and the publication day asserted per url."""
    module = ast.parse(source)
    pages: dict[str, str] = {}
    asserted: dict[str, dict[str, str]] = {}
    for node in ast.walk(module):
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "MOCK_PAGES":
            pages = ast.literal_eval(node.value)
        if not (isinstance(node, ast.Compare) and isinstance(node.ops[0], ast.Eq)):
            continue
        call, expected = node.left, node.comparators[0]
        if not (isinstance(call, ast.Call) and getattr(call.func, "id", "") == "find_date"):
            continue
        page = call.args[0] if call.args else None
        if not (isinstance(page, ast.Call) and getattr(page.func, "id", "") == "load_mock_page"):
            continue
        options = {k.arg: ast.literal_eval(k.value) for k in call.keywords}
        if not isinstance(expected, ast.Constant) or not isinstance(expected.value, str):
            continue
        if set(options) - {"original_date", "extensive_search"} or not options.get(
            "extensive_search", True
        ):
            continue  # another output format, or the answer without the full search
        kind = "original" if options.get("original_date") else "default"
        asserted.setdefault(ast.literal_eval(page.args[0]), {})[kind] = expected.value
    truth = {url: d.get("original", d.get("default", "")) for url, d in asserted.items()}
    return pages, {url: day for url, day in truth.items() if _ISO_DAY.fullmatch(day)}


def htmldate_test_pages(data: Path) -> Iterator[tuple[str, str, dt.date, str | None]]:
    """Yield (title, text, true day, metadata date) for htmldate's unit-test pages."""
    from storyline.errors import InputError  # noqa: PLC0415 - only this set reads HTML
    from storyline.ingest.html import read_html  # noqa: PLC0415

    pages, truth = unit_test_truth((data / "tests" / "unit_tests.py").read_text(encoding="utf-8"))
    for url, day in sorted(truth.items()):
        path = data / "tests" / "cache" / pages.get(url, "")
        if url not in pages or not path.is_file():
            continue
        try:
            raw = read_html(path.read_bytes(), str(path), url=url)
        except InputError:  # no article text: inferred from nothing, as storyline would
            yield "", "", dt.date.fromisoformat(day), None
            continue
        yield raw.title, raw.text, dt.date.fromisoformat(day), raw.published


def band_of(confidence: float) -> str:
    """Return the name of the confidence band ``confidence`` falls in."""
    return next(name for floor, name in BANDS if confidence >= floor)


def print_table(name: str, table: Counter[tuple[str, str, str]], n: int) -> None:
    """Print answers by confidence band and precision: exact / 1 day off / wrong."""
    print(f"{name}: {n} articles")
    print(f"  {'band':8} {'precision':9} " + " ".join(f"{o:>9}" for o in OUTCOMES))
    for _, band in BANDS:
        for precision in ("day", "month", "year"):
            counts = [table[band, precision, o] for o in OUTCOMES]
            if any(counts):
                print(f"  {band:8} {precision:9} " + " ".join(f"{c:9d}" for c in counts))
    print(f"  no answer: {table['', '', 'none']}")


def main() -> None:
    """Score storyline (and htmldate) on one set and print the tables."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--set", choices=sorted(DATA), default="t17")
    ap.add_argument("--data", type=Path, help="the set's file or folder (default: ../shared)")
    ap.add_argument("--limit", type=int, default=0, help="score only the first N articles")
    ap.add_argument("--no-peer", action="store_true", help="skip htmldate on the text")
    ap.add_argument(
        "--ignore-metadata",
        action="store_true",
        help="htmldate set: infer from the text on every page, not only where metadata is silent",
    )
    a = ap.parse_args()
    data = a.data or DATA[a.set]
    today = dt.datetime.now(tz=dt.UTC).date()
    ours: Counter[tuple[str, str, str]] = Counter()
    metadata: Counter[tuple[str, str, str]] = Counter()
    peer: Counter[tuple[str, str, str]] = Counter()
    n = 0
    if a.set == "htmldate":
        items: Iterator[tuple[str, str, dt.date, str | None]] = htmldate_pages(data)
    elif a.set == "htmldate-tests":
        items = htmldate_test_pages(data)
    else:
        reader = {"t17": t17_items, "meantime": meantime_items, "tempeval": tempeval_items}
        items = ((*item, None) for item in reader[a.set](data))
    for title, text, truth, meta in items:
        if a.limit and n >= a.limit:
            break
        n += 1
        if meta is not None:  # the page's metadata answers; scored apart
            day, precision = published_period(meta)
            confidence = published_confidence("metadata", precision)
            guess = PublishedGuess(dt.date.fromisoformat(day or ""), precision, confidence)
            metadata[band_of(confidence), precision, outcome(guess, truth)] += 1
            if not a.ignore_metadata:
                continue
        guess = infer_publication(text, title=title, today=today)
        result = outcome(guess, truth)
        key = (
            ("", "", "none")
            if result == "none"
            else (band_of(guess.confidence), guess.precision, result)
        )
        ours[key] += 1
        if not a.no_peer:
            found = htmldate_guess(f"{title}\n{text}")
            result = outcome(found, truth)
            peer[("", "", "none") if result == "none" else (band_of(1.0), "day", result)] += 1
    inferred = n if a.ignore_metadata else n - sum(metadata.values())
    print_table(f"storyline, {a.set} ({data})", ours, inferred)
    if metadata:
        print_table("page metadata (storyline's HTML reader)", metadata, sum(metadata.values()))
    if peer:
        print_table("htmldate on the text (no confidence: all counted as >= 0.8)", peer, n)
    exact = sum(v for k, v in ours.items() if k[1:] == ("day", "exact"))
    print(f"exact: {exact / max(n, 1):.3f}")  # exact days, as a share of all articles


if __name__ == "__main__":
    main()
