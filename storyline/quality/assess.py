"""Page quality: flag articles whose copy is incoherent, spliced, misattributed or thin.

``assess_quality`` turns the incoherence score of ``coherence`` and a few page counts
into flags with reasons and a 0..1 score; ``attribution_problem`` checks the headline against
who is quoted.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from storyline.models import CleanArticle, QualityReport, Quote
from storyline.quality.coherence import coherence_features, combine, head_logits, incoherence_score
from storyline.text.cues import REPORTING_PATTERN
from storyline.text.sentences import (
    CAP_SEQ_RE,
    HONORIFIC_RE,
    NOT_NAMES,
    sentence_spans,
    split_sentences,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = [
    "UNTRUSTED_FLAGS",
    "assess_quality",
    "attribution_problem",
    "coherence_features",
    "incoherence_score",
    "split_sentences",
]

UNTRUSTED_FLAGS = ("incoherent", "spliced", "attribution_mismatch")


_CUE = f"(?:{REPORTING_PATTERN})"
_SAID_NAME_RE = re.compile(
    rf"\b{_CUE}\s+(?:(?:Mr|Mrs|Ms|Dr|President|Minister|Secretary)\.?\s+)?"
    r"((?:[A-Z][a-z]+\s+){0,2}[A-Z][a-z]+)"
)
_NAME_SAID_RE = re.compile(rf"\b([A-Z][a-z]+)(?:,[^,]{{1,80}},)?\s+{_CUE}\b")
_CUE_RE = re.compile(rf"\b{_CUE}\b|\baccording to\b", re.IGNORECASE)
_DIRECT_RE = re.compile(r"[“\"]([^”\"]{25,})[”\"]?")


def _speakers(sentences: Sequence[str], quotes: Sequence[Quote]) -> dict[str, str]:
    """Return surname -> the fullest name of who speaks in the body: from quotes, else by regex.

    Speakers are ordered by how often they speak, so a reason names the main speaker first.
    """
    if quotes:
        names = [q.speaker or q.speaker_text or "" for q in quotes]
    else:
        names = [m for s in sentences for m in _SAID_NAME_RE.findall(s)]
        names += [m for s in sentences for m in _NAME_SAID_RE.findall(s)]
    names = [" ".join(n.split()) for n in names if n.strip()]
    counts = Counter(n.split()[-1] for n in names)
    full: dict[str, str] = {}
    for name in names:
        surname = name.split()[-1]
        usable = surname[:1].isupper() and surname not in NOT_NAMES
        if usable and len(name) > len(full.get(surname, "")):
            full[surname] = name
    return {s: full[s] for s in sorted(full, key=lambda s: (-counts[s], s))}


def _headline_people(title: str, sentences: Sequence[str]) -> dict[str, tuple[str, bool]]:
    """Return surname -> (name as the headline writes it, whether a "Name:" lead gives it words).

    A person is a two-word name leading a colon ("Anna Berg: ...") or a name the body gives a
    title to ("Mr Brandt"). Capitals a headline's style puts on common words ("Swine Flu: ...",
    written "swine flu" in the body) make no name.
    """
    titled = {m for s in sentences for m in HONORIFIC_RE.findall(s)}
    lowered = " ".join(sentences)
    people: dict[str, tuple[str, bool]] = {}
    for match in CAP_SEQ_RE.finditer(title):
        if title[match.end() : match.end() + 1].isalpha():
            continue  # part of a word the pattern cannot spell ("McAfee"): no name
        if _common_words(match.group(), lowered):
            continue
        surname = match.group().split()[-1]
        colon = title[match.end() : match.end() + 1] == ":" and _whole_lead(title, match)
        if (colon and " " in match.group()) or surname in titled:
            people[surname] = (match.group(), colon and " " in match.group())
    return people


# what opens a headline or a part of one: its start, a bullet, a dash, a bar, a colon, a stop
_LEAD_RE = re.compile(r"(?:^|[*•|:.!?–—]|\s-)[^A-Za-z]*$")


def _whole_lead(title: str, match: re.Match[str]) -> bool:
    """Return True when a name is all a headline's lead holds ("Anna Berg: ..."), as speakers are.

    "A Curious Plan to Fight Climate Change: ..." and "The Latest: ..." lead with no person.
    """
    words = match.group().split()
    return bool(_LEAD_RE.search(title[: match.start()])) and not set(words) & NOT_NAMES


def _common_words(name: str, body: str) -> bool:
    """Return True when the body writes every word of a capitalised headline phrase in lower case.

    Headline style capitalises common words ("Swine Flu"); running text writes them in lower case
    (its capitals at a sentence's start say nothing), and a name keeps its capitals.
    """
    return all(re.search(rf"\b{re.escape(w.lower())}\b", body) for w in name.split())


def _names(names: Sequence[str]) -> str:
    """Return "A", "A and B", "A, B and C"."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _quote_runs(text: str) -> list[list[tuple[int, int]]]:
    """Return the runs of consecutive quoted sentences, as character spans.

    News copy attributes a quote once: a quote goes on over sentences until its closing mark
    (often to a cue after the last one), and the paragraphs that continue it open with a quote
    mark again and carry no cue of their own, so a run of quoted sentences shares one attribution.
    """
    runs: list[list[tuple[int, int]]] = []
    previous = False
    curly = straight = 0  # quote marks opened and not yet closed in the current run
    for start, end in sentence_spans(text):
        sentence = text[start:end].strip()
        opens = sentence[:1] in '“"' and bool(_DIRECT_RE.match(sentence))
        if curly > 0 or straight or (opens and previous):
            runs[-1].append((start, end))
        elif opens:
            runs.append([(start, end)])
            curly = straight = 0
        else:
            previous = False
            continue
        previous = True
        curly = max(curly + sentence.count("“") - sentence.count("”"), 0)
        straight = (straight + sentence.count('"')) % 2
    return runs


def _unattributed_quotes(text: str, quotes: Sequence[Quote] = ()) -> int:
    """Return how many direct quotes have no speaker: no cue near their run, none extracted."""
    spans = [(s, e) for s, e in sentence_spans(text) if e - s > 1]
    # the extracted quotes that name or describe a speaker (the quote stage's cues are wider)
    spoken = [(q.start, q.end) for q in quotes if q.speaker or q.speaker_text]
    count = 0
    for run in _quote_runs(text):
        first = next(i for i, span in enumerate(spans) if span[0] >= run[0][0])
        last = first + len(run) - 1
        near = text[spans[max(first - 1, 0)][0] : spans[min(last + 1, len(spans) - 1)][1]]
        covered = any(s < run[-1][1] and e > run[0][0] for s, e in spoken)
        if not (covered or _CUE_RE.search(near)):
            count += 1  # a run is one quote, however many paragraphs it spans
    return count


_HEADLINE_SPEECH_RE = re.compile(
    r"\b([A-Z][\w'’-]+)\s+(?i:admits|admitted|says|said|warns|claims|insists|denies|vows|tells|"
    r"urges|accuses|declares|announces|confirms|reveals|slams|blasts)\b"
)
# the capitalised words of a name, joined by the small words of organisations' names
_NAME_RUN_RE = re.compile(r"(?:[A-Z][\w'’-]*\s+(?:(?:of|and|for|the|on)\s+)?)*$")


def _headline_speaker(title: str) -> tuple[str, ...] | None:
    """Return the name a headline makes speak ("President Marrow Admits ..."), word by word.

    A lone word that only opens the headline ("Advert warns ...") is capitalised by its place,
    not because it is a name: it makes no speaker.
    """
    match = _HEADLINE_SPEECH_RE.search(title)
    if not match or match.group(1) in NOT_NAMES:
        return None
    before = title[: match.start(1)]
    run = _NAME_RUN_RE.search(before)
    words = [w for w in (run.group() if run else "").split() if w[:1].isupper()]
    if not words and _LEAD_RE.search(before):
        return None
    return (*words, match.group(1))


def _names_speaker(name: tuple[str, ...], text: str, speakers: dict[str, str]) -> bool:
    """Return True when the body names the headline's speaker: by surname, or by initials.

    An organisation is named in full once and by its initials after ("World Health Organization",
    "WHO"), so a body that has only the initials still names it.
    """
    words = [w for w in name if w not in NOT_NAMES]
    initials = "".join(w[0] for w in words)
    if len(initials) >= 2 and re.search(rf"\b{initials}\b", text):
        return True
    surname = name[-1]
    return surname in speakers or bool(re.search(rf"\b{re.escape(surname)}\b", text))


def attribution_problem(title: str, text: str, quotes: Sequence[Quote] = ()) -> str | None:
    """Return why the attribution does not fit the headline, or None when it does.

    The reason is built from the evidence the check used (the headline's names, who the body
    quotes), so that a reader can verify it against the page.
    """
    sentences = split_sentences(text)
    speakers = _speakers(sentences, quotes)
    speaking = _headline_speaker(title)
    direct = [q for q in quotes if q.kind == "direct"]
    if speaking and direct and not _names_speaker(speaking, text, speakers):
        # the headline puts words in the mouth of someone the body never names
        who = speaking[-1]
        return f"the headline has {who} speaking; the body never quotes or names {who}"
    # only a "Name:" lead gives a person words: a headline that names someone claims no quote
    people = {k: v for k, v in _headline_people(title, sentences).items() if v[1]}
    if people and speakers and not people.keys() & speakers.keys():
        # whose words the body gives: direct quotes when there are any, else every speaker
        quoted = _speakers(sentences, direct) if direct else speakers
        shown = list((quoted or speakers).values())[:3]
        named = [name for name, _ in people.values()]
        verb = "gives words to" if any(colon for _, colon in people.values()) else "names"
        return (
            f"the headline {verb} {_names(named)}; the body quotes {_names(shown)} "
            f"and never {_names(sorted(people))}"
        )
    orphans = _unattributed_quotes(text, quotes)
    if orphans >= 2:
        return f"{orphans} direct quotes have no speaker nearby"
    return None


INCOHERENT_AT = 0.92  # above every untouched training article, about 97% of untouched dev ones
MIN_WORDS = 80
BOILERPLATE_RATIO = 0.5  # removed characters per kept character


@dataclass(frozen=True, slots=True)
class QualityThresholds:
    """The cut-offs of ``assess_quality``, from ``[quality]`` (defaults: the constants above)."""

    incoherent_at: float = INCOHERENT_AT
    min_words: int = MIN_WORDS
    boilerplate_ratio: float = BOILERPLATE_RATIO


def assess_quality(
    article: CleanArticle,
    *,
    duplicate_of: str | None = None,
    quotes: Sequence[Quote] = (),
    sentence_model: str | None = None,
    thresholds: QualityThresholds | None = None,
) -> QualityReport:
    """Return the article's quality flags with reasons and a 0..1 trust score.

    Args:
        article: the cleaned article.
        duplicate_of: id of the article this one duplicates, if any.
        quotes: the article's quotes, when extracted; otherwise a regex finds said-clauses.
        sentence_model: the sentence encoder for the coherence signals (None: word vectors).
        thresholds: the cut-offs (``[quality]``); None takes the fitted defaults.

    Returns:
        A QualityReport; only ``incoherent``, ``spliced`` and ``attribution_mismatch`` say the
        copy itself is untrustworthy.
    """
    cut = thresholds or QualityThresholds()
    flags: list[str] = []
    reasons: list[str] = []
    sentences = split_sentences(article.text)
    words = len(article.text.split())
    score = 1.0
    if words < cut.min_words or len(sentences) < 3:
        flags.append("near_empty")
        reasons.append(f"only {words} words in {len(sentences)} sentences")
        score -= 0.3
    else:
        features = coherence_features(article.title, article.text, sentence_model)
        incoherence = combine(features)
        score -= 0.6 * max(incoherence - 0.5, 0.0) * 2
        if incoherence >= cut.incoherent_at:
            splice, shuffle = head_logits(features)
            if splice >= shuffle:
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
    if len(removed) >= 5 and removed_chars >= cut.boilerplate_ratio * max(len(article.text), 1):
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
