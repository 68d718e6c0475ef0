"""The cited briefing of a story: a few non-redundant claims, in date order, each with its sources.

Selection is maximal marginal relevance over claims: relevance favours claims that several
outlets corroborate, that sit near the centre of the story's vocabulary and near the top of an
article (news puts the event first), and a date not yet covered; redundancy is the claims'
similarity to what is already chosen. Untrusted pages (quality flags ``incoherent``, ``spliced``,
``attribution_mismatch``) are down-weighted, never silently merged with trusted copy.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from storyline.claims.align import find_claims
from storyline.claims.conflicts import find_conflicts, settle_claims
from storyline.claims.params import DEFAULT_PARAMS, ClaimsParams
from storyline.claims.statements import similarity_matrix, statement_terms
from storyline.flagged import flagged_only
from storyline.models import (
    Briefing,
    BriefingSentence,
    Claim,
    CleanArticle,
    Conflict,
    briefing_sources,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Mapping, Sequence

MMR_LAMBDA = 0.7  # relevance vs novelty
UNTRUSTED_WEIGHT = 0.3  # a claim resting only on untrusted pages keeps this share of its score


@dataclass(frozen=True, slots=True)
class SelectionParams:
    """How claims are chosen for a briefing; ``[briefing]`` in defaults.toml sets them."""

    mmr_lambda: float = MMR_LAMBDA
    untrusted_weight: float = UNTRUSTED_WEIGHT
    # a claim this similar to a chosen one is a paraphrase of it and adds nothing
    paraphrase_cut: float = 0.5
    # Chosen on the Timeline17 dev topics (bench/briefing_rouge.py); a broad plateau, not a peak.
    support: float = 0.5  # per log independent outlet; more articles of one outlet add nothing
    central: float = 2.0  # mean similarity to the story's other claims
    centroid: float = 2.0  # TF-IDF cosine to the centroid of all the story's statements
    lead: float = 0.5  # near the top of its article
    question: float = 0.5  # multiplier for questions
    quote: float = 0.7  # multiplier for a bare quote without its speaker
    dangling: float = 0.7  # multiplier for a sentence that leans on the one before ("He said ...")
    novel_date: float = 0.05  # a date the briefing does not cover yet

    @classmethod
    def from_values(cls, briefing: Mapping[str, Any]) -> SelectionParams:
        """Build them from a ``[briefing]`` table (its ``weights`` sub-table holds the rest)."""
        return cls(
            mmr_lambda=float(briefing["mmr_lambda"]),
            untrusted_weight=float(briefing["untrusted_weight"]),
            paraphrase_cut=float(briefing["paraphrase_cut"]),
            **{k: float(v) for k, v in briefing["weights"].items()},
        )


# the packaged defaults, for callers that pass no settings (the values above)
DEFAULT_SELECTION = SelectionParams()


# Openings that point back to a sentence the briefing does not carry.
_DANGLING_RE = re.compile(
    r"\s*(?:he|she|they|it|his|her|their|its|this|these|those|but|and|however|also|yet)\b",
    re.IGNORECASE,
)


def _centroid_scores(claims: Sequence[Claim]) -> np.ndarray:
    """Return each claim's TF-IDF cosine to the centroid of all statements of the story."""
    texts = [t for c in claims for _, t in (c.statements or (("", c.text),))]
    vectorizer = TfidfVectorizer(analyzer=statement_terms, sublinear_tf=True)
    matrix = vectorizer.fit_transform(texts)
    centroid = np.asarray(matrix.mean(axis=0)).ravel()
    norm = np.linalg.norm(centroid) or 1.0
    reps = vectorizer.transform([c.text for c in claims])
    scores = np.asarray(reps @ (centroid / norm)).ravel()
    return scores / (scores.max() or 1.0)


