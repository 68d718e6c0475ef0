"""The short-primary fallback's tail trim: only when trafilatura's text holds most of the page.

Fictional text. When trafilatura's text is under the reader's short limit, readability-lxml's
text replaces it, less the short lines after the article's end that trafilatura's text lacks
(trailing teasers). trafilatura's text is short there because it set text aside; when what it
set aside is the article's own short lines (a lead paragraph, then sub-heads, or lines in a box
styled like a comment), trimming by it dropped the article: the trim now needs the lines it
holds word for word to be ``html_vote_tail_min_held`` of readability-lxml's words.
"""

from __future__ import annotations

from dataclasses import replace

import lxml.html
import pytest

from storyline.ingest.html import extract_text
from storyline.ingest.html_vote import default_policy, drop_tail

_POLICY = default_policy()
_LEAD = (
    "A landslip closed the coast road between Pennock and Straith on Tuesday morning, after a "
    "week of rain loosened the cliff above the old lifeboat station."
)
_SHORT = [
    "Nobody was hurt.",
    '"It came down like a wave," said farmer Idris Mallow.',
    "The bus now runs inland.",
    "Engineers will survey the cliff on Friday.",
    "Schools stay open.",
    "The road may reopen in March.",
]
_MORE = [
    (
        "Council geologists said the slip was the largest on that stretch of coast since the storms "
        "of the winter before last, and that more of the cliff could follow."
    ),
    (
        "Residents of the lifeboat cottages were asked to leave overnight, and most stayed with "
        "family in Pennock while the council checked the foundations of the terrace."
    ),
]
_TEASERS = ["Straith fair moves to June", "Pennock pool reopens", "Letters: the coast bus"]


def test_the_lead_alone_does_not_trim_the_short_lines_after_it():
    text = "\n".join([_LEAD, *_SHORT])
    trimmed, dropped, held = drop_tail(text, _LEAD, _POLICY)
    assert trimmed == text
    assert dropped == 0
    assert held < _POLICY.tail_min_held  # the lead is under half of the words


def test_teasers_after_an_article_the_voter_holds_are_trimmed():
    article = [_LEAD, *_MORE]
    trimmed, dropped, held = drop_tail(
        "\n".join([*article, *_TEASERS]), "\n".join(article), _POLICY
    )
    assert trimmed.split("\n") == article
    assert dropped == len(_TEASERS)
    assert held >= _POLICY.tail_min_held


def test_a_zero_share_trims_as_before():
    trimmed, dropped, _ = drop_tail(
        "\n".join([_LEAD, *_SHORT]), _LEAD, replace(_POLICY, tail_min_held=0.0)
    )
    assert trimmed == _LEAD
    assert dropped == len(_SHORT)


@pytest.mark.parametrize(
    "rest",
    [
        "".join(f"<h4>{line}</h4>" for line in _SHORT),
        "<div class='comment-body'>" + "".join(f"<p>{line}</p>" for line in _SHORT) + "</div>",
        "<aside>" + "".join(f"<p>{line}</p>" for line in _SHORT) + "</aside>",
    ],
    ids=["h4", "comment-body", "aside"],
)
def test_a_lead_then_short_lines_trafilatura_sets_aside_keeps_them_all(rest):
    html = (
        "<html><head><title>Landslip</title></head><body>"
        f"<div id=story><p>{_LEAD}</p>{rest}</div></body></html>"
    )
    text, decision = extract_text(html, lxml.html.fromstring(html), None, _POLICY)
    assert decision["reason"] == "short"
    assert decision["tail_dropped_lines"] == 0
    assert text.split("\n") == [_LEAD, *_SHORT]
