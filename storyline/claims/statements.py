"""Statements: the cheap text handling that claims are built on.

Sentences, stems and word lists come from ``storyline.text``; this module adds the content
terms of a statement (a run of capitalised words counts once, as its head), the counted
quantities it states, and an IDF-weighted similarity between statements.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse

from storyline.text.calendar import MONTH_NAMES
from storyline.text.numbers import COUNT_WORDS
from storyline.text.words import CLAIM_STOP_WORDS, TERM_ALIASES, stem, words

if TYPE_CHECKING:
    from collections.abc import Collection, Sequence

MIN_WORDS = 6


MAX_WORDS = 80


_WORD_RE = re.compile(r"[A-Za-z][A-Za-z'’\-]*|\d[\d,]*(?:\.\d+)?")


_MONTHS = frozenset(MONTH_NAMES)


# Longest first, so "fourteen" is not read as "four".
_NUMBER_WORD_RE = "|".join(sorted(COUNT_WORDS, key=len, reverse=True))
_QUANTITY_RE = re.compile(
    r"(?<![\w.,])(?P<num>\d[\d,]*(?:\.\d+)?|"
    + _NUMBER_WORD_RE
    + r")\b(?:\s+(?P<scale>million|billion|thousand|hundred))?"
    r"(?:\s+(?:per\s*cent|percent|%))?(?P<rest>(?:\s+[A-Za-z'’\-]+){0,5})",
    re.IGNORECASE,
)


# Counted things that mean the same quantity although worded differently.
_THING_CANON = {
    "dead": "killed",
    "died": "killed",
    "death": "killed",
    "kill": "killed",
    "killed": "killed",
    "fatality": "killed",
    "wounded": "injured",
    "injured": "injured",
    "injury": "injured",
    "hurt": "injured",
}


_FILLER = words(
    "about almost are at been being believed civilian civilians confirmed feared had has have "
    "is known least more nearly now of other others people person presumed reported soldiers "
    "some than the was were who"
)


_TIME_UNITS = words("second minute hour day night week month year decade century")


def _is_name(raw: str) -> bool:
    return raw[:1].isupper() or ("-" in raw and raw.rsplit("-", 1)[1][:1].isupper())


def statement_terms(text: str) -> list[str]:
    """Return the stemmed content words and numbers of a statement, in order.

    A run of capitalised words counts once, as its head ("Russian Foreign Minister Sergei
    Lavrov" -> "lavrov", "Bashar al-Assad" -> "assad"), so a long title does not make two
    sentences look alike.
    """
    return list(_terms(text))


# One story's claims, conflicts and briefing selection read the same sentences three times
# (and titles its leads): the terms are a pure function of the text, computed once.
@functools.lru_cache(maxsize=1 << 13)  # a large story's statements; about 8 MB
def _terms(text: str) -> tuple[str, ...]:
    return tuple(term for term, _ in _tagged_terms(text))


# What a term was in its sentence: a common word, a name (a capitalised run), a number, or a
# single capitalised word opening the sentence ("Police said", "Penwright said"): capitalised by
# position, so a name or a common word.
_WORD, _NAME, _NUMBER, _LEAD = "word", "name", "number", "lead"
# A common word of a title before a name: part of the name's mention, not a predicate.
_TITLE = "title"
_DETERMINERS = words("the a an his her its their our")


@functools.lru_cache(maxsize=1 << 13)
def _tagged_terms(text: str) -> tuple[tuple[str, str], ...]:
    out: list[tuple[str, str]] = []
    run: list[str] = []
    run_start = -1
    last_end = -2
    first = next(_WORD_RE.finditer(text), None)
    opening = first.start() if first else -1
    # Common words that are a title before a name ("the opposition leader Radek Sollin",
    # "Halvane's chief executive Yusuf Tallmark") belong to the name's mention, not to what is
    # said of it. A title follows a determiner or a possessive name; or the sentence opens
    # with it, a full name (two words or more) next ("Chief executive Yusuf Tallmark").
    # None: no title can be running (a verb's object takes no determiner: "visited Brask").
    title: list[int] | None = None
    opened = False  # the running title opened the sentence

    def flush() -> None:
        if run:
            joined = " ".join(w.casefold() for w in run)
            head = run[-1].rsplit("-", 1)[-1] if "-" in run[-1] else run[-1]
            term = TERM_ALIASES.get(joined) or stem(head)
            if term and term not in CLAIM_STOP_WORDS:
                out.append((term, _LEAD if run_start == opening and len(run) == 1 else _NAME))
            run.clear()

    def close_title() -> None:
        nonlocal title
        # a title is a name's when the run after it is a name (a full one after an opening)
        if title and (not opened or len(run) >= 2):
            for k in title:
                out[k] = (out[k][0], _TITLE)
        title = None

    for match in _WORD_RE.finditer(text):
        raw = match.group()
        adjacent = text[last_end : match.start()] == " "
        last_end = match.end()
        if raw[0].isdigit():
            flush()
            title = None
            out.append((raw.replace(",", ""), _NUMBER))
            continue
        if raw.casefold() in CLAIM_STOP_WORDS or len(raw) < 2:
            if run and title is not None:
                close_title()
            flush()
            title, opened = ([], False) if raw.casefold() in _DETERMINERS else (None, False)
            continue
        if _is_name(raw):
            if not adjacent:
                if run and title is not None:
                    close_title()
                flush()
                title = None
            if not run:
                run_start = match.start()
            run.append(raw)
            continue
        if run:
            if title is not None:
                close_title()
            if raw and run_start == opening and len(run) == 1 and adjacent:
                # the sentence opens with a capitalised word a title may start with
                flush()
                title, opened = [len(out) - 1], True
            elif run[-1].endswith(("'s", "’s")) and adjacent:
                flush()
                title, opened = [], False
            else:
                flush()
                title = None
        elif not adjacent:
            title = None
        term = stem(raw)
        if term and term not in CLAIM_STOP_WORDS:
            if title is not None:
                title.append(len(out))
            out.append((term, _WORD))
    if run and title is not None:
        close_title()
    flush()
    return tuple(out)


def _quantity_value(num: str, scale: str | None) -> str:
    value = COUNT_WORDS.get(num.casefold(), num.replace(",", ""))
    return f"{value} {scale.casefold()}" if scale else value


def find_quantities(text: str) -> list[tuple[str, str]]:
    """Return (counted thing, value) pairs such as ("killed", "12") or ("target", "72")."""
    out = []
    for match in _QUANTITY_RE.finditer(text):
        num = match.group("num")
        words = [w for w in match.group("rest").split() if w]
        before = text[max(0, match.start() - 12) : match.start()].casefold().split()
        if (words and stem(words[0]) in _MONTHS) or (before and stem(before[-1]) in _MONTHS):
            continue  # a date, not a count
        if re.fullmatch(r"(1[89]|20)\d\d", num) and not match.group("scale"):
            continue  # a year
        if "%" in match.group() or "cent" in match.group().casefold():
            out.append(("percent", _quantity_value(num, match.group("scale"))))
            continue
        if words[:2] and " ".join(words[:2]).casefold() in {"of the", "of them", "of those"}:
            continue  # "nine of the dead": a part of a count, not the count
        thing = None
        for word in words:
            low = word.casefold().strip("'’-")
            canon = _THING_CANON.get(low) or _THING_CANON.get(stem(low))
            if canon:
                thing = canon
                break
            if low in _FILLER:
                continue
            if thing is None and low not in CLAIM_STOP_WORDS:
                thing = stem(low)
                if words.index(word) == 0 and low not in {"people", "civilians"}:
                    # "72 targets" counts targets, unless a death/injury verb follows later
                    rest = [_THING_CANON.get(w.casefold()) for w in words[1:]]
                    thing = next((r for r in rest if r), thing)
                    break
        if thing is None and words and words[0].casefold() in {"people", "civilians", "person"}:
            thing = "people"
        if thing in _TIME_UNITS:
            continue  # "three decades", "48 hours": a span of time, not a count
        if thing and thing not in CLAIM_STOP_WORDS and not thing[0].isdigit():
            out.append((thing, _quantity_value(num, match.group("scale"))))
    # "killed 12 people", "a death toll of 14": the verb or noun before the number
    for match in re.finditer(
        r"\b(killed|killing|death toll (?:\w+ )?(?:of|to|at)|number of (?:dead|deaths|victims)"
        r" (?:\w+ )?(?:at|to|of)|wounded|injured|injuring)"
        r"\s+(?:at least |more than |about |some )?(\d[\d,]*|" + _NUMBER_WORD_RE + r")\b",
        text,
        re.IGNORECASE,
    ):
        cue = match.group(1).casefold()
        thing = "injured" if cue.startswith(("wound", "injur")) else "killed"
        pair = (thing, _quantity_value(match.group(2), None))
        if pair not in out:
            out.append(pair)
    return out


def similarity_matrix(term_lists: Sequence[Sequence[str]]) -> np.ndarray:
    """Return pairwise statement similarity: IDF-weighted overlap and Dice, averaged."""
    vocab: dict[str, int] = {}
    rows, cols = [], []
    for i, terms in enumerate(term_lists):
        # first-seen order, not set order: the sums (and so ties) are the same in every process
        for term in dict.fromkeys(terms):
            rows.append(i)
            cols.append(vocab.setdefault(term, len(vocab)))
    n = len(term_lists)
    if not n or not vocab:
        return np.zeros((n, n))
    binary = sparse.csr_matrix(
        (np.ones(len(rows)), (rows, cols)), shape=(n, len(vocab)), dtype=np.float64
    )
    df = np.asarray(binary.sum(axis=0)).ravel()
    # Smoothed, floored IDF: a claim that many outlets repeat must not lose its shared words'
    # weight, so the weights only range from 1 (everywhere) to about 1 + log(n) (once).
    idf = 1.0 + np.log((n + 1) / (df + 1))
    weighted = binary.multiply(idf[np.newaxis, :]).tocsr()
    shared = (weighted @ binary.T).toarray()
    total = np.asarray(weighted.sum(axis=1)).ravel()
    smaller = np.minimum.outer(total, total)
    both = np.add.outer(total, total)
    with np.errstate(divide="ignore", invalid="ignore"):
        overlap = np.where(smaller > 0, shared / smaller, 0.0)
        dice = np.where(both > 0, 2 * shared / both, 0.0)
    sim: np.ndarray = (overlap + dice) / 2
    np.fill_diagonal(sim, 0.0)
    return sim


# Words that turn what follows into its opposite ("will not lift", "never agreed").
_NEGATORS = frozenset(
    ("not", "no", "never", "nor", "cannot", "none", "nobody", "nothing", "neither", "without")
)
# Words a negation skips to reach what it negates ("not be lifted", "never to the talks").
_NEGATION_SKIPS = frozenset(("be", "been", "to", "a", "an", "the", "any", "ever", "yet", "have"))
_QUOTE_WORD_RE = re.compile(r"[A-Za-z]+(?:['’][a-z]+)?|\d[\d,.]*")


def _negated(quote: str, shared: Collection[str]) -> set[str]:
    """Return the shared terms that a negation in ``quote`` applies to."""
    words = [w.casefold() for w in _QUOTE_WORD_RE.findall(quote)]
    out: set[str] = set()
    for k, word in enumerate(words):
        if word in _NEGATORS or word.endswith(("n't", "n’t")):
            following = [w for w in words[k + 1 : k + 4] if w not in _NEGATION_SKIPS][:1]
            out.update(stem(w) for w in following if stem(w) in shared)
    return out


def _numbers(quote: str) -> set[str]:
    """Return the numbers a quote gives, words as digits ("two" and "2" are one number)."""
    words = [w.casefold().rstrip(".,") for w in _QUOTE_WORD_RE.findall(quote)]
    return {
        COUNT_WORDS.get(w, w.replace(",", "")) for w in words if w[:1].isdigit() or w in COUNT_WORDS
    }


def contradict(one: str, two: str, shared: Collection[str]) -> bool:
    """Return True when two wordings of one quote cannot both be what was said.

    Rewording and translation change words but not the position: only a different number
    ("two weeks" / "three weeks") or a negation one wording puts on a shared word and the
    other does not ("will not lift" / "will lift") makes them incompatible.
    """
    numbers = _numbers(one), _numbers(two)
    if numbers[0] and numbers[1] and numbers[0] != numbers[1]:
        return True
    return _negated(one, shared) != _negated(two, shared)


# Words that put what follows in the future or among the possible ("will publish", "could
# close"): a statement of what may happen is not one of what happened.
_MODALS = frozenset(("will", "would", "shall", "may", "might", "could", "can", "should", "must"))
# Words between a modal (or a negation) and its verb ("will not be", "could also have").
_MODAL_SKIPS = _NEGATION_SKIPS | _NEGATORS | frozenset(("also", "still", "soon", "then", "now"))


_MODAL_NEGATIONS = frozenset(
    w + end
    for w in ("won", "wouldn", "can", "couldn", "shouldn", "mustn", "mightn", "shan")
    for end in ("'t", "’t")
)


def _is_modal(word: str) -> bool:
    # "won't", "can't", "it'll": the modal inside a contraction
    return word in _MODALS or word.endswith(("'ll", "’ll")) or word in _MODAL_NEGATIONS


def _modal(text: str, shared: Collection[str]) -> set[str]:
    """Return the shared terms that a modal in ``text`` governs ("will publish" -> "publish")."""
    # as written: a capitalised "May" is the month ("on 5 May, officials said"), not a modal
    written = _QUOTE_WORD_RE.findall(text)
    words = [w.casefold() for w in written]
    out: set[str] = set()
    for k, word in enumerate(written):
        if _is_modal(word):
            following = [w for w in words[k + 1 : k + 5] if w not in _MODAL_SKIPS][:1]
            out.update(stem(w) for w in following if stem(w) in shared)
    return out


@functools.lru_cache(maxsize=1 << 13)
def _content(text: str) -> frozenset[str]:
    """Return the terms a statement uses as common words (not only inside names or numbers)."""
    return frozenset(term for term, kind in _tagged_terms(text) if kind in (_WORD, _LEAD))


STRUCTURAL_CHECKS = ("content", "polarity", "modality")


def supports(one: str, two: str, checks: Collection[str] = STRUCTURAL_CHECKS) -> bool:
    """Return False when two similar statements cannot state one thing, by their structure.

    Word overlap alone lets a sentence "support" another that shares its names and numbers
    but says something else of them, or says its opposite. Each check needs no fitting:
    - content: the two share a common word (a predicate or its object), not only names and
      numbers ("Penwright, 19, said he had not slept" / "the 19-year-old Luca Penwright is
      expected to start": what is said of him differs). A sentence's capitalised first word is
      a common word when the other uses it as one ("Police said" / "said police").
    - polarity: a negation governs a shared word in one and not in the other ("has not
      commented" / "commented"): they disagree (a conflict is found on its own test).
    - modality: a modal governs a shared word in one and not in the other ("will publish" /
      "published"): what may or will happen is not what happened.
    """
    if "content" in checks:
        shared_content = _content(one) & _content(two)
        if not shared_content:
            return False
    shared = set(_terms(one)) & set(_terms(two))
    if "polarity" in checks and _negated(one, shared) != _negated(two, shared):
        return False
    return not ("modality" in checks and _modal(one, shared) != _modal(two, shared))
