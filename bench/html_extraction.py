"""Boilerplate removal on the Zyte article-extraction benchmark: trafilatura alone vs storyline.

storyline's path is its HTML reader (trafilatura + htmldate) followed by its line cleaner, as
`storyline ingest` runs them. The metric is the benchmark's own (its README, evaluate.py):
tokens are `\\w+` matches, 4-token shingles, per-page TP/FP/FN normalised by TP+FP+FN, precision
and recall macro-averaged over pages, F1 of the averages, accuracy = exact token match; ± is the
bootstrap std over 1,000 resamples. The benchmark ships no evaluator script, so it is re-stated here.

Usage: python bench/html_extraction.py [--data DIR]
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import sys
import time
from collections import Counter
from pathlib import Path

import trafilatura

from storyline.clean import clean_article
from storyline.config import load_settings
from storyline.errors import InputError
from storyline.ingest.html import read_html
from storyline.pipeline import threshold_for

DEFAULT_DATA = (
    Path(__file__).resolve().parents[2] / "shared" / "eval" / "article-extraction-benchmark"
)
TOKEN_RE = re.compile(r"\w+")


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    tokens = TOKEN_RE.findall(text)
    return Counter(tuple(tokens[i : i + n]) for i in range(max(0, len(tokens) - n + 1)))


def page_counts(pred: str, gold: str) -> tuple[float, float, float]:
    p, g = shingles(pred), shingles(gold)
    tp = sum((p & g).values())
    fp = sum((p - g).values())
    fn = sum((g - p).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def score(preds: dict[str, str], gold: dict[str, str]) -> dict[str, float]:
    ids = sorted(gold)
    counts = {item: page_counts(preds.get(item, ""), gold[item]) for item in ids}

    def prf(sample: list[str]) -> tuple[float, float, float]:
        precisions, recalls = [], []
        for item in sample:
            tp, fp, fn = counts[item]
            if tp + fp > 0:
                precisions.append(tp / (tp + fp))
            if tp + fn > 0:
                recalls.append(tp / (tp + fn))
        precision = sum(precisions) / len(precisions) if precisions else 0.0
        recall = sum(recalls) / len(recalls) if recalls else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return precision, recall, f1

    precision, recall, f1 = prf(ids)
    rng = random.Random(0)
    boot = [prf([rng.choice(ids) for _ in ids])[2] for _ in range(1000)]
    mean = sum(boot) / len(boot)
    std = (sum((b - mean) ** 2 for b in boot) / len(boot)) ** 0.5
    accuracy = sum(
        TOKEN_RE.findall(preds.get(i, "")) == TOKEN_RE.findall(gold[i]) for i in ids
    ) / len(ids)
    return {"f1": f1, "std": std, "precision": precision, "recall": recall, "accuracy": accuracy}


def run_trafilatura(pages: dict[str, bytes]) -> dict[str, str]:
    return {
        item: trafilatura.extract(html.decode("utf-8", "replace")) or ""
        for item, html in pages.items()
    }


def run_storyline(pages: dict[str, bytes]) -> dict[str, str]:
    out = {}
    settings = load_settings()
    for item, html in pages.items():
        try:
            raw = read_html(html, item)
            out[item] = clean_article(raw, threshold=threshold_for(raw, settings)).text
        except InputError:
            out[item] = ""
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="benchmark folder")
    args = parser.parse_args()
    truth_path = args.data / "ground-truth.json"
    if not truth_path.exists():
        print(f"no data at {args.data}", file=sys.stderr)
        return 1
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    gold = {item: value["articleBody"] for item, value in truth.items()}
    pages = {
        item: gzip.decompress((args.data / "html" / f"{item}.html.gz").read_bytes())
        for item in gold
    }
    rows = []
    for name, system in (
        ("trafilatura 2.0 alone", run_trafilatura),
        ("storyline reader + cleaner", run_storyline),
    ):
        start = time.perf_counter()
        preds = system(pages)
        seconds = time.perf_counter() - start
        rows.append((name, score(preds, gold), seconds))
    base_seconds = rows[0][2]
    print(f"article-extraction-benchmark: {len(gold)} pages")
    print(f"{'system':30} {'F1':>7} {'±':>6} {'P':>7} {'R':>7} {'acc':>6} {'time x':>7}")
    for name, s, seconds in rows:
        print(
            f"{name:30} {s['f1']:7.3f} {s['std']:6.3f} {s['precision']:7.3f} {s['recall']:7.3f} "
            f"{s['accuracy']:6.3f} {seconds / base_seconds:7.2f}"
        )
    print(f"storyline f1: {rows[1][1]['f1']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
