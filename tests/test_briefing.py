from __future__ import annotations

import json

import pytest

from storyline.briefing import brief_story, build_briefing, render_html, render_markdown, to_json
from storyline.claims import find_claims, find_conflicts
from tests.test_claims import A, B, C, art, load_seeds

COPY_B = art("b-copy", B.text, source="Morning Post")

HOSTILE = art(
    "evil",
    "Rebels said <script>alert('x')</script> the blockade of Port Elsin began on 12 March "
    "under Admiral Teodor Brun & his fleet. The harbour master resigned on 20 March after the "
    "blockade of Port Elsin, the port authority said.",
    source="<b>Bad Outlet</b>",
    title="<script>steal()</script> Port Elsin",
    published="2031-03-21",
)


def brief(articles, **kwargs):
    claims = find_claims(articles, story_id="s", untrusted=kwargs.get("untrusted", ()))
    conflicts = find_conflicts(claims, articles, story_id="s")
    return build_briefing(articles, claims, conflicts, story_id="s", **kwargs)


def test_briefing_every_sentence_cites_its_articles():
    articles = [A, B, C]
    b = brief(articles)
    assert 0 < len(b.sentences) <= 8
    ids = {a.id for a in articles}
    for s in b.sentences:
        assert s.citations
        assert set(s.citations) <= ids
    blockade = next(s for s in b.sentences if "12 March" in s.text)
    assert set(blockade.citations) == {"a", "b"}
    assert blockade.corroboration == "corroborated"


def test_briefing_marks_single_source_and_conflicting_points():
    b = brief([A, B, C])
    by_text = {s.text: s for s in b.sentences}
    bridge = next(s for t, s in by_text.items() if "stone bridge" in t)
    assert bridge.corroboration == "single_source"
    toll = next(s for t, s in by_text.items() if "fuel depot" in t)
    assert toll.corroboration == "conflicting"
    assert [c.subject for c in b.conflicts if c.kind == "number"] == ["killed"]


def test_briefing_respects_max_sentences_and_is_not_redundant():
    b = brief([A, B, C], max_sentences=2)
    assert len(b.sentences) == 2
    assert len({s.claim_id for s in b.sentences}) == 2
    texts = [s.text for s in brief([A, B, C]).sentences]
    assert sum("12 March" in t for t in texts) == 1  # the paraphrase is one sentence, not two


def test_briefing_is_chronological_where_dates_are_known():
    b = brief([A, B, C, HOSTILE])
    dated = [s.date for s in b.sentences if s.date]
    assert dated == sorted(dated)
    assert "2031-03-12" in dated
    assert "2031-03-20" in dated


def test_briefing_dates_given_by_a_timeline_override_its_own():
    articles = [A, B, C]
    claims = find_claims(articles, story_id="s")
    bridge = next(c for c in claims if "stone bridge" in c.text)
    b = build_briefing(articles, claims, (), story_id="s", dates={bridge.id: "2031-01-01"})
    assert b.sentences[0].text == bridge.text
    assert b.sentences[0].date == "2031-01-01"


def test_briefing_down_weights_untrusted_pages():
    trusted = art("t", "The town council of Lindholm approved a new budget for the harbour works.")
    spun = art("u", "Aliens from the moon have secretly bought the harbour of Lindholm last week.")
    b = brief([trusted, spun], max_sentences=1, untrusted={"u"})
    assert b.sentences[0].citations == ("t",)
    b = brief([trusted, spun], max_sentences=1, untrusted={"t"})
    assert b.sentences[0].citations == ("u",)


def test_briefing_json_shape():
    data = to_json(brief([A, B, C]))
    assert set(data) == {"story_id", "sentences", "conflicts", "mode"}
    assert data["mode"] == "extractive"
    assert data["story_id"] == "s"
    for s in data["sentences"]:
        assert set(s) == {"text", "citations", "date", "corroboration"}
        assert isinstance(s["citations"], list)
        assert s["corroboration"] in {"corroborated", "single_source", "conflicting"}
    toll = next(c for c in data["conflicts"] if c["subject"] == "killed")
    assert {v["value"]: v["article_ids"] for v in toll["values"]} == {"12": ["a"], "14": ["b"]}
    json.dumps(data)


def test_briefing_markdown_numbers_citations_and_lists_sources():
    md = render_markdown(brief([A, B, C]))
    assert "[1]" in md
    assert "[2]" in md
    assert "1. Daily Ledger, t" in md or "1. Morning Post, t" in md
    assert "(single source)" in md
    assert "12 (" in md  # the conflict lists both values with their sources
    assert "14 (" in md


def test_briefing_html_escapes_hostile_text():
    out = render_html(brief([A, B, HOSTILE]))
    assert "<script>" not in out
    assert "<b>" not in out
    assert "&lt;script&gt;steal()" in out  # the hostile title, in the source list
    alone = render_html(brief([HOSTILE]))
    assert "<script>" not in alone
    assert "&lt;script&gt;alert(&#x27;x&#x27;)" in alone
    assert "&amp; his fleet" in alone


@pytest.fixture(scope="module")
def seed_briefing():
    articles = load_seeds()
    claims = find_claims(articles, story_id="seeds")
    conflicts = find_conflicts(claims, articles, story_id="seeds")
    return articles, build_briefing(articles, claims, conflicts, story_id="seeds")


def test_briefing_seeds_name_the_moscow_visit_and_the_hollande_meeting(seed_briefing):
    articles, b = seed_briefing
    text = " ".join(s.text for s in b.sentences)
    assert len(b.sentences) <= 8
    assert any("Assad" in s.text and "Moscow" in s.text for s in b.sentences)
    assert "Hollande" in text
    ids = {a.id for a in articles}
    assert all(s.citations and set(s.citations) <= ids for s in b.sentences)
    dated = [s.date for s in b.sentences if s.date]
    assert dated == sorted(dated)


def test_briefing_markdown_escapes_hostile_text():
    md = render_markdown(brief([A, B, HOSTILE]))
    assert "<script>" not in md
    assert "<b>" not in md
    assert "&lt;script&gt;" in md


def test_briefing_brief_story_composes_the_stages():

    b = brief_story([A, COPY_B, B, C], story_id="s", duplicates={"b-copy": "b"})
    blockade = next(s for s in b.sentences if "12 March" in s.text)
    assert set(blockade.citations) == {"a", "b", "b-copy"}
    assert blockade.corroboration == "corroborated"
    assert any(c.subject == "killed" for c in b.conflicts)
