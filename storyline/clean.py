"""Boilerplate cleaning: a scored line classifier that keeps every sentence of the story.

Each line of a body gets a score in 0..1 from features that generalise across sites: calls to
action (imperative marketing verbs, subscription vocabulary, self-reference to "this article"),
URL-only lines, photo captions and credits, author bios and bylines, "related articles" blocks,
lines repeated within the page, position (boilerplate gathers at the top and the tail) and
similarity to the rest of the article. A line at or above the threshold is removed and kept
aside as a ``RemovedLine`` with its reason, so nothing is lost. A caller may also pass lines
recurring across a fixed set of pages (``find_furniture``); ingest does not, so that an
article's clean text depends on that article alone (``pipeline._clean_batch``).

Story lines are protected by what boilerplate rarely has: reporting verbs, quotations, length
with sentence punctuation, and words shared with the rest of the article.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from storyline.clean_guard import KeptLine, PageGuard, default_guard, default_words, guarded
from storyline.clean_weights import DEFAULT_WEIGHTS, LineWeights
from storyline.models import (
    CleanArticle,
    RawArticle,
    RemovedLine,
    content_hash,
    published_confidence,
    published_period,
)
from storyline.outlets import find_outlet
from storyline.text.cues import REPORTING_PATTERN
from storyline.text.sentences import split_sentences
from storyline.text.words import CLEAN_STOP_WORDS

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from storyline.text.scripts import WordMeasure

_WORD_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)
_URL_LINE_RE = re.compile(r"^\W*(?:https?://|www\.)\S+\W*$", re.IGNORECASE)
# Sentence ends: Latin, CJK full-width (。！？：；), the Devanagari danda and the Arabic question
# mark, with the closing quotes and brackets that may follow them (「」『』 in CJK).
_TERMINAL_RE = re.compile(r"[.!?…:;。！？：；।؟][\"'”’»)\]」』）]*\s*$|[\"”’»」』]\s*$")
_CREDIT_RE = re.compile(
    r"\((?:image|photo|picture|video|illustration)?\s*(?:credit|courtesy|source)s?\s*:|"
    r"^\s*(?:photo|image|picture|illustration|credit|photograph|file photo)s?\s*(?:credit)?\s*:|"
    r"\((?:photo|image|picture)\s*:",
    re.IGNORECASE,
)
_AGENCIES = (
    r"reuters|afp|ap|associated press|getty images?|epa|shutterstock|bloomberg|pa|alamy|"
    r"ap photo|pa wire|xinhua|anadolu|sipa|efe|tass|ria novosti|dpa|ansa|imago"
)
_ENDS_WITH_CREDIT_RE = re.compile(rf"\b(?:{_AGENCIES})\)?\s*$", re.IGNORECASE)
# A credit at the end of a line is at most 17 characters ("associated press)"); searching only
# the last 40 finds the same ones without trying the pattern at every position of a long line.
_CREDIT_TAIL = 40
_HEADER_RE = re.compile(
    r"^(?:related(?: articles?| stories| content| coverage| news| posts| links)?|"
    r"recommended(?: for you| stories| reading)?|more (?:from|on|stories|news|in|like this)\b.*|"
    r"read (?:more|next|also)|most (?:popular|read|viewed|shared)|trending(?: now| stories)?|"
    r"you (?:may|might) (?:also )?(?:like|enjoy)|top stories|latest(?: news| stories)?|news|"
    r"see also|also (?:on|in)\b.*|what to read next|editor['’]?s picks|popular(?: now)?|"
    r"in (?:other|case you missed).*|further reading|around the web|sponsored(?: content)?|"
    r"advertisement|share this(?: article| story)?|comments?)\W*$",
    re.IGNORECASE,
)
_CTA_START_RE = re.compile(
    r"^\W*(?:sign (?:up|in)|subscribe|register|log ?in|follow|share|click|tap|download|"
    r"like (?:and|&) (?:share|follow)|"
    r"get (?:the|our|unlimited|full|access|your|more|a)|join|continue reading|"
    r"read (?:more|the full)|learn more|contact us|already (?:a|an) |"
    r"not (?:a|yet a) (?:subscriber|member)|cancel|become a|"
    r"support (?:us|our|independent)|donate|listen (?:to|now)|watch(?: now)?:|see also|also read|"
    r"escape|discover|enjoy|try|unlock|stay (?:informed|up to date|updated)|explore|"
    r"want (?:to|more)|don['’]t miss|never miss|save|start your|we use cookies|"
    r"by (?:continuing|using))",
    re.IGNORECASE,
)
_BOILER_TERMS = re.compile(
    r"\b(?:newsletters?|subscri(?:be|bed|ber|bers|ption|ptions)|inbox|sign(?:-| )?up|"
    r"unlimited|website access|digital access|paywall|cookies?|privacy policy|terms of "
    r"(?:use|service)|advertis(?:ement|ing)|sponsored|republish(?:ing)?|licensing|"
    r"all rights reserved|copyright|this (?:article|content|form|story|page|site|website)|"
    r"click here|found here|free trial|membership|premium|exclusive offer|"
    r"delivered (?:directly|straight|to your)|follow us|log ?in|email address|podcasts?|"
    r"download (?:our|the) app|share (?:this|on)|facebook|twitter|whatsapp|linkedin|"
    r"read (?:more|next)|continue reading|keep reading|free articles?|"
    r"become a (?:member|subscriber)|"
    r"members?[- ]only|like (?:and|&) share|sign in|manage (?:settings|preferences))\b"
)
_BIO_RE = re.compile(
    r"\b(?:has (?:worked|written|been (?:a|an|the)|reported|covered)|joined (?:the|[a-z])|"
    r"covers\b|writes (?:about|for|on)|reports on|is (?:a|an|the) (?:\w+ ){0,3}"
    r"(?:writer|editor|reporter|correspondent|journalist|columnist|contributor|producer)|"
    r"began (?:his|her|their) career|career (?:began|started)|previously worked|"
    r"(?:writer|editor|reporter|correspondent|journalist|columnist) (?:at|for|based in))"
)
_JOURNALISM_RE = re.compile(
    r"\b(?:writer|editor|reporter|correspondent|journalist|columnist|newsroom|newswire|"
    r"magazine|journalism|copy editor|bureau|editorial)\b"
)
_BYLINE_RE = re.compile(
    r"^(?:by\s+)?[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,3}\s*(?:,|\||—|-)\s*"
    r"(?:[A-Z][\w.'’&-]*\s*){1,5}$|^by\s+[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,3}\s*$"
)
_REPORTING_RE = re.compile(rf"\b(?:{REPORTING_PATTERN}|according to)\b")
_QUOTE_CHARS = '"“”«»'
# A feature at or above the plain-text threshold would remove a line alone: one vote.
_VOTE = 0.5


@dataclass(frozen=True, slots=True)
class LineScore:
    """The boilerplate score of one line and the reason code of its strongest feature."""

    score: float
    reason: str
    # How many independent features would each remove the line on their own (>= 0.5): the
    # HTML guard lets a protected line go only on two such votes, never on one.
    votes: int = 1


def normalise_line(line: str) -> str:
    """Return the form lines are compared in: no escapes, quotes or punctuation, casefolded."""
    line = line.replace("\\'", "'").replace('\\"', '"')
    return " ".join(_WORD_RE.findall(line.casefold()))


def find_furniture(texts: Iterable[str], *, min_count: int = 3) -> frozenset[str]:
    """Return normalised lines that recur in at least ``min_count`` different articles.

    Such lines are page furniture (a site's newsletter prompt, its copyright line) when they
    are also short or headline-like; ``score_lines`` applies that second test.
    """
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update({normalise_line(line) for line in text.split("\n") if line.strip()})
    return frozenset(line for line, count in counts.items() if count >= min_count and line)


def _content_words(text: str) -> list[str]:
    return [
        w for w in _WORD_RE.findall(text.casefold()) if w not in CLEAN_STOP_WORDS and len(w) > 2
    ]


def _cosine(a: Counter[str], b: Counter[str]) -> float:
    common = set(a) & set(b)
    if not common:
        return 0.0
    dot = sum(a[w] * b[w] for w in common)
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0


def _is_terminal(line: str) -> bool:
    return bool(_TERMINAL_RE.search(line))


def _line_features(
    line: str, w: LineWeights, count: WordMeasure, *, is_first: bool, is_last: bool, in_tail: bool
) -> LineScore:
    """Score one line on its own, before context (repetition, blocks, neighbours)."""
    stripped = line.strip()
    n_words = count.count_tokens(_WORD_RE.findall(stripped), stripped)
    if _URL_LINE_RE.match(stripped):
        return LineScore(w.url, "url")
    if _CREDIT_RE.search(stripped):
        return LineScore(w.credit, "caption")
    if _HEADER_RE.match(stripped):
        return LineScore(w.header, "related")
    terminal = _is_terminal(stripped)
    has_quote = any(c in stripped for c in _QUOTE_CHARS)
    lowered = stripped.lower()  # the word lists below are lower case (faster than IGNORECASE)
    reporting = bool(_REPORTING_RE.search(lowered))
    candidates: list[LineScore] = []
    terms = len(_BOILER_TERMS.findall(lowered))
    cta = 0.0
    if not has_quote and any(_CTA_START_RE.match(part) for part in split_sentences(stripped)):
        cta += w.cta_short if n_words <= 30 else w.cta_long
    cta += min(w.cta_terms_max, w.cta_per_term * terms)
    if cta:
        candidates.append(LineScore(min(1.0, cta), "call_to_action"))
    if not terminal and n_words >= 4 and _ENDS_WITH_CREDIT_RE.search(stripped[-_CREDIT_TAIL:]):
        candidates.append(LineScore(w.caption_credit, "caption"))
    if not terminal and n_words >= 6 and (is_first or is_last):
        candidates.append(LineScore(w.caption_edge, "caption"))
    elif not terminal and n_words >= 1:
        candidates.append(LineScore(w.headline, "headline"))
    if _BIO_RE.search(lowered) and (_JOURNALISM_RE.search(lowered) or in_tail):
        candidates.append(LineScore(w.bio_tail if in_tail else w.bio_body, "bio"))
    if n_words <= 8 and not terminal and _BYLINE_RE.match(stripped):
        byline = w.byline_edge if (in_tail or is_first) else w.byline_body
        candidates.append(LineScore(byline, "byline"))
    if not candidates:
        return LineScore(0.0, "", 0)
    named = [c for c in candidates if c.reason != "headline"] or candidates
    best = max(named, key=lambda c: c.score)
    # Independent weak signals add up (noisy-or); the strongest one names the reason.
    remaining = 1.0
    for candidate in candidates:
        remaining *= 1.0 - candidate.score
    combined = 1.0 - remaining
    protection = 0.0
    if reporting:
        protection += w.protect_reporting
    if has_quote and reporting:
        protection += w.protect_quote
    if terminal and n_words >= 20:
        protection += w.protect_long_sentence
    votes = len({c.reason for c in candidates if c.score >= _VOTE})
    return LineScore(max(0.0, combined - protection), best.reason, max(1, votes))


def score_lines(
    lines: Sequence[str],
    *,
    title: str = "",
    furniture: frozenset[str] = frozenset(),
    threshold: float = 0.5,
    weights: LineWeights = DEFAULT_WEIGHTS,
    words: WordMeasure | None = None,
) -> list[LineScore]:
    """Score every line of a body; blank lines score 0 with no reason.

    Args:
        lines: the body split on newlines.
        title: the headline, so that a copy of it in the body is recognised.
        furniture: normalised lines that recur across the corpus (``find_furniture``).
        threshold: the score at which a line counts as boilerplate, used for context rules.
        weights: what each feature scores (the ``[clean.scores]`` settings).
        words: how a line's words are counted (``[text]``; None: the packaged defaults).
    """
    content = [i for i, line in enumerate(lines) if line.strip()]
    if not content:
        return [LineScore(0.0, "") for _ in lines]
    first, last = content[0], content[-1]
    tail_start = content[int(len(content) * 0.6)] if len(content) >= 5 else first
    scores = [LineScore(0.0, "") for _ in lines]
    count = words or default_words()
    for i in content:
        scores[i] = _line_features(
            lines[i],
            weights,
            count,
            is_first=i == first,
            is_last=i == last,
            in_tail=i >= tail_start,
        )
    _apply_repetition(lines, content, scores, weights, title=title, furniture=furniture)
    _apply_related_blocks(lines, content, scores, weights, threshold=threshold)
    _apply_neighbours(content, scores, threshold=threshold, tail_start=tail_start)
    return scores


def _plus(old: LineScore, score: float, reason: str) -> LineScore:
    """Return a context rule's score, counting it as one more vote beside the line's own."""
    return LineScore(score, reason, (old.votes if old.score >= _VOTE else 0) + 1)


def _apply_repetition(
    lines: Sequence[str],
    content: Sequence[int],
    scores: list[LineScore],
    w: LineWeights,
    *,
    title: str,
    furniture: frozenset[str],
) -> None:
    """Raise scores of lines repeated in the page, copies of the title, and corpus furniture."""
    norms = {i: normalise_line(lines[i]) for i in content}
    counts = Counter(norms.values())
    seen: set[str] = set()
    title_norm = normalise_line(title)
    for i in content:
        norm = norms[i]
        if not norm:
            continue
        weak = scores[i].score > 0 or not _is_terminal(lines[i])
        if norm == title_norm:
            scores[i] = _plus(scores[i], w.title, "title")
        elif counts[norm] > 1 and not _is_terminal(lines[i]):
            scores[i] = _plus(scores[i], max(scores[i].score, w.repeated), "repeated")
        elif norm in furniture and weak:
            scores[i] = _plus(scores[i], max(scores[i].score, w.furniture), "furniture")
        seen.add(norm)


def _apply_related_blocks(
    lines: Sequence[str],
    content: Sequence[int],
    scores: list[LineScore],
    w: LineWeights,
    *,
    threshold: float,
) -> None:
    """Remove the teasers under a "related articles" header, up to the next story-like line."""
    body = Counter(
        w for i in content if scores[i].score < threshold for w in _content_words(lines[i])
    )
    in_block = False
    for i in content:
        if scores[i].reason == "related" and scores[i].score >= threshold:
            in_block = True
            continue
        if not in_block:
            continue
        words = _content_words(lines[i])
        similar = _cosine(Counter(words), body - Counter(words)) >= 0.3
        story_like = (
            _is_terminal(lines[i]) and len(words) >= 10 and similar and scores[i].score < threshold
        )
        if story_like:
            in_block = False
        else:
            scores[i] = _plus(scores[i], max(scores[i].score, w.related_block), "related")


def _apply_neighbours(
    content: Sequence[int], scores: list[LineScore], *, threshold: float, tail_start: int
) -> None:
    """Boilerplate comes in runs: a weak line between removed ones, or at the tail, goes too."""
    removed = [scores[i].score >= threshold for i in content]
    for k, i in enumerate(content):
        if removed[k] or scores[i].score < 0.25:
            continue
        before = k > 0 and removed[k - 1]
        after = k + 1 < len(content) and removed[k + 1]
        rest_removed = k + 1 < len(content) and all(removed[k + 1 :]) and i >= tail_start
        last = k == len(content) - 1
        if (before and after) or ((before or after) and rest_removed) or (before and last):
            neighbour = content[k - 1] if before else content[k + 1]
            reason = scores[neighbour].reason or scores[i].reason
            scores[i] = _plus(scores[i], threshold, reason)
            removed[k] = True


def clean_text(
    text: str,
    *,
    title: str = "",
    furniture: frozenset[str] = frozenset(),
    threshold: float = 0.5,
    guard: PageGuard | None = None,
    weights: LineWeights = DEFAULT_WEIGHTS,
    words: WordMeasure | None = None,
) -> tuple[str, tuple[RemovedLine, ...]]:
    """Return the body without its boilerplate lines, and the removed lines with reasons.

    ``guard`` (HTML pages) keeps long lines, the line holding most of the words and list runs
    unless two features agree, and caps the share of words removed.
    """
    text, removed, _ = clean_text_guarded(
        text,
        title=title,
        furniture=furniture,
        threshold=threshold,
        guard=guard,
        weights=weights,
        words=words,
    )
    return text, removed


def clean_text_guarded(
    text: str,
    *,
    title: str = "",
    furniture: frozenset[str] = frozenset(),
    threshold: float = 0.5,
    guard: PageGuard | None = None,
    weights: LineWeights = DEFAULT_WEIGHTS,
    words: WordMeasure | None = None,
) -> tuple[str, tuple[RemovedLine, ...], tuple[KeptLine, ...]]:
    """Like ``clean_text``, and also return the lines the guard kept, with their reasons."""
    lines = text.split("\n")
    words = words or default_words()
    scores = score_lines(
        lines, title=title, furniture=furniture, threshold=threshold, weights=weights, words=words
    )
    doomed = {i for i, score in enumerate(scores) if score.score >= threshold}
    saved = guarded(lines, scores, doomed, guard, words) if guard is not None else {}
    if all(not lines[i].strip() or (i in doomed and i not in saved) for i in range(len(lines))):
        # The cleaner never deletes an article, in any format: when every line would go
        # (a one-line article scored as a caption), none goes and each is marked kept, so
        # the quality stage, not the cleaner, judges a page that is all furniture.
        saved |= {i: "whole_article" for i in doomed if i not in saved}
    kept: list[str] = []
    removed: list[RemovedLine] = []
    for i, (line, score) in enumerate(zip(lines, scores, strict=True)):
        if i in doomed and i not in saved:
            removed.append(RemovedLine(i, line, score.reason, round(score.score, 3)))
        elif line.strip() or (kept and kept[-1].strip()):
            kept.append(line.rstrip())
    body = "\n".join(kept).strip("\n")
    spared = tuple(
        KeptLine(i, lines[i], scores[i].reason, round(scores[i].score, 3), why)
        for i, why in sorted(saved.items())
    )
    return body, tuple(removed), spared


# The keys the cleaner adds to an article's ``meta``, and the one under which it sets aside a
# reader's own columns of those names: a re-clean (``clean_stage.raw_of``) then tells them apart.
CLEANER_META = ("clean_kept", "source_from")
READER_ASIDE = "clean_reader_meta"


def reader_meta_aside(meta: dict[str, Any]) -> dict[str, Any]:
    """Return a reader's ``meta`` with its columns named as the cleaner's keys set aside.

    Inputs without such a column (every seed and example) keep their meta as it is.
    """
    clash = {k: meta[k] for k in (*CLEANER_META, READER_ASIDE) if k in meta}
    if not clash:
        return meta
    return {k: v for k, v in meta.items() if k not in clash} | {READER_ASIDE: clash}


def clean_article(
    raw: RawArticle,
    *,
    furniture: frozenset[str] = frozenset(),
    threshold: float = 0.5,
    guard: PageGuard | None = None,
    weights: LineWeights = DEFAULT_WEIGHTS,
    words: WordMeasure | None = None,
) -> CleanArticle:
    """Clean one article: remove boilerplate lines, keep them aside, hash the clean content.

    HTML pages get the packaged ``PageGuard`` unless ``guard`` is given; other formats none.
    ``weights`` are the line scorer's feature scores (``[clean.scores]``); ``words`` counts a
    line's words (``[text]``: CJK and Thai at a rate per script; None: the packaged defaults).
    """
    if guard is None and raw.format == "html":
        guard = default_guard()
    text, removed, spared = clean_text_guarded(
        raw.text,
        title=raw.title,
        furniture=furniture,
        threshold=threshold,
        guard=guard,
        weights=weights,
        words=words,
    )
    meta = reader_meta_aside(raw.meta)
    if spared:
        meta = {**meta, "clean_kept": [asdict(line) for line in spared]}
    found = (
        None
        if raw.source
        else find_outlet(text=raw.text, url=raw.url, meta=raw.meta, removed=removed)
    )
    source = raw.source or (found.name if found else None)
    if found:
        meta = {**meta, "source_from": found.source_from}
    published, precision = published_period(raw.published)  # "2015" is a year, not 1 January
    return CleanArticle(
        id=raw.id,
        title=raw.title,
        text=text,
        locator=raw.locator,
        format=raw.format,
        content_hash=content_hash(raw.title, text),
        source=source,
        url=raw.url,
        published=published,
        published_source=raw.published_source,
        published_confidence=published_confidence(raw.published_source, precision),
        published_precision=precision,
        language=raw.language,
        raw_sha256=raw.raw_sha256,
        removed=removed,
        meta=meta,
    )
