"""A page's publication date: htmldate's search, with dateparser told the page's language.

htmldate's extensive search (trafilatura's metadata default) sends date-like strings its own
patterns cannot read to dateparser with no language, so dateparser tries each of its 200-odd
locales on every string: on dragnet that was 21 of the reader's 36 seconds. Here the same search
runs with a dateparser limited to the page's declared language and English (the language of
htmldate's own patterns), and only on pages whose markup states no date (see ``page_date``).
Everything else about the search is htmldate's: same cascade, same parser settings, same range.

Measured (bench/published_t17.py --set htmldate-tests; and on the 129 dragnet and Zyte pages
whose date only the extensive search finds): the same answer on every page as the search with
all locales, at a fifth of the time.

The parser swap is scoped: htmldate's ``get_external_parser`` is replaced once by a proxy that
uses the limited parser only inside ``page_date`` (a context variable, so threads and other
callers of htmldate, trafilatura's own metadata among them, keep all locales). htmldate caches
answers per string, not per language: the cache is emptied before and after each limited
search, so no page's reading answers for another page or for an all-locale caller.

One change to the markup-first search, scoped the same way: its last step takes the first bare
YYYY-MM-DD in the page's text, and a URL written out in the text ("abc.net.au/news/2012-02-15/...",
a link to another page) holds one: that is the linked page's day, not this page's. Inside
``page_date`` that step reads the text with URLs blanked out (dragnet 232: a 2012-07-24 story
dated 2012-02-15 from a cited link; a bare date in the text still counts).

The strings htmldate reads a date from (meta tags, time and abbr elements, date-like elements)
are kept inside ``page_date``, and the string behind the answer is read again by
``published.read_published``: htmldate reads "12/11/10" day first (2010-11-12) and fills a
month-only "2010-03" with today's day of the month; such an answer keeps only what the string
states, with the reason in ``published_note``. A weekday named in that string, or in the text
node a date pattern was read from, settles the order when it falls on one reading only
(``published.settled_part``: dragnet's nhl.com "Monday, 11.05.2012 / 9:44 PM" is 5 November).
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections import OrderedDict
from contextvars import ContextVar
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import htmldate.core
import htmldate.extractors
import htmldate.utils
import htmldate.validators
import lxml.html
from dateparser.data import languages_info
from htmldate import find_date
from lxml import etree
from trafilatura.settings import set_date_params

from storyline.ingest.published import (
    Published,
    date_order,
    numeric_readings,
    read_published,
    settled_part,
)

if TYPE_CHECKING:
    from htmldate.utils import Extractor
    from lxml.html import HtmlElement

    from storyline.ingest.published import DateOrders

# htmldate's own parser (all locales), kept for every call outside ``page_date``.
_ALL_LOCALES = htmldate.extractors.get_external_parser
_SUPPORTED = frozenset(languages_info.language_order)
_LANGUAGES: ContextVar[tuple[str, ...] | None] = ContextVar("page_languages", default=None)
_IN_PAGE_DATE: ContextVar[bool] = ContextVar("in_page_date", default=False)
# (string, answer) pairs htmldate read inside ``page_date``; None outside it
_READ: ContextVar[list[tuple[str, str]] | None] = ContextVar("page_date_strings", default=None)
# htmldate's own string reader, kept for every call outside ``page_date``.
_TRY_DATE = htmldate.core.try_date_expr_opts
# three numbers anywhere in a string ("Posted 12/11/10 by ..."): checked for their order.
# (?<![\d/.-])\d{1,4}... written to start with a digit: the regex engine then skips to the next
# digit instead of trying the look-behind at every character (a third of the time on a whole
# page's text, the same matches on the 1,562 dragnet and Zyte pages).
_NUMBERS_IN_TEXT = re.compile(r"\d(?<![\d/.-]\d)\d{0,3}([/.-])\d{1,2}\1\d{1,4}(?![\d/.-])")
# htmldate's own pattern search, kept for every call outside ``page_date``.
_PATTERN_SEARCH = htmldate.core.pattern_search
# A URL written out in text: a scheme, "www." or a domain followed by a path.
_URL_IN_TEXT = re.compile(r"\S*(?:://|www\.|\.[a-z]{2,6}/)\S*", re.IGNORECASE)
# A tree's text nodes in document order: ``list(tree.itertext())`` on a parsed page (the
# parser merges adjacent text, so a node is an element's text or tail), without an element
# object made per node: a third of the time (checked equal on the 1,562 dragnet and Zyte pages).
_TEXT_NODES = etree.XPath("descendant::text()", smart_strings=False)


@lru_cache(maxsize=64)
def _limited_parser(languages: tuple[str, ...]) -> Any:  # noqa: ANN401 - dateparser is untyped
    """Return htmldate's dateparser (same settings) limited to ``languages``."""
    parser = copy.copy(_ALL_LOCALES())
    parser.languages = list(languages)
    parser.previous_locales = OrderedDict()  # a copy must not share the original's memory
    return parser


