"""Same-kind stories: storyline against k-means (gold k) where each topic holds two stories of a kind.

Usage: bench/cluster_samekind.py [--data PATH] [--with-entities] [--order id|topic] [--config FILE]

The stream is assembled from the GoogleNews story clusters (``--data``, the folder of
googlenews.jsonl): every gold story is paired with the gold story whose TF-IDF centroid is
closest to its own, and the mutual-nearest pairs are kept. Such pairs share the vocabulary of a
kind (two NFL games, two storms, two child-abuse arrests, two rounds of jobless claims) but are
different happenings, which is what a clusterer must keep apart. The pairing rule is fixed (no
threshold, nothing tuned); it reads only the gold labels and text, never storyline's output.

storyline runs with its default settings (never told k) at storyline level and at event level;
TF-IDF + k-means is given the gold number of stories. Both are scored by
shared/eval/tools/eval_clusters.py on the same subset (gold = the GoogleNews story, which is one
happening, so story and event level are scored against the same labels). ``--with-entities``
runs storyline's own NLP stage (spaCy mentions, then the corpus-wide entity merge) and gives the
canonical entity names to the clusterer, as ``storyline run`` does. The set has no dates, so it
tests who/where against vocabulary, not event time.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from typing import TYPE_CHECKING

from cluster_googlenews import (
    DEFAULT_DATA,
    articles,
    cluster_settings,
    evaluate,
    load,
    pipeline_entities,
    write,
)

from storyline.cluster.storylines import cluster_articles

if TYPE_CHECKING:
    from storyline.cluster.settings import ClusterSettings


def same_kind_pairs(records: list[dict[str, str]]) -> list[tuple[int, int, float]]:
    """Return the mutual-nearest gold stories (by TF-IDF centroid cosine) with their cosine."""
    texts = [f"{r['title']} {r['snippet']}".strip() for r in records]
    x = TfidfVectorizer(sublinear_tf=True, min_df=2).fit_transform(texts)
    labels = sorted({int(r["cluster"]) for r in records})
    rows: dict[int, list[int]] = defaultdict(list)
    for i, r in enumerate(records):
        rows[int(r["cluster"])].append(i)
    centroids = normalize(np.vstack([np.asarray(x[rows[c]].mean(axis=0)) for c in labels]))
    sim = centroids @ centroids.T
    np.fill_diagonal(sim, -1.0)
    nearest = sim.argmax(axis=1)
    return [
        (labels[i], labels[j], float(sim[i, j]))
        for i, j in enumerate(nearest)
        if nearest[j] == i and i < j
    ]


def predict(
    items: list, entities: dict[str, list[str]] | None, settings: ClusterSettings | None = None
) -> tuple[dict, dict]:
    """Return article id -> storyline id and article id -> event id."""
    stories, _ = cluster_articles(items, entities=entities, settings=settings)
    level: dict[str, dict[str, str]] = {"storyline": {}, "event": {}}
    for s in stories:
        for aid in s.article_ids:
            level[s.level][aid] = s.id
    return level["storyline"], level["event"]


def merged_topics(
    pairs: list[tuple[int, int, float]], subset: list[dict[str, str]], labels: dict[str, str]
) -> int:
    """Return how many topics have both stories' majorities in one predicted cluster."""
    votes: dict[int, Counter[str]] = defaultdict(Counter)
    for r in subset:
        votes[int(r["cluster"])][labels[r["id"]]] += 1
    return sum(votes[x].most_common(1)[0][0] == votes[y].most_common(1)[0][0] for x, y, _ in pairs)


def main() -> None:
    """Assemble the same-kind stream, run storyline and k-means, print the table."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--with-entities", action="store_true", help="run the real NLP stage")
    ap.add_argument("--order", choices=["id", "topic"], default="id", help="stream order")
    ap.add_argument("--config", type=Path, help="a storyline.toml whose [cluster] keys apply")
    a = ap.parse_args()
    records = load(a.data)
    pairs = same_kind_pairs(records)
    topic = {c: n for n, (x, y, _) in enumerate(pairs) for c in (x, y)}
    subset = [r for r in records if int(r["cluster"]) in topic]
    if a.order == "topic":
        subset.sort(key=lambda r: (topic[int(r["cluster"])], r["id"]))
    print(f"{len(pairs)} same-kind topics, {2 * len(pairs)} stories, {len(subset)} items")
    for x, y, cos in sorted(pairs, key=lambda p: -p[2]):
        first = {c: next(r["title"] for r in subset if int(r["cluster"]) == c) for c in (x, y)}
        print(f"  {cos:.2f}  {x:3d} {first[x][:40]:40}  |  {y:3d} {first[y][:40]}")
    tmp = Path(tempfile.mkdtemp(prefix="storyline-samekind-"))
    gold = tmp / "gold.jsonl"
    with gold.open("w", encoding="utf-8") as f:
        f.writelines(json.dumps(r) + "\n" for r in sorted(subset, key=lambda r: r["id"]))
    ids = sorted(r["id"] for r in subset)
    items = articles(subset, "TS")
    entities = None
    if a.with_entities:
        began = time.perf_counter()
        entities = pipeline_entities(items)
        named = sum(bool(v) for v in entities.values())
        print(
            f"NLP stage: {named} of {len(items)} items name an entity "
            f"({time.perf_counter() - began:.1f}s)"
        )
    began = time.perf_counter()
    storyline, event = predict(items, entities, cluster_settings(a.config))
    print(
        f"storyline: {len(set(storyline.values()))} storylines, "
        f"{len(set(event.values()))} events in {time.perf_counter() - began:.1f}s"
    )
    write(tmp / "storyline.jsonl", ids, storyline)
    write(tmp / "event.jsonl", ids, event)
    preds = ["--pred", f"TS={tmp / 'storyline.jsonl'}", "--pred", f"TS={tmp / 'event.jsonl'}"]
    rows = evaluate(gold, ["--peer", "kmeans", *preds])
    print(f"\n{'run':40} {'k':>5} {'nmi':>6} {'b3_f1':>6} {'ari':>6} {'b3_p':>6} {'b3_r':>6}")
    for name, r in rows:
        if not name.startswith("TS"):
            continue
        label = {
            "TS: storyline.jsonl": "storyline (story level)",
            "TS: event.jsonl": "storyline (event level)",
        }.get(name, name)
        print(
            f"{label:40} {int(r['k']):5d} {r['nmi']:6.3f} {r['b3_f']:6.3f} {r['ari']:6.3f}"
            f" {r['b3_p']:6.3f} {r['b3_r']:6.3f}"
        )
    for name, labels in (("story", storyline), ("event", event)):
        merged = merged_topics(pairs, subset, labels)
        print(f"topics whose two stories share one {name} (majority): {merged} of {len(pairs)}")
    ours = next(r for name, r in rows if name == "TS: storyline.jsonl")
    peer = next(r for name, r in rows if "kmeans" in name.lower() and name.startswith("TS"))
    print(f"k-means gold k b3 f1: {peer['b3_f']:.3f}")
    print(f"storyline b3 f1: {ours['b3_f']:.3f}")


if __name__ == "__main__":
    main()
