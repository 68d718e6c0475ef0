"""Readable story titles: the headline that best represents a story's trusted articles.

News aggregators title a story with one of its own headlines (Google News, Ground News): a
person can read it aloud, unlike a keyword label. The chosen headline is the one whose words
most of the story's articles share (central to the cluster); identical headlines (syndicated
copies) count once with their support; an outlet's name appended to a headline ("| Reuters",
" - BBC News") is trimmed. Pages flagged untrustworthy never give the title of a story a trusted
page tells; a story told only by flagged pages is titled from their own headlines the same way,
the title ending in a mark that says so (a keyword label is no title one can print). Without a
usable headline the title is a phrase of whole words from the most central lead sentence, else
the names of the keyword label. A pure function: the store recomputes it whenever a story's
articles change, so the title follows the story as it grows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from storyline.claims.statements import statement_terms
from storyline.text.sentences import sentence_spans

if TYPE_CHECKING:
    from collections.abc import Sequence

# A headline shorter than this is a slug ("Putin Sochi"), not a title one can read aloud.
MIN_WORDS = 4
# Longer than this it is a standfirst pasted into the title field.
MAX_WORDS = 24
# A fallback phrase stops at this many words (whole words only).
PHRASE_WORDS = 14
# Characters of the body that stand for an article's content (its lead, where news goes first).
LEAD_CHARS = 1500

# " | Reuters", " - BBC News", " — The Week US": a short tail after a separator.
_SUFFIX_RE = re.compile(r"\s+[|–—-]\s+(?P<tail>[^|–—]{2,40})$")
_PIPE_SUFFIX_RE = re.compile(r"\s*\|\s*(?P<tail>[^|]{2,40})$")
# Words of newspapers' names: a headline's tail or a speaker holding one is an outlet.
OUTLET_WORD_RE = re.compile(
    r"(?:news|times|post|journal|herald|guardian|telegraph|tribune|press|online|daily|"
    r"weekly|mail|express|reuters|\.com|\.co\.uk|\.org|\.net)\b",
    re.IGNORECASE,
)
_LEAD_TRIM_RE = re.compile(r"^[\s\"“”‘’'(]+|[\s\"“”‘’',;:(]+$")
_WEAK_END = frozenset(
    (
        *("a", "an", "the", "of", "to", "in", "on", "at", "for", "and", "or", "but", "with"),
        *("by", "from", "as", "that", "which", "who", "is", "are", "was", "were", "has"),
        *("have", "had", "be", "will", "would", "its", "their", "his", "her"),
    )
)

# Ends the title of a story told only by pages flagged untrustworthy: whoever copies the title
# copies the warning with it (the CLI's and the web's "flagged copy only" marks say the same).
FLAGGED_TITLE_MARK = "(flagged copy only)"

_DASHES = frozenset(("-", "–", "—", "--"))
# Conjunctions and relative pronouns open a clause: a lead cut before one reads whole.
_CLAUSE_OPENERS = frozenset(
    (
        *("and", "but", "while", "whereas", "although", "though", "because", "as", "after"),
        *("before", "since", "until", "when", "where", "which", "who", "whose"),
    )
)


@dataclass(frozen=True, slots=True)
class Headline:
    """One article of a story as the title chooser sees it."""

    article_id: str
    title: str
    text: str  # the clean body (its lead is enough)
    source: str | None = None  # the outlet, when known: its name is trimmed off the headline
    trusted: bool = True  # False: the page is flagged untrustworthy and never gives the title


def trim_outlet(title: str, source: str | None = None) -> str:
    """Return the headline without an outlet's name appended to it.

    A tail after " | " is always an outlet or a section; a tail after a dash is one when it
    names the article's own outlet, or is at most four capitalised words that look like an
    outlet ("BBC News", "The Week US").

    >>> trim_outlet("Talks resume in Vienna | Reuters")
    'Talks resume in Vienna'
    >>> trim_outlet("Floods close the ring road - BBC News")
    'Floods close the ring road'
    >>> trim_outlet("Rates rise - and so do rents")
    'Rates rise - and so do rents'
    """
    title = " ".join(title.split())
    for _ in range(2):  # "Headline | Section | Outlet"
        match = _PIPE_SUFFIX_RE.search(title) or _SUFFIX_RE.search(title)
        if match is None:
            break
        head = title[: match.start()].strip()
        if len(head.split()) < 3:
            break
        if not _is_outlet(match.group("tail"), source, piped="|" in match.group()):
            break
        title = head
    return title


def _is_outlet(tail: str, source: str | None, *, piped: bool) -> bool:
    tail = tail.strip()
    if source and tail.casefold() == source.strip().casefold():
        return True
    words = tail.split()
    if piped:
        return len(words) <= 6
    capitalised = all(w[:1].isupper() or w[:1].isdigit() for w in words)
    return (
        1 <= len(words) <= 4
        and capitalised
        and (
            OUTLET_WORD_RE.search(tail) is not None
            or all(w.isupper() for w in words)
            or words[0] == "The"
        )
    )


def _content(headline: Headline) -> set[str]:
    return set(statement_terms(f"{headline.title}\n{headline.text[:LEAD_CHARS]}"))


def _phrase(text: str) -> str:
    """Return the first sentence of ``text`` cut to whole words, without a dangling ending.

    A sentence too long for a title ends where one of its clauses does (a comma, a dash, a
    conjunction: "... died in Texas on Wednesday, becoming the first death from swine" is cut
    after "Wednesday"); with no clause end in reach it is cut and says so with an ellipsis.
    """
    lead = " ".join(text.split())
    spans = sentence_spans(lead)
    first = lead[spans[0][0] : spans[0][1]] if spans else ""
    words = first.split()
    if len(words) <= PHRASE_WORDS:
        return _LEAD_TRIM_RE.sub("", " ".join(words)).rstrip(".")
    # never after a stand-alone dash ("the new bridge - which ..."): the cut before it is kept
    ends = [
        i
        for i in range(MIN_WORDS, PHRASE_WORDS + 1)
        if words[i - 1] not in _DASHES
        and (
            words[i - 1].endswith((",", ";", ":"))
            or words[i] in _DASHES
            or words[i].casefold() in _CLAUSE_OPENERS
        )
    ]
    if ends:
        return _LEAD_TRIM_RE.sub("", " ".join(words[: ends[-1]])).rstrip(".")
    words = words[:PHRASE_WORDS]
    while words and words[-1].casefold().strip(",;:") in _WEAK_END:
        words.pop()
    return _LEAD_TRIM_RE.sub("", " ".join(words)).rstrip(".") + "…"


def _label_names(label: str) -> str:
    """Return the whole-word part of a keyword label: the names before its colon."""
    return label.split(":", 1)[0].strip()


def choose_title(headlines: Sequence[Headline], *, label: str = "") -> str:
    """Return a story's readable title.

    Args:
        headlines: the story's articles.
        label: the story's keyword label, the last resort.

    Returns:
        The most representative trusted headline (outlet suffix trimmed); else the first
        sentence of the most central trusted article, cut to whole words; else the names of
        the label. A story whose every article is flagged untrustworthy is titled the same
        way from those articles, ``FLAGGED_TITLE_MARK`` appended.

    >>> choose_title([Headline("a", "Dam breaks above the valley | Daily Post", "The dam broke.")])
    'Dam breaks above the valley'
    >>> choose_title([Headline("a", "Dam breaks above the valley", "It broke.", trusted=False)])
    'Dam breaks above the valley (flagged copy only)'
    """
    trusted = [h for h in headlines if h.trusted]
    if trusted:
        return _representative(trusted) or _label_names(label)
    title = _representative(list(headlines)) or _label_names(label)
    return f"{title} {FLAGGED_TITLE_MARK}" if headlines and title else title


def _representative(pool: Sequence[Headline]) -> str:
    """Return the pool's most central usable headline, else its most central lead phrase."""
    if not pool:
        return ""
    contents = [_content(h) for h in pool]
    # how many of the pool's articles use each term: a central headline uses shared words
    share: dict[str, int] = {}
    for terms in contents:
        for term in terms:
            share[term] = share.get(term, 0) + 1
    support: dict[str, int] = {}
    shown: dict[str, str] = {}
    for h in pool:
        trimmed = trim_outlet(h.title, h.source)
        if MIN_WORDS <= len(trimmed.split()) <= MAX_WORDS:
            key = trimmed.casefold()
            support[key] = support.get(key, 0) + 1
            shown.setdefault(key, trimmed)
    if support:
        n = len(pool)

        def centrality(key: str) -> tuple[float, int, str]:
            terms = set(statement_terms(shown[key]))
            mean = sum(share.get(t, 0) for t in terms) / (n * len(terms)) if terms else 0.0
            return (mean + 0.1 * (support[key] - 1), -len(shown[key]), shown[key])

        return shown[max(support, key=centrality)]
    # no usable headline: the lead of the article that shares most words with the others
    best = max(
        range(len(pool)),
        key=lambda i: (sum(share[t] for t in contents[i]) / (len(contents[i]) or 1), -i),
    )
    return _phrase(pool[best].text)