class _ScopedParser:
    """What htmldate calls for a date string: the page's languages inside ``page_date``."""

    def get_date_data(self, string: str) -> Any:  # noqa: ANN401 - dateparser's DateData
        languages = _LANGUAGES.get()
        parser = _ALL_LOCALES() if languages is None else _limited_parser(languages)
        return parser.get_date_data(string)


_SCOPED = _ScopedParser()
htmldate.extractors.get_external_parser = lambda: _SCOPED  # type: ignore[assignment]


def _pattern_search(text: str, date_pattern: re.Pattern[str], options: Extractor) -> str | None:
    """Search as htmldate does; inside ``page_date`` the bare-date step skips written URLs."""
    if date_pattern is htmldate.core.TIMESTAMP_LOOSE_PATTERN and _IN_PAGE_DATE.get():
        text = _URL_IN_TEXT.sub(" ", text)
    return _PATTERN_SEARCH(text, date_pattern, options)


htmldate.core.pattern_search = _pattern_search

# htmldate's own candidate scan, kept for every call outside ``page_date``.
_DATE_CANDIDATES = htmldate.core.date_candidates


def _tags(tags: frozenset[str] | tuple[str, ...]) -> str:
    return " or ".join(f"self::{tag}" for tag in sorted(tags))


# The elements htmldate's scan can keep, in document order: its test (``is_date_candidate``)
# rejects an element with no id, class or itemprop, so only those and ``ALWAYS_TAGS`` are
# handed to Python (the scan made an element object of every element of the page).
_NAMED = "@id or @class or @itemprop or " + _tags(htmldate.core.ALWAYS_TAGS)
_CANDIDATES = {
    True: etree.XPath(f"descendant::*[{_NAMED}]"),
    False: etree.XPath(
        f"descendant::*[{_tags((*htmldate.core.FAST_TAGS, *htmldate.core.ALWAYS_TAGS))}][{_NAMED}]"
    ),
}


def _date_candidates(tree: HtmlElement, extensive_search: bool) -> list[HtmlElement]:
    """Return htmldate's date candidates; inside ``page_date`` read from a narrower scan.

    The same elements in the same order (checked on the 1,562 dragnet and Zyte pages).
    """
    if not _IN_PAGE_DATE.get():
        return _DATE_CANDIDATES(tree, extensive_search)
    always, test = htmldate.core.ALWAYS_TAGS, htmldate.core.is_date_candidate
    found = _CANDIDATES[extensive_search](tree)
    return [elem for elem in found if elem.tag in always or test(elem)]


htmldate.core.date_candidates = _date_candidates


def _try_date(string: str | None, options: Any) -> str | None:  # noqa: ANN401 - htmldate's
    """Read a date string as htmldate does; inside ``page_date`` keep what was read from what.

    Inside ``page_date`` a string htmldate raises on is no date: an offset of a day or more
    ("+25:00") raised ValueError out of htmldate's range check and lost the whole page.
    """
    read = _READ.get()
    try:
        answer = _TRY_DATE(string, options)
    except (ValueError, OverflowError):
        if read is None:
            raise
        return None
    if read is not None and answer and string:
        read.append((string, answer))
    return answer


htmldate.core.try_date_expr_opts = _try_date


def declared_language(tree: HtmlElement) -> str:
    """Return the language tags a page declares ("de-DE", "en fr"; "" when none)."""
    declared = tree.get("lang") or tree.get("xml:lang") or ""
    if not declared:
        meta = tree.find('.//meta[@http-equiv="content-language"][@content]')
        if meta is None:
            meta = tree.find('.//meta[@http-equiv="Content-Language"][@content]')
        declared = meta.get("content", "") if meta is not None else ""
    return declared


def page_languages(tree: HtmlElement) -> tuple[str, ...] | None:
    """Return the languages a page declares that dateparser knows, English always included.

    None (every locale, as htmldate's own search) when the page declares a language dateparser
    does not list under that code ("no", "iw"): limiting it to English would lose its dates.
    """
    declared = declared_language(tree)
    found = []
    for tag in declared.replace(",", " ").split():
        code = tag.split("-")[0].split("_")[0].lower()
        if code == "en" or code in found:
            continue
        if code not in _SUPPORTED:
            return None
        found.append(code)
    return ("en", *found)


