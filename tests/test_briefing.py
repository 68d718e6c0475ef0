from __future__ import annotations

import json

import pytest

from storyline.briefing.select import (
    brief_story,
    build_briefing,
    render_html,
    render_markdown,
    to_json,
)
from storyline.claims.align import find_claims
from storyline.claims.conflicts import find_conflicts
from storyline.store.records import briefing_from_json
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
    # additive: "all_flagged" (and "warning" when it is true) joined the original four keys
    assert set(data) == {"story_id", "sentences", "conflicts", "mode", "all_flagged"}
    assert data["mode"] == "extractive"
    assert data["story_id"] == "s"
    for s in data["sentences"]:
        # additive: "wording_differs" (one cited outlet's words are not another's)
        keys = {"text", "citations", "date", "corroboration", "flagged_only", "wording_differs"}
        assert set(s) == keys
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


def test_briefing_ranks_corroborated_claims_before_single_source_ones():
    articles = [A, B, C]
    claims = find_claims(articles, story_id="s")
    corroborated = [c for c in claims if c.kind == "corroborated"]
    assert corroborated
    b = brief(articles, max_sentences=len(corroborated))
    assert {s.claim_id for s in b.sentences} == {c.id for c in corroborated}


def test_briefing_seeds_keep_the_corroborated_vienna_talks(seed_briefing):
    _, b = seed_briefing
    vienna = [s for s in b.sentences if "Vienna" in s.text]
    assert vienna
    assert {a[:3] for a in vienna[0].citations} == {"000", "001"}
    assert vienna[0].corroboration == "corroborated"
    # no "sources differ" item pitting two renderings of one position against each other
    assert not [c for c in b.conflicts if c.kind == "quote"]


def test_briefing_marks_copy_that_only_flagged_pages_give():
    b = brief([A, B, C], untrusted={"c"})
    flagged = [s for s in b.sentences if s.flagged_only]
    assert flagged
    assert all(s.citations == ("c",) for s in flagged)
    assert not any(s.flagged_only for s in b.sentences if "a" in s.citations)
    assert not b.all_flagged
    data = to_json(b)
    assert [s["flagged_only"] for s in data["sentences"]] == [s.flagged_only for s in b.sentences]
    assert data["all_flagged"] is False
    assert "warning" not in data


def test_briefing_whose_sources_are_all_flagged_says_so_at_the_top():
    b = brief([C], untrusted={"c"})
    assert b.sentences
    assert b.all_flagged
    assert all(s.flagged_only for s in b.sentences)
    data = to_json(b)
    assert data["all_flagged"] is True
    assert "flagged" in data["warning"]
    md = render_markdown(b).splitlines()
    assert md[2].startswith("> **Every source")
    assert "flagged copy" in md[4]
    html = render_html(b)
    assert html.index('class="all-flagged"') < html.index("<ol>")


def test_briefing_marks_a_quote_its_outlets_word_differently_in_every_format(two_wordings):
    from storyline.models import Briefing, BriefingSentence, Story  # noqa: PLC0415
    from storyline.render import briefing_panel  # noqa: PLC0415
    from storyline.store.records import briefing_from_json  # noqa: PLC0415

    articles, groups = two_wordings
    claims = find_claims(articles, story_id="s", quote_groups=groups)
    b = build_briefing(articles, claims, [], story_id="s")
    (said,) = [s for s in b.sentences if "mayor" in s.text]
    assert said.wording_differs
    assert sorted(said.citations) == ["a", "b"]
    data = to_json(b)
    marked = [s.wording_differs for s in b.sentences]
    assert [s["wording_differs"] for s in data["sentences"]] == marked
    line = next(x for x in render_markdown(b).splitlines() if "mayor" in x)
    assert line.endswith("_(wording differs between outlets)_")
    assert "(wording differs between outlets)" in render_html(b)
    # the stored JSON reads back with the mark; a briefing stored before it reads as unmarked
    stored = briefing_from_json(data, {})
    assert [s.wording_differs for s in stored.sentences] == marked
    for s in data["sentences"]:
        del s["wording_differs"]
    assert not any(s.wording_differs for s in briefing_from_json(data, {}).sentences)
    plain = Briefing("s", (BriefingSentence("Talks resumed.", ("a",)),))
    panel = briefing_panel(Story("s", "l", "storyline", ("a",)), b)
    assert "wording differs" not in str(
        briefing_panel(Story("s", "l", "storyline", ("a",)), plain).renderable
    )
    assert "(wording differs between outlets)" in str(panel.renderable)


def test_briefing_marks_a_flagged_page_cited_beside_trusted_ones():
    # B's copy is flagged: the 12 March sentence still stands on A and B, but its citation of
    # the flagged copy is marked in every rendering, and no other source is
    b = brief([A, B, C, COPY_B], untrusted={"b-copy"})
    blockade = next(s for s in b.sentences if "12 March" in s.text)
    assert "b-copy" in blockade.citations
    assert not blockade.flagged_only
    assert b.flagged == ("b-copy",)
    number = [a for a, _, _ in b.titles].index("b-copy") + 1
    lines = render_markdown(b).splitlines()
    flagged_lines = [line for line in lines if "flagged copy" in line]
    assert flagged_lines == [
        f"{number}. Morning Post, {COPY_B.title} _(flagged copy: untrustworthy page)_"
    ]
    assert f'<li id="src-{number}">Morning Post' in render_html(b)
    assert render_html(b).count('<em class="flagged">') == 1
    assert to_json(b)["flagged"] == ["b-copy"]
    assert "flagged" not in to_json(brief([A, B, C]))  # nothing flagged: the key is left out


def test_an_article_only_a_conflict_cites_is_numbered_in_the_sources():
    # the toll's conflict cites a and b; the sentences picked cite c alone: a and b must be
    # numbered sources, not bare article ids in "where the sources differ"
    articles = [A, B, C]
    claims = find_claims(articles, story_id="s")
    conflicts = find_conflicts(claims, articles, story_id="s")
    only_c = [c for c in claims if c.article_ids == ("c",)]
    b = build_briefing(articles, only_c, conflicts, story_id="s")
    assert {a for s in b.sentences for a in s.citations} == {"c"}
    assert [a for a, _, _ in b.titles] == ["c", "a", "b"]
    md = render_markdown(b)
    toll = next(line for line in md.splitlines() if "killed" in line)
    assert toll.endswith("12 ([2]) vs 14 ([3])")
    assert "3. Morning Post" in md or "3. Daily Ledger" in md


def test_a_stored_briefing_lists_the_same_sources_as_the_built_one():
    # `storyline brief` at the stored size reads the briefing back from its JSON: the articles
    # only a conflict cites must be numbered there too
    articles = [A, B, C]
    claims = find_claims(articles, story_id="s")
    conflicts = find_conflicts(claims, articles, story_id="s")
    only_c = [c for c in claims if c.article_ids == ("c",)]
    built = build_briefing(articles, only_c, conflicts, story_id="s")
    heads = {a.id: (a.source, a.title) for a in articles}
    stored = briefing_from_json(json.loads(json.dumps(to_json(built))), heads)
    assert stored.titles == built.titles
    assert [a for a, _, _ in stored.titles] == ["c", "a", "b"]
    assert render_markdown(stored) == render_markdown(built)
