"""Sentence pairs: how well each sentence follows another, and whether an order beats chance.

``follow_scores`` is a learned score for "sentence j comes right after sentence i" (a bilinear
form of word-vector embeddings plus cues: shared words, names introduced in full before their
surname, pronouns after a name, quotes carried over). ``order_z`` compares an article's own order
with random reorderings of the same sentences, which cancels how cohesive its topic is.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

import numpy as np

from storyline.quality import coherence_weights as weights
from storyline.text.sentences import HONORIFIC_RE

if TYPE_CHECKING:
    from collections.abc import Sequence

_PERMUTATIONS = 200  # random orders an article's own order is compared with
_PRONOUN_RE = re.compile(r"""^["“‘']?(?:He|She|His|Her|They|Their|It|Its)\b""")
_CONNECTIVE_RE = re.compile(
    r"""^["“‘']?(?:But|However|And|Also|Meanwhile|Yet|Still|So|Then|Instead|Even|Such|"""
    r"""This|These|That|Those|The\s+same|Both|Another)\b"""
)
PAIR_CUES = (
    "words",  # TF-IDF cosine
    "chars",  # character n-gram cosine
    "full_then_short",  # i names "First Last", j only "Last" or "Mr Last"
    "short_then_full",  # the reverse: a surname before its full name
    "shared_name",
    "pronoun_after_name",  # j opens with a pronoun, i names someone
    "pronoun_after_none",  # j opens with a pronoun, i names no one
    "connective_after_link",  # j opens with "But", "This" ... and shares a word with i
    "quote_carried",  # i leaves a quotation open, j goes on without opening one
    "meaning",  # cosine of the word-vector embeddings
)


@cache
def _permutations(n: int) -> np.ndarray:
    """Return fixed random orders of ``n`` sentences (seeded: the score is deterministic)."""
    rng = np.random.default_rng(n)
    return np.array([rng.permutation(n) for _ in range(_PERMUTATIONS)], dtype=np.intp)


def order_z(scores: np.ndarray) -> float:
    """Return how much better neighbours fit in the given order than in random orders (a z).

    ``scores[i, j]`` says how well item j follows item i; item 0 (the title) stays first.
    """
    n = scores.shape[0] - 1
    if n < 3:
        return 0.0
    chains = np.concatenate(
        [np.zeros((_PERMUTATIONS, 1), dtype=np.intp), _permutations(n) + 1], axis=1
    )
    random_sums = scores[chains[:, :-1], chains[:, 1:]].sum(axis=1)
    actual = float(np.trace(scores, offset=1))
    spread = float(np.std(random_sums))
    return (actual - float(np.mean(random_sums))) / spread if spread > 0 else 0.0


def _full_and_short(
    texts: Sequence[str], per_text: Sequence[list[str]]
) -> tuple[list[set[str]], list[set[str]]]:
    """Return, per text, surnames given in full and surnames given alone (or after Mr)."""
    full = [{name.split()[-1] for name in names if " " in name} for names in per_text]
    short = [
        ({name for name in names if " " not in name} | set(HONORIFIC_RE.findall(text))) - whole
        for text, names, whole in zip(texts, per_text, full, strict=True)
    ]
    return full, short


def precedence_z(sentences: Sequence[str], per_text: Sequence[list[str]]) -> float:
    """Return how well the order keeps full names before surname-only mentions (a z).

    ``per_text`` holds the names of the title (first) and of each sentence. Surnames the title
    already gives in full are left out; the actual order is compared with random ones.
    """
    n = len(sentences)
    if n < 3:
        return 0.0
    full, short = _full_and_short(["", *sentences], per_text)
    before = np.zeros((n, n))
    for j in range(n):
        wanted = short[j + 1] - full[0]
        for i in range(n):
            if i != j and full[i + 1] & wanted:
                before[i, j] = 1.0
    if not before.any():
        return 0.0
    positions = np.argsort(_permutations(n), axis=1)
    signs = np.sign(positions[:, None, :] - positions[:, :, None])
    random_sums = (before[None] * signs).sum(axis=(1, 2))
    actual = float(np.triu(before, 1).sum() - np.tril(before, -1).sum())
    spread = float(np.std(random_sums))
    return (actual - float(np.mean(random_sums))) / spread if spread > 0 else 0.0


