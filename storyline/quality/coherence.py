"""Coherence: how well the sentences of one article follow each other.

``incoherence_score`` combines cheap per-article signals (no corpus, nothing fetched): lexical
and word-vector cohesion of neighbouring sentences against distant ones, how cleanly the sentence
graph splits in two, headline fit and the inverted pyramid, name introduction order, pronouns
without antecedent, quote continuity, the spread of dates, and how much better the article's own
order fits than random reorderings of its sentences (``sentence_pairs``). Two logistic heads,
one for spliced and one for shuffled copy, weigh the signals; their weights live in
``data/coherence_weights.json`` (read by ``coherence_weights``) and are fitted by
``bench/fit_coherence.py`` on news that is not Timeline17.

With the optional sentence encoder (``encoder``, the ``[embeddings]`` extra) the same
cohesion and order signals are also read from MiniLM sentence embeddings of the first sentences,
and a second pair of heads, fitted with them, decides.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from storyline.quality import coherence_weights as weights
from storyline.quality import encoder
from storyline.quality.continuity import continuity_features
from storyline.quality.sentence_pairs import (
    encoded_follow,
    follow_scores,
    order_z,
    pair_cues,
    precedence_z,
)
from storyline.quality.vectors import embed_sentences
from storyline.text.calendar import WEEKDAY_NAMES
from storyline.text.sentences import HONORIFIC_RE, find_names, known_names, split_sentences
from storyline.text.words import BROAD_STOP_WORDS, prefix_stem

if TYPE_CHECKING:
    from collections.abc import Sequence

_WORD_RE = re.compile(r"[a-z][a-z'’-]+")
_PRONOUN_START_RE = re.compile(r"""^["“‘']?(?:He|She|His|Her|They|Their)\b""")
_ANAPHOR_START_RE = re.compile(
    r"""^["“‘']?(?:The|This|That|These|Those)\s+(?:minister|president|leader|official|"""
    r"""spokesman|spokeswoman|man|woman|company|group|firm|move|decision|statement|"""
    r"""report|agency|singer|star|doctor|boy|girl|victim|suspect|country|city)\b"""
)
_DEPENDENT_RE = re.compile(
    r"""^["“‘']|^(?:He|She|It|They|His|Her|Its|Their|This|These|That|Those|But|However|And|"""
    r"""Also|Meanwhile|Such|Both|Another|Yet|Still|So|Then|Instead|Even)\b"""
)
_SAID_PRONOUN_RE = re.compile(r"\b(?:he|she) (?:said|added|told|says)\b")
_WEEKDAY_RE = re.compile(rf"\b(?:{'|'.join(d.capitalize() for d in WEEKDAY_NAMES)})\b")
_YEAR_RE = re.compile(r"\b(?:19[5-9]\d|20[0-4]\d)\b")
_NUM_NOUN_RE = re.compile(r"\b(\d[\d,.]*)\s+(?:more\s+|new\s+|other\s+)?([a-z]{3,})\b")
_OPENERS = "“‘"
_CLOSERS = "”’"


# Pairwise signals cost n^2 (times 200 reorderings): the first sentences decide, and a
# 1,000-sentence page must not take seconds and gigabytes.
MAX_SENTENCES = 80
# The encoder costs about 20 ms a sentence on a CPU: it reads the headline and the first 14
# sentences, as many as the articles its heads were fitted on.
MAX_ENCODED = 14


def _analyse(text: str) -> list[str]:
    """Return the content-word stems of ``text``."""
    return [
        prefix_stem(w)
        for w in _WORD_RE.findall(text.lower())
        if w not in BROAD_STOP_WORDS and len(w) > 2
    ]


def _similarity(title: str, sentences: Sequence[str]) -> np.ndarray:
    """Return the cosine matrix of TF-IDF vectors of the title (row 0) and the sentences."""
    docs = [title, *sentences]
    try:
        matrix = TfidfVectorizer(analyzer=_analyse, sublinear_tf=True).fit_transform(docs)
    except ValueError:  # no content words at all
        return np.zeros((len(docs), len(docs)))
    sims = (matrix @ matrix.T).toarray()
    np.fill_diagonal(sims, 1.0)
    return np.asarray(sims, dtype=float)


def _char_similarity(title: str, sentences: Sequence[str]) -> np.ndarray:
    """Return the cosine matrix of character n-gram TF-IDF vectors (denser than words)."""
    docs = [" ".join(_analyse(d)) for d in (title, *sentences)]
    try:
        vectoriser = TfidfVectorizer(analyzer="char_wb", ngram_range=(4, 5), sublinear_tf=True)
        matrix = vectoriser.fit_transform(docs)
    except ValueError:
        return np.zeros((len(docs), len(docs)))
    sims = (matrix @ matrix.T).toarray()
    np.fill_diagonal(sims, 1.0)
    return np.asarray(sims, dtype=float)


