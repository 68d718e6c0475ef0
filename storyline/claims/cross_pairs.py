"""The pairs of statements from different units (outlets, copies) that are worth comparing.

``similarity_matrix`` is dense: n statements cost n * n floats and ``find_conflicts`` then
visited every pair in Python, though a pair from one unit (one outlet, or a copy and its
original) never conflicts. One long article (a whole transcript on one line) holds thousands of
quotes of one unit, which cost minutes and gigabytes for nothing. Here only the blocks between
different units are computed, in row chunks of bounded size, and only the pairs that pass the
caller's test are kept: the values are those of ``similarity_matrix``, bit for bit (each sum
runs over the lower index's terms in the same order), and the pairs come in its (i, j) order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse

if TYPE_CHECKING:
    from collections.abc import Hashable, Sequence


def cross_pairs(
    term_lists: Sequence[Sequence[str]],
    units: Sequence[Hashable],
    threshold: float,
    keys: Sequence[Hashable | None] | None = None,
    chunk_rows: int = 512,
) -> list[tuple[int, int, float]]:
    """Return (i, j, similarity), i < j, for rows of different units, in (i, j) order.

    A pair is kept when its similarity (``similarity_matrix``'s value) is at least
    ``threshold``, or when ``keys`` gives both rows one key that is not None. A block
    compares at most ``chunk_rows`` rows of one unit (``[claims] pair_chunk_rows``).
    """
    n = len(term_lists)
    vocab: dict[str, int] = {}
    rows, cols = [], []
    for i, terms in enumerate(term_lists):
        for term in dict.fromkeys(terms):  # first-seen order, as in similarity_matrix
            rows.append(i)
            cols.append(vocab.setdefault(term, len(vocab)))
    if n < 2:
        return []
    binary = sparse.csr_matrix(
        (np.ones(len(rows)), (rows, cols)), shape=(n, max(len(vocab), 1)), dtype=np.float64
    )
    df = np.asarray(binary.sum(axis=0)).ravel()
    idf = 1.0 + np.log((n + 1) / (df + 1))
    weighted = binary.multiply(idf[np.newaxis, :]).tocsr()
    total = np.asarray(weighted.sum(axis=1)).ravel()
    codes = _codes(units)
    key_codes = None if keys is None else _codes(keys, none=-1)
    found: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for unit in range(int(codes.max()) + 1):
        mine = np.flatnonzero(codes == unit)
        later = np.flatnonzero(codes > unit)  # each unordered pair of units once
        if not later.size:
            continue
        for start in range(0, mine.size, chunk_rows):
            part = mine[start : start + chunk_rows]
            found.append(
                _block(
                    part,
                    later,
                    weighted=weighted,
                    binary=binary,
                    total=total,
                    threshold=threshold,
                    key_codes=key_codes,
                )
            )
    if not found:
        return []
    first = np.concatenate([f[0] for f in found])
    second = np.concatenate([f[1] for f in found])
    sims = np.concatenate([f[2] for f in found])
    order = np.lexsort((second, first))
    return [(int(first[k]), int(second[k]), float(sims[k])) for k in order]


def _codes(values: Sequence[Hashable | None], none: int | None = None) -> np.ndarray:
    """Return an integer code per value (first-seen order); None gets ``none`` when given."""
    seen: dict[Hashable, int] = {}
    out = [
        none if (v is None and none is not None) else seen.setdefault(v, len(seen)) for v in values
    ]
    return np.asarray(out, dtype=np.int64)


def _block(
    part: np.ndarray,
    later: np.ndarray,
    *,
    weighted: sparse.csr_matrix,
    binary: sparse.csr_matrix,
    total: np.ndarray,
    threshold: float,
    key_codes: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the kept (i, j, similarity) of rows ``part`` against rows ``later``."""
    # similarity_matrix reads sim[i, j] with i < j: the sum over row i's terms, in their order.
    forward = (weighted[part] @ binary[later].T).toarray()
    backward = (weighted[later] @ binary[part].T).toarray().T
    low_first = part[:, np.newaxis] < later[np.newaxis, :]
    shared = np.where(low_first, forward, backward)
    smaller = np.minimum.outer(total[part], total[later])
    both = np.add.outer(total[part], total[later])
    with np.errstate(divide="ignore", invalid="ignore"):
        overlap = np.where(smaller > 0, shared / smaller, 0.0)
        dice = np.where(both > 0, 2 * shared / both, 0.0)
    sim = (overlap + dice) / 2
    keep = sim >= threshold
    if key_codes is not None:
        mine, theirs = key_codes[part][:, np.newaxis], key_codes[later][np.newaxis, :]
        keep |= (mine == theirs) & (mine >= 0)
    a, b = np.nonzero(keep)
    i, j = part[a], later[b]
    return np.minimum(i, j), np.maximum(i, j), sim[a, b]
