"""Headed tables in the vote: a data table is one unit, a page laid out in a table is not.

Fictional text. A data table's rows of figures share few words with prose, so the vote keeps
all its rows when a body row is backed. A table header alone backs nothing (a 2004-style page
whose whole layout is one table has a masthead row "Gazette | Flood news"), a row of no words
backs nothing, and a table with a paragraph in a cell is the page's layout: row by row.
"""

from __future__ import annotations

import lxml.html

from storyline.ingest.html import extract_text
from storyline.ingest.html_vote import default_policy, vote

_POLICY = default_policy()
_ARTICLE = [
    (
        "Floodwater from the Ouse river reached the lower streets of Kelsby on Thursday night, and "
        "by morning forty houses along the quay had water above their doorsteps."
    ),
    (
        "The county emergency team said the river peaked two hours after high tide, and that pumps "
        "brought by road from Yarwell were clearing the quay car park by noon."
    ),
    (
        "Families from the quay spent the night in the parish hall, where volunteers served soup "
        "and the county handed out blankets and sandbags for the weekend."
    ),
]
_SECOND = "\n".join(_ARTICLE)


def _voted(table: list[str]) -> str:
    text, _ = vote("\n".join([_ARTICLE[0], *table, *_ARTICLE[1:]]), _SECOND, _POLICY)
    return text


def test_a_header_the_article_shares_words_with_does_not_keep_the_rows():
    # "Kelsby" and "quay" are the article's words; no body row is backed.
    table = ["| Kelsby quay | news |", "|---|---|", "| Sponsored: sofa sale this weekend | |"]
    assert "Sponsored" not in _voted(table)


def test_a_row_of_no_words_does_not_keep_the_rows():
    table = [
        "| Fixture | Kick-off |",
        "|---|---|",
        "| — | — |",
        "| Harriers v Wanderers | 14:30 |",
        "| |",
    ]
    text = _voted(table)
    assert "Harriers" not in text
    assert text.split("\n")[0] == _ARTICLE[0]


def test_a_backed_body_row_keeps_the_table_whole():
    table = [
        "| Street | Houses flooded | Pumped dry |",
        "|---|---|---|",
        "| The quay | 40 | 31 |",
        "| Mill lane | 6 | 6 |",
    ]
    second = f"{_ARTICLE[0]}\nthe quay\n{_SECOND}"
    text, record = vote("\n".join([_ARTICLE[0], *table, *_ARTICLE[1:]]), second, _POLICY)
    assert text.split("\n") == [_ARTICLE[0], *table, *_ARTICLE[1:]]
    assert record["dropped_lines"] == 0


def test_a_table_with_a_paragraph_in_a_cell_is_voted_row_by_row():
    # The page's layout: the article in one cell, a menu and an advert in the others.
    article_cell = " ".join(_ARTICLE)
    table = [
        "| Kelsby Courier | Flood news |",
        "|---|---|",
        "| Weather and travel | |",
        "| Advertisement: garden sheds half price | |",
        f"| {article_cell} | |",
    ]
    text, _ = vote("\n".join(table), _SECOND, _POLICY)
    assert "Advertisement" not in text
    assert "Weather and travel" not in text
    assert f"| {article_cell} | |" in text.split("\n")


def _layout_page(article_cell: str) -> str:
    menu = "".join(
        f"<tr><td><a href='/s{n}'>{name} news and pictures</a></td><td>&nbsp;</td></tr>"
        for n, name in enumerate(["Town", "Farming", "Schools", "Sport", "Letters", "Jobs"])
    )
    return (
        "<html><head><title>Flood</title></head><body><table width=760>"
        "<tr><th>Kelsby Courier</th><th>Flood news</th></tr>"
        f"{menu}"
        "<tr><td>Sponsored: cheap ferry crossings this winter</td><td>&nbsp;</td></tr>"
        f"<tr><td colspan=2>{article_cell}</td></tr>"
        "<tr><td>Copyright 2004 Kelsby Courier.</td><td>Contact us</td></tr>"
        "</table></body></html>"
    )


def test_a_page_laid_out_in_one_table_keeps_the_article_without_menu_or_advert():
    # With an <h1> the article leaves the table in trafilatura's text; with a <b> headline
    # and <br>s it is a row of it. Either way the menu rows and the advert go.
    for cell in (
        "<h1>Quay flooded</h1>" + "".join(f"<p>{p}</p>" for p in _ARTICLE),
        "<b>Quay flooded</b><br>" + "<br><br>".join(_ARTICLE),
    ):
        html = _layout_page(cell)
        text, _ = extract_text(html, lxml.html.fromstring(html), None, _POLICY)
        assert "Sponsored" not in text
        assert "Farming news and pictures" not in text
        words = " ".join(text.split())
        assert all(" ".join(p.split()[1:-1]) in words for p in _ARTICLE)