def _fiedler(sims: np.ndarray) -> float:
    """Return the algebraic connectivity of the sentence graph (low = splits in two topics)."""
    n = sims.shape[0]
    if n < 3:
        return 1.0
    weights = np.clip(sims, 0.0, None) + 0.01
    np.fill_diagonal(weights, 0.0)
    degree = weights.sum(axis=1)
    inv = 1.0 / np.sqrt(degree)
    laplacian = np.eye(n) - inv[:, None] * weights * inv[None, :]
    return float(np.sort(np.linalg.eigvalsh(laplacian))[1])


def _name_order(
    sentences: Sequence[str], per_sentence: Sequence[list[str]]
) -> tuple[float, float, float]:
    """Return rates of surnames before their full name, unknown honorifics and name continuity."""
    full_at: dict[str, int] = {}
    for i, names in enumerate(per_sentence):
        for name in names:
            parts = name.split()
            if len(parts) >= 2:
                full_at.setdefault(parts[-1], i)
    early = unknown = 0
    for i, sentence in enumerate(sentences, start=1):
        for name in per_sentence[i]:
            if " " not in name and name in full_at and full_at[name] > i:
                early += 1
        for surname in HONORIFIC_RE.findall(sentence):
            if surname not in full_at or full_at[surname] > i:
                unknown += 1
    seen: set[str] = set()
    for names in per_sentence[:2]:
        seen.update(w for n in names for w in n.split())
    shared = 0
    for names in per_sentence[2:]:
        words = {w for n in names for w in n.split()}
        shared += bool(words & seen) if words else 1
        seen |= words
    n = max(len(sentences), 1)
    return early / n, unknown / n, shared / max(len(sentences) - 1, 1)


def _short_first(per_sentence: Sequence[list[str]]) -> float:
    """Return the share of multi-form names whose first mention is the short form."""
    first_short: dict[str, bool] = {}
    longest: dict[str, int] = {}
    for names in per_sentence:
        for name in names:
            parts = name.split()
            last = parts[-1]
            if last not in first_short:
                first_short[last] = len(parts) == 1
            longest[last] = max(longest.get(last, 0), len(parts))
    multi = [k for k, v in longest.items() if v > 1]
    if not multi:
        return 0.25  # no evidence either way: a typical share
    return sum(first_short[k] for k in multi) / len(multi)


def _antecedent_gaps(sentences: Sequence[str], per_sentence: Sequence[list[str]]) -> float:
    """Return the rate of pronoun or 'the minister' openers whose previous sentence names no one."""
    gaps = 0
    for i, sentence in enumerate(sentences):
        opens = _PRONOUN_START_RE.match(sentence) or _ANAPHOR_START_RE.match(sentence)
        said = _SAID_PRONOUN_RE.search(sentence) and not per_sentence[i + 1]
        if not (opens or said):
            continue
        if i == 0 or not per_sentence[i]:
            gaps += 1
    return gaps / max(len(sentences), 1)


def _quote_breaks(sentences: Sequence[str]) -> float:
    """Return the rate of sentence boundaries that break a quotation open across them."""
    breaks = 0
    open_quote = False
    for sentence in sentences:
        stripped = sentence.lstrip()
        if open_quote and stripped[:1] not in _OPENERS and not any(c in stripped for c in _CLOSERS):
            breaks += 1
            open_quote = False
        for char in sentence:
            if char in _OPENERS and char != "‘":
                open_quote = True
            elif char == "”":
                if not open_quote:
                    breaks += 1
                open_quote = False
        straight = sentence.count('"')
        if straight % 2:
            open_quote = not open_quote
    return breaks / max(len(sentences), 1)


_LATER_RE = re.compile(r"\b(?:added|also|last|earlier|previously|since|ago)\b")


def sentence_cues(sentence: str) -> list[float]:
    """Return position cues of one sentence: quotes, dates, numbers, length, names, tense."""
    return [
        float(sentence[:1] in '“"'),
        float("“" in sentence or '"' in sentence),
        float(bool(_LATER_RE.search(sentence))),
        float(bool(_DEPENDENT_RE.match(sentence))),
        float(bool(_WEEKDAY_RE.search(sentence))),
        float(bool(re.search(r"\d", sentence))),
        float(bool(_YEAR_RE.search(sentence))),
        min(len(sentence.split()), 60) / 30,
        float(sum(" " in name for name in find_names(sentence))),
        float(sentence.rstrip("”\"'").endswith("?")),
    ]


def _pyramid_order(sentences: Sequence[str]) -> float:
    """Return minus the rank correlation of expected with actual position (high = out of order)."""
    # weights.POSITION: how each cue moves a sentence down an inverted-pyramid story
    if len(sentences) < 3 or not weights.POSITION:
        return 0.0
    expected = np.array([sentence_cues(x) for x in sentences]) @ np.array(weights.POSITION)
    if np.std(expected) == 0:
        return 0.0
    ranks = np.argsort(np.argsort(expected))
    return -float(np.corrcoef(np.arange(len(sentences)), ranks)[0, 1])


