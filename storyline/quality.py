"""Page quality: flag articles whose copy is incoherent, spliced, misattributed or thin.

``incoherence_score`` combines cheap per-article signals (no corpus, no model): lexical cohesion
of neighbouring sentences against distant ones, how cleanly the sentence graph splits in two,
headline fit and the inverted pyramid, name introduction order, pronouns without antecedent,
quote continuity and the spread of dates. ``assess_quality`` turns it and a few page counts
into flags with reasons and a 0..1 score.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

from storyline.models import CleanArticle, QualityReport, Quote

if TYPE_CHECKING:
    from collections.abc import Sequence

UNTRUSTED_FLAGS = ("incoherent", "spliced", "attribution_mismatch")


def _words(text: str) -> frozenset[str]:
    """Return the whitespace-separated words of ``text`` as a set."""
    return frozenset(text.split())


_ABBREV = _words(
    "mr mrs ms dr st gen sen rep gov lt col sgt capt prof rev jr sr inc corp co ltd no vs"
    " jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k u.n"
)
_SENT_END_RE = re.compile(r"""(?<=[.!?])["”’']?\s+(?=["“‘'(\[]?[A-Z0-9])""")
_WORD_RE = re.compile(r"[a-z][a-z'’-]+")
_CAP_SEQ_RE = re.compile(r"\b[A-Z][a-z]+(?:[-'’][A-Z]?[a-z]+)?(?:\s+[A-Z][a-z]+(?:-[A-Z][a-z]+)?)*")
_HONORIFIC_RE = re.compile(
    r"\b(?:Mr|Mrs|Ms|Dr|Prof|Sen|Gov|Gen|Rep|President|Minister|Secretary)\.?\s+([A-Z][a-z]+)"
)
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
_WEEKDAY_RE = re.compile(r"\b(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\b")
_YEAR_RE = re.compile(r"\b(?:19[5-9]\d|20[0-4]\d)\b")
_NUM_NOUN_RE = re.compile(r"\b(\d[\d,.]*)\s+(?:more\s+|new\s+|other\s+)?([a-z]{3,})\b")
_OPENERS = "“‘"
_CLOSERS = "”’"
_NOT_NAMES = _words(
    "The A An In On At But And Or If It Its This That These Those He She They We I You His Her"
    " Their Our There Here When While After Before As For From By With Of To Mr Mrs Ms Dr"
    " Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May"
    " June July August September October November December President Minister Secretary"
    " Prime General Sir Lord Senator Governor However Meanwhile Also Some Many Most More"
    " Reuters Associated Press AP AFP BBC CNN"
)

# Weights of the standardised signals, fitted once by logistic regression on the dev topics of
# bench/splice_detection.py (mean, scale, weight); positive weight = more incoherent.
_SIGNALS: dict[str, tuple[float, float, float]] = {
    "pyramid_order": (-0.0626, 0.3720, 0.261),
    "adjacent": (0.0393, 0.0302, -0.290),
    "local_gain": (0.0047, 0.0281, 0.275),
    "fiedler": (0.5306, 0.1572, -0.253),
    "title_fit": (0.5456, 0.2759, 0.003),
    "lead_rank": (0.3006, 0.2283, -0.049),
    "title_slope": (-0.0372, 0.3769, 0.239),
    "orphans": (0.2209, 0.1844, 0.379),
    "c_adjacent": (0.0447, 0.0313, -0.452),
    "c_local_gain": (0.0052, 0.0285, 0.035),
    "c_fiedler": (0.5665, 0.1475, -0.183),
    "c_title": (0.0671, 0.0399, 0.203),
    "c_title_min": (0.0207, 0.0300, 0.107),
    "c_centroid_min": (0.0256, 0.0185, 0.213),
    "c_lead": (0.0093, 0.0760, -0.215),
    "dependent_first": (0.1993, 0.3995, 0.017),
    "dependent_rate": (0.2557, 0.1653, 0.007),
    "early_surname": (0.0167, 0.0544, 0.199),
    "short_first": (0.0480, 0.1180, 0.221),
    "unknown_honorific": (0.0608, 0.1019, 0.198),
    "name_links": (0.6850, 0.1820, -0.368),
    "antecedent_gaps": (0.0277, 0.0595, 0.091),
    "quote_breaks": (0.0525, 0.0844, 0.141),
    "weekdays": (0.0316, 0.1076, 0.031),
    "year_span": (0.1173, 0.5345, 0.018),
    "number_clashes": (0.0245, 0.0734, 0.011),
}
_BIAS = 0.188  # 0.881 fitted at 2:1 modified:original, minus ln 2 for even odds


def split_sentences(text: str) -> list[str]:
    """Return the sentences of ``text``: paragraphs split by a regex that skips abbreviations."""
    sentences: list[str] = []
    for para in re.split(r"\n+", text):
        start = 0
        for match in _SENT_END_RE.finditer(para):
            before = para[start : match.start()].rstrip("\"”’'")
            last = before.rsplit(None, 1)[-1].lower().rstrip(".") if before.split() else ""
            if last in _ABBREV or (len(last) == 1 and last.isalpha()):
                continue
            sentences.append(para[start : match.start()].strip())
            start = match.end()
        sentences.append(para[start:].strip())
    return [s for s in sentences if len(s) > 1]


def _stem(word: str) -> str:
    """Return a crude stem: the first six letters, so plural and tense forms meet."""
    return word.replace("’", "'").split("'")[0][:6]


def _analyse(text: str) -> list[str]:
    """Return the content-word stems of ``text``."""
    return [
        _stem(w)
        for w in _WORD_RE.findall(text.lower())
        if w not in ENGLISH_STOP_WORDS and len(w) > 2
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


def _names(sentence: str, known: frozenset[str] = frozenset()) -> list[str]:
    """Return capitalised name sequences; a lone sentence-initial word only if ``known``."""
    found: list[str] = []
    for match in _CAP_SEQ_RE.finditer(sentence):
        words = [w for w in match.group().split() if w not in _NOT_NAMES]
        lone = match.start() == 0 and len(words) == 1 and words[0] == match.group()
        if words and (not lone or words[0] in known):
            found.append(" ".join(words))
    return found


def _known_names(texts: Sequence[str]) -> frozenset[str]:
    """Return words capitalised inside a sentence somewhere, so names rather than openers."""
    return frozenset(
        word
        for text in texts
        for match in _CAP_SEQ_RE.finditer(text)
        if match.start() > 0
        for word in match.group().split()
    )


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
        for surname in _HONORIFIC_RE.findall(sentence):
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


def _sentence_cues(sentence: str) -> list[float]:
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
        float(sum(" " in name for name in _names(sentence))),
        float(sentence.rstrip("”\"'").endswith("?")),
    ]


# How each cue moves a sentence down an inverted-pyramid story (ridge fit on dev originals,
# target = relative position): a weekday and figures come early, quotes and background later.
_POSITION_WEIGHTS = (0.027, 0.024, 0.02, 0.012, -0.06, -0.052, -0.015, 0.032, -0.015, -0.023)


def _pyramid_order(sentences: Sequence[str]) -> float:
    """Return minus the rank correlation of expected with actual position (high = out of order)."""
    if len(sentences) < 3 or not _POSITION_WEIGHTS:
        return 0.0
    expected = np.array([_sentence_cues(x) for x in sentences]) @ np.array(_POSITION_WEIGHTS)
    if np.std(expected) == 0:
        return 0.0
    ranks = np.argsort(np.argsort(expected))
    return -float(np.corrcoef(np.arange(len(sentences)), ranks)[0, 1])


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


def coherence_features(title: str, text: str) -> dict[str, float]:
    """Return the raw signals behind ``incoherence_score`` (for benchmarks and reasons)."""
    sentences = split_sentences(text)
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
    known = _known_names([title, *sentences])
    names = [_names(title, known), *(_names(x, known) for x in sentences)]
    early, unknown, name_links = _name_order(sentences, names)
    weekdays, year_span, clashes = _date_spread(sentences)
    return {
        "pyramid_order": _pyramid_order(sentences),
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
    }


def incoherence_score(title: str, text: str) -> float:
    """Return how incoherent an article reads, 0..1 (a logistic over standardised signals)."""
    return _combine(coherence_features(title, text))


def _combine(features: dict[str, float]) -> float:
    """Return the logistic combination of standardised signals."""
    z = _BIAS + sum(
        weight * (features[name] - mean) / scale for name, (mean, scale, weight) in _SIGNALS.items()
    )
    return 1.0 / (1.0 + math.exp(-z))


_CUE = r"(?:said|says|told|added|announced|stated|insisted|warned|declared|noted|urged|explained)"
_SAID_NAME_RE = re.compile(
    rf"\b{_CUE}\s+(?:(?:Mr|Mrs|Ms|Dr|President|Minister|Secretary)\.?\s+)?"
    r"((?:[A-Z][a-z]+\s+){0,2}[A-Z][a-z]+)"
)
_NAME_SAID_RE = re.compile(rf"\b([A-Z][a-z]+)(?:,[^,]{{1,80}},)?\s+{_CUE}\b")
_CUE_RE = re.compile(rf"\b{_CUE}\b|\baccording to\b", re.IGNORECASE)
_DIRECT_RE = re.compile(r"[“\"]([^”\"]{25,})[”\"]?")


def _speakers(sentences: Sequence[str], quotes: Sequence[Quote]) -> set[str]:
    """Return the surnames of who speaks in the body: from quotes when given, else by regex."""
    if quotes:
        names = [q.speaker or q.speaker_text or "" for q in quotes]
    else:
        names = [m for s in sentences for m in _SAID_NAME_RE.findall(s)]
        names += [m for s in sentences for m in _NAME_SAID_RE.findall(s)]
    surnames = {n.split()[-1] for n in names if n.strip()}
    return {n for n in surnames if n[:1].isupper() and n not in _NOT_NAMES}


def _headline_people(title: str, sentences: Sequence[str]) -> set[str]:
    """Return surnames of people the headline names: a 'Name:' lead or a name titled in the body."""
    titled = {m for s in sentences for m in _HONORIFIC_RE.findall(s)}
    people: set[str] = set()
    for match in _CAP_SEQ_RE.finditer(title):
        surname = match.group().split()[-1]
        colon = title[match.end() : match.end() + 1] == ":"
        if (colon and " " in match.group()) or surname in titled:
            people.add(surname)
    return people


def _unattributed_quotes(sentences: Sequence[str]) -> int:
    """Return how many direct quotes have no speech cue in their sentence or its neighbours."""
    count = 0
    for i, sentence in enumerate(sentences):
        if sentence[:1] in '“"' and _DIRECT_RE.match(sentence):
            near = " ".join(sentences[max(i - 1, 0) : i + 2])
            count += not _CUE_RE.search(near)
    return count


_HEADLINE_SPEECH_RE = re.compile(
    r"\b([A-Z][\w'’-]+)\s+(?i:admits|admitted|says|said|warns|claims|insists|denies|vows|tells|"
    r"urges|accuses|declares|announces|confirms|reveals|slams|blasts)\b"
)


def _headline_speaker(title: str) -> str | None:
    """Return the surname a headline makes speak ("President Marrow Admits ..."), if any."""
    match = _HEADLINE_SPEECH_RE.search(title)
    name = match.group(1) if match else None
    return name if name and name not in _NOT_NAMES else None


def attribution_problem(title: str, text: str, quotes: Sequence[Quote] = ()) -> str | None:
    """Return why the attribution does not fit the headline, or None when it does."""
    sentences = split_sentences(text)
    speakers = _speakers(sentences, quotes)
    speaking = _headline_speaker(title)
    direct = [q for q in quotes if q.kind == "direct"]
    if speaking and direct and speaking not in speakers and speaking not in text:
        # the headline puts words in the mouth of someone the body never names
        return f"headline has {speaking} speaking, but the body never quotes or names them"
    people = _headline_people(title, sentences)
    if people and speakers and not people & speakers:
        return (
            f"headline names {', '.join(sorted(people))} but the quotes are given to "
            f"{', '.join(sorted(speakers))}"
        )
    orphans = _unattributed_quotes(sentences)
    if orphans >= 2:
        return f"{orphans} direct quotes have no speaker nearby"
    return None


INCOHERENT_AT = 0.8  # above about 97% of untouched dev articles
SPLICED_ORPHANS = 0.3  # share of sentences tied to nothing before them that marks a splice
MIN_WORDS = 80
BOILERPLATE_RATIO = 0.5  # removed characters per kept character


def assess_quality(
    article: CleanArticle, *, duplicate_of: str | None = None, quotes: Sequence[Quote] = ()
) -> QualityReport:
    """Return the article's quality flags with reasons and a 0..1 trust score.

    Args:
        article: the cleaned article.
        duplicate_of: id of the article this one duplicates, if any.
        quotes: the article's quotes, when extracted; otherwise a regex finds said-clauses.

    Returns:
        A QualityReport; only ``incoherent``, ``spliced`` and ``attribution_mismatch`` say the
        copy itself is untrustworthy.
    """
    flags: list[str] = []
    reasons: list[str] = []
    sentences = split_sentences(article.text)
    words = len(article.text.split())
    score = 1.0
    if words < MIN_WORDS or len(sentences) < 3:
        flags.append("near_empty")
        reasons.append(f"only {words} words in {len(sentences)} sentences")
        score -= 0.3
    else:
        features = coherence_features(article.title, article.text)
        incoherence = _combine(features)
        score -= 0.6 * max(incoherence - 0.5, 0.0) * 2
        if incoherence >= INCOHERENT_AT:
            if features["orphans"] >= SPLICED_ORPHANS:
                flags.append("spliced")
                reasons.append(
                    f"incoherence {incoherence:.2f}; {features['orphans']:.0%} of sentences "
                    "share nothing with the headline or what precedes them"
                )
            else:
                flags.append("incoherent")
                reasons.append(f"incoherence {incoherence:.2f}: sentences do not follow each other")
    problem = attribution_problem(article.title, article.text, quotes)
    if problem:
        flags.append("attribution_mismatch")
        reasons.append(problem)
        score -= 0.3
    removed = [line.text.strip() for line in article.removed if line.text.strip()]
    removed_chars = sum(len(line) for line in removed)
    if len(removed) >= 5 and removed_chars >= BOILERPLATE_RATIO * max(len(article.text), 1):
        flags.append("boilerplate_heavy")
        reasons.append(
            f"{len(removed)} boilerplate lines ({removed_chars} characters) removed "
            f"for {len(article.text)} characters kept"
        )
        score -= 0.1
    if duplicate_of is not None:
        flags.append("duplicate")
        reasons.append(f"duplicate of {duplicate_of}")
    return QualityReport(
        article.id, round(min(max(score, 0.0), 1.0), 3), tuple(flags), tuple(reasons)
    )
