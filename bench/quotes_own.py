"""Score quote attribution on our own labelled traps next to textacy's direct_quotations.

Usage: ``python bench/quotes_own.py [--data FILE]``. The data (``bench/data/quotes_own``) are
34 short articles of fictional outlets written for issue #18: page furniture labels, anonymous
officials, "our president", negated frames, joined quotations, short quotes, directives and
countries acting. A prediction is right when its text shares at least half of its words
(token-set F1 >= 0.5) with a gold quote and its speaker is right: the gold person's surname
for a named source, and no name at all for an unnamed one ("a defense official").
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

import textacy.extract

from storyline.extract.nlp import load_model
from storyline.extract.quotes.find import find_quotes

if TYPE_CHECKING:
    from spacy.tokens import Doc

DEFAULT_DATA = Path(__file__).resolve().parent / "data" / "quotes_own" / "articles.jsonl"
_MIN_OVERLAP = 0.5  # the PolNeAR evaluator's headline threshold, kept for comparability
_NOT_NAMES = frozenset({"a", "an", "the", "he", "she", "it", "they", "i", "we", "his", "her"})


def _tokens(text: str | None) -> set[str]:
    return set(re.findall(r"\w+", (text or "").casefold()))


def _overlap(a: set[str], b: set[str]) -> float:
    inter = len(a & b)
    return 0.0 if inter == 0 else 2 * inter / (len(a) + len(b))


def _speaker_ok(predicted: str | None, gold: str | None) -> bool:
    """Return True when a predicted speaker fits the gold one (None: no name at all)."""
    if gold is None:
        words = re.findall(r"[\w.'’-]+", predicted or "")
        return not any(w[:1].isupper() and w.casefold() not in _NOT_NAMES for w in words)
    return gold.split()[-1].casefold() in _tokens(predicted)


def score(gold: list[dict], preds: list[dict], *, kinds: set[str]) -> tuple[int, int, int]:
    """Return (true positives, predictions, gold items) with greedy one-to-one matching."""
    items = [g for g in gold if g["kind"] in kinds]
    found = [p for p in preds if p["kind"] in kinds]
    used: set[int] = set()
    tp = 0
    for pred in found:
        best, best_j = _MIN_OVERLAP, -1
        for j, item in enumerate(items):
            o = _overlap(_tokens(pred["text"]), _tokens(item["text"]))
            if j not in used and o >= best and _speaker_ok(pred["speaker"], item["speaker"]):
                best, best_j = o, j
        if best_j >= 0:
            used.add(best_j)
            tp += 1
    return tp, len(found), len(items)


def _peer(doc: Doc) -> list[dict]:
    """Return textacy's direct quotations; it refuses articles with an odd count of marks."""
    try:
        triples = list(textacy.extract.triples.direct_quotations(doc))
    except ValueError:  # "unclosed quotation": textacy bails out on the whole article
        return []
    return [
        {
            "text": t.content.text.strip("\"“”'‘’ "),
            "speaker": " ".join(s.text for s in t.speaker),
            "kind": "direct",
        }
        for t in triples
    ]


def main() -> None:
    """Print P/R/F1 of storyline and textacy, for all quotes and for direct ones."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    articles = [json.loads(line) for line in args.data.read_text(encoding="utf-8").splitlines()]
    nlp = load_model()
    totals: dict[tuple[str, str], list[int]] = {}
    for article in articles:
        doc = nlp(article["text"])
        ours = [
            {
                "text": q.text,
                "speaker": q.speaker or q.speaker_text,
                "kind": "direct" if q.kind in {"direct", "mixed"} else "indirect",
            }
            for q in find_quotes(doc, article["id"])
            if q.speaker or q.speaker_text
        ]
        peer = _peer(doc)
        for system, preds in (("storyline", ours), ("textacy", peer)):
            for scope, kinds in (("all", {"direct", "indirect"}), ("direct", {"direct"})):
                counts = score(article["quotes"], preds, kinds=kinds)
                total = totals.setdefault((system, scope), [0, 0, 0])
                for n, value in enumerate(counts):
                    total[n] += value
    print(f"own quotes set: {len(articles)} articles, {args.data}")
    print(" system    | scope  | gold | pred |   tp |     P      R     F1")
    for (system, scope), (tp, n_pred, n_gold) in totals.items():
        p = tp / n_pred if n_pred else 0.0
        r = tp / n_gold if n_gold else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        print(
            f" {system:9} | {scope:6} | {n_gold:4d} | {n_pred:4d} | {tp:4d} | "
            f"{p:5.3f} {r:6.3f} {f:6.3f}"
        )


if __name__ == "__main__":
    main()