def _lead_cues(sentences: Sequence[str]) -> tuple[float, float]:
    """Return how un-lead-like the first sentence reads among the body's sentences.

    The same position cues as ``_pyramid_order``: the share of sentences that look earlier in a
    story than the first one, and how much later the first looks than the earliest-looking one.
    A shuffled page opens on a quote or an aside; a spun page on whatever came first.
    """
    if len(sentences) < 3 or not weights.POSITION:
        return 0.0, 0.0
    expected = np.array([sentence_cues(x) for x in sentences]) @ np.array(weights.POSITION)
    return float(np.mean(expected < expected[0])), float(expected[0] - np.min(expected))


def _date_spread(sentences: Sequence[str]) -> tuple[float, float, float]:
    """Return distinct weekdays, the year span, and clashing counts of one noun (per sentence)."""
    text = " ".join(sentences)
    weekdays = len(set(_WEEKDAY_RE.findall(text)))
    years = [int(y) for y in _YEAR_RE.findall(text)]
    span = math.log1p(max(years) - min(years)) if years else 0.0
    values: dict[str, set[str]] = {}
    for number, noun in _NUM_NOUN_RE.findall(text):
        values.setdefault(noun, set()).add(number)
    clashes = sum(len(v) - 1 for v in values.values())
    n = max(len(sentences), 1)
    return max(weekdays - 1, 0) / math.sqrt(n), span, clashes / n


def _vector_features(vectors: np.ndarray, prefix: str = "v_") -> dict[str, float]:
    """Return cohesion signals from embeddings of the title (row 0) and the sentences."""
    n = len(vectors) - 1
    sims = vectors @ vectors.T
    body = sims[1:, 1:]
    adjacent = float(np.mean(np.diagonal(body, offset=1))) if n > 1 else 0.0
    far = [body[i, j] for i in range(n) for j in range(i + 2, n)]
    centroid = [float(np.mean(np.delete(body[i], i))) for i in range(n)] if n > 1 else [0.0]
    signals = {
        "adjacent": adjacent,
        "local_gain": adjacent - (float(np.mean(far)) if far else adjacent),
        "fiedler": _fiedler(np.clip(body, 0.0, None)),
        "centroid_min": float(np.quantile(centroid, 0.25)),
        "title_min": float(np.quantile(sims[0, 1:], 0.25)) if n else 0.0,
        "order_z": order_z(sims),
    }
    return {prefix + name: value for name, value in signals.items()}


def _encoded_features(texts: Sequence[str], sentence_model: str) -> dict[str, float]:
    """Return the ``e_`` signals: cohesion and order read from sentence-encoder embeddings."""
    vectors = encoder.encode(texts[: MAX_ENCODED + 1], sentence_model).astype(np.float64)
    follow = encoded_follow(vectors)
    return {
        **_vector_features(vectors, "e_"),
        "e_pair_order_z": order_z(follow) if follow is not None else 0.0,
    }


