"""Where the claims of a story differ: numbers, tolls, disputed figures, dates and quotes."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from storyline.claims.align import _unit, groups_of
from storyline.claims.cross_pairs import cross_pairs
from storyline.claims.extracted import anchor as _anchor
from storyline.claims.extracted import marked_quotes
from storyline.claims.params import DEFAULT_PARAMS, ClaimsParams
from storyline.claims.statements import (
    contradict,
    find_quantities,
    statement_terms,
)
from storyline.models import Conflict
from storyline.text.calendar import MONTH_NAME_PATTERN, MONTH_NAMES
from storyline.text.sentences import sentence_spans
from storyline.text.words import stem

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable, Mapping, Sequence

    from storyline.claims.extracted import Extracted
    from storyline.models import Claim, CleanArticle, ConflictKind

_MONTH = MONTH_NAME_PATTERN
_DAY_MONTH_RE = re.compile(rf"\b\d{{1,2}} (?:{_MONTH})\b|\b(?:{_MONTH}) \d{{1,2}}\b")


def _days_apart(a: CleanArticle | None, b: CleanArticle | None) -> int | None:
    da, db = (_anchor(x) if x else None for x in (a, b))
    return abs((da - db).days) if da and db else None


def find_conflicts(
    claims: Sequence[Claim],
    articles: Sequence[CleanArticle] = (),
    *,
    story_id: str | None = None,
    duplicates: Mapping[str, str] | None = None,
    threshold: float | None = None,
    max_days: int | None = None,
    quote_groups: Mapping[str, Sequence[str]] | None = None,
    params: ClaimsParams = DEFAULT_PARAMS,
    extracted: Mapping[str, Extracted] | None = None,
) -> list[Conflict]:
    """Find numbers that disagree for one counted thing, and dates that disagree for one event.

    Two statements from different outlets conflict when they are close (the same claim, or a
    similarity of at least ``threshold``), count the same thing, and give different values; a
    later report of a higher toll (pages more than ``max_days`` apart) is an update, not a
    conflict. With ``quote_groups`` (group id -> its variants' wordings, from
    ``quote_groups.group_quotes``), two quotes conflict only when they are variants of one
    group: one statement by one speaker; without, when their words are close. ``threshold``
    and ``max_days`` default to ``params`` (the ``[claims]`` settings), as do the quote and toll
    bounds. A statement's quotes are its article's stored ones (``extracted``, as given to
    ``find_claims``); None: the stretches between its quote marks.
    """
    duplicates = duplicates or {}
    threshold = params.conflict_threshold if threshold is None else threshold
    max_days = params.max_days if max_days is None else max_days
    by_id = {a.id: a for a in articles}
    # Only statements that count something can conflict on a number: compare those alone.
    rows = [
        (claim, aid, text, found)
        for claim in claims
        for aid, text in claim.statements or ((claim.article_ids[0], claim.text),)
        if (found := dict(find_quantities(text)))
    ]
    counts = [found for *_, found in rows]
    groups: dict[tuple[str, frozenset[str]], dict[str, set[str]]] = {}
    claim_sets: dict[tuple[str, frozenset[str]], set[str]] = defaultdict(set)
    # Pairs of one unit never conflict, and only one claim or a close pair is compared.
    pairs = cross_pairs(
        [statement_terms(text) for _, _, text, _ in rows],
        [_unit(by_id.get(aid), aid, duplicates) for _, aid, _, _ in rows],
        threshold,
        keys=[claim.id for claim, *_ in rows],
        chunk_rows=params.pair_chunk_rows,
    )
    for i, j, _ in pairs:
        (ci, ai, _, _), (cj, aj, _, _) = rows[i], rows[j]
        apart = _days_apart(by_id.get(ai), by_id.get(aj))
        if apart is not None and apart > max_days:
            continue
        for thing in sorted(counts[i].keys() & counts[j].keys()):
            if counts[i][thing] == counts[j][thing]:
                continue
            key = (thing, frozenset({ci.id, cj.id}))
            values = groups.setdefault(key, {})
            values.setdefault(counts[i][thing], set()).add(ai)
            values.setdefault(counts[j][thing], set()).add(aj)
            claim_sets[key].update({ci.id, cj.id})
    sid = story_id or (claims[0].story_id if claims else "")
    out = [
        _conflict(sid, "number", key[0], values, tuple(sorted(claim_sets[key])))
        for key, values in groups.items()
    ]
    out.extend(_toll_conflicts(claims, articles, sid, duplicates, params))
    out.extend(_disputed_figures(claims, articles, sid))
    days_in = _written_days if extracted is None else _StoredDays(by_id, extracted).days_in
    out.extend(_date_conflicts(claims, story_id, days_in))
    out.extend(
        _quote_conflicts(
            claims,
            story_id,
            by_id=by_id,
            duplicates=duplicates,
            quote_groups=quote_groups,
            params=params,
            extracted=extracted,
        )
    )
    return _merge(out)


def _conflict(
    story_id: str,
    kind: ConflictKind,
    subject: str,
    values: Mapping[str, set[str]],
    claim_ids: tuple[str, ...],
) -> Conflict:
    pairs = tuple(sorted((v, tuple(sorted(ids))) for v, ids in values.items()))
    digest = hashlib.sha256(repr((story_id, kind, subject, pairs)).encode()).hexdigest()[:12]
    return Conflict(
        id=f"{story_id}:x{digest}",
        story_id=story_id,
        kind=kind,
        subject=subject,
        values=pairs,
        claim_ids=claim_ids,
    )


def _quote_conflicts(
    claims: Sequence[Claim],
    story_id: str | None,
    *,
    by_id: Mapping[str, CleanArticle],
    duplicates: Mapping[str, str],
    quote_groups: Mapping[str, Sequence[str]] | None = None,
    params: ClaimsParams,
    extracted: Mapping[str, Extracted] | None = None,
) -> list[Conflict]:
    """Return one quote worded differently by different outlets (close, but not the same words)."""

    def quotes(aid: str, text: str) -> list[str]:
        if extracted is None:
            return marked_quotes(text)
        found = extracted.get(aid)
        return found.quotes_in(text) if found is not None else []

    rows = [
        (claim, aid, quote)
        for claim in claims
        for aid, text in claim.statements or ((claim.article_ids[0], claim.text),)
        for quote in quotes(aid, text)
    ]
    terms = [statement_terms(q) for _, _, q in rows]
    group_of = None if quote_groups is None else groups_of([q for _, _, q in rows], quote_groups)
    # Two quotes of one unit never conflict. With groups, only variants of one group (one
    # statement by one speaker) can contradict: no similarity is asked for ("inf").
    pairs = cross_pairs(
        terms,
        [_unit(by_id.get(aid), aid, duplicates) for _, aid, _ in rows],
        params.quote_threshold if group_of is None else float("inf"),
        keys=group_of,
        chunk_rows=params.pair_chunk_rows,
    )
    out = []
    for i, j, _ in pairs:
        (ci, ai, qi), (cj, aj, qj) = rows[i], rows[j]
        if group_of is None and len(set(terms[i]) & set(terms[j])) < params.quote_min_shared:
            continue  # one rare word in common ("families") is not one quote reworded
        if not contradict(qi, qj, set(terms[i]) & set(terms[j])):
            continue  # two renderings of one position (a translation, a paraphrase) agree
        values = {qi: {ai}, qj: {aj}}
        claim_ids = tuple(sorted({ci.id, cj.id}))
        out.append(_conflict(story_id or ci.story_id, "quote", qi[:80], values, claim_ids))
    return out


# A toll is an article's headline figure: the first count of dead or injured in its lead.
_TOLLS = ("killed", "injured")


def _lead_tolls(article: CleanArticle, lead: int) -> dict[str, tuple[str, str]]:
    """Return the first (value, sentence) per toll in the first ``lead`` sentences."""
    found: dict[str, tuple[str, str]] = {}
    for start, end in sentence_spans(article.text)[:lead]:
        sentence = " ".join(article.text[start:end].split())
        for thing, value in find_quantities(sentence):
            if thing in _TOLLS and thing not in found:
                found[thing] = (value, sentence)
    return found


def _toll_conflicts(
    claims: Sequence[Claim],
    articles: Sequence[CleanArticle],
    story_id: str,
    duplicates: Mapping[str, str],
    params: ClaimsParams,
) -> list[Conflict]:
    """Return the tolls that outlets of one story give differently within a week.

    Two leads that count the dead differently report one disaster even when their sentences
    share no words ("Fourteen people have been killed" vs "puts the number of dead at 12"). A
    higher toll published later is an update, not a disagreement; a lower one is.
    """
    by_text = {text: claim.id for claim in claims for _, text in claim.statements}
    leads: dict[str, list[_Toll]] = defaultdict(list)
    for article in articles:
        for thing, (value, sentence) in _lead_tolls(article, params.lead_sentences).items():
            unit = _unit(article, article.id, duplicates)
            leads[thing].append(_Toll(unit, article.id, value, _anchor(article), sentence))
    out = []
    for thing, tolls in leads.items():
        values: dict[str, set[str]] = defaultdict(set)
        claim_ids: set[str] = set()
        for i, a in enumerate(tolls):
            for b in tolls[i + 1 :]:
                if (
                    a.unit == b.unit
                    or a.value == b.value
                    or not _disagree(a, b, params.toll_window_days)
                ):
                    continue
                for toll in (a, b):
                    values[toll.value].add(toll.article_id)
                    if toll.sentence in by_text:
                        claim_ids.add(by_text[toll.sentence])
        if len(values) >= 2:
            out.append(_conflict(story_id, "number", thing, values, tuple(sorted(claim_ids))))
    return out


# "The company put the figure at about 2,600": a second party's number for what came before.
_DISPUTE_RE = re.compile(
    r"\b(?:put|puts|putting|estimated|estimates|gave|gives|placed|places)\s+"
    r"(?:the|its|their|that)\s+(?:figure|number|total|count|tally)"
    r"(?:\s+of\s+(?P<thing>[a-z]+))?\s+at\s+(?:about\s+|around\s+|roughly\s+|some\s+|"
    r"only\s+|just\s+|nearly\s+|almost\s+)?(?P<num>\d[\d,]*)\b",
    re.IGNORECASE,
)
# "3,400 of the 3,900 staff": the part is the figure a later sentence disputes.
_PART_RE = re.compile(r"\b(\d[\d,]*)\s+of\s+(?:the|its|their)\s+\d[\d,]*\s+([a-z]+)")


def _disputed_figures(
    claims: Sequence[Claim], articles: Sequence[CleanArticle], story_id: str
) -> list[Conflict]:
    """Return figures one article gives from two parties ("X says 3,400 ... Y put it at 2,600").

    The disputing sentence names what it counts ("the number of protesters") or points back at
    the previous sentence's count, whose part of a whole ("3,400 of the 3,900 staff") is the
    figure in question.
    """
    by_text = {text: claim.id for claim in claims for _, text in claim.statements}
    out = []
    for article in articles:
        sentences = [" ".join(article.text[a:b].split()) for a, b in sentence_spans(article.text)]
        for k, sentence in enumerate(sentences):
            for match in _DISPUTE_RE.finditer(sentence):
                claimed = _disputed(match, sentence, sentences[k - 1] if k else "")
                if claimed is None:
                    continue
                thing, first, first_sentence = claimed
                second = match.group("num").replace(",", "")
                if first == second:
                    continue
                values = {first: {article.id}, second: {article.id}}
                ids = tuple(
                    sorted({by_text[t] for t in (first_sentence, sentence) if t in by_text})
                )
                out.append(_conflict(story_id, "number", thing, values, ids))
    return out


def _disputed(match: re.Match[str], sentence: str, previous: str) -> tuple[str, str, str] | None:
    """Return (thing, first figure, its sentence) that a disputing figure answers, if any."""
    thing = match.group("thing")
    # the words before the disputing figure, then the sentence before: (where to look, source)
    places = ((sentence[: match.start()], sentence), (previous, previous))
    for text, source in places:
        if thing:
            value = dict(find_quantities(text)).get(stem(thing))
            if value is not None:
                return stem(thing), value, source
        elif part := _PART_RE.search(text):
            return stem(part.group(2)), part.group(1).replace(",", ""), source
    return None


@dataclass(frozen=True, slots=True)
class _Toll:
    unit: str  # the outlet, or the original of a copy
    article_id: str
    value: str
    published: dt.date | None
    sentence: str


def _disagree(a: _Toll, b: _Toll, window_days: int) -> bool:
    """Return True when two tolls cannot both be right: not an update published later."""
    if a.published is None or b.published is None:
        return True
    apart = (b.published - a.published).days
    if abs(apart) > window_days:
        return False
    # Same day: two figures disagree. Later and higher: the toll rose. Later and lower: conflict.
    higher = float(b.value.split()[0]) > float(a.value.split()[0])
    return apart == 0 or (apart > 0) != higher


def _date_conflicts(
    claims: Sequence[Claim], story_id: str | None, days_in: Callable[[str, str], list[str]]
) -> list[Conflict]:
    """Return claims whose statements date one event differently and share no date.

    ``days_in(article_id, statement)`` gives the days a statement names, as "30 September".
    """
    out = []
    for claim in claims:
        if len(claim.statements) < 2:
            continue
        dated: dict[str, set[str]] = defaultdict(set)
        for aid, text in claim.statements:
            for value in days_in(aid, text):
                dated[value].add(aid)
        if len(dated) < 2:
            continue
        per_article: dict[str, set[str]] = defaultdict(set)
        for value, ids in dated.items():
            for aid in ids:
                per_article[aid].add(value)
        if len(per_article) >= 2 and not set.intersection(*per_article.values()):
            out.append(
                _conflict(story_id or claim.story_id, "date", claim.text[:80], dated, (claim.id,))
            )
    return out


def _written_days(_article_id: str, text: str) -> list[str]:
    """Return the days a statement writes as day and month (no store: the fallback)."""
    return [_day_month(value) for value in _DAY_MONTH_RE.findall(text)]


def _day_month(value: str) -> str:
    """Return "30 September" for both "30 September" and "September 30"."""
    parts = value.split()
    return f"{int(parts[1])} {parts[0]}" if parts[0][0].isalpha() else f"{int(parts[0])} {parts[1]}"


class _StoredDays:
    """The days each statement names, read from its article's stored time expressions.

    A statement is one sentence of its article with spaces folded (``align._statements``);
    its days are those of the stored DATE timexes that start inside that sentence and write
    their day's number (``Extracted.written``), named by day and month as the fallback names
    them (a year apart is no conflict, as before).
    """

    def __init__(
        self, by_id: Mapping[str, CleanArticle], extracted: Mapping[str, Extracted]
    ) -> None:
        self.by_id, self.extracted = by_id, extracted
        self.sentences: dict[str, dict[str, list[str]]] = {}  # article -> statement -> days

    def days_in(self, article_id: str, text: str) -> list[str]:
        """Return the days the statement of this article names (none if not found)."""
        if article_id not in self.sentences:
            self.sentences[article_id] = self._by_sentence(article_id)
        return self.sentences[article_id].get(text, [])

    def _by_sentence(self, article_id: str) -> dict[str, list[str]]:
        article, found = self.by_id.get(article_id), self.extracted.get(article_id)
        if article is None or found is None:
            return {}
        out: dict[str, list[str]] = {}
        for start, end in sentence_spans(article.text):
            days = [_named(day) for at, day in found.written if start <= at < end]
            if days:
                out.setdefault(" ".join(article.text[start:end].split()), days)
        return out


def _named(day: str) -> str:
    """Return "30 September" for the ISO day 2015-09-30."""
    month, dom = int(day[5:7]), int(day[8:10])
    return f"{dom} {MONTH_NAMES[month - 1].capitalize()}"


def settle_claims(claims: Sequence[Claim], conflicts: Sequence[Conflict]) -> list[Claim]:
    """Return the claims, those whose own articles disagree with each other marked conflicting.

    A claim cannot be both corroborated and in conflict between the same articles: when two of
    its supporting articles stand on different sides of one conflict, they do not corroborate
    it. A conflict with an article outside the claim leaves its corroboration standing.
    """
    by_id = {c.id: c for c in claims}
    split: set[str] = set()
    for conflict in conflicts:
        sides = [set(ids) for _, ids in conflict.values]
        for claim_id in conflict.claim_ids:
            if claim_id in by_id:
                own = set(by_id[claim_id].article_ids)
                if sum(bool(side & own) for side in sides) >= 2:
                    split.add(claim_id)
    return [dataclasses.replace(c, kind="conflicting") if c.id in split else c for c in claims]


def _merge(conflicts: list[Conflict]) -> list[Conflict]:
    """Merge conflicts about the same thing that share a value, so each disagreement shows once."""
    merged: list[Conflict] = []
    for conflict in conflicts:
        for k, other in enumerate(merged):
            if (
                other.kind == conflict.kind
                and other.subject == conflict.subject
                and ({v for v, _ in other.values} & {v for v, _ in conflict.values})
            ):
                values: dict[str, set[str]] = defaultdict(set)
                for v, ids in (*other.values, *conflict.values):
                    values[v].update(ids)
                claim_ids = tuple(sorted({*other.claim_ids, *conflict.claim_ids}))
                merged[k] = _conflict(other.story_id, other.kind, other.subject, values, claim_ids)
                break
        else:
            merged.append(conflict)
    return merged
