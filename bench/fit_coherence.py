"""Fit the weights of ``storyline.quality.coherence`` on news text that is not Timeline17.

Builds originals, spliced and shuffled versions exactly as ``bench/splice_detection.py`` does,
but from the TempEval-3 (TimeBank + AQUAINT), MEANTIME, PolNeAR and article-extraction-benchmark
articles in ../shared/eval, so the Timeline17 benchmark stays unseen. Prints the signal tables
(mean, scale, weight) and biases, or with ``--write storyline/data/coherence_weights.json`` writes
them (read by ``storyline.quality.coherence_weights``), and the sentence encoder's pair model to
``storyline/data/encoded_pairs.npz``. The plain heads
use word vectors only; the ``*_ENCODED`` heads add the encoder's ``e_`` signals (the encoder
runs at about 25 ms a sentence: a fit takes some minutes). ``--keep-encoded`` refits the plain
heads only: the ``*_ENCODED`` heads, the position cues and the pair model are copied from the
current weights file (the encoded heads ignore signals they were not fitted with).
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import numpy as np
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import roc_auc_score
from splice_detection import MIN_SENTENCES, build, detokenise

from storyline.quality import coherence_weights, encoder, sentence_pairs
from storyline.quality.coherence import (
    _char_similarity,
    _similarity,
    coherence_features,
    sentence_cues,
)
from storyline.quality.sentence_pairs import PAIR_CUES, pair_cues
from storyline.quality.vectors import embed_sentences
from storyline.text.sentences import find_names, known_names, split_sentences

SHARED = Path(__file__).resolve().parents[2] / "shared"


def _article(topic: str, date: str, headline: str, body: str) -> dict[str, object] | None:
    """Return one article as ``prepare`` makes them: headline glued to the lead, as in T17."""
    sentences = split_sentences(detokenise(body))
    if len(sentences) < MIN_SENTENCES:
        return None
    title = f"{(headline or '').strip()} {sentences[0]}".strip()
    return {"topic": topic, "date": date, "title": title, "body": sentences[1:]}


def read_training(shared: Path) -> list[dict[str, object]]:
    """Return the non-Timeline17 news articles of ../shared/eval, each its own topic."""
    rows: list[dict[str, object] | None] = []
    tbaq = shared / "eval" / "tempeval3" / "TBAQ-cleaned" / "timex_tbaq_train.jsonl"
    for line in tbaq.read_text(encoding="utf-8").splitlines():
        doc = json.loads(line)
        body = doc["text"].split("\n\n", 2)[-1] if " _\n" in doc["text"][:80] else doc["text"]
        rows.append(_article(doc["doc_id"], doc["dct"]["value"][:10], doc["title"], body))
    meantime = shared / "eval" / "meantime-en" / "meantime_en.jsonl"
    for line in meantime.read_text(encoding="utf-8").splitlines():
        doc = json.loads(line)
        headline, _, rest = doc["text"].split("\n", 2)
        rows.append(_article(doc["doc_id"], doc["dct"], headline, rest))
    polnear = shared / "eval" / "polnear" / "dev.jsonl"
    for line in polnear.read_text(encoding="utf-8").splitlines():
        doc = json.loads(line)
        body = doc["text"].split("\n", 1)[-1]
        rows.append(_article(doc["filename"], doc["publication_date"], doc["title"], body))
    aeb = shared / "eval" / "article-extraction-benchmark" / "ground-truth.json"
    for key, doc in json.loads(aeb.read_text(encoding="utf-8")).items():
        rows.append(_article(key, "2019-01-01", "", doc["articleBody"]))
    return [row for row in rows if row is not None]


def feature_matrix(
    cases: list[tuple[str, str, str, str]], sentence_model: str | None = None
) -> tuple[list[str], np.ndarray]:
    """Return the feature names and one row of raw coherence features per case."""
    rows = [coherence_features(title, text, sentence_model) for _, _, title, text in cases]
    names = list(rows[0])
    return names, np.array([[row[name] for name in names] for row in rows])


def fit(x: np.ndarray, y: np.ndarray, c: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Return means, scales, weights and bias (at even odds) of a logistic regression."""
    mean = x.mean(axis=0)
    scale = x.std(axis=0) + 1e-9
    model = LogisticRegression(C=c, max_iter=5000).fit((x - mean) / scale, y)
    bias = float(model.intercept_[0]) - math.log((y == 1).sum() / max((y == 0).sum(), 1))
    return mean, scale, model.coef_[0], bias


