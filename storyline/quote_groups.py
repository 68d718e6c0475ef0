"""Quote groups: the quotes of one storyline that report one statement by one speaker.

Outlets report a statement verbatim, in part (a sub-span), reworded, or translated another way
(seeds 000/001 give Putin's Sochi remark as "We are now thinking about this and are trying, if
it works out, to reach these agreements" and "We are contemplating this and will try to
implement it"). Two quotes are one statement when they have the same canonical speaker, come
from different articles published close together, and either one's words contain the other's
(verbatim / partial) or their content words overlap, softly: a word absent from the other quote
counts by its closest word vector there (``vectors.embed_sentences``), so "thinking" meets
"contemplating". Groups grow by average link with a cannot-link rule: two quotes of one
article are never one statement, which keeps a speaker's near-misses (same speaker, another
statement in the same article) apart.

A pure function: quotes and article facts in, frozen ``QuoteGroup`` records out.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from storyline.models import QuoteGroup, QuoteVariant, VariantMatch
from storyline.quality import encoder
from storyline.quality.vectors import embed_sentences
from storyline.text.words import BROAD_STOP_WORDS, stem

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from storyline.config import QuoteGroupSettings
    from storyline.models import Quote

_WORD_RE = re.compile(r"[a-z0-9][a-z0-9'’-]*")
# Direct words are what a speaker said; a mixed quote holds some of them; indirect holds none.
_KIND_RANK = {"direct": 0, "mixed": 1, "indirect": 2}


@dataclass(frozen=True, slots=True)
class QuoteArticle:
    """What grouping needs to know about a quote's article."""

    id: str
    outlet: str | None = None
    published: str | None = None  # ISO day


@dataclass(frozen=True, slots=True)
class GroupParams:
    """The tunables of ``[quote_groups]`` (see defaults.toml for their provenance)."""

    threshold: float = 0.7  # soft content-word F1 at which two quotes are one statement
    soft_floor: float = 0.7  # word-vector cosine below which an unmatched word counts 0
    min_words: int = 4  # a shorter quote is contained in another only word for word
    max_days: int = 7  # reports further apart than this are not one statement
    sentence_model: str | None = None  # the encoder aligning tokens; None: word overlap
    encoder_layer: int = 3  # the encoder layer whose token states are aligned
    encoder_threshold: float = 0.6  # token-alignment F1 at which two quotes are one statement

    @property
    def cut(self) -> float:
        """Return the pair score at which two quotes are one statement, by the method used."""
        return self.encoder_threshold if self.sentence_model else self.threshold


def params_from(settings: QuoteGroupSettings) -> GroupParams:
    """Return the grouping tunables of ``[quote_groups]``, the encoder resolved.

    Raises:
        EncoderUnavailableError: ``sentence_model`` names an encoder that is not installed.
    """
    return GroupParams(
        settings.threshold,
        settings.soft_floor,
        settings.min_words,
        settings.max_days,
        encoder.resolve(settings.sentence_model),
        settings.encoder_layer,
        settings.encoder_threshold,
    )


@dataclass(frozen=True, slots=True)
class _Form:
    words: tuple[str, ...]  # every word, casefolded: containment
    content: tuple[str, ...]  # content words as written: vectors
    stems: tuple[str, ...]  # their stems: exact overlap


def _form(text: str) -> _Form:
    words = tuple(_WORD_RE.findall(text.casefold().replace("’", "'")))
    content = tuple(dict.fromkeys(w for w in words if w not in BROAD_STOP_WORDS and len(w) > 1))
    return _Form(words, content, tuple(stem(w) for w in content))


def _contains(longer: tuple[str, ...], shorter: tuple[str, ...]) -> bool:
    size = len(shorter)
    return any(longer[i : i + size] == shorter for i in range(len(longer) - size + 1))


def containment(a: _Form, b: _Form, min_words: int) -> VariantMatch | None:
    """Return "verbatim" or "partial" when one quote's words are the other's, else None."""
    if a.words == b.words and a.words:
        return "verbatim"
    short, long_ = (a, b) if len(a.words) <= len(b.words) else (b, a)
    if len(short.words) >= min_words and _contains(long_.words, short.words):
        return "partial"
    return None


