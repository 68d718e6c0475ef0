"""The seeds through the whole pipeline: what a reader's story page reads, in the exports (#19)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

import storyline
from storyline.export import export_rows
from storyline.web import create_app
from tests.conftest import shared_path


@pytest.fixture(scope="module")
def seeds(tmp_path_factory):
    workspace = storyline.open(tmp_path_factory.mktemp("page") / "seeds.db")
    workspace.ingest([shared_path("seeds")])
    workspace.run(workers=1)
    yield workspace
    workspace.close()


def _export(workspace, what):
    return list(export_rows(workspace.store, what))


def _seed(rows, prefix, key="id"):
    return next(r for r in rows if r[key].startswith(prefix))


def test_story_page_storyline_title_is_a_headline_and_the_label_stays(seeds):
    stories = _export(seeds, "stories")
    storyline_row = next(s for s in stories if s["level"] == "storyline")
    headlines = {a["title"] for a in _export(seeds, "articles")}
    assert storyline_row["title"] in headlines
    assert len(storyline_row["title"].split()) >= 4  # not a slug such as "Putin Sochi"
    assert ":" in storyline_row["label"]  # the keyword label is still there, second
    # the flagged page (002) never titles a story, not even its own event
    flagged_headline = _seed(_export(seeds, "articles"), "002")["title"]
    assert all(s["title"] != flagged_headline for s in stories)


def test_story_page_flag_reason_of_002_is_stored(seeds):
    row = _seed(_export(seeds, "articles"), "002")
    reasons = dict(zip(row["quality_flags"], row["quality_reasons"], strict=True))
    assert reasons["attribution_mismatch"] == (
        "the headline gives words to John Kerry; the body quotes Vladimir Putin and never Kerry"
    )


def test_story_page_flagged_copy_is_marked_in_the_exports(seeds):
    timeline = {r["date"]: r for r in _export(seeds, "timeline")}
    assert timeline["2015-09-29"]["sources"] == [_seed(_export(seeds, "articles"), "002")["id"]]
    assert timeline["2015-09-29"]["flagged_only"] is True
    assert timeline["2015-09-30"]["flagged_only"] is False
    quotes = _export(seeds, "quotes")
    assert all(q["flagged_only"] == q["article_id"].startswith("002") for q in quotes)
    assert any(q["flagged_only"] for q in quotes)
    claims = _export(seeds, "claims")
    assert all(
        c["flagged_only"] == all(a.startswith("002") for a in c["article_ids"]) for c in claims
    )


def test_story_page_claims_never_corroborated_and_split_between_their_own_articles(seeds):
    claims = _export(seeds, "claims")
    conflicts = {c["id"]: c for c in seeds.store.rows("conflicts")}
    assert not [c for c in conflicts.values() if c["kind"] == "quote"]
    for claim in claims:
        if claim["kind"] != "corroborated":
            continue
        for conflict_id in claim["conflicts"]:
            sides = [
                set(v["article_ids"]) & set(claim["article_ids"])
                for v in conflicts[conflict_id]["values"]
            ]
            assert sum(bool(s) for s in sides) < 2


def test_story_page_briefing_has_vienna_and_each_event_its_own(seeds):
    stories = _export(seeds, "stories")
    storyline_row = next(s for s in stories if s["level"] == "storyline")
    briefing = seeds.store.briefing(storyline_row["id"])
    assert any("Vienna" in s["text"] for s in briefing["sentences"])
    assert not [c for c in briefing["conflicts"] if c["kind"] == "quote"]
    for event in (s for s in stories if s["level"] == "event"):
        own = seeds.store.briefing(event["id"])
        assert own is not None
        assert own["story_id"] == event["id"]
        cited = {a for s in own["sentences"] for a in s["citations"]}
        assert cited <= set(event["article_ids"])
        flagged = all(a.startswith("002") for a in event["article_ids"])
        assert own["all_flagged"] is flagged
        assert all(s["flagged_only"] is flagged for s in own["sentences"])


def test_story_page_outlets_named_for_001_and_004(seeds):
    articles = _export(seeds, "articles")
    assert _seed(articles, "001")["source"] == "Middle East Eye"
    assert _seed(articles, "004")["source"] == "The Week US"
    assert _seed(articles, "004")["meta"]["source_from"] == "byline"


def test_story_page_api_json_marks_flagged_copy_and_gives_the_title(seeds):
    client = TestClient(create_app(seeds.store))
    storyline_row = next(s for s in _export(seeds, "stories") if s["level"] == "storyline")
    story = client.get(f"/api/stories/{storyline_row['id']}").json()
    assert story["story"]["title"] == storyline_row["title"]
    by_date = {e["date"]: e for e in story["timeline"]}
    assert by_date["2015-09-29"]["flagged_only"] is True
    assert by_date["2015-09-30"]["flagged_only"] is False
    assert story["quotes"]
    assert all(q["flagged_only"] == q["article_id"].startswith("002") for q in story["quotes"])
    assert all("flagged_only" in s for s in story["briefing"]["sentences"])
    assert all("flagged_only" in c for c in story["claims"])
    article = client.get(f"/api/articles/{_seed(_export(seeds, 'articles'), '002')['id']}").json()
    assert any("John Kerry" in r for r in article["article"]["quality_reasons"])


def test_story_page_kerry_in_2_articles_by_002s_headline_and_never_its_speaker(seeds):
    entities = _export(seeds, "entities")
    kerry = next(e for e in entities if e["name"] == "John Kerry")
    assert sorted(a[:3] for a in kerry["article_ids"]) == ["000", "002"]
    # the headline is a mention, not an attribution: 002's quotes stay Putin's
    quotes_002 = [q for q in _export(seeds, "quotes") if q["article_id"].startswith("002")]
    assert quotes_002
    assert all(q["speaker"] != "John Kerry" for q in quotes_002)
    page = TestClient(create_app(seeds.store)).get("/entities").text
    assert "· 2 articles" in page.split("John Kerry", 1)[1].split("</li>", 1)[0]
