"""Word vectors: a small shipped table of int8 GloVe vectors and sentence embeddings from it.

``data/word_vectors.npz`` holds the 20,000 most frequent GloVe 6B words in 32 principal
dimensions (built by ``bench/build_word_vectors.py``); numpy alone reads it, nothing is fetched.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

import numpy as np

from storyline.text.words import BROAD_STOP_WORDS

if TYPE_CHECKING:
    from collections.abc import Sequence

_TOKEN_RE = re.compile(r"[a-z][a-z'-]*|\d+")
_RARITY = 100.0  # frequency rank at which a word weighs log(2): rarer words say more


@cache
def _table() -> tuple[dict[str, int], np.ndarray]:
    """Return the word index and the rarity-weighted float vectors, loaded once."""
    source = resources.files("storyline").joinpath("data", "word_vectors.npz")
    with resources.as_file(source) as path, np.load(path, allow_pickle=False) as data:
        words = bytes(data["words"]).decode("utf-8").split("\n")
        vectors = data["vectors"].astype(np.float32) * float(data["scale"][0])
    weights = np.log1p(np.arange(len(words), dtype=np.float32) / _RARITY)
    return {word: i for i, word in enumerate(words)}, vectors * weights[:, None]


def embed_sentences(sentences: Sequence[str]) -> np.ndarray:
    """Return one unit vector per sentence: the rarity-weighted sum of its content words."""
    index, vectors = _table()
    out = np.zeros((len(sentences), vectors.shape[1]), dtype=np.float64)
    for row, sentence in enumerate(sentences):
        ids = [
            index[w]
            for w in _TOKEN_RE.findall(sentence.lower())
            if w in index and w not in BROAD_STOP_WORDS
        ]
        if ids:
            total = vectors[ids].sum(axis=0, dtype=np.float64)
            norm = float(np.linalg.norm(total))
            out[row] = total / norm if norm else total
    return out
