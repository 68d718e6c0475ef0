"""Check the claims' alignment threshold on MEANTIME's cross-document annotation (not a fit).

No labelled paraphrase set (MRPC, STS-B, PAWS) is on this machine or in an installed package,
so this uses the closest labelled non-seed data: MEANTIME English (120 Wikinews articles in
4 topics, CC BY 4.0) links event mentions and entity mentions across documents. Two sentences
of different articles "state one claim" here when they mention one cross-document event
instance and one cross-document entity instance (the same happening with the same
participant); every other pair of sentences of different articles of the topic is a
negative. That is a proxy (the same event can be told in two different statements), so the
numbers check the threshold's order of magnitude; they do not fit it.

Statements are filtered as ``claims.align`` filters them and scored with its
``similarity_matrix`` over each topic's statements (the topic standing for a story).

A pair the overlap links counts only when ``statements.supports`` it, as ``find_claims``
counts it (``--checks``: which structural checks; "none" for the overlap alone).

usage: PYTHONPATH=. python bench/claim_alignment_meantime.py [--threshold 0.36]
       [--checks content,polarity,modality|none]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from storyline.claims.statements import (
    MAX_WORDS,
    MIN_WORDS,
    STRUCTURAL_CHECKS,
    similarity_matrix,
    statement_terms,
    supports,
)

DATA = Path(__file__).resolve().parents[2] / "shared/eval/meantime-en/meantime_en.jsonl"
SWEEP = (0.2, 0.25, 0.3, 0.33, 0.36, 0.4, 0.45, 0.5, 0.6)


def _sentences(doc: dict) -> list[tuple[str, set[str], set[str]]]:
    """Return (text, event instances, entity instances) of each body sentence of a document."""
    lines = doc["text"].split("\n")
    events: dict[int, set[str]] = {}
    entities: dict[int, set[str]] = {}
    for m in doc["event_mentions"]:
        if m.get("instance_instance_id") and m.get("sentence") is not None:
            events.setdefault(int(m["sentence"]), set()).add(m["instance_instance_id"])
    for m in doc["entity_mentions"]:
        if m.get("instance_instance_id") and m.get("sentence") is not None:
            entities.setdefault(int(m["sentence"]), set()).add(m["instance_instance_id"])
    # MEANTIME numbers sentences from 0 (the headline), as the text's lines; 1 is the dateline
    return [
        (line, events.get(i, set()), entities.get(i, set()))
        for i, line in enumerate(lines)
        if i >= 2  # the headline and the dateline are not statements
    ]


def topic_pairs(
    docs: list[dict], checks: tuple[str, ...] = STRUCTURAL_CHECKS
) -> tuple[np.ndarray, np.ndarray]:
    """Return the similarity and the proxy label of every cross-document statement pair.

    A pair the structural checks reject scores 0 (as ``find_claims`` drops its link).
    """
    rows = []
    for doc in docs:
        for text, events, entities in _sentences(doc):
            terms = statement_terms(text)
            if MIN_WORDS <= len(text.split()) <= MAX_WORDS and len(terms) >= 3:
                rows.append((doc["doc_id"], terms, events, entities, text))
    sim = similarity_matrix([r[1] for r in rows])
    sims, labels = [], []
    for i in range(len(rows)):
        for j in range(i + 1, len(rows)):
            if rows[i][0] == rows[j][0]:
                continue
            same = bool(rows[i][2] & rows[j][2]) and bool(rows[i][3] & rows[j][3])
            value = sim[i, j]
            if checks and value >= min(SWEEP) and not supports(rows[i][4], rows[j][4], checks):
                value = 0.0
            sims.append(value)
            labels.append(same)
    return np.array(sims), np.array(labels, dtype=bool)


def scores(sims: np.ndarray, labels: np.ndarray, threshold: float) -> dict[str, float]:
    """Return precision, recall and F1 of ``sim >= threshold`` against the proxy labels."""
    predicted = sims >= threshold
    tp = int((predicted & labels).sum())
    precision = tp / int(predicted.sum()) if predicted.any() else 0.0
    recall = tp / int(labels.sum()) if labels.any() else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threshold", type=float, default=0.36)
    parser.add_argument("--checks", default=",".join(STRUCTURAL_CHECKS))
    args = parser.parse_args()
    checks = tuple(c for c in args.checks.split(",") if c and c != "none")
    by_topic: dict[str, list[dict]] = {}
    with DATA.open(encoding="utf-8") as f:
        for line in f:
            doc = json.loads(line)
            by_topic.setdefault(doc["topic"], []).append(doc)
    pooled_s, pooled_l = [], []
    for topic, docs in sorted(by_topic.items()):
        sims, labels = topic_pairs(docs, checks)
        pooled_s.append(sims)
        pooled_l.append(labels)
        print(topic, f"pairs={len(sims)} positives={int(labels.sum())}",
              scores(sims, labels, args.threshold))  # fmt: skip
    sims, labels = np.concatenate(pooled_s), np.concatenate(pooled_l)
    print("all", f"pairs={len(sims)} positives={int(labels.sum())}")
    for t in SWEEP:
        print(f"  threshold {t:.2f}", scores(sims, labels, t))


if __name__ == "__main__":
    main()
