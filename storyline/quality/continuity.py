"""Continuity: signals of copy stitched from several articles, read from one article alone.

A spliced or spun page puts sentences of other stories between its own. Each story brings its
own cast and its own topic, so the page's names fall apart into groups that never meet, some
sentences name people no other sentence mentions, the sentences split into topic groups that
alternate instead of following one another, the dates jump between sentences, and stretches of
the body drift away from the headline. None of these needs a corpus: every signal is measured
against the article's own sentences (and, for alternation, against random orders of them).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING

import numpy as np

from storyline.linked import linked_groups
from storyline.text.calendar import MONTH_NAMES

if TYPE_CHECKING:
    from collections.abc import Sequence

_MONTH_RE = re.compile(rf"\b(?:{'|'.join(m.capitalize() for m in MONTH_NAMES)})\b")
# Years a news page dates its events by: 1950-2049, the range of ``coherence._YEAR_RE`` (the
# weighted year_span signal), kept the same so that both signals read one set of years; wider,
# counts like "1900 troops" read as years. Part of the fitted features (cont_anchor_jumps):
# ``bench/fit_coherence.py`` must refit the heads if it changes. Chosen, not fitted.
_YEAR_RE = re.compile(r"\b(?:19[5-9]\d|20[0-4]\d)\b")
# Windows of this many sentences are compared with the headline: a stretch of other copy (a
# spliced paragraph runs a few sentences). Part of the fitted features (cont_title_window,
# cont_v_title_window): refit the heads (``bench/fit_coherence.py``) if it changes. Chosen when
# the continuity signals were added (09c299f), not tuned on any data; no head weights these
# two signals yet (``data/coherence_weights.json``), so neither moves the splice gate today.
WINDOW = 3


def _name_words(per_text: Sequence[list[str]]) -> list[set[str]]:
    """Return, per text, the words of the names it gives (surnames link "Kerry" to "John Kerry")."""
    return [{w for name in names for w in name.split() if len(w) > 2} for names in per_text]


def name_islands(per_text: Sequence[list[str]]) -> tuple[float, float]:
    """Return the share of named sentences outside the largest name group, and lonely names.

    ``per_text`` holds the names of the title (first) and of each sentence. Sentences that share
    a name word are linked (the title links too); an article about one event keeps most named
    sentences in one group, a page of three stories splits its cast. The second value is the
    share of sentences whose every name appears in no other sentence nor in the title.
    """
    words = _name_words(per_text)
    n = len(words) - 1
    named = [i for i in range(1, n + 1) if words[i]]
    if len(named) < 2:
        return 0.0, 0.0
    groups = linked_groups(range(n + 1), lambda i: words[i])
    sizes = [sum(1 for i in group if i and words[i]) for group in groups]
    outside = 1.0 - max(sizes) / len(named)
    # a word held by one text only (each text's words are a set): linear, where comparing
    # each sentence with the union of all others was quadratic in a page's sentences
    held = Counter(word for found in words for word in found)
    lonely = sum(all(held[word] == 1 for word in words[i]) for i in named)
    return outside, lonely / max(n, 1)


def _two_groups(sims: np.ndarray) -> np.ndarray:
    """Return a 0/1 label per sentence: the sign of the sentence graph's Fiedler vector."""
    weights = np.clip(sims, 0.0, None) + 0.01
    np.fill_diagonal(weights, 0.0)
    inv = 1.0 / np.sqrt(weights.sum(axis=1))
    laplacian = np.eye(len(sims)) - inv[:, None] * weights * inv[None, :]
    _, vectors = np.linalg.eigh(laplacian)
    fiedler: np.ndarray = vectors[:, 1] * inv
    return (fiedler > float(np.median(fiedler))).astype(int)


def group_alternation(sims: np.ndarray) -> float:
    """Return how often neighbours switch topic group, against what a random order would give.

    ``sims`` is the body's sentence similarity matrix. The body is cut in two topic groups; an
    article keeps each group in runs (a background paragraph, then back to the news), a splice
    interleaves them. 1 is what a random order gives, 0 an order with a single switch.
    """
    n: int = sims.shape[0]
    if n < 4:
        return 0.0
    labels = _two_groups(sims)
    a = int(labels.sum())
    b = n - a
    if not a or not b:
        return 0.0
    switches = int(np.sum(labels[1:] != labels[:-1]))
    expected = 2.0 * a * b / n
    return (switches - 1) / max(expected - 1, 1e-9)


def anchor_jumps(sentences: Sequence[str]) -> float:
    """Return the rate of dated sentences whose month or year differs from the last one dated.

    A story moves forward from its own date; copy stitched from stories of other months jumps
    back and forth between the dates each source gives.
    """
    last_months: set[str] = set()
    last_years: set[str] = set()
    jumps = 0
    for sentence in sentences:
        months = set(_MONTH_RE.findall(sentence))
        years = set(_YEAR_RE.findall(sentence))
        clash_m = bool(months and last_months and not months & last_months)
        clash_y = bool(years and last_years and not years & last_years)
        jumps += clash_m or clash_y
        last_months = months or last_months
        last_years = years or last_years
    return jumps / max(len(sentences), 1)


def title_window_min(to_title: np.ndarray) -> float:
    """Return the lowest mean similarity to the headline of any ``WINDOW`` neighbouring sentences.

    A stretch of copy taken from another story shares little with the headline, however well
    the rest of the body fits it.
    """
    n = len(to_title)
    if n < WINDOW:
        return float(np.mean(to_title)) if n else 0.0
    kernel = np.ones(WINDOW) / WINDOW
    return float(np.min(np.convolve(to_title, kernel, mode="valid")))


def continuity_features(
    sentences: Sequence[str],
    per_text: Sequence[list[str]],
    sims: np.ndarray,
    vectors: np.ndarray,
) -> dict[str, float]:
    """Return the continuity signals (see the module doc) for ``coherence_features``.

    ``sims`` is the TF-IDF cosine matrix and ``vectors`` the word-vector embeddings, both of
    the title (row 0) and the sentences.
    """
    outside, lonely = name_islands(per_text)
    meaning = vectors @ vectors.T
    return {
        "cont_name_islands": outside,
        "cont_lonely_names": lonely,
        "cont_switches": group_alternation(sims[1:, 1:]),
        "cont_v_switches": group_alternation(meaning[1:, 1:]),
        "cont_anchor_jumps": anchor_jumps(sentences),
        "cont_title_window": title_window_min(sims[0, 1:]),
        "cont_v_title_window": title_window_min(meaning[0, 1:]),
    }