def page_date(tree: HtmlElement, url: str | None) -> str | None:
    """Return ``page_published``'s date alone."""
    return page_published(tree, url).value


def page_published(tree: HtmlElement, url: str | None) -> Published:
    """Return a parsed page's publication date: a day, or a month or year when no day backs it.

    First htmldate without its extensive search (the page's markup: meta tags, JSON-LD, time
    elements, the URL): an answer there is a day the page states. Only when it finds nothing,
    the extensive search (trafilatura's ``with_metadata`` default; dateparser limited to the
    page's languages). Its last fallbacks state no day: a "2015/03" becomes 2015-03-01 and a
    copyright year or a lone year 1 January, so a first-of-month date from it is cut to
    "2015-03", or to "2015" for 1 January (a "2015/01" also becomes "2015": less than is known,
    never more). Measured on dragnet and Zyte (1,562 pages), the search without the extensive
    pass dates 1,433; on 5 of them the extensive search would have preferred another date.

    A day read from a string that does not state it ("12/11/10", "2010-03") keeps only what the
    string states (``_stated``), in the order the page's language writes numbers: htmldate
    reads "03/04/2015" day first, an en-US page means 4 March. The first-of-month cut applies
    to a day so stated: "Veröffentlicht 1.2.2015" on a page of no language states only 2015,
    not the month 2015-02 (it may be 2015-01-02).
    """
    strict, read = _find_date(tree, url, extensive=False)
    # a page in one language tag states its numeric order ("de": 03.05.2013 is 3 May)
    tags = declared_language(tree).replace(",", " ").split()
    order = date_order(tags[0]) if len(tags) == 1 else None
    # its weekday names too ("Montag, 11.05.2012"); English ones on every page
    language = tags[0] if len(tags) == 1 else None
    stated = _stated(strict, read, tree, url, (order, language)) if strict else Published(None)
    if stated.value:
        return stated
    # markup whose only date states no sure year ("12/11/10"): the search goes on, as for none
    found, read = _find_date(tree, url, extensive=True)
    further = _stated(found, read, tree, url, (order, language)) if found else Published(None)
    day = further.value
    if day and further.precision == "day" and day.endswith("-01"):
        return Published(day[:4] if day[5:7] == "01" else day[:7])
    return further if further.value else Published(None, further.note or stated.note)


def _stated(
    answer: str,
    read: list[tuple[str, str]],
    tree: HtmlElement,
    url: str | None,
    written: tuple[DateOrders | None, str | None],
) -> Published:
    """Return what the strings htmldate read ``answer`` from state: that day, another, or less.

    Among the strings that gave it, one that states a day (an ISO time stamp beside an
    ambiguous "12/11/10") is enough; the day is the string's own reading, in the page's
    order ("03/04/2015" on an en-US page is 4 March, though htmldate read 3 April). Else the
    most precise of what they state. An answer no string gave came from the URL, JSON-LD or a
    date pattern in the text (``_written``). ``written`` is the page's numeric order and
    language (the weekday names that may settle the order, ``settled_part``).
    """
    readings = []
    for string, found in read:
        if found != answer:
            continue
        stated = _read_string(string, answer, written)
        if stated is None:
            return Published(answer)
        if stated.precision == "day":
            return stated
        readings.append(stated)
    if not readings:
        return _written(answer, tree, url, written)
    # "2015" from one string and "2015-03" from another: the month is stated
    return max(readings, key=lambda stated: len(stated.value or ""))