def _relevance(
    claims: Sequence[Claim], sim: np.ndarray, untrusted: Collection[str], w: SelectionParams
) -> np.ndarray:
    """Return each claim's standalone score, before redundancy is taken into account."""
    n = len(claims)
    centrality = sim.mean(axis=1) if n > 1 else np.ones(n)
    centrality = centrality / (centrality.max() or 1.0)
    if w.centroid:
        centrality = centrality + w.centroid * _centroid_scores(claims)
    out = np.zeros(n)
    for i, claim in enumerate(claims):
        trusted = [a for a in claim.article_ids if a not in untrusted]
        support = w.support * math.log1p(claim.support)
        shape = w.question if claim.text.rstrip().endswith("?") else 1.0
        if claim.text.lstrip()[:1] in {'"', "“", "'", "‘"}:
            shape *= w.quote  # a bare quote without its speaker reads badly out of context
        if _DANGLING_RE.match(claim.text):
            shape *= w.dangling  # whom "he" means was in the sentence left behind
        lead = 1.0 - 0.5 * claim.position
        score = (support + w.central * centrality[i] + w.lead * lead) * shape
        out[i] = score * (1.0 if trusted else w.untrusted_weight)
    return out


def _date_of(claim: Claim, dates: Mapping[str, str] | None) -> str | None:
    if dates:
        for key in (claim.id, claim.text):
            if key in dates:
                return dates[key]
    return claim.date


def select_claims(
    claims: Sequence[Claim],
    *,
    max_sentences: int = 8,
    dates: Mapping[str, str] | None = None,
    untrusted: Collection[str] = (),
    mmr_lambda: float | None = None,
    params: SelectionParams = DEFAULT_SELECTION,
) -> list[Claim]:
    """Return up to ``max_sentences`` relevant, mutually non-redundant claims (MMR)."""
    if not claims or max_sentences <= 0:
        return []
    mmr_lambda = params.mmr_lambda if mmr_lambda is None else mmr_lambda
    sim = similarity_matrix([statement_terms(c.text) for c in claims])
    relevance = _relevance(claims, sim, untrusted, params)
    relevance = relevance / (relevance.max() or 1.0)
    chosen: list[int] = []
    covered_dates: set[str] = set()
    candidates = set(range(len(claims)))
    # corroborated claims first (README): single-source ones only fill the slots they leave
    corroborated = {i for i, c in enumerate(claims) if c.kind == "corroborated"}
    while candidates and len(chosen) < max_sentences:
        best, best_score = -1, -math.inf
        for i in sorted(candidates & corroborated or candidates):
            redundancy = max((sim[i, j] for j in chosen), default=0.0)
            date = _date_of(claims[i], dates)
            novelty = params.novel_date if date and date not in covered_dates else 0.0
            score = mmr_lambda * relevance[i] - (1 - mmr_lambda) * redundancy + novelty
            if score > best_score:
                best, best_score = i, score
        candidates.discard(best)
        if max((sim[best, j] for j in chosen), default=0.0) >= params.paraphrase_cut:
            continue  # a paraphrase of a chosen sentence adds nothing
        chosen.append(best)
        if date := _date_of(claims[best], dates):
            covered_dates.add(date)
    return [claims[i] for i in chosen]


def build_briefing(
    articles: Sequence[CleanArticle],
    claims: Sequence[Claim],
    conflicts: Sequence[Conflict] = (),
    *,
    story_id: str,
    max_sentences: int = 8,
    dates: Mapping[str, str] | None = None,
    untrusted: Collection[str] = (),
    params: SelectionParams = DEFAULT_SELECTION,
) -> Briefing:
    """Build the extractive, cited briefing of one story.

    Args:
        articles: the story's articles (for dates, outlets and titles of the citations).
        claims: the story's claims, from ``claims.find_claims``.
        conflicts: the story's conflicts, from ``claims.find_conflicts``.
        story_id: id of the story.
        max_sentences: at most this many sentences.
        dates: claim id (or claim text) -> ISO date, when a timeline stage knows it better.
        untrusted: ids of pages whose copy is not trustworthy; their claims are down-weighted.
        params: the selection's weights (the ``[briefing]`` settings).

    Returns:
        The briefing: chronological where dates are known, every sentence cited.
    """
    by_id = {a.id: a for a in articles}
    claims = settle_claims(claims, conflicts)
    picked = select_claims(
        claims, max_sentences=max_sentences, dates=dates, untrusted=untrusted, params=params
    )
    conflicting = {cid for c in conflicts for cid in c.claim_ids}

    def published(claim: Claim) -> str:
        days = [by_id[a].published or "" for a in claim.article_ids if a in by_id]
        return min((d for d in days if d), default="9999")

    # Order by the event's date, else by the first report's date; ties keep selection order.
    ordered = sorted(
        enumerate(picked), key=lambda p: ((_date_of(p[1], dates) or published(p[1]))[:10], p[0])
    )
    sentences = []
    for _, claim in ordered:
        citations = tuple(
            sorted(
                claim.article_ids,
                key=lambda a: (a in untrusted, (by_id[a].published or "") if a in by_id else "", a),
            )
        )
        sentences.append(
            BriefingSentence(
                text=claim.text,
                citations=citations,
                date=_date_of(claim, dates),
                corroboration="conflicting" if claim.id in conflicting else claim.kind,
                claim_id=claim.id,
                flagged_only=flagged_only(citations, untrusted),
                wording_differs=claim.wording_differs,
            )
        )
    cited = dict.fromkeys(a for s in sentences for a in s.citations)
    listed = briefing_sources(sentences, conflicts)
    titles = tuple(
        (a, (by_id[a].source or "") if a in by_id else "", by_id[a].title if a in by_id else "")
        for a in listed
    )
    return Briefing(
        story_id=story_id,
        sentences=tuple(sentences),
        conflicts=tuple(conflicts),
        titles=titles,
        all_flagged=flagged_only(cited, untrusted),
        flagged=tuple(a for a in listed if a in untrusted),
    )