def coherence_features(
    title: str, text: str, sentence_model: str | None = None
) -> dict[str, float]:
    """Return the raw signals behind ``incoherence_score`` (for benchmarks and reasons).

    With ``sentence_model`` (see ``storyline.quality.encoder``) the ``e_`` signals of its embeddings
    are added, and ``combine`` uses the heads fitted with them.
    """
    sentences = split_sentences(text)[:MAX_SENTENCES]
    n = len(sentences)
    sims = _similarity(title, sentences)
    body = sims[1:, 1:]
    adjacent = [body[i, i + 1] for i in range(n - 1)]
    distant = [body[i, j] for i in range(n) for j in range(i + 2, n)]
    to_title = sims[0, 1:]
    mean_adj = float(np.mean(adjacent)) if adjacent else 0.0
    mean_far = float(np.mean(distant)) if distant else mean_adj
    lead = float(to_title[0]) if n else 0.0
    rank = float(np.mean(to_title > lead)) if n else 0.0
    if n >= 3 and np.std(to_title) > 0:
        slope = float(np.corrcoef(np.arange(n), to_title)[0, 1])
    else:
        slope = 0.0
    orphans = [
        float(np.max(np.delete(sims[: i + 1, i], i))) for i in range(1, n + 1)
    ]  # best link of each sentence to what came before it, title included
    chars = _char_similarity(title, sentences)
    cbody = chars[1:, 1:]
    c_adj = [cbody[i, i + 1] for i in range(n - 1)]
    c_far = [cbody[i, j] for i in range(n) for j in range(i + 2, n)]
    c_mean_adj = float(np.mean(c_adj)) if c_adj else 0.0
    centroid = [
        float(np.mean(np.delete(chars[i], [0, i]))) if n > 1 else 0.0 for i in range(1, n + 1)
    ]
    ctitle = chars[0, 1:]
    texts = [title, *sentences]
    vectors = embed_sentences(texts)
    known = known_names(texts)
    names = [find_names(title, known), *(find_names(x, known) for x in sentences)]
    early, unknown, name_links = _name_order(sentences, names)
    follow = follow_scores(vectors, pair_cues(texts, names, sims, chars, vectors))
    weekdays, year_span, clashes = _date_spread(sentences)
    encoded = _encoded_features(texts, sentence_model) if sentence_model else {}
    cue_rank, cue_gap = _lead_cues(sentences)
    return {
        "pyramid_order": _pyramid_order(sentences),
        "lead_cue_rank": cue_rank,
        "lead_cue_gap": cue_gap,
        "adjacent": mean_adj,
        "local_gain": mean_adj - mean_far,
        "fiedler": _fiedler(sims),
        "title_fit": float(np.mean(to_title > 0)) if n else 0.0,
        "lead_rank": rank,
        "title_slope": slope,
        "orphans": float(np.mean(np.array(orphans) < 0.02)) if orphans else 0.0,
        "c_adjacent": c_mean_adj,
        "c_local_gain": c_mean_adj - (float(np.mean(c_far)) if c_far else c_mean_adj),
        "c_fiedler": _fiedler(chars),
        "c_title": float(np.mean(ctitle)) if n else 0.0,
        "c_title_min": float(np.quantile(ctitle, 0.25)) if n else 0.0,
        "c_centroid_min": float(np.quantile(centroid, 0.25)) if n else 0.0,
        "c_lead": float(ctitle[0] - np.mean(ctitle)) if n else 0.0,
        "dependent_first": float(bool(n and _DEPENDENT_RE.match(sentences[0]))),
        "dependent_rate": float(np.mean([bool(_DEPENDENT_RE.match(x)) for x in sentences]))
        if n
        else 0.0,
        "early_surname": early,
        "short_first": _short_first(names),
        "unknown_honorific": unknown,
        "name_links": name_links,
        "antecedent_gaps": _antecedent_gaps(sentences, names),
        "quote_breaks": _quote_breaks(sentences),
        "weekdays": weekdays,
        "year_span": year_span,
        "number_clashes": clashes,
        "w_order_z": order_z(sims),
        "name_order_z": precedence_z(sentences, names),
        "pair_order_z": order_z(follow),
        **_vector_features(vectors),
        **continuity_features(sentences, names, sims, vectors),
        **encoded,
    }


MIN_SENTENCES = 3  # fewer say nothing about order or topic breaks


def incoherence_score(title: str, text: str, sentence_model: str | None = None) -> float:
    """Return how incoherent an article reads, 0..1 (see ``combine``); 0.5 when too short."""
    if len(split_sentences(text)) < MIN_SENTENCES:
        return 0.5
    return combine(coherence_features(title, text, sentence_model))


def _logit(features: dict[str, float], table: dict[str, tuple[float, float, float]]) -> float:
    """Return one head's logit: a weighted sum of standardised signals."""
    return sum(
        weight * (features[name] - mean) / scale for name, (mean, scale, weight) in table.items()
    )


Head = tuple[dict[str, tuple[float, float, float]], float]  # (signal table, bias)


def heads(features: dict[str, float]) -> tuple[Head, Head]:
    """Return the splice and shuffle heads for these features.

    Features with the encoder's ``e_`` signals go to the heads fitted with them.
    """
    if "e_order_z" in features and weights.SPLICE_ENCODED:
        return (
            (weights.SPLICE_ENCODED, weights.SPLICE_ENCODED_BIAS),
            (weights.SHUFFLE_ENCODED, weights.SHUFFLE_ENCODED_BIAS),
        )
    return (weights.SPLICE, weights.SPLICE_BIAS), (weights.SHUFFLE, weights.SHUFFLE_BIAS)


def head_logits(features: dict[str, float]) -> tuple[float, float]:
    """Return the logits of the splice head and the shuffle head (0 = even odds)."""
    (splice, splice_bias), (shuffle, shuffle_bias) = heads(features)
    return splice_bias + _logit(features, splice), shuffle_bias + _logit(features, shuffle)


def combine(features: dict[str, float]) -> float:
    """Return how incoherent the features say an article is: a soft maximum of the two heads.

    One head is fitted on spliced articles, the other on shuffled ones (their signals differ:
    topic breaks against order cues), so either can raise the score; the log of the mean of the
    odds keeps an article that neither head suspects at 0.5.
    """
    total = float(np.logaddexp(*head_logits(features))) - math.log(2)
    return 1.0 / (1.0 + math.exp(-total))