class _Vectors:
    """Unit word vectors of the words at hand, looked up once per grouping."""

    def __init__(self, words: Sequence[str]) -> None:
        unique = sorted(set(words))
        table = embed_sentences(unique) if unique else np.zeros((0, 1))
        self._index = {w: i for i, w in enumerate(unique)}
        self._table = table

    def similarity(self, a: Sequence[str], b: Sequence[str]) -> np.ndarray:
        """Return the cosine of every word of ``a`` with every word of ``b``."""
        left = self._table[[self._index[w] for w in a]]
        right = self._table[[self._index[w] for w in b]]
        return np.asarray(left @ right.T)


def soft_overlap(a: _Form, b: _Form, vectors: _Vectors, soft_floor: float) -> float:
    """Return the soft F1 of two quotes' content words (1 = the same words)."""
    if not a.content or not b.content:
        return 0.0
    sims = vectors.similarity(a.content, b.content)
    sims = np.where(sims >= soft_floor, sims, 0.0)
    same = np.equal.outer(np.array(a.stems), np.array(b.stems))
    sims = np.where(same, 1.0, sims)
    recall_a = float(sims.max(axis=1).mean())
    recall_b = float(sims.max(axis=0).mean())
    if recall_a + recall_b == 0:
        return 0.0
    return 2 * recall_a * recall_b / (recall_a + recall_b)


def aligned_overlap(a: np.ndarray, b: np.ndarray) -> float:
    """Return the F1 of greedy token alignment (BERTScore): each token meets its closest."""
    if not len(a) or not len(b):
        return 0.0
    sims = a @ b.T
    recall, precision = float(sims.max(axis=1).mean()), float(sims.max(axis=0).mean())
    if recall + precision <= 0:
        return 0.0
    return 2 * recall * precision / (recall + precision)


def _days(a: str | None, b: str | None) -> int | None:
    try:
        return abs((dt.date.fromisoformat(a[:10]) - dt.date.fromisoformat(b[:10])).days)  # type: ignore[index]
    except (TypeError, ValueError):
        return None  # an undated report is not kept apart by its date


def _root(duplicates: Mapping[str, str], article_id: str) -> str:
    seen = {article_id}
    while article_id in duplicates and duplicates[article_id] not in seen:
        article_id = duplicates[article_id]
        seen.add(article_id)
    return article_id


@dataclass(frozen=True, slots=True)
class _Storyline:
    """One storyline's attributed quotes with what grouping them weighs."""

    story_id: str
    quotes: tuple[Quote, ...]
    forms: tuple[_Form, ...]
    articles: Mapping[str, QuoteArticle]
    duplicates: Mapping[str, str]
    untrusted: frozenset[str]
    vectors: _Vectors
    params: GroupParams
    tokens: _Aligned | None  # token alignment scores, with an encoder


def group_quotes(
    story_id: str,
    quotes: Sequence[Quote],
    articles: Mapping[str, QuoteArticle],
    *,
    duplicates: Mapping[str, str] | None = None,
    untrusted: frozenset[str] = frozenset(),
    params: GroupParams | None = None,
    scores: dict[str, float] | None = None,
) -> list[QuoteGroup]:
    """Return the quote groups of one storyline, most independent outlets first.

    Quotes without a canonical speaker are left out (never a guess). Every attributed quote
    is in exactly one group, a single report being a group of one. ``duplicates`` maps a copy
    to its original; ``untrusted`` holds the articles flagged as untrustworthy copy, whose
    quotes stay in their group but never count as an outlet. ``scores`` holds token-alignment
    scores by pair of texts (``_Aligned``), read and filled: a pair scored before is not
    encoded again.
    """
    kept = tuple(q for q in quotes if q.speaker and q.text.strip())
    forms = tuple(_form(q.text) for q in kept)
    params = params or GroupParams()
    tokens = None
    if params.sentence_model and kept:
        tokens = _Aligned(tuple(q.text for q in kept), params, {} if scores is None else scores)
    story = _Storyline(
        story_id,
        kept,
        forms,
        articles,
        duplicates or {},
        untrusted,
        _Vectors([] if tokens is not None else [w for f in forms for w in f.content]),
        params,
        tokens,
    )
    by_speaker: dict[str, list[int]] = {}
    for i, quote in enumerate(kept):
        by_speaker.setdefault(quote.speaker or "", []).append(i)
    if tokens is not None:  # the pairs to align, encoded together
        tokens.prepare(
            [
                (i, j)
                for members in by_speaker.values()
                for x, i in enumerate(members)
                for j in members[x + 1 :]
                if _cheap_score(story, i, j) is None
            ]
        )
    inner = _inner_quotes(kept, forms, params.min_words)
    clusters = [
        cluster
        for members in by_speaker.values()
        for cluster in _cluster(story, [i for i in members if i not in inner])
    ]
    for cluster in clusters:  # a quote inside another's words joins that quote's statement
        cluster.extend(i for i, outer in inner.items() if outer in cluster)
    groups = [_group(story, [kept[i] for i in cluster]) for cluster in clusters]
    groups.sort(key=lambda g: (-g.outlets, -len(g.variants), g.speaker, g.id))
    return groups


