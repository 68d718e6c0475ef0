"""The HTML reader's faster steps give what the steps they replace gave (issue 21, item 3)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from lxml.etree import tostring
from readability import Document
from trafilatura.utils import load_html

from storyline.ingest import html_dates, html_vote
from storyline.ingest.decode import looks_binary
from storyline.ingest.html_tree import load_page, readability_tree

if TYPE_CHECKING:
    from lxml.html import HtmlElement

_PAGE = """<!DOCTYPE html>
<html lang="en"><head><title>Harbour budget</title><?php echo 1; ?></head>
<body><!-- a comment --><div id="main"><p>The council approved the budget on 12/11/10.</p>
<form action="/s"><label for="q">Search</label><input name="q"><select><option>a</option>
</select><textarea>note</textarea></form><p>Tail&nbsp;text &amp; more</p></div></body></html>"""


def _classes(tree: HtmlElement) -> list[tuple[str, str]]:
    return [(str(node.tag), type(node).__name__) for node in tree.iter()]


def test_load_page_gives_trafilaturas_tree_and_element_classes():
    ours, theirs = load_page(_PAGE), load_html(_PAGE)
    assert ours is not None
    assert theirs is not None
    assert tostring(ours) == tostring(theirs)
    assert _classes(ours) == _classes(theirs)
    assert ("form", "FormElement") in _classes(ours)
    assert ("input", "InputElement") in _classes(ours)
    assert ("label", "LabelElement") in _classes(ours)
    # copies (trafilatura works on copies) keep the classes
    assert _classes(ours.__copy__()) == _classes(theirs)


def test_load_page_rejects_what_trafilatura_rejects():
    for text in ("just some words, no markup at all", "<p>a fragment</p>", "<html></html>"):
        ours, theirs = load_page(text), load_html(text)
        assert (ours is None) == (theirs is None), text
        if ours is not None:
            assert tostring(ours) == tostring(theirs)


def test_text_nodes_are_itertexts_strings():
    tree = load_page(_PAGE)
    assert tree is not None
    assert html_dates._TEXT_NODES(tree) == list(tree.itertext())


def test_three_numbers_regex_finds_what_the_look_behind_form_found():
    before = re.compile(r"(?<![\d/.-])\d{1,4}([/.-])\d{1,2}\1\d{1,4}(?![\d/.-])")
    texts = [
        "Posted 12/11/10 by the desk",
        "12/11/2010 at the start",
        "version 1.2.3.4 and 5.6.7",
        "path /12/11/10 and x.03.04.2015",
        "2012-07-24 and 24-07-2012 and 7-7-7",
        "123456/1/1 then 1/1/123456",
        "a3/4/2015b 3/4/2015",
    ]
    for text in texts:
        found = [(m.span(), m[0], m[1]) for m in html_dates._NUMBERS_IN_TEXT.finditer(text)]
        assert found == [(m.span(), m[0], m[1]) for m in before.finditer(text)], text
    assert html_dates._NUMBERS_IN_TEXT.search("Posted 12/11/10 by")[0] == "12/11/10"  # type: ignore[index]


def test_unlikely_verdict_is_the_ports_regexes():
    strings = [
        "sidebar widget",
        "post-body entry-content",
        "Comment-List",
        "footer-main",
        "col-md-8",
        "ad-break",
        "ad-brea\u212a",  # Kelvin sign: the case-blind regex folds it onto "k"
        "S\u0130DEBAR",  # dotted capital I: not ASCII, left to the regexes
    ]
    for attrs in strings:
        expected = bool(html_vote._UNLIKELY.search(attrs)) and not html_vote._MAYBE.search(attrs)
        assert html_vote._unlikely(attrs) is expected, attrs
    assert html_vote._unlikely("sidebar") is True
    assert html_vote._unlikely("ad-brea\u212a") is True  # not ASCII: the regexes decide
    assert html_vote._unlikely("main-sidebar") is False  # "main": maybe a candidate


def test_looks_binary_counts_control_bytes():
    text = b"plain text\twith tabs\r\nand lines\x0c"
    assert looks_binary(text) is False
    assert looks_binary(b"ab" * 40 + b"\x01\x02\x03\x04\x05" * 2) is True  # 10 of 90 bytes
    assert looks_binary(b"a" * 200 + b"\x01" * 10) is False  # under 5 percent


def test_readability_reads_our_tree_as_it_reads_the_string():
    page = _PAGE.replace(
        "<p>Tail", '<p hidden>Hidden words</p><p style="display:none">x</p><p>Tail'
    )
    expected = Document(page).summary(html_partial=True)
    assert Document(readability_tree(page)).summary(html_partial=True) == expected
    assert "Hidden words" not in expected


_COMMENTED = """<html lang="en"><head><title>Pier</title></head><body>
<div class="article"><p>The harbour board voted on Tuesday to rebuild the north pier after the
winter storms damaged its timber piles and closed the ferry landing for six weeks.</p>
<p>Work starts in March and the board expects the landing to reopen by the summer season.</p></div>
<div class="comments"><p>Reader one: about time the pier was fixed, the ferry queue was long.</p>
<p>Reader two: who pays for it, the port or the town?</p></div>
<footer class="footer-info">Posted <span class="date">2015-03-04</span></footer></body></html>"""


def test_date_candidates_are_htmldates_inside_page_date():
    tree = load_page(_COMMENTED)
    assert tree is not None
    token = html_dates._IN_PAGE_DATE.set(True)
    try:
        for extensive in (True, False):
            theirs = html_dates._DATE_CANDIDATES(tree, extensive)
            ours = html_dates._date_candidates(tree, extensive)
            assert [id(e) for e in ours] == [id(e) for e in theirs]
        assert [e.tag for e in ours] == ["footer", "span"]
    finally:
        html_dates._IN_PAGE_DATE.reset(token)


def test_best_line_is_the_first_line_sharing_most_words():
    line_sets = [{"a", "b"}, {"b", "c", "d"}, {"c", "d"}, set()]
    lines_with = html_vote._lines_with(line_sets)
    for words in ({"c", "d"}, {"b"}, {"a", "d"}, {"z"}, {"b", "c", "d"}):
        overlaps = [len(words & found) for found in line_sets]
        best = max(range(len(line_sets)), key=overlaps.__getitem__)
        expected = best if overlaps[best] else 7
        assert html_vote._best_line(words, lines_with, 7) == expected, words