def brief_story(
    articles: Sequence[CleanArticle],
    *,
    story_id: str,
    duplicates: Mapping[str, str] | None = None,
    untrusted: Collection[str] = (),
    max_sentences: int = 8,
    dates: Mapping[str, str] | None = None,
    claims_params: ClaimsParams = DEFAULT_PARAMS,
    params: SelectionParams = DEFAULT_SELECTION,
) -> Briefing:
    """Return the briefing of one story's articles: claims, conflicts, then the selection.

    ``claims_params`` and ``params`` are the ``[claims]`` and ``[briefing]`` settings.

    >>> brief_story([], story_id="s").sentences
    ()
    """
    claims = find_claims(
        articles,
        story_id=story_id,
        duplicates=duplicates,
        untrusted=untrusted,
        params=claims_params,
    )
    conflicts = find_conflicts(
        claims, articles, story_id=story_id, duplicates=duplicates, params=claims_params
    )
    return build_briefing(
        articles,
        claims,
        conflicts,
        story_id=story_id,
        max_sentences=max_sentences,
        dates=dates,
        untrusted=untrusted,
        params=params,
    )


def _conflict_json(conflict: Conflict) -> dict[str, Any]:
    return {
        "id": conflict.id,
        "kind": conflict.kind,
        "subject": conflict.subject,
        "values": [{"value": v, "article_ids": list(ids)} for v, ids in conflict.values],
        "claim_ids": list(conflict.claim_ids),
    }


def to_json(briefing: Briefing) -> dict[str, Any]:
    """Return the briefing as the JSON object of the CLI's ``brief --format json``."""
    return {
        "story_id": briefing.story_id,
        "sentences": [
            {
                "text": s.text,
                "citations": list(s.citations),
                "date": s.date,
                "corroboration": s.corroboration,
                "flagged_only": s.flagged_only,
                "wording_differs": s.wording_differs,
            }
            for s in briefing.sentences
        ],
        "conflicts": [_conflict_json(c) for c in briefing.conflicts],
        "mode": briefing.mode,
        **({"note": briefing.note} if briefing.note else {}),
        "all_flagged": briefing.all_flagged,
        **({"warning": ALL_FLAGGED_WARNING} if briefing.all_flagged else {}),
        **({"flagged": list(briefing.flagged)} if briefing.flagged else {}),
    }


def _numbering(briefing: Briefing) -> dict[str, int]:
    return {a: i for i, (a, _, _) in enumerate(briefing.titles, start=1)}


_MARK = {"single_source": "single source", "conflicting": "conflicting", "corroborated": ""}
ALL_FLAGGED_WARNING = (
    "Every source of this briefing is a page flagged as untrustworthy copy "
    "(incoherent, spliced or misattributed): read it with care."
)
FLAGGED_MARK = "flagged copy"
# The sentence is one outlet's wording: another cited outlet quotes the words otherwise or
# reports them unquoted (``Claim.wording_differs``).
WORDING_MARK = "wording differs between outlets"


