"""Time quote extraction on generated attribution text of growing size, to show it is linear.

Usage: ``python bench/quotes_scale.py [--sizes 30,300,3000]`` (sizes in KB). For each size it
prints the parse time, the quote extraction time (``find_quotes`` on the parsed Doc) and both
per KB: a linear extraction keeps its per-KB time flat as the text grows tenfold.
"""

from __future__ import annotations

import argparse
import time

from storyline.extract.nlp import load_model, parse
from storyline.extract.quotes.find import find_quotes

# Transcript-like lines: a few named speakers, pronouns, descriptions, direct and indirect.
_LINES = (
    "The minister said on Tuesday that the budget would be balanced by {n}.",
    '"We will not raise taxes in {n}," Maria Okafor told reporters.',
    "She added that the plan had the support of every region.",
    "According to the finance ministry, spending fell by {n} percent.",
    '"This is a good day," the minister said. "We kept our word."',
    "Jonas Berg, the opposition leader, said the figures for {n} were wrong.",
)


def attribution_text(chars: int) -> str:
    """Return paragraphs of attribution lines, about ``chars`` characters long."""
    paragraphs: list[str] = []
    total = n = 0
    while total < chars:
        line = " ".join(s.format(n=2000 + n % 50) for s in _LINES)
        paragraphs.append(line)
        total += len(line) + 2
        n += 1
    return "\n\n".join(paragraphs)


def main() -> None:
    """Print parse and extraction times per size, and per KB."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="30,300,3000", help="KB, comma-separated")
    args = parser.parse_args()
    nlp = load_model()
    print(" size KB | quotes | parse s | extract s | parse ms/KB | extract ms/KB | total ms/KB")
    for kb in (int(s) for s in args.sizes.split(",")):
        text = attribution_text(kb * 1000)
        t0 = time.perf_counter()
        doc = next(parse([text], nlp))
        t1 = time.perf_counter()
        quotes = find_quotes(doc, "bench")
        t2 = time.perf_counter()
        size = len(text) / 1000
        print(
            f"{size:8.0f} | {len(quotes):6d} | {t1 - t0:7.1f} | {t2 - t1:9.2f} | "
            f"{(t1 - t0) * 1000 / size:11.2f} | {(t2 - t1) * 1000 / size:13.2f} | "
            f"{(t2 - t0) * 1000 / size:11.2f}"
        )


if __name__ == "__main__":
    main()
