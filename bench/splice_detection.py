"""Score storyline's incoherence score on spliced and shuffled articles built from Timeline17.

Usage: ``python bench/splice_detection.py [--data PATH] [--n N] [--seed S] [--sentence-model M]``.
``PATH`` is a folder holding ``articles.jsonl`` or ``articles.jsonl.gz`` (Timeline17 format).
With a fixed seed it samples originals and builds (a) spliced versions, sentences of two or three articles of
different topics (else dates) interleaved under the first article's title, and (b) versions with
the body sentences shuffled. Every version is cut to the same sentence count as an original, so
length says nothing. Prints ROC AUC of storyline and of a peer baseline (mean TF-IDF cosine of
adjacent sentences), how many pages of each kind reach the flag threshold, the AUC of each
signal family alone, the AUC per topic, the time the score
takes per article, and ends with ``auc: X`` (spliced and shuffled together). storyline's weights
are fitted by ``bench/fit_coherence.py`` on other corpora, so every Timeline17 topic is held out.
``--sentence-model`` works as ``[quality] sentence_model``; its default here, ``auto``, scores
with the optional sentence encoder when it is installed (``storyline run`` opts in with that
setting); ``--sentence-model ''`` scores what the default pipeline uses.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import time
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import roc_auc_score

from storyline.quality import encoder
from storyline.quality.assess import INCOHERENT_AT, incoherence_score, split_sentences
from storyline.quality.coherence import coherence_features, heads

# signal families of storyline.quality.coherence, each scored alone (the others held at their mean)
FAMILIES = {
    "words": ("adjacent", "local_gain", "fiedler", "title_", "lead_rank", "orphans", "w_order"),
    "chars": ("c_",),
    "vectors": ("v_",),
    "sentence encoder": ("e_",),
    "order": ("pyramid_order", "lead_cue_", "pair_", "name_order_z"),
    "names+discourse": (
        "dependent_",
        "early_surname",
        "short_first",
        "unknown_honorific",
        "name_links",
        "antecedent_gaps",
        "quote_breaks",
    ),
    "dates+numbers": ("weekdays", "year_span", "number_clashes"),
    "continuity": ("cont_",),
}

SHARED = Path(__file__).resolve().parents[2] / "shared"
DEFAULT_DATA = SHARED / "eval" / "timeline17"
MIN_SENTENCES = 8  # title sentence + at least 7 body sentences

_PTB = [
    (r"-LRB-", "("),
    (r"-RRB-", ")"),
    (r"-LSB-", "["),
    (r"-RSB-", "]"),
    (r"-LCB-", "{"),
    (r"-RCB-", "}"),
    (r"``\s*", "“"),
    (r"\s*''", "”"),
    (r"`\s*", "‘"),
    (r"\(\s+", "("),
    (r"\s+\)", ")"),
    (r"\s+(n't|'s|'re|'ve|'ll|'d|'m)\b", r"\1"),
    (r"\s+([.,;:!?%])", r"\1"),
    (r"\$\s+", "$"),
    (r"\s+'(\s|$)", r"’\1"),
]


def detokenise(text: str) -> str:
    """Return PTB-tokenised text as ordinary prose."""
    for pattern, repl in _PTB:
        text = re.sub(pattern, repl, text)
    return re.sub(r"\s+", " ", text).strip()


def read_articles(data: Path) -> list[dict[str, str]]:
    """Return the articles of a Timeline17 folder (or file), plain or gzipped JSONL."""
    if data.is_dir():
        candidates = [data / "articles.jsonl", data / "articles.jsonl.gz"]
        data = next(p for p in candidates if p.exists())
    opener = gzip.open if data.suffix == ".gz" else open
    with opener(data, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def prepare(rows: list[dict[str, str]]) -> list[dict[str, object]]:
    """Return usable articles: first sentence as title (T17 glues the headline to the lead)."""
    out = []
    for row in rows:
        sentences = split_sentences(detokenise(row["text"]))
        if len(sentences) >= MIN_SENTENCES:
            out.append(
                {
                    "topic": row["topic"],
                    "date": row["dct"],
                    "title": sentences[0],
                    "body": sentences[1:],
                }
            )
    return out


def _partner(rng: random.Random, pool: list[dict], first: dict, taken: list[dict]) -> dict:
    """Return an article of another topic, else one published 30+ days apart."""
    topics = {a["topic"] for a in taken}
    other = [a for a in pool if a["topic"] not in topics]
    if not other:
        dates = {a["date"] for a in taken}
        other = [
            a
            for a in pool
            if all(
                abs(np.datetime64(a["date"]) - np.datetime64(d)).astype(int) >= 30 for d in dates
            )
        ] or [a for a in pool if a is not first]
    return rng.choice(other)


def build(articles: list[dict], n: int, seed: int) -> list[tuple[str, str, str, str]]:
    """Return (kind, topic, title, text) cases: originals, spliced and shuffled versions."""
    rng = random.Random(seed)
    order = list(range(len(articles)))
    rng.shuffle(order)
    picks = [articles[i] for i in order]
    cases: list[tuple[str, str, str, str]] = []
    per = min(n, len(picks) // 3)
    for k in range(per):
        original, first, shuffled = picks[k], picks[per + k], picks[2 * per + k]
        size = rng.randint(6, min(14, len(original["body"])))
        cases.append(
            ("original", original["topic"], original["title"], "\n".join(original["body"][:size]))
        )
        # spliced: the first article keeps its title and leads its share; others are sampled
        size = rng.randint(6, 14)
        sources = [first]
        for _ in range(rng.choice((1, 2))):
            sources.append(_partner(rng, articles, first, sources))
        share = max(3, size // len(sources) + (size % len(sources) > 0))
        parts = [first["body"][:share]]
        for other in sources[1:]:
            body = other["body"]
            idx = sorted(rng.sample(range(len(body)), min(len(body), max(2, size // len(sources)))))
            parts.append([body[i] for i in idx])
        streams = [list(p) for p in parts]
        merged: list[str] = []
        while any(streams):
            live = [s for s in streams if s]
            merged.append(rng.choice(live).pop(0))
        cases.append(("spliced", first["topic"], first["title"], "\n".join(merged[:size])))
        size = rng.randint(6, min(14, len(shuffled["body"])))
        body = shuffled["body"][:size]
        perm = body[:]
        while perm == body:
            rng.shuffle(perm)
        cases.append(("shuffled", shuffled["topic"], shuffled["title"], "\n".join(perm)))
    return cases


def peer_score(title: str, text: str) -> float:
    """Return 1 - mean TF-IDF cosine of adjacent sentences (the usual cheap baseline)."""
    del title
    sentences = split_sentences(text)
    matrix = TfidfVectorizer(stop_words="english").fit_transform(sentences)
    sims = (matrix @ matrix.T).toarray()
    adjacent = [sims[i, i + 1] for i in range(len(sentences) - 1)]
    return 1.0 - float(np.mean(adjacent))


def auc(
    cases: list[tuple[str, str, str, str]],
    scores: list[float],
    kinds: set[str],
    topics: set[str] | None = None,
) -> float:
    """Return ROC AUC of ``scores`` for the given modified kinds against the originals."""
    labels, values = [], []
    for (kind, topic, _, _), score in zip(cases, scores, strict=True):
        if topics is not None and topic not in topics:
            continue
        if kind == "original" or kind in kinds:
            labels.append(int(kind != "original"))
            values.append(score)
    return float(roc_auc_score(labels, values))


def combine_by_head(features: dict[str, float], prefixes: tuple[str, ...]) -> float:
    """Return the two heads' soft maximum counting only the signals of one family."""
    logits = [
        bias
        + sum(
            weight * (features[name] - mean) / scale
            for name, (mean, scale, weight) in table.items()
            if name.startswith(prefixes)
        )
        for table, bias in heads(features)
    ]
    return float(np.logaddexp(*logits))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--n", type=int, default=250, help="originals (and of each modified kind)")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument(
        "--sentence-model",
        default="auto",
        help="as [quality] sentence_model: auto (the encoder when installed), '' (none), a name",
    )
    args = parser.parse_args()
    sentence_model = encoder.resolve(args.sentence_model)
    articles = prepare(read_articles(args.data))
    cases = build(articles, args.n, args.seed)
    started = time.perf_counter()
    ours = [incoherence_score(title, text, sentence_model) for _, _, title, text in cases]
    per_article = (time.perf_counter() - started) / len(cases)
    peer = [peer_score(title, text) for _, _, title, text in cases]
    counts = {k: sum(c[0] == k for c in cases) for k in ("original", "spliced", "shuffled")}
    print(
        f"data: {args.data}  usable articles: {len(articles)}  cases: {counts}  seed: {args.seed}"
    )
    print(
        f"storyline incoherence_score (sentence encoder: {sentence_model or 'none'}): "
        f"{per_article * 1000:.1f} ms per article"
    )
    features = [coherence_features(title, text, sentence_model) for _, _, title, text in cases]
    print(f"{'ROC AUC':<22}{'storyline':>10}{'peer (adj. tf-idf)':>20}")
    rows = (
        ("spliced vs original", {"spliced"}),
        ("shuffled vs original", {"shuffled"}),
        ("both vs original", {"spliced", "shuffled"}),
    )
    for label, kinds in rows:
        print(f"{label:<22}{auc(cases, ours, kinds):>10.3f}{auc(cases, peer, kinds):>20.3f}")
    # what a reader sees: pages at or above the flag threshold of [quality] incoherent_at
    flagged = {
        k: sum(s >= INCOHERENT_AT for c, s in zip(cases, ours, strict=True) if c[0] == k)
        for k in counts
    }
    print(
        f"flagged (score >= {INCOHERENT_AT}): "
        + ", ".join(f"{k} {flagged[k]}/{counts[k]}" for k in counts)
    )
    print(f"\n{'one family alone':<22}{'spliced':>10}{'shuffled':>10}{'both':>10}")
    for family, prefixes in FAMILIES.items():
        if not any(name.startswith(prefixes) for name in features[0]):
            continue  # the sentence encoder's family, when it is off
        alone = [combine_by_head(f, prefixes) for f in features]
        cells = [auc(cases, alone, kinds) for _, kinds in rows]
        print(f"{family:<22}" + "".join(f"{cell:>10.3f}" for cell in cells))
    # the weights are fitted on other corpora (bench/fit_coherence.py): every topic is held out
    print(f"\n{'per topic (storyline)':<22}{'spliced':>10}{'shuffled':>10}{'both':>10}")
    for topic in sorted({c[1] for c in cases}):
        if len({c[0] for c in cases if c[1] == topic}) < 3:
            continue
        cells = [auc(cases, ours, kinds, {topic}) for _, kinds in rows]
        print(f"{topic:<22}" + "".join(f"{cell:>10.3f}" for cell in cells))
    print(f"auc: {auc(cases, ours, {'spliced', 'shuffled'}):.3f}")


if __name__ == "__main__":
    main()
