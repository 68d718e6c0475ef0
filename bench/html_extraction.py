"""Main-text extraction from HTML: storyline's reader + cleaner against three peers.

Sets (``--data``, repeatable): the Zyte article-extraction benchmark and dragnet (scored twice:
truth with reader comments, as the Web Content Extraction Benchmark scores it, and without).
Peers: trafilatura 2.0 defaults (comments included), trafilatura without comments, and
readability-lxml. storyline's path is ``read_html`` followed by ``clean_article``, as
``storyline ingest`` runs them.

The metric is the Zyte benchmark's own (its README, evaluate.py; the shared eval tools have no
extraction scorer, so it is re-stated here): tokens are `\\w+` matches, 4-token shingles,
per-page TP/FP/FN normalised by TP+FP+FN, precision and recall macro-averaged over pages, F1 of
the averages; ± is the bootstrap std over 1,000 resamples. "pooled" scores all pages of all sets
as one set. "gold share removed" is the share of the tokens the cleaner removed that the truth
holds (multiset). Speed: trafilatura.extract and storyline's reader run page by page,
interleaved, both from the page's bytes; the ratio is storyline's pages/s over trafilatura's.

storyline's reader keeps reader comments beside the article (``meta["reader_comments"]``), never
in its text: "storyline" is the article text alone; "storyline + comments" (scored on a truth that
keeps comments) is the article text followed by those comments, as a reader who wants the page's
discussion gets it. The pooled "storyline" row takes the latter on truths with comments and the
article alone elsewhere; "storyline article only" takes the article everywhere.

``--split`` also scores each set's two fixed halves (page id's SHA-1, even / odd): a decision
is fitted on half A of dragnet and reported on half B and on the Zyte set.

Usage: python bench/html_extraction.py [--data DIR ...] [--split]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
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
from storyline.ingest.html import COMMENTS_TEXT, read_html, readability_text
from storyline.pipeline import threshold_for

SHARED = Path(__file__).resolve().parents[2] / "shared" / "eval"
DEFAULT_DATA = [SHARED / "article-extraction-benchmark", SHARED / "dragnet"]
TOKEN_RE = re.compile(r"\w+")
WITH_COMMENTS = " (with comments)"


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
    return {"f1": f1, "std": std, "precision": precision, "recall": recall}


def half(item: str) -> str:
    """Return the fixed half ("A" or "B") a page belongs to, by its id's SHA-1."""
    return "AB"[int(hashlib.sha1(item.encode(), usedforsecurity=False).hexdigest(), 16) % 2]


def run_peers(pages: dict[str, bytes]) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {"trafilatura no comments": {}, "readability-lxml": {}}
    for item, data in pages.items():
        html = data.decode("utf-8", "replace")
        out["trafilatura no comments"][item] = (
            trafilatura.extract(html, include_comments=False) or ""
        )
        out["readability-lxml"][item] = readability_text(html)
    return out


def run_interleaved(
    pages: dict[str, bytes],
) -> tuple[dict[str, str], dict[str, str], dict[str, str], dict[str, float], list[tuple[str, str]]]:
    """Run trafilatura.extract and storyline page by page.

    Returns trafilatura's texts, storyline's article texts, storyline's article texts followed
    by the page's reader comments, the seconds each took and the cleaner's removals.
    """
    settings = load_settings()
    peer: dict[str, str] = {}
    ours: dict[str, str] = {}
    with_comments: dict[str, str] = {}
    seconds = {"trafilatura": 0.0, "reader": 0.0, "cleaner": 0.0}
    removed: list[tuple[str, str]] = []
    for item, data in pages.items():
        start = time.perf_counter()
        peer[item] = trafilatura.extract(data) or ""
        middle = time.perf_counter()
        try:
            raw = read_html(data, item)
        except InputError:
            raw = None
        end = time.perf_counter()
        seconds["trafilatura"] += middle - start
        seconds["reader"] += end - middle
        if raw is None:
            ours[item] = with_comments[item] = ""
            continue
        clean = clean_article(raw, threshold=threshold_for(raw, settings))
        seconds["cleaner"] += time.perf_counter() - end
        ours[item] = clean.text
        comments = str(raw.meta.get(COMMENTS_TEXT) or "")
        with_comments[item] = f"{clean.text}\n{comments}" if comments else clean.text
        removed.extend((item, line.text) for line in clean.removed)
    return peer, ours, with_comments, seconds, removed


