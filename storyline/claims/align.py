"""Claims: each article's statements, and the same statement aligned across articles.

Each article is split into sentences (a cheap regex splitter), each sentence becomes a bag of
stemmed content words, names and numbers, and sentences of different articles that share enough
IDF-weighted vocabulary are grouped into one claim (star clustering: no single-link chains). The
overlap score mixes the overlap coefficient (paraphrase-tolerant when one sentence is long) with
Dice (so that two long sentences sharing one phrase do not merge).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from storyline.claims.extracted import Extracted
from storyline.claims.params import DEFAULT_PARAMS, ClaimsParams
from storyline.claims.statements import (
    MAX_WORDS,
    MIN_WORDS,
    find_quantities,
    similarity_matrix,
    statement_terms,
    supports,
)
from storyline.models import Claim, CleanArticle
from storyline.text.sentences import sentence_spans

if TYPE_CHECKING:
    from collections.abc import Collection, Mapping, Sequence


@dataclass(frozen=True, slots=True)
class _Statement:
    article_id: str
    text: str
    terms: tuple[str, ...]
    position: float
    date: str | None
    quantities: tuple[tuple[str, str], ...]  # (thing, value)
    quotes: tuple[str, ...]  # the article's quotes the statement holds


def _statements(article: CleanArticle, extracted: Extracted) -> list[_Statement]:
    """Split one article into statements, each with its first full date, counts and quotes.

    A sentence the article repeats (a comment quoting the post, a standfirst restated) is one
    statement: same-article statements never align, so a repeat would be a second claim.
    """
    text = article.text
    spans = sentence_spans(text)
    out = []
    said: set[str] = set()
    for index, (start, end) in enumerate(spans):
        sentence = " ".join(text[start:end].split())
        words = sentence.split()
        terms = statement_terms(sentence)
        # its letters and digits alone: case, quote marks and apostrophes vary between repeats
        key = "".join(_WORDS_RE.findall(sentence.casefold()))
        if not MIN_WORDS <= len(words) <= MAX_WORDS or len(terms) < 3 or key in said:
            continue
        said.add(key)
        date = next((day for at, day in extracted.days if start <= at < end), None)
        out.append(
            _Statement(
                article_id=article.id,
                text=sentence,
                terms=tuple(terms),
                position=index / max(1, len(spans)),
                date=date,
                quantities=tuple(find_quantities(sentence)),
                quotes=tuple(extracted.quotes_in(sentence)),
            )
        )
    return out


def _of(article: CleanArticle, extracted: Mapping[str, Extracted] | None) -> Extracted:
    """Return what was stored about an article (nothing when it is missing), or find it."""
    if extracted is None:
        return Extracted.found_in(article)
    return extracted.get(article.id) or Extracted(article.id, (), ())


def _root(duplicates: Mapping[str, str], article_id: str) -> str:
    seen = {article_id}
    while (nxt := duplicates.get(article_id)) is not None and nxt not in seen:
        seen.add(nxt)
        article_id = nxt
    return article_id


def _unit(article: CleanArticle | None, article_id: str, duplicates: Mapping[str, str]) -> str:
    """Return what counts once: the outlet, else the original of a copy."""
    if article is not None and article.source:
        return article.source.strip().casefold()
    return _root(duplicates, article_id)


def _claim_id(story_id: str, text: str) -> str:
    digest = hashlib.sha256(f"{story_id}\n{text}".encode()).hexdigest()[:12]
    return f"{story_id}:c{digest}"


def find_claims(
    articles: Sequence[CleanArticle],
    *,
    story_id: str,
    duplicates: Mapping[str, str] | None = None,
    untrusted: Collection[str] = (),
    threshold: float | None = None,
    quote_groups: Mapping[str, Sequence[str]] | None = None,
    params: ClaimsParams = DEFAULT_PARAMS,
    extracted: Mapping[str, Extracted] | None = None,
) -> list[Claim]:
    """Split a story's articles into statements and align the same statement across articles.

    Args:
        articles: the story's articles.
        story_id: id of the story the claims belong to.
        duplicates: copy id -> original id; a copy counts once with its original per outlet.
        untrusted: ids of pages whose copy is not trustworthy; they support no corroboration.
        threshold: minimum similarity for two statements to state the same thing (None:
            ``params.align_threshold``).
        quote_groups: the story's stored quote groups (group id -> its variants' wordings);
            statements of two articles quoting one group report one statement, however
            differently it was translated (the same test as the quote conflicts').
        params: the ``[claims]`` settings (alignment threshold, statements per story).
        extracted: article id -> its stored days and quotes (``Extracted.of``); an article
            missing from it had none stored. None: found in the texts (``Extracted.found_in``).

    Returns:
        Claims, best supported first.
    """
    duplicates = duplicates or {}
    threshold = params.align_threshold if threshold is None else threshold
    by_id = {a.id: a for a in articles}
    statements = [s for article in articles for s in _statements(article, _of(article, extracted))]
    if not statements:
        return []
    if len(statements) > params.max_statements:
        # alignment is a dense n x n comparison: a very large story keeps its articles' leads
        keep = sorted(range(len(statements)), key=lambda i: (statements[i].position, i))
        statements = [statements[i] for i in sorted(keep[: params.max_statements])]
    sim = similarity_matrix([s.terms for s in statements])
    owners = np.array([s.article_id for s in statements])
    same_article = owners[:, np.newaxis] == owners[np.newaxis, :]
    # overlap is not support: a linked pair sharing only names and numbers, or differing in a
    # negation or a modal on a shared word, states two things (checked on the linked pairs
    # only: the check reads the sentences, the matrix is n x n)
    for i, j in zip(*np.nonzero(np.triu((sim >= threshold) & ~same_article, 1)), strict=True):
        if not supports(statements[i].text, statements[j].text):
            sim[i, j] = sim[j, i] = 0.0
    if quote_groups:
        # one quote group (one statement by one speaker) quoted by both: the same claim
        shared, apart = _shared_groups([s.quotes for s in statements], quote_groups)
        sim = np.where(shared, np.maximum(sim, threshold), sim)
        # both quote someone, never the same statement: shared topic words do not make one
        # claim (its representative would give one outlet's quoted words to the other)
        sim = np.where(apart, 0.0, sim)
    linked = (sim >= threshold) & ~same_article
    degree = linked.sum(axis=1)
    order = sorted(range(len(statements)), key=lambda i: (-degree[i], statements[i].position, i))
    assigned = np.zeros(len(statements), dtype=bool)
    claims = []
    for seed in order:
        if assigned[seed]:
            continue
        members = [seed, *(int(j) for j in np.flatnonzero(linked[seed] & ~assigned))]
        # one statement per article: the closest to the seed
        best: dict[str, int] = {}
        for j in members:
            aid = statements[j].article_id
            if aid not in best or sim[seed, j] > sim[seed, best[aid]]:
                best[aid] = j
        chosen = sorted(set(best.values()))
        assigned[members] = True
        claims.append(
            _make_claim(
                story_id,
                [statements[j] for j in chosen],
                by_id=by_id,
                duplicates=duplicates,
                untrusted=untrusted,
                sim=sim[np.ix_(chosen, chosen)],
            )
        )
    claims.sort(key=lambda c: (-c.support, -len(c.article_ids), c.position, c.id))
    return claims


def _make_claim(
    story_id: str,
    members: list[_Statement],
    *,
    by_id: Mapping[str, CleanArticle],
    duplicates: Mapping[str, str],
    untrusted: Collection[str],
    sim: np.ndarray,
) -> Claim:
    """Build one claim from aligned statements; the representative is the trusted medoid."""
    centrality = sim.sum(axis=1) if len(members) > 1 else np.zeros(1)
    rep = max(
        range(len(members)),
        key=lambda i: (members[i].article_id not in untrusted, centrality[i], -members[i].position),
    )
    article_ids = tuple(dict.fromkeys(m.article_id for m in members))
    units: dict[str, str] = {}
    for aid in article_ids:
        units.setdefault(_unit(by_id.get(aid), aid, duplicates), aid)
    trusted_units = {
        _unit(by_id.get(aid), aid, duplicates) for aid in article_ids if aid not in untrusted
    }
    sources = tuple(
        sorted(
            (by_id[aid].source or aid)
            if aid in by_id and by_id[aid].source
            else _root(duplicates, aid)
            for aid in units.values()
        )
    )
    dates = Counter(m.date for m in members if m.date)
    date = min(dates, key=lambda d: (-dates[d], d)) if dates else None
    return Claim(
        id=_claim_id(story_id, members[rep].text),
        story_id=story_id,
        text=members[rep].text,
        article_ids=article_ids,
        sources=sources,
        kind="corroborated" if len(trusted_units) >= 2 else "single_source",
        support=len(trusted_units),
        statements=tuple((m.article_id, m.text) for m in members),
        numbers=tuple(
            (m.article_id, thing, value) for m in members for thing, value in m.quantities
        ),
        date=date,
        position=min(m.position for m in members),
        wording_differs=_wording_differs(members),
    )


def _wording_differs(members: Sequence[_Statement]) -> bool:
    """Return True when one article's quoted words are not what another article wrote.

    Two outlets quoting one statement in different words (two translations, a paraphrase of
    the other's quote) make one claim; its text is then one outlet's wording. A quote another
    article holds word for word (as its own quote, or a longer or shorter cut of it, or in its
    statement) is the same words, whatever else either sentence says and whatever the house
    style ("U.S."/"US", "5,000"/"5000", accents): a quote cut ("…") or with words put in
    ("[the ministry]") is its pieces, each held in order; two cuts of one quote are the same
    words when a fuller wording of the claim holds both.
    """
    said = {id(m): [_pieces(m.text), *(_pieces(q) for q in m.quotes)] for m in members}
    fullest = [w for m in members for w in said[id(m)]]
    for a in members:
        for b in members:
            if a.article_id == b.article_id:
                continue
            theirs = said[id(b)]
            for quote in a.quotes:
                mine = _pieces(quote)
                if not mine or any(_same_words(mine, other) for other in theirs):
                    continue
                # two cuts of one quote ("A B …" and "[X] B C"): both held by a fuller wording
                if not any(
                    _held(mine, w) and any(_held(other, w) for other in theirs[1:]) for w in fullest
                ):
                    return True
    return False


_WORDS_RE = re.compile(r"\w+")
# "U.S." is "US", "5,000" is "5000": house styles differ in the marks inside a word
_INNER_MARK_RE = re.compile(r"(?<=\w)[.,](?=\w)")
# where a quote was cut ("…", "...") or a word put in ("[the ministry]"): the pieces between
# are the speaker's words
_CUT_RE = re.compile(r"…|\.\.\.|\[[^\]]*\]")


def _normal(text: str) -> str:
    """Return a wording's words as compared: accents and a house style's inner marks dropped."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(_WORDS_RE.findall(_INNER_MARK_RE.sub("", plain).casefold()))


def _pieces(text: str) -> list[str]:
    """Return a wording's pieces between its cuts and insertions, each ``_normal``."""
    return [words for piece in _CUT_RE.split(text) if (words := _normal(piece))]


def _same_words(mine: Sequence[str], theirs: Sequence[str]) -> bool:
    """Return True when one wording's pieces are held, in order, by the other's words."""
    return _held(mine, theirs) or _held(theirs, mine)


def _held(pieces: Sequence[str], wording: Sequence[str]) -> bool:
    """Return True when ``wording`` (its pieces joined) holds every piece, in order."""
    return bool(pieces and wording) and _in_order(pieces, " ".join(wording))


def _in_order(pieces: Sequence[str], words: str) -> bool:
    """Return True when every piece is in ``words``, word for word, each after the last."""
    padded, at = f" {words} ", 0
    for piece in pieces:
        found = padded.find(f" {piece} ", at)
        if found < 0:
            return False
        at = found + len(piece) + 1
    return True


def _holds(words: str, other: str) -> bool:
    """Return True when one of two normalised wordings holds the other, word for word."""
    return bool(words and other) and (f" {words} " in f" {other} " or f" {other} " in f" {words} ")


def _group_of(quote: str, quote_groups: Mapping[str, Sequence[str]]) -> str | None:
    """Return the quote group one of whose wordings holds ``quote`` (or it holds), else None."""
    words = _normal(quote)
    for group_id, wordings in sorted(quote_groups.items()):
        if any(_holds(words, _normal(wording)) for wording in wordings):
            return group_id
    return None


def groups_of(quotes: Sequence[str], quote_groups: Mapping[str, Sequence[str]]) -> list[str | None]:
    """Return ``_group_of`` each quote, the groups' wordings normalised once for all of them.

    One long article holds thousands of quotes: normalising every wording again per quote
    cost more than its parse.
    """
    ordered = sorted(normal_wordings(quote_groups).items())
    seen: dict[str, str | None] = {}
    out: list[str | None] = []
    for quote in quotes:
        if quote not in seen:
            words = _normal(quote)
            padded = f" {words} "
            seen[quote] = next(
                (
                    group_id
                    for group_id, wordings in ordered
                    if words and any(w in padded or padded in w for w in wordings)
                ),
                None,
            )
        out.append(seen[quote])
    return out


def groups_quoted(
    quotes: Sequence[str],
    quote_groups: Mapping[str, Sequence[str]],
    normals: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, tuple[str, ...]]:
    """Return the quote groups (in their order) that ``_group_of`` may read one of ``quotes`` as.

    ``_group_of`` of any of these quotes is the same over these groups as over all of them:
    a story's task needs no more, and another group's change leaves its briefing standing.
    ``normals`` is ``normal_wordings(quote_groups)``, for a caller that asks again.
    """
    said = [f" {words} " for words in {_normal(q) for q in quotes} - {""}]
    normals = normal_wordings(quote_groups) if normals is None else normals
    return {
        group_id: tuple(wordings)
        for group_id, wordings in quote_groups.items()
        if any(w in q or q in w for w in normals[group_id] for q in said)
    }


def normal_wordings(quote_groups: Mapping[str, Sequence[str]]) -> dict[str, tuple[str, ...]]:
    """Return each group's wordings normalised and padded as ``_holds`` compares them."""
    return {
        group_id: tuple(f" {n} " for w in wordings if (n := _normal(w)))
        for group_id, wordings in quote_groups.items()
    }


def _shared_groups(
    quotes: Sequence[Sequence[str]], quote_groups: Mapping[str, Sequence[str]]
) -> tuple[np.ndarray, np.ndarray]:
    """Return the pairs of statements that quote one group, and those quoting only others.

    A statement's groups are ``_group_of`` its quotes; the second mask holds the pairs where
    both statements quote a group but none in common.
    """
    flat = groups_of([q for held in quotes for q in held], quote_groups)
    found, at = [], 0
    for held in quotes:
        found.append({g for g in flat[at : at + len(held)] if g})
        at += len(held)
    index: dict[str, list[int]] = defaultdict(list)
    for i, groups in enumerate(found):
        for group_id in groups:
            index[group_id].append(i)
    shared = np.zeros((len(quotes), len(quotes)), dtype=bool)
    for members in index.values():
        shared[np.ix_(members, members)] = True
    quoting = np.array([bool(groups) for groups in found])
    return shared, quoting[:, np.newaxis] & quoting[np.newaxis, :] & ~shared
