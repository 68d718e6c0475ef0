"""Publication dates from text alone: storyline's ``infer_published`` against htmldate on T17.

Usage: python bench/published_t17.py [--data PATH] [--limit N]
Every Timeline17 article has its publication date (``dct``) but plain text gives it only through
what the page says: stamps ("Page last updated at 08:14 GMT, Tuesday, 8 November 2011"), datelines
and the dates of what it reports. storyline guesses the date with a confidence, or says nothing;
the peer is htmldate (the date finder trafilatura uses) on the same text wrapped as a page, with
its extensive search on. Both are scored on the same articles: exact day, one day off, wrong, no
answer; for storyline also the share right among its confident answers (confidence >= 0.8).
The last line is ``exact: X`` for storyline.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import sys
import time
import warnings
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from htmldate import find_date
from tls_t17 import DEFAULT_DATA, detokenise, read_articles

from storyline.extract.dates import infer_published

CONFIDENT = 0.8
OUTCOMES = ("exact", "1 day off", "wrong", "none")


def outcome(guess: dt.date | None, truth: dt.date) -> str:
    """Return how a guess compares with the true publication day."""
    if guess is None:
        return "none"
    gap = abs((guess - truth).days)
    return "exact" if gap == 0 else "1 day off" if gap == 1 else "wrong"


def htmldate_guess(text: str) -> dt.date | None:
    """Return htmldate's publication date for ``text`` laid out as a bare page, or None."""
    page = f"<html><body><p>{html.escape(text)}</p></body></html>"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        found = find_date(page, extensive_search=True, original_date=True, outputformat="%Y-%m-%d")
    return dt.date.fromisoformat(found) if found else None


def main() -> None:
    """Score both systems on the articles and print the table."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--limit", type=int, default=0, help="score only the first N articles")
    a = ap.parse_args()
    articles = read_articles(a.data)[: a.limit or None]
    today = dt.datetime.now(tz=dt.UTC).date()
    ours: Counter[str] = Counter()
    peer: Counter[str] = Counter()
    confident: Counter[str] = Counter()
    seconds = {"storyline": 0.0, "htmldate": 0.0}
    for article in articles:
        text = detokenise(article["text"])
        truth = dt.date.fromisoformat(article["dct"])
        began = time.perf_counter()
        guess, confidence = infer_published(text, today=today)
        seconds["storyline"] += time.perf_counter() - began
        ours[outcome(guess, truth)] += 1
        if guess is not None and confidence >= CONFIDENT:
            confident[outcome(guess, truth)] += 1
        began = time.perf_counter()
        peer[outcome(htmldate_guess(text), truth)] += 1
        seconds["htmldate"] += time.perf_counter() - began
    n = len(articles)
    print(f"T17 publication dates from text, {n} articles of {a.data}")
    print(f"{'system':10} " + " ".join(f"{o:>10}" for o in OUTCOMES) + f" {'seconds':>8}")
    for name, counts in (("storyline", ours), ("htmldate", peer)):
        cells = " ".join(f"{counts[o] / n:10.3f}" for o in OUTCOMES)
        print(f"{name:10} {cells} {seconds[name]:8.1f}")
    answered = sum(confident.values())
    right = confident["exact"] / answered if answered else 0.0
    print(f"storyline confidence >= {CONFIDENT}: {answered} answers, {right:.3f} exact")
    print(f"exact: {ours['exact'] / n:.3f}")


if __name__ == "__main__":
    main()