def gold_share(removed: list[tuple[str, str]], gold: dict[str, str]) -> tuple[int, float]:
    """Return how many tokens the cleaner removed and the share of them the truth holds."""
    total = hits = 0
    by_page: dict[str, Counter[str]] = {}
    for item, text in removed:
        tokens = Counter(TOKEN_RE.findall(text))
        truth = by_page.setdefault(item, Counter(TOKEN_RE.findall(gold[item])))
        total += sum(tokens.values())
        hits += sum((tokens & truth).values())
    return total, (hits / total if total else 0.0)


def load_set(folder: Path) -> tuple[dict[str, bytes], dict[str, dict[str, str]]]:
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    golds = {"": {item: value["articleBody"] for item, value in truth.items()}}
    if all("articleBodyNoComments" in value for value in truth.values()):
        golds = {
            WITH_COMMENTS: golds[""],
            " (no comments)": {i: v["articleBodyNoComments"] for i, v in truth.items()},
        }
    pages = {
        item: gzip.decompress((folder / "html" / f"{item}.html.gz").read_bytes()) for item in truth
    }
    return pages, golds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, action="append", help="benchmark folder(s)")
    parser.add_argument("--split", action="store_true", help="also score halves A and B")
    args = parser.parse_args()
    folders = args.data or DEFAULT_DATA
    names = ["trafilatura defaults", "trafilatura no comments", "readability-lxml", "storyline"]
    ours_plus = "storyline + comments"
    pooled_names = [*names, "storyline article only"]
    pooled_preds: dict[str, dict[str, str]] = {name: {} for name in pooled_names}
    pooled_gold: dict[str, str] = {}
    seconds = Counter[str]()
    header = f"{'set':32} {'system':24} {'F1':>6} {'±':>6} {'P':>6} {'R':>6}"
    lines = [header]
    shares = []
    speeds = []
    for folder in folders:
        if not (folder / "ground-truth.json").exists():
            print(f"no data at {folder}", file=sys.stderr)
            return 1
        pages, golds = load_set(folder)
        peer, ours, ours_with, secs, removed = run_interleaved(pages)
        seconds.update(secs)
        speeds.append(
            f"{folder.name:32} reader {secs['trafilatura'] / secs['reader']:.2f}, "
            f"reader + cleaner {secs['trafilatura'] / (secs['reader'] + secs['cleaner']):.2f}"
        )
        preds = {
            "trafilatura defaults": peer,
            "storyline": ours,
            ours_plus: ours_with,
            **run_peers(pages),
        }
        for suffix, gold in golds.items():
            systems = [*names, ours_plus] if suffix == WITH_COMMENTS else names
            parts = {"": gold}
            if args.split:
                for part in "AB":
                    parts[f" {part}"] = {i: t for i, t in gold.items() if half(i) == part}
            for part, truth in parts.items():
                label = f"{folder.name}{suffix}{part} n={len(truth)}"
                for name in systems:
                    s = score(preds[name], truth)
                    lines.append(
                        f"{label:32} {name:24} {s['f1']:6.3f} {s['std']:6.3f} "
                        f"{s['precision']:6.3f} {s['recall']:6.3f}"
                    )
            tokens, share = gold_share(removed, gold)
            whole = f"{folder.name}{suffix} n={len(gold)}"
            shares.append(f"{whole:32} removed tokens {tokens:7d}  gold share {share:5.3f}")
        main = next(iter(golds))  # the set's main truth (dragnet: with comments)
        pooled_from = {name: preds[name] for name in names}
        pooled_from["storyline article only"] = ours
        if main == WITH_COMMENTS:
            pooled_from["storyline"] = ours_with
        for name, texts in pooled_from.items():
            pooled_preds[name].update({f"{folder.name}/{i}": t for i, t in texts.items()})
        pooled_gold.update({f"{folder.name}/{i}": t for i, t in golds[main].items()})
    for name in pooled_names:
        s = score(pooled_preds[name], pooled_gold)
        label = f"pooled n={len(pooled_gold)}"
        lines.append(
            f"{label:32} {name:24} {s['f1']:6.3f} {s['std']:6.3f} "
            f"{s['precision']:6.3f} {s['recall']:6.3f}"
        )
    print("\n".join(lines))
    print("\ncleaner on HTML (storyline reader output):")
    print("\n".join(shares))
    reader_ratio = seconds["trafilatura"] / seconds["reader"]
    full_ratio = seconds["trafilatura"] / (seconds["reader"] + seconds["cleaner"])
    print(
        f"\npages/s ratio to trafilatura.extract (interleaved): reader {reader_ratio:.2f}, "
        f"reader + cleaner {full_ratio:.2f}"
    )
    print("\n".join(speeds))
    storyline = score(pooled_preds["storyline"], pooled_gold)["f1"]
    print(f"storyline pooled f1: {storyline:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
