"""Exact and near-duplicate articles: content hashes plus MinHash LSH over word shingles.

Every article in a group of copies points at one original (``duplicate_of``): the earliest
published copy, then the longest, then the smallest id, so the choice never depends on the
order the articles arrived in. The index grows batch by batch and can be rebuilt from the
stored MinHash signatures without the article texts.
"""

from __future__ import annotations

import base64
import json
import re
import unicodedata
import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH

from storyline.models import content_hash as hash_of_content

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    from storyline.models import CleanArticle

# Defaults of ``[dedupe]`` in defaults.toml (its comments say where each value comes from).
SHINGLE_SIZE = 3
THRESHOLD = 0.8
NUM_PERM = 128
CANDIDATE_MARGIN = 0.2
_WORD_RE = re.compile(r"\w+", re.UNICODE)
_SEED = 1
_SCHEME = "affine32"  # 32-bit values: half the memory of 64-bit ones
_PERMUTATIONS: dict[int, tuple[np.ndarray, np.ndarray]] = {}
_NO_CONTENT = hash_of_content("", "")  # the hash of an article with neither title nor text
_EMPTY = np.uint32(0xFFFFFFFF)  # a 32-bit MinHash value before any shingle lowers it


def _hash32(data: bytes) -> int:
    # crc32 is stable across processes (unlike hash()) and fast for short shingles.
    return zlib.crc32(data)


