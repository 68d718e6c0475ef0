"""One long article written as a single line (a transcript, a page with no line breaks).

It is parsed in pieces and its thousands of quotes meet in the conflict search: the article
must be stored whole and its quotes and mentions, early and late, must be spans of its text.
Timings live in bench/long_article.py, never here.
"""

from __future__ import annotations

import json

import storyline
from bench.long_article import make_text, write_jsonl
from storyline.claims.cross_pairs import cross_pairs
from storyline.claims.statements import similarity_matrix


def test_long_article_one_line_keeps_its_text_quotes_and_mentions(tmp_path):
    text = make_text(40_000, seed=11)
    assert "\n" not in text
    path = tmp_path / "long.jsonl"
    write_jsonl(path, text)
    with storyline.open(tmp_path / "long.db") as workspace:
        # small pieces: the 40 KB line is parsed in several, as a 1 MB one is at 100,000
        nlp = workspace.settings.nlp.model_copy(update={"piece_chars": 8_000})
        workspace.settings = workspace.settings.model_copy(update={"nlp": nlp})
        workspace.ingest([path])
        workspace.run(workers=1)
        [article] = workspace.articles()
        assert article.text == json.loads(path.read_text())["text"]
        quotes = workspace.store.quotes()
        mentions = workspace.store.mentions()
    assert quotes
    assert mentions
    for quote in quotes:
        assert text[quote.start : quote.end] == quote.text
    for mention in mentions:
        assert text[mention.start : mention.end] == mention.text
    # found in the first piece and in the last one, not only near the start
    for spans in ([q.start for q in quotes], [m.start for m in mentions]):
        assert min(spans) < 8_000
        assert max(spans) > len(text) - 8_000
    assert any(q.speaker == "Mara Velling" for q in quotes)


def test_long_article_cross_pairs_are_the_dense_matrix_pairs_across_units():
    terms = [["wall", "cost"], ["wall", "cost", "port"], ["ferry"], ["wall", "port"], ["ferry"]]
    units = ["a", "a", "b", "b", "a"]
    sim = similarity_matrix(terms)
    expected = [
        (i, j, float(sim[i, j]))
        for i in range(5)
        for j in range(i + 1, 5)
        if units[i] != units[j] and sim[i, j] >= 0.3
    ]
    assert expected  # the example has close pairs across units
    assert cross_pairs(terms, units, 0.3) == expected
    assert cross_pairs(terms, units, 0.3, chunk_rows=1) == expected  # blocks of one row
    # a key shared by two rows keeps them whatever their similarity; None keeps nothing
    keys = [None, "g", None, None, "g"]
    assert cross_pairs(terms, units, float("inf"), keys) == []  # "g" is all in unit "a"
    assert cross_pairs(terms, ["a", "b", "c", "d", "e"], float("inf"), keys) == [
        (1, 4, float(sim[1, 4]))
    ]
