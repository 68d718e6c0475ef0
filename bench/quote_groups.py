"""Quote groups on a labelled set: pairwise and B-cubed precision/recall/F1 beside two peers.

Peers: quotes grouped when their normalised text is identical, and TF-IDF cosine >= 0.5 with
single link; both within one speaker and storyline, as storyline's own grouping is.

    python bench/quote_groups.py [--data bench/data/quote_groups/quotes.jsonl] [--sweep]
"""

from __future__ import annotations

import argparse
import json
import re
from collections import defaultdict
from dataclasses import replace
from itertools import combinations
from pathlib import Path

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity

from storyline.config import load_settings
from storyline.models import Quote
from storyline.quote_groups import GroupParams, QuoteArticle, group_quotes, params_from

DATA = Path(__file__).parent / "data" / "quote_groups" / "quotes.jsonl"
TFIDF_THRESHOLD = 0.5  # the peer's fixed cut, not fitted


def load(path: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def storyline_groups(rows: list[dict[str, str]], params: GroupParams) -> dict[str, str]:
    by_story: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        by_story[row["story"]].append(row)
    found: dict[str, str] = {}
    for story, items in by_story.items():
        quotes = [
            Quote(r["id"], r["article"], r["speaker"], r["speaker"], "said", r["kind"], r["text"],  # type: ignore[arg-type]
                  0, len(r["text"]))
            for r in items
        ]  # fmt: skip
        articles = {r["article"]: QuoteArticle(r["article"], r["outlet"], r["date"]) for r in items}
        for group in group_quotes(story, quotes, articles, params=params):
            for variant in group.variants:
                found[variant.quote_id] = group.id
    return found


def _norm(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def exact_groups(rows: list[dict[str, str]]) -> dict[str, str]:
    return {r["id"]: f"{r['story']}|{r['speaker']}|{_norm(r['text'])}" for r in rows}


def tfidf_groups(rows: list[dict[str, str]]) -> dict[str, str]:
    sims = cosine_similarity(TfidfVectorizer().fit_transform([r["text"] for r in rows]))
    parent = list(range(len(rows)))

    def find(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for i, j in combinations(range(len(rows)), 2):
        same = (rows[i]["story"], rows[i]["speaker"]) == (rows[j]["story"], rows[j]["speaker"])
        if same and sims[i, j] >= TFIDF_THRESHOLD:
            parent[find(j)] = find(i)
    return {r["id"]: str(find(i)) for i, r in enumerate(rows)}


def scores(gold: dict[str, str], found: dict[str, str]) -> dict[str, float]:
    ids = sorted(gold)
    tp = fp = fn = 0
    for a, b in combinations(ids, 2):
        same_gold, same_found = gold[a] == gold[b], found.get(a, a) == found.get(b, b)
        tp += same_gold and same_found
        fp += same_found and not same_gold
        fn += same_gold and not same_found
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    bp = br = 0.0
    for a in ids:
        cluster = {b for b in ids if found.get(b, b) == found.get(a, a)}
        truth = {b for b in ids if gold[b] == gold[a]}
        bp += len(cluster & truth) / len(cluster)
        br += len(cluster & truth) / len(truth)
    bp, br = bp / len(ids), br / len(ids)
    return {
        "P": p, "R": r, "F1": 2 * p * r / (p + r) if p + r else 0.0,
        "B3-P": bp, "B3-R": br, "B3-F1": 2 * bp * br / (bp + br) if bp + br else 0.0,
    }  # fmt: skip


def line(name: str, s: dict[str, float]) -> str:
    return f"{name:<28}" + "  ".join(f"{k} {v:.3f}" for k, v in s.items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--sweep", action="store_true", help="F1 over thresholds (fitting)")
    args = parser.parse_args()
    rows = load(args.data)
    gold = {r["id"]: r["group"] for r in rows}
    params = params_from(load_settings().quote_groups)
    print(f"{len(rows)} quotes, {len(set(gold.values()))} gold groups ({args.data.name})")
    print(line("exact normalised text", scores(gold, exact_groups(rows))))
    print(line(f"tf-idf cosine >= {TFIDF_THRESHOLD}", scores(gold, tfidf_groups(rows))))
    lexical = replace(params, sentence_model=None)
    print(
        line(
            f"storyline words (t={lexical.threshold})",
            scores(gold, storyline_groups(rows, lexical)),
        )
    )
    if params.sentence_model:
        name = f"storyline tokens (L{params.encoder_layer} {params.encoder_threshold})"
        print(line(name, scores(gold, storyline_groups(rows, params))))
    if args.sweep and params.sentence_model:
        for layer in range(2, 6):
            for step in range(50, 80, 5):
                p = replace(params, encoder_layer=layer, encoder_threshold=step / 100)
                found = storyline_groups(rows, p)
                print(line(f"  layer={layer} cut={p.encoder_threshold}", scores(gold, found)))
    if args.sweep:
        params = replace(params, sentence_model=None)
        for floor in (0.5, 0.6, 0.7):
            for step in range(3, 9):
                p = replace(params, threshold=step / 10, soft_floor=floor)
                print(
                    line(
                        f"  t={p.threshold} floor={floor}", scores(gold, storyline_groups(rows, p))
                    )
                )


if __name__ == "__main__":
    main()