def _permutations(num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    # Drawing the permutations once per size keeps building 100k signatures cheap.
    if num_perm not in _PERMUTATIONS:
        _PERMUTATIONS[num_perm] = MinHash(
            num_perm=num_perm, seed=_SEED, scheme=_SCHEME
        ).permutations
    return _PERMUTATIONS[num_perm]


def shingles(article: CleanArticle, size: int = SHINGLE_SIZE) -> set[bytes]:
    """Return the word shingles of an article's title and text, case- and accent-folded."""
    folded = unicodedata.normalize("NFKC", f"{article.title}\n{article.text}").casefold()
    words = _WORD_RE.findall(folded)
    if len(words) < size:
        return {" ".join(words).encode("utf-8")} if words else set()
    return {" ".join(words[i : i + size]).encode("utf-8") for i in range(len(words) - size + 1)}


def _minhash(article: CleanArticle, num_perm: int, size: int = SHINGLE_SIZE) -> LeanMinHash:
    mh = MinHash(
        num_perm=num_perm,
        seed=_SEED,
        hashfunc=_hash32,
        permutations=_permutations(num_perm),
        scheme=_SCHEME,
    )
    found = shingles(article, size)
    if found:
        mh.update_batch(sorted(found))
    return LeanMinHash(mh)


def signature(article: CleanArticle, *, num_perm: int = NUM_PERM) -> list[int]:
    """Return the MinHash signature of an article, for the store to keep."""
    return [int(v) for v in _minhash(article, num_perm).hashvalues]


def _wordless(values: Sequence[int] | np.ndarray) -> bool:
    # MinHash of an empty shingle set: every value stays at its start, the largest hash.
    # A text with words reaches it in all permutations with odds ~2**-4096: never.
    return bool(np.all(np.asarray(values, dtype=np.uint32) == _EMPTY))


@dataclass(frozen=True, slots=True)
class _Entry:
    published: str | None
    length: int
    content_hash: str


def _rank(article_id: str, entry: _Entry) -> tuple[bool, str, int, str]:
    # Earliest published first (undated last), then the most complete, then the smallest id.
    return (entry.published is None, entry.published or "", -entry.length, article_id)


class DuplicateIndex:
    """Grows batch by batch; answers which stored article a given one is a copy of."""

    def __init__(
        self,
        *,
        threshold: float = THRESHOLD,
        num_perm: int = NUM_PERM,
        shingle_size: int = SHINGLE_SIZE,
        candidate_margin: float = CANDIDATE_MARGIN,
    ) -> None:
        """Create an empty index; ``threshold`` is the estimated Jaccard of the shingle sets."""
        self.threshold = threshold
        self.num_perm = num_perm
        self.shingle_size = shingle_size
        # Candidates come from a looser LSH threshold: at the verify threshold itself the band
        # layout misses ~15% of true copies near it; every candidate is verified anyway.
        self._lsh = MinHashLSH(threshold=max(0.5, threshold - candidate_margin), num_perm=num_perm)
        self._signatures: dict[str, LeanMinHash] = {}
        self._entries: dict[str, _Entry] = {}
        self._by_hash: dict[str, str] = {}  # content hash -> first id seen with it
        self._parent: dict[str, str] = {}  # union-find over copies

    @classmethod
    def from_values(cls, dedupe: Mapping[str, Any]) -> DuplicateIndex:
        """Create an empty index from a ``[dedupe]`` table (defaults.toml or resolved settings)."""
        return cls(
            threshold=float(dedupe["threshold"]),
            num_perm=int(dedupe["num_perm"]),
            shingle_size=int(dedupe["shingle_size"]),
            candidate_margin=float(dedupe["candidate_margin"]),
        )

    def __len__(self) -> int:
        """Return how many articles the index holds."""
        return len(self._entries)

    def _find(self, item: str) -> str:
        root = item
        while self._parent[root] != root:
            root = self._parent[root]
        while self._parent[item] != root:  # path compression
            self._parent[item], item = root, self._parent[item]
        return root

    def _union(self, a: str, b: str) -> None:
        ra, rb = self._find(a), self._find(b)
        if ra != rb:
            # The root is the best-ranked member, so duplicate_of is a lookup.
            keep, drop = sorted((ra, rb), key=lambda i: _rank(i, self._entries[i]))
            self._parent[drop] = keep

    def add(self, articles: Iterable[CleanArticle]) -> None:
        """Add a batch of articles; ids already in the index are ignored."""
        for article in articles:
            if article.id in self._entries:
                continue
            sig = _minhash(article, self.num_perm, self.shingle_size)
            self.add_signature(
                article.id,
                [int(v) for v in sig.hashvalues],
                published=article.published,
                length=len(article.title) + len(article.text),
                content_hash=article.content_hash,
            )

    def add_signature(
        self,
        article_id: str,
        sig: Sequence[int] | bytes,
        *,
        published: str | None,
        length: int,
        content_hash: str,
    ) -> None:
        """Add one article from a stored signature (as ``signature`` returned it)."""
        if article_id in self._entries:
            return
        values = np.frombuffer(sig, dtype=np.uint32) if isinstance(sig, bytes) else sig
        lean = LeanMinHash(
            seed=_SEED, hashvalues=np.asarray(values, dtype=np.uint32), scheme=_SCHEME
        )
        self._entries[article_id] = _Entry(published, length, content_hash)
        self._parent[article_id] = article_id
        if content_hash != _NO_CONTENT:
            # an empty article (title and text) shares its hash with every other empty one
            # whatever its raw text was: no content is no evidence of a copy
            first = self._by_hash.setdefault(content_hash, article_id)
            if first != article_id:
                self._union(first, article_id)
        if _wordless(values):
            # No shingles, no signature: every word-less text (empty, punctuation only) has the
            # same all-max values, so the estimate would call them all copies of each other.
            # Such a text is a copy only by its content hash, above.
            return
        for other in sorted(self._lsh.query(lean)):
            # LSH returns candidates; the signature estimate confirms them.
            if lean.jaccard(self._signatures[other]) >= self.threshold:
                self._union(other, article_id)
        self._lsh.insert(article_id, lean)
        self._signatures[article_id] = lean

    def duplicate_of(self, article_id: str) -> str | None:
        """Return the id of the original this article copies, or None if it is an original."""
        root = self._find(article_id)
        return None if root == article_id else root

    def duplicates(self) -> dict[str, str]:
        """Return every copy's id mapped to its original's id."""
        found = {i: self._find(i) for i in sorted(self._entries)}
        return {i: root for i, root in found.items() if root != i}


@dataclass(frozen=True, slots=True)
class Signed:
    """An article as the index needs it: its signature and the facts its rank reads."""

    content_hash: str
    published: str | None
    length: int
    signature: bytes  # uint32 values, as ``DuplicateIndex.add_signature`` reads them


def signed(
    article: CleanArticle, *, num_perm: int = NUM_PERM, shingle_size: int = SHINGLE_SIZE
) -> Signed:
    """Return what the index keeps of an article, computed once."""
    values = np.asarray(_minhash(article, num_perm, shingle_size).hashvalues, dtype=np.uint32)
    length = len(article.title) + len(article.text)
    return Signed(article.content_hash, article.published, length, values.tobytes())


def dump_signatures(entries: dict[str, Signed]) -> bytes:
    """Return stored signatures as JSON (base64 signatures): a class change cannot break it."""
    rows = {
        a: [e.content_hash, e.published, e.length, base64.b64encode(e.signature).decode()]
        for a, e in entries.items()
    }
    return json.dumps(rows).encode()


def load_signatures(saved: bytes | None) -> dict[str, Signed]:
    """Return the signatures ``dump_signatures`` stored (none: an empty mapping)."""
    if not saved:
        return {}
    return {
        a: Signed(h, published, length, base64.b64decode(sig))
        for a, (h, published, length, sig) in json.loads(saved).items()
    }


def find_duplicates(
    articles: Sequence[CleanArticle], *, threshold: float = THRESHOLD, num_perm: int = NUM_PERM
) -> dict[str, str]:
    """Return article id -> id of the original it duplicates (exact or near copy)."""
    index = DuplicateIndex(threshold=threshold, num_perm=num_perm)
    index.add(articles)
    return index.duplicates()