def _written(
    answer: str, tree: HtmlElement, url: str | None, written: tuple[DateOrders | None, str | None]
) -> Published:
    """Return ``answer`` unless the page writes it only as three numbers in either order.

    htmldate's text patterns read "Posted 03/04/2015" day first (2015-04-03). The answer is kept
    when the URL states that day (htmldate's own URL reading) or the page's markup (JSON-LD,
    attributes) writes it year first ("2015-04-03", "2015/04/03"). Else the numbers it was
    read from (found by every order's readings) are read in the page's order: one day is that
    day, though it is not htmldate's; several keep what they share, unless a weekday named in
    the text node(s) the numbers are written in settles it (``settled_part``).
    """
    order, language = written
    day = dt.date.fromisoformat(answer)
    coarser = None
    ordered = None
    # text nodes apart: text_content() glues "meeting." to a following "03/04/2015"
    nodes = _TEXT_NODES(tree)
    text = " ".join(nodes)
    for numbers in _NUMBERS_IN_TEXT.finditer(text):
        every = numeric_readings(numbers[0])
        if not every or day not in every:
            continue
        # a page that writes against its language's order ("13/04/2015" on en-US): every order
        readings = numeric_readings(numbers[0], order) or every
        context = _nodes_around(nodes, numbers.start(), numbers.end())
        stated = settled_part(numbers[0], readings, context, language)
        if stated.precision == "day":
            ordered = ordered or stated
        else:
            coarser = coarser or stated
    if ordered is None and coarser is None:
        return Published(answer)
    if _url_day(tree, url) == answer:
        return Published(answer)
    # the markup is serialised only here: a page whose text has such a date is rare
    markup = lxml.html.tostring(tree, encoding="unicode")
    if answer in markup or answer.replace("-", "/") in markup:
        return Published(answer)
    return ordered or coarser or Published(answer)


def _nodes_around(nodes: list[str], start: int, end: int) -> str:
    """Return the text nodes (joined by a space) that span ``start:end`` of their joined text."""
    offset = 0
    spanned = []
    for node in nodes:
        if offset + len(node) >= start and offset <= end:
            spanned.append(node)
        offset += len(node) + 1
        if offset > end:
            break
    return " ".join(spanned)


def _url_day(tree: HtmlElement, url: str | None) -> str | None:
    """Return the day htmldate reads from the page's URL (or its canonical link), as it does."""
    if url is None:
        canonical = tree.find('.//link[@rel="canonical"]')
        url = canonical.get("href") if canonical is not None else None
    options = htmldate.utils.Extractor(
        False,  # noqa: FBT003 - htmldate's positional record: extensive search
        htmldate.validators.get_max_date(None),
        htmldate.validators.get_min_date(None),
        False,  # noqa: FBT003 - original date
        "%Y-%m-%d",
    )
    return htmldate.extractors.extract_url_date(url, options)


def _read_string(
    string: str, answer: str, written: tuple[DateOrders | None, str | None]
) -> Published | None:
    """Return what the date string htmldate read ``answer`` from states; None when unsure.

    Three numbers inside words ("Posted 12/11/10 by", "Monday, 11.05.2012 / 9:44 PM") that
    may name ``answer`` are read in the page's order, else every order: dateutil reads the
    latter month first as a whole, a day the string does not state. A weekday the string
    names settles the order when it falls on one reading only (``settled_part``).
    """
    order, language = written
    stripped = string.strip()
    try:
        whole: Published | None = read_published(stripped, order, language)
    except (ValueError, OverflowError):
        whole = None
    numbers = _NUMBERS_IN_TEXT.search(string)
    if numbers is None and whole is not None and whole.precision == "day":
        return Published(answer)  # words ("March 4, 2015"): no order to settle, htmldate's day
    if numbers is None:
        return whole
    if whole is not None and numeric_readings(stripped) is not None:
        return whole  # they lead a string read_published read: it checked their order
    every = numeric_readings(numbers[0]) or frozenset()
    if dt.date.fromisoformat(answer) not in every:
        return whole  # the numbers are not the date read ("March 4, 2015 10.30.45")
    readings = numeric_readings(numbers[0], order) or every
    if not readings:
        return None
    return settled_part(numbers[0], readings, string, language)


def _find_date(
    tree: HtmlElement, url: str | None, *, extensive: bool
) -> tuple[str | None, list[tuple[str, str]]]:
    """Return htmldate's answer with trafilatura's date parameters (htmldate copies the tree).

    With it, every (string, date) htmldate read on the way (``_try_date``).

    htmldate caches each date string's reading by the string alone (``try_date_expr``): a
    reading made with one page's languages must not answer for another page, nor for callers
    outside ``page_date`` (all locales), so the cache is emptied around a limited search.
    """
    config = set_date_params(extensive=extensive)
    config["url"] = url
    languages = page_languages(tree)
    token = _LANGUAGES.set(languages)
    scoped = _IN_PAGE_DATE.set(True)
    read: list[tuple[str, str]] = []
    reading = _READ.set(read)
    limited = extensive and languages is not None
    if limited:
        htmldate.extractors.try_date_expr.cache_clear()
    try:
        return find_date(tree, **config), read
    finally:
        _READ.reset(reading)
        _IN_PAGE_DATE.reset(scoped)
        _LANGUAGES.reset(token)
        if limited:
            htmldate.extractors.try_date_expr.cache_clear()