def _inner_quotes(
    quotes: Sequence[Quote], forms: Sequence[_Form], min_words: int
) -> dict[int, int]:
    """Return inner -> outer for quotes nested in a quote of the same speaker, word for word.

    "I asked him, 'How would you feel ...'" holds "How would you feel ...": one statement
    the extractor reports twice (the outer quote and the one inside it). Apart, the cannot-link
    rule (two quotes of one article) would show the same words as two statements.
    """
    index = {q.id: i for i, q in enumerate(quotes)}
    inner: dict[int, int] = {}
    for i, quote in enumerate(quotes):
        outer, seen = index.get(quote.nested_in or ""), {i}
        # the outermost quote of the same speaker that holds these words
        found = None
        while outer is not None and outer not in seen:
            seen.add(outer)
            if quotes[outer].speaker != quote.speaker:
                break
            if containment(forms[i], forms[outer], min_words) is None:
                break
            found = outer
            outer = index.get(quotes[outer].nested_in or "")
        if found is not None:
            inner[i] = found
    for i in list(inner):  # an outer quote that is itself inner: its outermost
        top = inner[i]
        while top in inner and top != i:
            top = inner[top]
        inner[i] = top
    return {i: top for i, top in inner.items() if top not in inner}


def _cluster(story: _Storyline, members: list[int]) -> list[list[int]]:
    """Return one speaker's quotes clustered by average link under the cannot-link rule."""
    score: dict[tuple[int, int], float] = {}
    for x, i in enumerate(members):
        for j in members[x + 1 :]:
            score[i, j] = score[j, i] = _pair_score(story, i, j)
    clusters = [[i] for i in members]
    while True:
        best, pair = story.params.cut, None
        for x, left in enumerate(clusters):
            for y in range(x + 1, len(clusters)):
                right = clusters[y]
                mean = sum(score[i, j] for i in left for j in right) / (len(left) * len(right))
                if mean >= best and _compatible(left, right, story.quotes):
                    best, pair = mean, (x, y)
        if pair is None:
            return clusters
        x, y = pair
        clusters[x] = clusters[x] + clusters[y]
        del clusters[y]


def _compatible(left: list[int], right: list[int], quotes: Sequence[Quote]) -> bool:
    """Return False when the two clusters share an article: one article, two statements."""
    return not {quotes[i].article_id for i in left} & {quotes[j].article_id for j in right}


def _pair_score(story: _Storyline, i: int, j: int) -> float:
    """Return how far two quotes of one speaker report one statement (0..1)."""
    decided = _cheap_score(story, i, j)
    if decided is not None:
        return decided
    if story.tokens is not None:
        return story.tokens.overlap(i, j)
    forms = story.forms
    return soft_overlap(forms[i], forms[j], story.vectors, story.params.soft_floor)


def _cheap_score(story: _Storyline, i: int, j: int) -> float | None:
    """Return a pair's score when no word or token comparison is needed, else None."""
    a, b = story.quotes[i], story.quotes[j]
    if a.article_id == b.article_id:
        return 0.0
    left, right = story.articles.get(a.article_id), story.articles.get(b.article_id)
    days = _days(left.published if left else None, right.published if right else None)
    if days is not None and days > story.params.max_days:
        return 0.0
    forms, min_words = story.forms, story.params.min_words
    if containment(forms[i], forms[j], min_words) is not None:
        return 1.0
    if min(len(forms[i].words), len(forms[j].words)) < min_words:
        return 0.0  # a few words in common are a phrase, not a statement
    return None