def fit_position(articles: list[dict[str, object]]) -> tuple[float, ...]:
    """Return ridge weights of sentence cues for the relative position in an original body."""
    cues, targets = [], []
    for article in articles:
        body = list(article["body"])[:14]  # type: ignore[call-overload]
        for i, sentence in enumerate(body):
            cues.append(sentence_cues(sentence))
            targets.append(i / max(len(body) - 1, 1))
    model = Ridge(alpha=1.0).fit(np.array(cues), np.array(targets))
    return tuple(round(float(w), 4) for w in model.coef_)


def fit_pairs(articles: list[dict[str, object]], c: float) -> tuple[list[float], list[float]]:
    """Return cue weights and the bilinear form of "j comes right after i" (original bodies)."""
    rows, labels = [], []
    for article in articles:
        title = str(article["title"])
        body = list(article["body"])[:14]  # type: ignore[call-overload]
        texts = [title, *body]
        known = known_names(texts)
        names = [find_names(text, known) for text in texts]
        vectors = embed_sentences(texts)
        words, chars = _similarity(title, body), _char_similarity(title, body)
        cues = pair_cues(texts, names, words, chars, vectors)
        for i in range(len(texts)):
            for j in range(1, len(texts)):
                if i != j:
                    rows.append(
                        np.concatenate([np.outer(vectors[i], vectors[j]).ravel(), cues[i, j]])
                    )
                    labels.append(int(j == i + 1))
    model = LogisticRegression(C=c, max_iter=5000).fit(np.array(rows), np.array(labels))
    coef = [round(float(w), 4) for w in model.coef_[0]]
    cut = len(coef) - len(PAIR_CUES)
    return coef[cut:], coef[:cut]


def fit_encoded_pairs(
    articles: list[dict[str, object]], sentence_model: str, c: float, dims: int = 32
) -> dict[str, np.ndarray]:
    """Return the encoder pair model: principal axes and an asymmetric "j follows i" form."""
    per_article = []
    for article in articles:
        body = list(article["body"])[:14]  # type: ignore[call-overload]
        texts = [str(article["title"]), *body]
        per_article.append(encoder.encode(texts, sentence_model).astype(np.float64))
    pca = PCA(dims, svd_solver="full").fit(np.vstack(per_article))
    rows, labels = [], []
    for vectors in per_article:
        reduced = pca.transform(vectors)
        reduced /= np.maximum(np.linalg.norm(reduced, axis=1, keepdims=True), 1e-12)
        cosine = vectors @ vectors.T
        for i in range(len(vectors)):
            for j in range(1, len(vectors)):
                if i != j:
                    rows.append(np.append(np.outer(reduced[i], reduced[j]).ravel(), cosine[i, j]))
                    labels.append(int(j == i + 1))
    model = LogisticRegression(C=c, max_iter=5000).fit(np.array(rows), np.array(labels))
    weights = model.coef_[0]
    return {
        "mean": pca.mean_,
        "components": pca.components_,
        "bilinear": weights[:-1].reshape(dims, dims),
        "cosine": weights[-1:],
    }


def render(
    position: tuple[float, ...],
    pairs: tuple[list[float], list[float]],
    heads: dict[str, tuple[list[str], tuple]],
    note: str,
) -> str:
    """Return storyline/data/coherence_weights.json for the fitted heads.

    Values are rounded as they are printed (means and scales to 5 significant digits, weights
    and biases to 4 decimals); JSON keeps each float exactly as rounded.
    """
    data = {
        "fitted_on": " ".join(note.split()),
        # ridge weights of coherence.sentence_cues for the relative position in a story
        "position": [float(x) for x in position],
        # weights of sentence_pairs.PAIR_CUES and the bilinear form of the word vectors
        "pair": [float(x) for x in pairs[0]],
        "bilinear": [float(x) for x in pairs[1]],
        "heads": {
            head: {
                "bias": float(f"{bias:.4f}"),
                "signals": {
                    name: [float(f"{m:.5g}"), float(f"{s:.5g}"), float(f"{w:.4f}")]
                    for name, m, s, w in zip(names, mean, scale, weights, strict=True)
                },
            }
            for head, (names, (mean, scale, weights, bias)) in heads.items()
        },
    }
    return json.dumps(data, indent=1) + "\n"