def _marks(sentence: BriefingSentence) -> list[str]:
    """Return the marks of a sentence: its corroboration, flagged copy alone, wording differs."""
    return (
        [m for m in (_MARK[sentence.corroboration],) if m]
        + ([FLAGGED_MARK] if sentence.flagged_only else [])
        + ([WORDING_MARK] if sentence.wording_differs else [])
    )


def _describe(conflict: Conflict, numbers: Mapping[str, int], esc: Callable[[str], str]) -> str:
    """Return one conflict as text: each value with its citations; ``esc`` escapes article text."""
    parts = [
        f"{esc(value)} ({', '.join(f'[{numbers[a]}]' if a in numbers else esc(a) for a in ids)})"
        for value, ids in conflict.values
    ]
    return f"{conflict.kind} — {esc(conflict.subject)}: " + " vs ".join(parts)


def _md(text: str) -> str:
    """Escape what a Markdown renderer would turn into HTML or links: article text is untrusted."""
    return html.escape(text, quote=False).replace("[", "\\[").replace("]", "\\]")


# the mark of a cited page flagged as untrustworthy copy, in every rendering of a briefing
FLAGGED_SOURCE = "flagged copy: untrustworthy page"


def _flag_md(briefing: Briefing, article_id: str) -> str:
    return f" _({FLAGGED_SOURCE})_" if article_id in briefing.flagged else ""


def render_markdown(briefing: Briefing) -> str:
    """Return the briefing as Markdown: numbered citations and a numbered source list."""
    numbers = _numbering(briefing)
    lines = [f"## Briefing: {_md(briefing.story_id)}", ""]
    if briefing.all_flagged:
        lines += [f"> **{ALL_FLAGGED_WARNING}**", ""]
    for s in briefing.sentences:
        refs = "".join(f"[{numbers[a]}]" for a in s.citations)
        date = f"**{s.date}** " if s.date else ""
        mark = f" _({', '.join(_marks(s))})_" if _marks(s) else ""
        lines.append(f"- {date}{_md(s.text)} {refs}{mark}")
    if briefing.conflicts:
        lines += ["", "### Where the sources differ", ""]
        lines += [f"- {_describe(c, numbers, _md)}" for c in briefing.conflicts]
    lines += ["", "### Sources", ""]
    lines += [
        f"{numbers[a]}. {_md(outlet or 'unknown outlet')}, {_md(title or a)}{_flag_md(briefing, a)}"
        for a, outlet, title in briefing.titles
    ]
    return "\n".join(lines) + "\n"


def render_html(briefing: Briefing) -> str:
    """Return the briefing as an HTML fragment; all article text is escaped (it is untrusted)."""
    esc = html.escape
    numbers = _numbering(briefing)
    out = [f'<section class="briefing" data-story="{esc(briefing.story_id)}">']
    if briefing.all_flagged:
        out.append(f'<p class="all-flagged" role="alert">{esc(ALL_FLAGGED_WARNING)}</p>')
    out.append("<ol>")
    for s in briefing.sentences:
        refs = "".join(f'<a href="#src-{numbers[a]}">[{numbers[a]}]</a>' for a in s.citations)
        date = f"<time>{esc(s.date)}</time> " if s.date else ""
        mark = ", ".join(_marks(s))
        flag = f' <em class="{esc(s.corroboration)}">({esc(mark)})</em>' if mark else ""
        kind = f"{s.corroboration} flagged" if s.flagged_only else s.corroboration
        out.append(f'<li class="{esc(kind)}">{date}{esc(s.text)} {refs}{flag}</li>')
    out.append("</ol>")
    if briefing.conflicts:
        out.append("<h3>Where the sources differ</h3><ul>")
        out += [f"<li>{_describe(c, numbers, esc)}</li>" for c in briefing.conflicts]
        out.append("</ul>")
    out.append("<h3>Sources</h3><ol>")
    for a, outlet, title in briefing.titles:
        source = f"{esc(outlet or 'unknown outlet')}, {esc(title or a)}"
        if a in briefing.flagged:
            source = f'{source} <em class="flagged">({esc(FLAGGED_SOURCE)})</em>'
        out.append(f'<li id="src-{numbers[a]}">{source}</li>')
    out.append("</ol></section>")
    return "\n".join(out) + "\n"
