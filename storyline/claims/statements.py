"""Statements: the cheap text handling that claims are built on.

A regex sentence splitter, a crude deterministic stemmer, the content terms of a statement
(a run of capitalised words counts once, as its head), the counted quantities it states, and an
IDF-weighted similarity between statements.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse

if TYPE_CHECKING:
    from collections.abc import Collection, Sequence

MIN_WORDS = 6


MAX_WORDS = 80


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_ABBREV = _word_set(
    "apr aug co col corp dec dr e.g etc feb gen gov i.e inc jan jr jul jun lt ltd mar mr mrs "
    "ms no nov oct pres prof rep sen sep sept sgt sr st u.k u.n u.s vs"
)


_SENT_END_RE = re.compile(r"[.!?]+[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])|\n+")


_WORD_RE = re.compile(r"[A-Za-z][A-Za-z'’\-]*|\d[\d,]*(?:\.\d+)?")


_STOP = _word_set(
    "'s -lrb- -rrb- a about above according after again against all also am an and any are as "
    "at be because been before being below between both but by can could day days did do does "
    "doing down during each few first for from further get got had has have having he her "
    "here hers herself him himself his how i if in into is it its itself just last like lrb "
    "may me might more most mr mrs ms must my myself n't new no nor not now of off on once "
    "one only or other our ours out over own rrb said same say says shall she should so some "
    "such than that the their theirs them themselves then there these they this those through "
    "time to told too under until up very was we week weeks were what when where which while "
    "who whom why will with would year years you your"
)


_MONTHS = _word_set(
    "april august december february january july june march may november october september"
)


# A small table of aliases that are world knowledge, not data: one term per organisation.
_ALIASES = {
    "isil": "isis",
    "daesh": "isis",
    "is": "isis",
    "islamic state": "isis",
    "u.s": "us",
    "usa": "us",
    "united states": "us",
}


_NUMBER_WORDS = {
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
    "eleven": "11",
    "twelve": "12",
    "thirteen": "13",
    "fourteen": "14",
    "fifteen": "15",
    "sixteen": "16",
    "seventeen": "17",
    "eighteen": "18",
    "nineteen": "19",
    "twenty": "20",
    "thirty": "30",
    "forty": "40",
    "fifty": "50",
    "dozen": "12",
    "hundred": "100",
    "thousand": "1000",
}


# Longest first, so "fourteen" is not read as "four".
_NUMBER_WORD_RE = "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True))
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


_FILLER = _word_set(
    "about almost are at been being believed civilian civilians confirmed feared had has have "
    "is known least more nearly now of other others people person presumed reported soldiers "
    "some than the was were who"
)


_TIME_UNITS = _word_set("second minute hour day night week month year decade century")


def stem(word: str) -> str:
    """Return a crude, deterministic stem: plural, -ing, -ed and possessive folded."""
    word = word.casefold().replace("’", "'").removesuffix("'s").strip("'-")
    word = _ALIASES.get(word, word)
    if len(word) > 5 and word.endswith("ing"):
        return word[:-3]
    if len(word) > 4 and word.endswith("ied"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith("ed") and not word.endswith("eed"):
        return word[:-2]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is", "as")):
        return word[:-1]
    return word


def _is_name(raw: str) -> bool:
    return raw[:1].isupper() or ("-" in raw and raw.rsplit("-", 1)[1][:1].isupper())


def statement_terms(text: str) -> list[str]:
    """Return the stemmed content words and numbers of a statement, in order.

    A run of capitalised words counts once, as its head ("Russian Foreign Minister Sergei
    Lavrov" -> "lavrov", "Bashar al-Assad" -> "assad"), so a long title does not make two
    sentences look alike.
    """
    out: list[str] = []
    run: list[str] = []
    last_end = -2

    def flush() -> None:
        if run:
            joined = " ".join(w.casefold() for w in run)
            head = run[-1].rsplit("-", 1)[-1] if "-" in run[-1] else run[-1]
            term = _ALIASES.get(joined) or stem(head)
            if term and term not in _STOP:
                out.append(term)
            run.clear()

    for match in _WORD_RE.finditer(text):
        raw = match.group()
        adjacent = text[last_end : match.start()] == " "
        last_end = match.end()
        if raw[0].isdigit():
            flush()
            out.append(raw.replace(",", ""))
            continue
        if raw.casefold() in _STOP or len(raw) < 2:
            flush()
            continue
        if _is_name(raw):
            if not adjacent:
                flush()
            run.append(raw)
            continue
        flush()
        term = stem(raw)
        if term and term not in _STOP:
            out.append(term)
    flush()
    return out


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Return (start, end) character spans of the sentences of a text."""
    spans = []
    start = 0
    for match in _SENT_END_RE.finditer(text):
        cut = match.start() + len(match.group().rstrip())
        before = text[start:cut].rstrip(".!?\"'”’)] ").rsplit(None, 1)
        last = before[-1].casefold().rstrip(".") if before else ""
        if "\n" not in match.group() and (last in _ABBREV or (len(last) == 1 and last.isalpha())):
            continue  # "Mr. Putin", "George W. Bush": not a sentence end
        if text[start:cut].strip():
            spans.append((start, cut))
        start = match.end()
    if text[start:].strip():
        spans.append((start, len(text.rstrip())))
    return [(s + len(text[s:e]) - len(text[s:e].lstrip()), e) for s, e in spans]


def _quantity_value(num: str, scale: str | None) -> str:
    value = _NUMBER_WORDS.get(num.casefold(), num.replace(",", ""))
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
            if thing is None and low not in _STOP:
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
        if thing and thing not in _STOP and not thing[0].isdigit():
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
        _NUMBER_WORDS.get(w, w.replace(",", ""))
        for w in words
        if w[:1].isdigit() or w in _NUMBER_WORDS
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