def pair_cues(
    texts: Sequence[str],
    per_text: Sequence[list[str]],
    words: np.ndarray,
    chars: np.ndarray,
    vectors: np.ndarray,
) -> np.ndarray:
    """Return an (n, n, len(PAIR_CUES)) array: the cues for text j following text i."""
    n = len(texts)
    full, short = _full_and_short(texts, per_text)
    named = np.array([bool(names) for names in per_text])
    surnames = [{name.split()[-1] for name in names} for names in per_text]
    pronoun = np.array([bool(_PRONOUN_RE.match(t)) for t in texts])
    connective = np.array([bool(_CONNECTIVE_RE.match(t)) for t in texts])
    opened = np.array([_leaves_quote_open(t) for t in texts])
    fresh = np.array([t.lstrip()[:1] not in "“\"'‘" for t in texts])
    cues = np.zeros((n, n, len(PAIR_CUES)))
    cues[..., 0] = words
    cues[..., 1] = chars
    for i in range(n):
        for j in range(n):
            cues[i, j, 2] = bool(full[i] & short[j])
            cues[i, j, 3] = bool(short[i] & full[j])
            cues[i, j, 4] = bool(surnames[i] & surnames[j])
    cues[..., 5] = pronoun[None, :] & named[:, None]
    cues[..., 6] = pronoun[None, :] & ~named[:, None]
    cues[..., 7] = connective[None, :] & (words > 0)
    cues[..., 8] = opened[:, None] & fresh[None, :]
    cues[..., 9] = vectors @ vectors.T
    return cues


def _leaves_quote_open(text: str) -> bool:
    """Return whether ``text`` opens a quotation it does not close."""
    curly = text.count("“") > text.count("”")
    return curly or text.count('"') % 2 == 1


ENCODED_PAIRS = "encoded_pairs.npz"  # in storyline/data, written by bench/fit_coherence.py


@cache
def _encoded_pairs() -> dict[str, np.ndarray] | None:
    """Return the sentence-encoder pair model (projection, bilinear form), or None if absent."""
    source = resources.files("storyline").joinpath("data", ENCODED_PAIRS)
    if not source.is_file():
        return None
    with resources.as_file(source) as path, np.load(path, allow_pickle=False) as data:
        return {name: np.asarray(data[name], dtype=np.float64) for name in data.files}


def encoded_follow(vectors: np.ndarray) -> np.ndarray | None:
    """Return the learned "j comes right after i" score on sentence-encoder embeddings.

    The embeddings are projected on their training principal axes, where an asymmetric bilinear
    form says which sentence leads to which; None when the model is absent or of other size.
    """
    model = _encoded_pairs()
    if model is None or model["mean"].shape[0] != vectors.shape[1]:
        return None
    reduced = (vectors - model["mean"]) @ model["components"].T
    reduced /= np.maximum(np.linalg.norm(reduced, axis=1, keepdims=True), 1e-12)
    cosine = float(model["cosine"][0])
    return np.asarray(reduced @ model["bilinear"] @ reduced.T + cosine * (vectors @ vectors.T))


def follow_scores(vectors: np.ndarray, cues: np.ndarray) -> np.ndarray:
    """Return the learned score of "j comes right after i" for every pair of texts."""
    dims = vectors.shape[1]
    if len(weights.BILINEAR) != dims * dims or len(weights.PAIR) != cues.shape[2]:
        return np.asarray(cues[..., -1])  # weights not fitted yet: plain cosine
    bilinear = np.array(weights.BILINEAR).reshape(dims, dims)
    return np.asarray(vectors @ bilinear @ vectors.T + cues @ np.array(weights.PAIR))