def text_key(text: str, params: GroupParams) -> str:
    """Return the digest of one quote text as the encoder reads it (model, layer, text)."""
    payload = json.dumps([params.sentence_model, params.encoder_layer, text], ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


class _Aligned:
    """Token-alignment scores of one storyline's quote pairs, from cache or encoded once.

    Mutable on purpose: ``scores`` (text pair digest -> score) is the caller's cache, shared
    by every storyline of a run and kept in the store, so a storyline grouped again encodes
    only the quotes of pairs never scored.
    """

    def __init__(
        self, texts: tuple[str, ...], params: GroupParams, scores: dict[str, float]
    ) -> None:
        self.texts, self.params, self.scores = texts, params, scores
        self.states: dict[int, np.ndarray] = {}

    def key(self, i: int, j: int) -> str:
        """Return the key of what a pair's score reads: model, layer and the two texts.

        It is the two texts' ``text_key`` side by side, so a cache can be pruned of the
        pairs whose texts no stored quote has any more (``quote_groups_stage``).
        """
        return text_key(self.texts[i], self.params) + text_key(self.texts[j], self.params)

    def prepare(self, pairs: Sequence[tuple[int, int]]) -> None:
        """Encode, in one batch, every quote of a pair not scored yet."""
        needed = {x for i, j in pairs if self.key(i, j) not in self.scores for x in (i, j)}
        order = sorted(needed - set(self.states))
        if order:
            texts = [self.texts[x] for x in order]
            model, layer = self.params.sentence_model, self.params.encoder_layer
            states = encoder.token_states(texts, layer, model or encoder.DEFAULT_MODEL)
            self.states.update(zip(order, states, strict=True))

    def overlap(self, i: int, j: int) -> float:
        """Return the aligned-token F1 of two quotes (``aligned_overlap``)."""
        key = self.key(i, j)
        if key not in self.scores:
            self.prepare([(i, j)])
            self.scores[key] = aligned_overlap(self.states[i], self.states[j])
        return self.scores[key]


def _representative(quotes: Sequence[Quote]) -> Quote:
    """Return the longest verbatim (direct) form, else the longest mixed, else indirect."""
    return min(quotes, key=lambda q: (_KIND_RANK.get(q.kind, 3), -len(q.text), q.id))


def group_id(story_id: str, speaker: str, representative: str) -> str:
    """Return a group's stable id: its storyline, speaker and representative wording."""
    key = f"{story_id}|{speaker}|{representative}".encode()
    return "qg-" + hashlib.sha256(key).hexdigest()[:12]


def _group(story: _Storyline, quotes: Sequence[Quote]) -> QuoteGroup:
    """Return the record of one cluster: representative, variants, dates, outlets."""
    articles, params, story_id = story.articles, story.params, story.story_id
    rep = _representative(quotes)
    rep_form = _form(rep.text)
    variants: list[QuoteVariant] = []
    units: set[str] = set()
    for quote in sorted(quotes, key=lambda q: (q.article_id, q.start, q.id)):
        article = articles.get(quote.article_id) or QuoteArticle(quote.article_id)
        match: VariantMatch = "reworded"
        if quote.id == rep.id:
            match = "representative"
        else:
            match = containment(_form(quote.text), rep_form, params.min_words) or "reworded"
        flagged = quote.article_id in story.untrusted
        variants.append(
            QuoteVariant(
                quote.id, quote.article_id, article.outlet, quote.text, quote.kind,
                article.published, match, flagged,
            )
        )  # fmt: skip
        if not flagged:
            # a copy counts once, with its original: the unit is the original's outlet
            root = _root(story.duplicates, quote.article_id)
            origin = articles.get(root)
            units.add((origin.outlet if origin else None) or root)
    dates = sorted(v.date for v in variants if v.date)
    speaker = rep.speaker or ""
    return QuoteGroup(
        id=group_id(story_id, speaker, rep.text),
        story_id=story_id,
        speaker=speaker,
        representative=rep.text,
        representative_kind=rep.kind,
        variants=tuple(variants),
        first_date=dates[0] if dates else None,
        last_date=dates[-1] if dates else None,
        outlets=len(units),
        flagged_only=all(v.flagged for v in variants),
    )
