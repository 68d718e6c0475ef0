"""A paragraph vote between trafilatura's text and a second extractor's, in page order.

Extractor ensembles (Bevendorff et al., "An Empirical Comparison of Web Content Extraction
Algorithms", SIGIR 2023) gain by keeping text that more than one extractor returns. Here the
voters are trafilatura's fast text (the primary) and trafilatura's own readability port run on
the already parsed tree (readability-lxml's algorithm at a quarter of trafilatura's time; the
readability-lxml package itself reparses the page and costs as much as trafilatura, too slow
to ask on every page). Per page:

- a primary line keeps its place when most of its words are in the second text (``support``);
  a line the second text does not back is dropped (menus, teasers, share prompts);
- a long paragraph only the second text holds (``add_words`` words or more) is added after the
  primary line its predecessor matched: article paragraphs trafilatura's filters lost;
- no vote when the second text is small next to the primary (under ``min_share`` of its words):
  readability then found a different or no block, and its silence says nothing about a line;
- trailing teasers: after the last line of ``tail_anchor_words`` words or more that the second
  text holds word for word (the article's end), a primary line under ``tail_max_words`` words
  that the second text does not hold word for word is dropped. The word-bag test keeps related
  post titles, headline lists and date lines when their words occur anywhere in the article;
- footnotes: a block whose class or id names footnotes is not dropped by name as an unlikely
  candidate (the port's ``foot`` is meant for page footers), so a reference list trafilatura
  keeps is backed;
- a table with a header row (trafilatura writes a ``|---|`` line under it) is one unit: all its
  rows are kept when a body row with words is backed. A row of figures ("Eastside Middle | 540
  | 522") shares few words with prose, and readability drops data tables, so row by row the
  vote kept a table's header and lost its figures. The header alone backs nothing (a layout
  table's masthead), and a table with a paragraph in a cell (``add_words`` words) is a page's
  layout: it is voted row by row.

Every count is returned for the article's ``meta["extraction"]["vote"]``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from lxml import etree
from lxml.html import HtmlElement, fragment_fromstring
from trafilatura.readability_lxml import FRAME_TAGS, REGEXES, Document, _tostring

from storyline.config import default_values
from storyline.ingest.html_tree import from_bytes
from storyline.text.scripts import WordMeasure

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from storyline.config import IngestSettings, TextSettings

_TOKEN_RE = re.compile(r"\w+")
# trafilatura's line under a table's header row: "|---|---|".
_TABLE_RULE = re.compile(r"\|(?:\s*-+\s*\|)+")
# The vote record's result when the second text is too small to vote with (html._small_port
# reads it: the page may then go to readability-lxml).
SKIPPED_SMALL = "skipped: second text small"
# Fewer words than this is no text to vote with (html._MIN_WORDS: a menu or an error page).
_MIN_WORDS = 5
# Block elements after which an extractor's HTML gets a line break (one paragraph a line).
BLOCKS = frozenset(
    {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "br", "tr", "blockquote", "pre"}
    | {"section", "article", "dd", "dt", "figcaption"}
)


@dataclass(frozen=True)
class VotePolicy:
    """The HTML reader's per-page settings (``[ingest]`` html_vote_*, html_readability_*, ...).

    ``port_share``: on a page whose small comment section trafilatura set aside, a second text
    under this share of the voted text's words sends the page to readability-lxml.
    ``repeat_words`` / ``repeat_share``: repeated lines of at least ``repeat_words`` words are
    dropped when they hold at least ``repeat_share`` of the page's words.
    ``small_port_share`` / ``agree_factor``: a port text too small to vote with, yet at least
    ``small_port_share`` of the primary's words, asks readability-lxml; its text replaces the
    primary when its word count is within ``agree_factor`` of the port's.
    ``tail_anchor_words`` / ``tail_max_words``: after the last voted line of at least
    ``tail_anchor_words`` words the second text holds word for word, primary lines under
    ``tail_max_words`` words it does not hold word for word are dropped (trailing teasers).
    ``tail_min_held``: the short-primary fallback trims readability-lxml's tail so only when the
    lines trafilatura's text holds word for word are at least this share of its words.
    ``short_words``: a primary text under this many words asks readability-lxml first.
    ``comment_share``: a comment block under this share of the article's words is widget text.
    ``words``: how every rule above counts words (``[text]``: CJK and Thai at a rate per script).
    """

    min_share: float
    support: float
    add_words: int
    port_share: float
    repeat_words: int
    repeat_share: float
    small_port_share: float
    agree_factor: float
    tail_anchor_words: int
    tail_max_words: int
    tail_min_held: float
    short_words: int
    comment_share: float
    words: WordMeasure

    @classmethod
    def from_values(
        cls, values: Mapping[str, Any], text: Mapping[str, Any] | None = None
    ) -> VotePolicy:
        """Build the policy from an ``[ingest]`` table (html_vote_* keys) and a ``[text]`` one.

        Without ``text``, words are counted as the packaged defaults count them.
        """
        return cls(
            min_share=float(values["html_vote_min_share"]),
            support=float(values["html_vote_support"]),
            add_words=int(values["html_vote_add_words"]),
            port_share=float(values["html_readability_port_share"]),
            repeat_words=int(values["html_repeat_line_words"]),
            repeat_share=float(values["html_repeat_share"]),
            small_port_share=float(values["html_readability_small_port_share"]),
            agree_factor=float(values["html_readability_agree_factor"]),
            tail_anchor_words=int(values["html_vote_tail_anchor_words"]),
            tail_max_words=int(values["html_vote_tail_max_words"]),
            tail_min_held=float(values["html_vote_tail_min_held"]),
            short_words=int(values["html_readability_short_words"]),
            comment_share=float(values["html_comment_share"]),
            words=WordMeasure.from_values(text if text is not None else default_values()["text"]),
        )

    @classmethod
    def from_settings(cls, ingest: IngestSettings, text: TextSettings | None = None) -> VotePolicy:
        """Build the policy from resolved settings (a user's storyline.toml / --config)."""
        return cls.from_values(ingest.model_dump(), text.model_dump() if text else None)


@cache
def default_policy() -> VotePolicy:
    """Return the vote policy of the packaged defaults (callers without settings)."""
    values = default_values()
    return VotePolicy.from_values(values["ingest"], values["text"])


def _literal_words(pattern: re.Pattern[str]) -> tuple[str, ...] | None:
    """Return a regex's alternatives when it is a plain alternation of lower-case words."""
    words = tuple(pattern.pattern.split("|"))
    plain = all(re.fullmatch(r"[a-z-]+", word) for word in words)
    return words if plain and pattern.flags & re.IGNORECASE else None


_UNLIKELY = REGEXES["unlikelyCandidatesRe"]
_MAYBE = REGEXES["okMaybeItsACandidateRe"]
_UNLIKELY_WORDS, _MAYBE_WORDS = _literal_words(_UNLIKELY), _literal_words(_MAYBE)


def _case_sensitive(words: tuple[str, ...] | None) -> re.Pattern[str] | None:
    """Return the alternation of ``words`` without IGNORECASE (None when there are none)."""
    return re.compile("|".join(words)) if words is not None else None


# The same words matched case-sensitively, on a lower-cased string: a third of the time of
# a substring test per word (20 words), and of the case-blind regex.
_UNLIKELY_LOW, _MAYBE_LOW = _case_sensitive(_UNLIKELY_WORDS), _case_sensitive(_MAYBE_WORDS)


def _unlikely(attrs: str) -> bool:
    """Return the port's verdict on a class + id string: an unlikely candidate, to drop.

    The port's two regexes are case-blind alternations of lower-case ASCII words; on an ASCII
    string the same test is the case-sensitive alternation on its lower-case form, which is
    several times faster. Any other string goes to the regexes themselves (case-blind
    matching folds some non-ASCII letters onto ASCII ones: the Kelvin sign matches "k").
    """
    if _UNLIKELY_LOW is not None and _MAYBE_LOW is not None and attrs.isascii():
        low = attrs.lower()
        return _UNLIKELY_LOW.search(low) is not None and _MAYBE_LOW.search(low) is None
    return bool(_UNLIKELY.search(attrs)) and not _MAYBE.search(attrs)


class _Port(Document):
    """trafilatura's readability port, with its unlikely-candidate pass made cheaper.

    The port visits every element and matches its class and id against two case-blind
    regexes (timers on 150 dragnet pages: over half of the port's time, most of it in the
    regexes). Only an element with a class or id can match, so this pass asks lxml for those
    elements alone (XPath, document order) and tests each distinct string once, without the
    regex engine when the string is ASCII (``_unlikely``): the same elements are dropped in
    the same order, but for blocks named footnotes (``_names_footnotes``), which it keeps.
    """

    __slots__ = ()

    def transform_misused_divs_into_paragraphs(self) -> None:
        """Rename to ``p`` each div holding no block element, then split its loose text.

        The port decides by serialising the div's children and searching the markup for a
        block tag; the markup holds ``<`` + name for every element, and in comments and
        processing instructions, so the same test is run on each descendant's ``<`` + tag
        (stopping at the first hit), serialising only comments and the like.
        """
        for elem in self.doc.findall(".//div"):
            if not _holds_block(elem):
                elem.tag = "p"
        # The port's second half, as it is: loose text of the remaining divs into <p>s.
        for elem in self.doc.findall(".//div"):
            if elem.text and elem.text.strip():
                p_elem = fragment_fromstring("<p/>")
                p_elem.text, elem.text = elem.text, None
                elem.insert(0, p_elem)
            for pos, child in sorted(enumerate(elem), reverse=True):
                if child.tail and child.tail.strip():
                    p_elem = fragment_fromstring("<p/>")
                    p_elem.text, child.tail = child.tail, None
                    elem.insert(pos + 1, p_elem)
                if child.tag == "br":
                    child.drop_tree()

    def remove_unlikely_candidates(self) -> None:
        # A compiled XPath and one verdict per string (the length test in it): a quarter of
        # this pass's instructions (callgrind, every tenth dev page).
        verdicts: dict[str, bool] = {}
        for elem in _NAMED(self.doc):
            cls, ident = elem.get("class"), elem.get("id")
            attrs = f"{cls} {ident}" if cls and ident else cls or ident or ""
            doomed = verdicts.get(attrs)
            if doomed is None:
                doomed = verdicts[attrs] = (
                    len(attrs) >= 2 and _unlikely(attrs) and not _names_footnotes(attrs)
                )
            if doomed and elem.tag not in FRAME_TAGS:
                elem.drop_tree()


# Elements with a class or an id, in document order (the port's candidates by name).
_NAMED = etree.XPath("descendant::*[@class or @id]")


def _names_footnotes(attrs: str) -> bool:
    """Return True when a class + id string names footnotes (``footnotes``, ``fn-footnote``).

    The port's unlikely pattern holds ``foot`` (page footers), so it drops a footnote list by
    its name before scoring it; trafilatura keeps the list, and the vote then dropped it as
    unbacked (a reference list under its "Notes" heading). Only this name test is spared: the
    port's clean-up still weighs a footnote class against a ``div``, ``ul`` or ``section``, so
    a Markdown-style ``<div class="footnotes">`` is still dropped (trafilatura and
    readability-lxml drop it too). Measured on the dev pages whose markup names footnotes (4
    Zyte, 48 dragnet): the reader's text changed on one page, F1 -0.0002 there.
    """
    return "footnote" in attrs.lower()


_BLOCK_TAG = REGEXES["divToPElementsRe"]


def _holds_block(elem: HtmlElement) -> bool:
    """Return the port's test: the serialised children of ``elem`` show a block tag."""
    for child in elem:
        for node in child.iter():
            tag = node.tag
            if isinstance(tag, str) and not tag.startswith("{"):
                if _BLOCK_TAG.match(f"<{tag}"):
                    return True
            elif _BLOCK_TAG.search(_tostring(node)):
                return True
    return False


def try_readability(tree: HtmlElement) -> HtmlElement:
    """Run the port as ``trafilatura.external.try_readability`` does (same lengths).

    Its summary is parsed as trafilatura's ``fromstring_bytes`` parses it (``html_tree``).
    """
    summary = from_bytes(_Port(tree, min_text_length=25, retry_length=250).summary())
    return summary if summary is not None else HtmlElement()


def block_text(tree: HtmlElement) -> str:
    """Return a tree's text, one block element a line, blank lines dropped."""
    for element in tree.iter():
        if isinstance(element.tag, str) and element.tag in BLOCKS:
            element.tail = "\n" + (element.tail or "")
    lines = (" ".join(line.split()) for line in tree.text_content().split("\n"))
    return "\n".join(line for line in lines if line)


def second_text(tree: HtmlElement) -> str:
    """Return trafilatura's readability port's text of a parsed page ("" when it fails).

    The port prunes the tree it is given: call it last on a tree (no copy, for speed).
    """
    try:
        return block_text(try_readability(tree))
    except Exception:  # noqa: BLE001 -- a voter that fails casts no vote
        return ""


def _tokens(line: str) -> list[str]:
    return _TOKEN_RE.findall(line.lower())


def _backed(tokens: list[str], bag: set[str], support: float) -> bool:
    return sum(map(bag.__contains__, tokens)) >= support * len(tokens)


def vote(primary: str, second: str, policy: VotePolicy) -> tuple[str, dict[str, object]]:
    """Return the voted text and what the vote did (counts for the article's metadata)."""
    count = policy.words.count
    primary_words, second_words = count(primary), count(second)
    record: dict[str, object] = {"voter": "trafilatura-readability", "second_words": second_words}
    if second_words < max(_MIN_WORDS, policy.min_share * primary_words):
        record["result"] = SKIPPED_SMALL
        return primary, record
    lines = primary.split("\n")
    line_tokens = [_tokens(line) for line in lines]
    # the second text tokenised once, line by line (\w+ never spans a line break)
    second_lines = [(line, _tokens(line)) for line in second.split("\n")]
    second_tokens = [token for _, tokens in second_lines for token in tokens]
    second_bag = set(second_tokens)
    kept = [not tokens or _backed(tokens, second_bag, policy.support) for tokens in line_tokens]
    _keep_tables(lines, line_tokens, kept, policy)
    # \w+ never spans a line break: the primary's tokens are its lines' tokens.
    line_sets = [set(tokens) for tokens in line_tokens]
    primary_bag = set().union(*line_sets)
    lines_with = _lines_with(line_sets)
    # Paragraphs only the second text holds, each placed after the primary line that matched
    # the second text's last backed line before it (-1: before the first line).
    inserts: dict[int, list[str]] = {}
    anchor = -1
    added = 0
    for line, tokens in second_lines:
        if not tokens:
            continue
        if _backed(tokens, primary_bag, policy.support):
            anchor = _best_line(set(tokens), lines_with, anchor)
        elif count(line) >= policy.add_words:
            inserts.setdefault(anchor, []).append(line)
            added += 1
    out = list(inserts.get(-1, []))
    for index, line in enumerate(lines):
        if kept[index]:
            out.append(line)
        out.extend(inserts.get(index, []))
    out, tail_dropped = _drop_tail(out, _holds_run(second_tokens), policy)
    record.update(
        result="voted",
        dropped_lines=kept.count(False),
        added_lines=added,
        tail_dropped_lines=tail_dropped,
        lines=len(lines),
    )
    return "\n".join(out), record


def _lines_with(line_sets: list[set[str]]) -> dict[str, list[int]]:
    """Return each token's primary lines, in page order."""
    lines_with: dict[str, list[int]] = {}
    for index, words in enumerate(line_sets):
        for word in words:
            lines_with.setdefault(word, []).append(index)
    return lines_with


def _best_line(words: set[str], lines_with: dict[str, list[int]], anchor: int) -> int:
    """Return the first primary line sharing the most of ``words`` (``anchor`` when none does).

    Counted from each word's lines: comparing the set with every line made the vote quadratic
    in a page's lines (a tenth of its time on dragnet and Zyte).
    """
    shared: dict[int, int] = {}
    for word in words:
        for index in lines_with.get(word, ()):
            shared[index] = shared.get(index, 0) + 1
    if not shared:
        return anchor
    return min(shared, key=lambda index: (-shared[index], index))


def _keep_tables(
    lines: list[str], line_tokens: list[list[str]], kept: list[bool], policy: VotePolicy
) -> None:
    """Keep every row of a headed table (``|``-lines around a ``|---|`` rule) a body row backs.

    Only a body row with words backs the table: a header row ("Marrowby Gazette | Fire news")
    is a page's masthead as often as a table's, and a row of no words ("| — | — |") is kept
    by the vote whatever the table is. A table with a cell of ``add_words`` words or more (the
    vote's long paragraph) is a page's layout, the article in one cell and menus, sponsored
    links and the footer in the others: its rows are voted one by one.
    """
    for index, line in enumerate(lines):
        if not _TABLE_RULE.fullmatch(line.strip()) or index == 0:
            continue
        start = index - 1  # the header row
        end = index + 1
        while end < len(lines) and lines[end].lstrip().startswith("|"):
            end += 1
        if not lines[start].lstrip().startswith("|") or _layout(lines[start:end], policy):
            continue
        if any(line_tokens[row] and kept[row] for row in range(index + 1, end)):
            kept[start:end] = [True] * (end - start)


def _layout(rows: list[str], policy: VotePolicy) -> bool:
    """Return True when a table's cell holds a paragraph: a layout table, not data."""
    count = policy.words.count
    return any(count(cell) >= policy.add_words for row in rows for cell in row.split("|"))


def drop_tail(text: str, voter: str, policy: VotePolicy) -> tuple[str, int, float]:
    """Return ``text`` without the short lines after its end that ``voter`` does not hold.

    The vote's tail rule with the roles swapped (``_drop_tail``): the reader uses it on
    readability-lxml's text, with trafilatura's short text as the voter. That text is short
    because trafilatura's filters set part of the page aside, and the part may be the article's
    own short lines (sub-headings, a comment-styled box): its silence on a line is evidence only
    when it read most of the same text. So nothing is dropped unless the lines the voter holds
    word for word are at least ``tail_min_held`` of ``text``'s words. Returns the text, how
    many lines were dropped and that held share.
    """
    lines = text.split("\n")
    holds = _holds_run(_tokens(voter))
    total = held = 0
    for line in lines:
        tokens = _tokens(line)
        size = policy.words.count_tokens(tokens, line)
        total += size
        if tokens and holds(tokens):
            held += size
    share = held / total if total else 0.0
    if share < policy.tail_min_held:
        return text, 0, share
    kept, dropped = _drop_tail(lines, holds, policy)
    return "\n".join(kept), dropped, share


def _holds_run(text_tokens: list[str]) -> Callable[[list[str]], bool]:
    """Return a test of whether a line's tokens stand in the text side by side, in order."""
    # Token sequences joined by single spaces, padded, so a line's run is a substring test.
    joined = " " + " ".join(text_tokens) + " "

    def holds(tokens: list[str]) -> bool:
        return (" " + " ".join(tokens) + " ") in joined

    return holds


def _drop_tail(
    lines: list[str], held: Callable[[list[str]], bool], policy: VotePolicy
) -> tuple[list[str], int]:
    """Drop short lines after the article's end that the second text does not hold word for word.

    ``held`` tests a line's tokens against the second text (``_holds_run``). The article's end
    is the last line of ``tail_anchor_words`` words or more whose words stand in the second text
    in the same order, side by side (a paragraph both extractors read). After it, a short line
    whose words the second text holds only scattered is a teaser, a headline of another post or
    a date line that passed the word-bag test on common words (a line of no words, a separator,
    goes too). Added lines are the second text's own and are never dropped.
    Returns the lines kept and how many were dropped.
    """
    end = -1
    tail_tokens: dict[int, tuple[list[str], int]] = {}
    for index in range(len(lines) - 1, -1, -1):
        tokens = _tokens(lines[index])
        size = policy.words.count_tokens(tokens, lines[index])
        if size >= policy.tail_anchor_words and held(tokens):
            end = index
            break
        tail_tokens[index] = (tokens, size)
    if end < 0:
        return lines, 0  # no line both read: the end of the article is unknown
    doomed = {
        index
        for index, (tokens, size) in tail_tokens.items()
        if size < policy.tail_max_words and not held(tokens)
    }
    return [line for index, line in enumerate(lines) if index not in doomed], len(doomed)
