"""Where a reported clause ends (issue #18, near misses): ``storyline.extract.quotes.content``.

Hand-made sentences with fictional names; each rule has a control whose span stays as it was.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from storyline.extract.quotes.content import _colon_quotation
from storyline.extract.quotes.find import find_quotes
from storyline.extract.quotes.marks import find_quoted_spans

if TYPE_CHECKING:
    from spacy.language import Language

    from storyline.models import Quote


def _quotes(nlp: Language, text: str) -> list[Quote]:
    quotes = find_quotes(nlp(text), "a1")
    for q in quotes:
        assert text[q.start : q.end] == q.text  # every record stays a verbatim span
    return quotes


def test_content_closes_the_quotation_it_opens(nlp: Language) -> None:
    text = (
        "Senator Odile Brack characterized the harbour plan as "
        '"a costly mistake, rushed through without a vote, and bound to fail." She left early.'
    )
    quotes = _quotes(nlp, text)
    assert [(q.speaker, q.text) for q in quotes] == [
        (
            "Odile Brack",
            (
                'the harbour plan as "a costly mistake, rushed through without a vote, '
                'and bound to fail."'
            ),
        )
    ]


def test_content_before_a_separate_quotation_keeps_its_end(nlp: Language) -> None:
    text = 'Senator Odile Brack said the toll would rise. "Nobody will pay it," she added.'
    texts = [q.text for q in _quotes(nlp, text)]
    assert texts == ["the toll would rise", "Nobody will pay it,"]


def test_repeated_preposition_continues_the_content(nlp: Language) -> None:
    text = (
        "Mayor Tomas Reyl said the new park brought back memories of his mother, and of "
        '"all the neighbours who planted the first trees."'
    )
    quotes = _quotes(nlp, text)
    # one mixed statement: the quotation is not a second record
    assert [(q.speaker, q.text) for q in quotes] == [
        (
            "Tomas Reyl",
            (
                "the new park brought back memories of his mother, and of "
                '"all the neighbours who planted the first trees."'
            ),
        )
    ]


def test_coordinated_clause_with_its_own_subject_is_not_content(nlp: Language) -> None:
    text = "Mayor Tomas Reyl said the new park brought back memories of his mother, and he left."
    assert [q.text for q in _quotes(nlp, text)] == [
        "the new park brought back memories of his mother"
    ]


def test_wh_clause_coordinated_with_a_topic(nlp: Language) -> None:
    text = (
        "Judge Anya Verhoef spoke of the long history of the harbour court, and how the fight "
        "for fair tolls shaped its rulings."
    )
    quotes = _quotes(nlp, text)
    assert [(q.speaker, q.text) for q in quotes] == [
        (
            "Anya Verhoef",
            (
                "the long history of the harbour court, and how the fight for fair tolls shaped "
                "its rulings"
            ),
        )
    ]
    control = "Judge Anya Verhoef spoke of the long history of the harbour court, and she left."
    assert [q.text for q in _quotes(nlp, control)] == ["the long history of the harbour court"]


def test_particularized_phrase_continues_the_topic(nlp: Language) -> None:
    text = (
        "Minister Kaspar Lunde speaks about fishing quotas, particularly in the context of "
        "the northern ports."
    )
    assert [q.text for q in _quotes(nlp, text)] == [
        "fishing quotas, particularly in the context of the northern ports"
    ]
    # no particularizer: the phrase is where he speaks, not what about; a clause after one
    # ("especially when ...") is as often the writer's comment
    for control in (
        "Minister Kaspar Lunde speaks about fishing quotas, in the context of the northern ports.",
        "Minister Kaspar Lunde spoke about fishing quotas, especially when the ferries were late.",
    ):
        assert [q.text for q in _quotes(nlp, control)] == ["fishing quotas"]


def test_colon_quotation_joins_the_clause_that_announces_it(nlp: Language) -> None:
    text = (
        "Governor Ilse Marrow, the former harbour master, praised the crews during a forum "
        "sponsored by the Coast Courier and said she has the one quality for the job: "
        '"Patience -- a stubborn patience, and mixed with nerve."'
    )
    said = [q for q in _quotes(nlp, text) if "Patience" in q.text]
    assert [(q.speaker, q.text) for q in said] == [
        (
            "Ilse Marrow",
            (
                'she has the one quality for the job: "Patience -- a stubborn patience, '
                'and mixed with nerve."'
            ),
        )
    ]
    control = "Governor Ilse Marrow said she has the one quality the port needs: patience."
    assert [q.text for q in _quotes(nlp, control)] == [
        "she has the one quality the port needs: patience"
    ]


def test_lowercase_quotation_after_a_comma_continues_the_clause(nlp: Language) -> None:
    text = (
        "The harbour study notes that the port would owe $40 million in back fees, "
        '"equal to the whole ferry budget for two years," if the tolls were collected properly.'
    )
    quotes = _quotes(nlp, text)
    assert [(q.speaker_text, q.text) for q in quotes] == [
        (
            "The harbour study",
            (
                "that the port would owe $40 million in back fees, "
                '"equal to the whole ferry budget for two years,"'
            ),
        )
    ]


@pytest.mark.parametrize(
    ("text", "joined"),
    [
        ('owes $40 million in fees, "equal to the ferry budget," if collected.', True),
        ('owes $40 million in fees, "Nobody has paid a cent," the mayor said.', False),
        ('owes $40 million in fees: "Nobody has paid a cent."', True),
        ('owes $40 million in fees. "nobody has paid a cent."', False),
    ],
)
def test_quotation_after_the_content_joins_by_its_lead(text: str, *, joined: bool) -> None:
    end = text.index(" in fees") + len(" in fees")
    spans = [(s.start, s.end) for s in find_quoted_spans(text)]
    moved = _colon_quotation(text, end, spans)
    assert (moved > end) is joined
    if joined:
        assert text[moved - 1] == '"'


def test_adverbial_clause_hung_on_the_cue_is_not_content(nlp: Language) -> None:
    # "before he died" says when he spoke; the parser made it the complement of "said"
    text = "Tomas Reyes, lying on a dock in Velmont, said before he died."
    assert [q.text for q in _quotes(nlp, text)] == []
    # control: a reported clause after a time phrase, and one marked by "that"
    text = "Tomas Reyes said before the vote that the ferry levy was legal."
    assert [q.text for q in _quotes(nlp, text)] == ["that the ferry levy was legal"]
    text = "Tomas Reyes said that because of the storm the ferry would not sail."
    assert [q.text for q in _quotes(nlp, text)] == [
        "that because of the storm the ferry would not sail"
    ]


def test_mixed_quote_stops_at_a_paragraph_break(nlp: Language) -> None:
    # the parser runs one sentence across the break; a paragraph ends what was said
    text = (
        "Candidates should release five years of returns. That would prevent the kind of "
        "needless speculation that Mayor Holt has generated from ever again being an issue in a "
        "Velmont election.\n\n''I think Holt and all candidates should do so,'' Tomas Reyes, an "
        "economist, told me this week. Mr. Reyes runs a harbour forum.\n\n"
    )
    said = [(q.speaker_text, q.text) for q in _quotes(nlp, text)]
    assert said == [("Tomas Reyes", "I think Holt and all candidates should do so,")]
    text = (
        "The ad uses footage of Dana Holt asking, “Why aren’t I 50 points ahead, you might "
        "ask?”\n\nThe ad then references council criticism of Holt’s use of a private email "
        "system while she was harbour chief.\n\n"
    )
    assert "\n" not in "".join(q.text for q in _quotes(nlp, text))


def test_mixed_quote_inside_its_paragraph_still_widens(nlp: Language) -> None:
    text = (
        "Mayor Dana Holt said the ferry levy was “a tax on every family in Velmont” and should end."
    )
    said = [(q.kind, q.text) for q in _quotes(nlp, text)]
    assert said == [
        ("mixed", "the ferry levy was “a tax on every family in Velmont” and should end")
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the clause ends on a quoted phrase: its closing mark stays with the quote
        (
            "The council has called the harbour plan \u201cshort-sighted\u201d.",
            "the harbour plan \u201cshort-sighted\u201d",
        ),
        (
            'The mayor called the budget "a disgrace" and "a waste of money", aides said.',
            'the budget "a disgrace" and "a waste of money"',
        ),
    ],
)
def test_content_a_mixed_quote_keeps_its_marks_paired(
    nlp: Language, text: str, expected: str
) -> None:
    mixed = [q for q in _quotes(nlp, text) if q.kind == "mixed"]
    assert [q.text for q in mixed][-1:] == [expected]
    assert all(
        (q.text.count('"') + q.text.count("\u201c") + q.text.count("\u201d")) % 2 == 0
        for q in mixed
    )


def test_content_a_mixed_quote_without_marks_at_its_end_is_unchanged(nlp: Language) -> None:
    # control: the quoted phrase sits inside the clause; nothing to pair at the edges
    text = 'The council called the "short-sighted" harbour plan a mistake.'
    for q in _quotes(nlp, text):
        assert (q.text.count('"') % 2) == 0