def _encoded_note() -> str:
    """Return what the current weights file says of its encoded heads' fit."""
    said = coherence_weights.FITTED_ON
    return said.split("kept from an earlier fit: ")[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=SHARED)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--c", type=float, default=0.1, help="inverse L2 strength")
    parser.add_argument(
        "--write",
        type=Path,
        default=None,
        help="write coherence_weights.json there (and encoded_pairs.npz into storyline/data)",
    )
    parser.add_argument(
        "--sentence-model",
        default=encoder.DEFAULT_MODEL,
        help="encoder for the *_ENCODED heads ('' = fit the plain heads only)",
    )
    parser.add_argument(
        "--keep-encoded",
        action="store_true",
        help="fit the plain heads only; keep the *_ENCODED heads of the current weights file",
    )
    args = parser.parse_args()
    if args.keep_encoded:
        args.sentence_model = ""
    articles = read_training(args.shared)
    if args.keep_encoded:  # the encoded heads were fitted on features of these cue weights
        position = coherence_weights.POSITION
        pairs = (list(coherence_weights.PAIR), list(coherence_weights.BILINEAR))
    else:
        position = fit_position(articles)
        coherence_weights.POSITION = position  # the features below use the refitted cues
        pairs = fit_pairs(articles, args.c)
        coherence_weights.PAIR, coherence_weights.BILINEAR = tuple(pairs[0]), tuple(pairs[1])
    print(f"pair cues: {dict(zip(PAIR_CUES, pairs[0], strict=True))}")
    if args.sentence_model:
        encoded_pairs = fit_encoded_pairs(articles, args.sentence_model, args.c)
        sentence_pairs._encoded_pairs = lambda: encoded_pairs  # noqa: SLF001 - the features below use it
        if args.write:
            # the package data folder, wherever the weights file is written
            target = (
                Path(sentence_pairs.__file__).parents[1] / "data" / sentence_pairs.ENCODED_PAIRS
            )
            np.savez_compressed(target, **encoded_pairs)
    cases = [case for seed in args.seeds for case in build(articles, 10_000, seed)]
    names, x = feature_matrix(cases, args.sentence_model or None)
    kinds = np.array([kind for kind, *_ in cases])
    print(f"training articles: {len(articles)}  cases: {len(cases)}  seeds: {args.seeds}")
    plain = [k for k, name in enumerate(names) if not name.startswith("e_")]
    variants = [("", plain)]
    if len(plain) < len(names):
        variants.append(("_ENCODED", list(range(len(names)))))
    heads = {}
    for suffix, columns in variants:
        for head, kind in (("SPLICE", "spliced"), ("SHUFFLE", "shuffled")):
            sel = np.isin(kinds, [kind, "original"])
            fitted = fit(x[sel][:, columns], (kinds[sel] == kind).astype(int), args.c)
            mean, scale, weights, _ = fitted
            z = (x[sel][:, columns] - mean) / scale @ weights
            label = head + suffix
            print(f"{label}: training AUC {roc_auc_score(kinds[sel] == kind, z):.3f}")
            heads[label] = ([names[k] for k in columns], fitted)
    note = (
        f"Fitted on {len(articles)} TempEval-3, MEANTIME, PolNeAR and article-extraction-benchmark"
        f"\narticles (seeds {args.seeds}, C={args.c}); no Timeline17 text. The *_ENCODED heads"
        f"\nadd the e_ signals of sentence model {args.sentence_model!r}."
    )
    if args.keep_encoded:
        for head in ("SPLICE_ENCODED", "SHUFFLE_ENCODED"):
            table = getattr(coherence_weights, head)
            bias = getattr(coherence_weights, f"{head}_BIAS")
            kept = np.array(list(table.values())).reshape(-1, 3).T
            heads[head] = (list(table), (kept[0], kept[1], kept[2], bias))
        note = (
            f"Plain heads fitted on {len(articles)} TempEval-3, MEANTIME, PolNeAR and"
            f" article-extraction-benchmark articles (seeds {args.seeds}, C={args.c}); no"
            " Timeline17 text. The *_ENCODED heads are kept from an earlier fit:"
            f" {_encoded_note()}"
        )
    elif len(variants) == 1:  # no encoder: keep the file loadable, the encoded heads empty
        for head in ("SPLICE_ENCODED", "SHUFFLE_ENCODED"):
            heads[head] = ([], (np.zeros(0), np.zeros(0), np.zeros(0), 0.0))
    source = render(position, pairs, heads, note)
    if args.write:
        args.write.write_text(source, encoding="utf-8")
    else:
        print(source)


if __name__ == "__main__":
    main()
