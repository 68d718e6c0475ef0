"""The seeds through the whole pipeline: what a reader's story page reads, in the exports (#19)."""

from __future__ import annotations

import lxml.html
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
    # the flagged page (002) titles no story another page tells; its own event (told by it
    # alone) reads its headline, marked as coming from flagged copy, never the keyword label
    flagged_headline = _seed(_export(seeds, "articles"), "002")["title"]
    assert all(s["title"] != flagged_headline for s in stories)
    (alone,) = [s for s in stories if s["flagged_only"]]
    assert alone["title"] == (
        "John Kerry: Russia’s involvement in Syria could be ‘opportunity’ for U.S."
        " (flagged copy only)"
    )
    assert alone["title"] != alone["label"]
    assert [s["id"] for s in stories if "flagged copy" in s["title"]] == [alone["id"]]


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
    briefing = seeds.store.stored_briefing(storyline_row["id"])
    assert any("Vienna" in s.text for s in briefing.sentences)
    assert not [c for c in briefing.conflicts if c.kind == "quote"]
    for event in (s for s in stories if s["level"] == "event"):
        own = seeds.store.stored_briefing(event["id"])
        assert own is not None
        assert own.story_id == event["id"]
        cited = {a for s in own.sentences for a in s.citations}
        assert cited <= set(event["article_ids"])
        flagged = all(a.startswith("002") for a in event["article_ids"])
        assert own.all_flagged is flagged
        assert all(s.flagged_only is flagged for s in own.sentences)


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


# -- who said what, once: the story and entity pages list quote groups -------------------------


def _groups_on(html: str) -> list[lxml.html.HtmlElement]:
    return lxml.html.fromstring(html).cssselect("li.quote-group")


def _with_variant(groups, needle):
    return [g for g in groups if any(needle in (a.get("title") or "") for a in g.cssselect("a"))]


def _storyline(seeds):
    return next(s for s in _export(seeds, "stories") if s["level"] == "storyline")


def test_story_page_lists_sochi_statement_once_reported_by_2_outlets(seeds):
    client = TestClient(create_app(seeds.store))
    page = client.get(f"/stories/{_storyline(seeds)['id']}").text
    groups = _groups_on(page)
    (sochi,) = _with_variant(groups, "contemplating")
    assert "reported by 2 outlets" in sochi.text_content()
    # the representative wording in quotation marks, each outlet's variant linked
    assert [q.text_content() for q in sochi.cssselect("q")] == [
        "We are now thinking about this and are trying, if it works out, to reach these agreements."
    ]
    links = {a.get("href").split("/")[2][:3]: a.get("class") for a in sochi.cssselect("a.variant")}
    assert links == {"000": "variant representative", "001": "variant reworded"}
    # no other group repeats either wording: one statement, listed once
    assert not [g for g in groups if "contemplating" in g.text_content()]


def test_story_page_quote_groups_mark_indirect_as_reported_speech_and_flagged_copy(seeds):
    client = TestClient(create_app(seeds.store))
    groups = _groups_on(client.get(f"/stories/{_storyline(seeds)['id']}").text)
    indirect = [g for g in groups if "indirect" in g.get("class").split()]
    assert indirect
    for group in indirect:
        assert not group.cssselect("q")  # paraphrase is never shown in quotation marks
        assert group.cssselect("span.reported")
    direct = [g for g in groups if "direct" in g.get("class").split()]
    assert all(g.cssselect("q") for g in direct)
    # 002 is flagged: its variants carry the mark, and a group only it reports says so
    flagged = [g for g in groups if "flagged" in g.get("class").split()]
    assert flagged
    for group in flagged:
        assert "reported only by flagged copy" in group.text_content()
        assert all(a.get("href").startswith("/articles/002") for a in group.cssselect("a.variant"))


def test_story_page_quote_groups_filter_by_speaker_alias_and_by_outlet(seeds):
    client = TestClient(create_app(seeds.store))
    url = f"/stories/{_storyline(seeds)['id']}"
    everyone = _groups_on(client.get(url).text)
    putin = lxml.html.fromstring(client.get(url, params={"speaker": "Putin"}).text)
    speakers = [s.text.strip() for s in putin.cssselect("#quotes details.speaker summary")]
    assert speakers == ["Vladimir Putin"]
    assert 0 < len(putin.cssselect("li.quote-group")) < len(everyone)
    week = _groups_on(client.get(url, params={"outlet": "the week us"}).text)
    assert week
    for group in week:
        outlets = [a.text_content() for a in group.cssselect("a.variant")]
        assert any(o.startswith("The Week US") for o in outlets)
    assert "no quotes match" in client.get(url, params={"speaker": "Nobody Atall"}).text


def test_story_page_entity_page_lists_putins_quote_groups_with_their_story(seeds):
    client = TestClient(create_app(seeds.store))
    putin = next(e for e in _export(seeds, "entities") if e["name"] == "Vladimir Putin")
    groups = _groups_on(client.get(f"/entities/{putin['id']}").text)
    (sochi,) = _with_variant(groups, "contemplating")
    assert "reported by 2 outlets" in sochi.text_content()
    assert sochi.cssselect("span.in-story a")[0].get("href").startswith("/stories/")
    stored = [g for g in _export(seeds, "quote_groups") if g["speaker"] == "Vladimir Putin"]
    assert len(groups) == len(stored)


def test_story_page_api_quote_groups_and_quotes_take_any_alias(seeds):
    client = TestClient(create_app(seeds.store))
    by_alias = client.get("/api/quote_groups", params={"speaker": "putin", "per_page": 100}).json()
    by_name = client.get(
        "/api/quote_groups", params={"speaker": "Vladimir Putin", "per_page": 100}
    ).json()
    assert by_alias["total"] == by_name["total"] > 0
    assert {g["speaker"] for g in by_alias["items"]} == {"Vladimir Putin"}
    eye = client.get("/api/quote_groups", params={"outlet": "Middle East Eye", "per_page": 100})
    assert all(
        any(v["outlet"] == "Middle East Eye" for v in g["variants"]) for g in eye.json()["items"]
    )
    assert client.get("/api/quotes", params={"speaker": "Putin"}).json()["total"] > 0


def test_story_page_event_lists_its_storylines_groups_that_its_articles_report(seeds):
    client = TestClient(create_app(seeds.store))
    stored = _export(seeds, "quote_groups")
    for event in (s for s in _export(seeds, "stories") if s["level"] == "event"):
        own = set(event["article_ids"])
        expected = {g["id"] for g in stored if any(v["article_id"] in own for v in g["variants"])}
        html = client.get(f"/stories/{event['id']}").text
        shown = {g.get("id") for g in _groups_on(html)}
        assert shown <= expected  # a speaker's first 12 are listed, the count says how many
        counts = lxml.html.fromstring(html).cssselect("#quotes details.speaker summary .count")
        listed = sum(
            int(c.text)
            for c in counts
            if "unattributed" not in c.getparent().getparent().get("class")
        )
        assert listed == len(expected)


# -- a story told only by the flagged page is marked wherever it is listed -------------------


def test_story_page_event_of_the_flagged_page_alone_is_flagged_in_export_api_and_page(seeds):
    spun = _seed(_export(seeds, "articles"), "002")["id"]
    stories = _export(seeds, "stories")
    alone = [s for s in stories if s["article_ids"] == [spun]]
    assert alone  # the seeds' clustering gives 002 an event of its own
    assert all(s["flagged_only"] == (s["article_ids"] == [spun]) for s in stories)
    client = TestClient(create_app(seeds.store))
    parent = _storyline(seeds)["id"]
    events = client.get(f"/api/stories/{parent}").json()["events"]
    assert {e["id"] for e in events if e["flagged_only"]} == {s["id"] for s in alone}
    page = lxml.html.fromstring(client.get(f"/stories/{parent}").text)
    for item in page.cssselect("#events li"):
        href = item.cssselect("a")[0].get("href")
        marked = bool(item.cssselect(".flagged-mark"))
        assert marked == any(href.endswith(s["id"]) for s in alone), href
    own = lxml.html.fromstring(client.get(f"/stories/{alone[0]['id']}").text)
    assert own.cssselect(".all-flagged")


def test_story_page_cli_timeline_and_stories_mark_what_only_the_flagged_page_tells(seeds):
    from typer.testing import CliRunner  # noqa: PLC0415

    from storyline.cli.app import app  # noqa: PLC0415

    db = str(seeds.store.path)
    runner = CliRunner()
    timeline = runner.invoke(app, ["timeline", "--db", db], env={"COLUMNS": "200"})
    assert timeline.exit_code == 0, timeline.output
    rows = _table_rows(timeline.output)
    # 2015-09-29: the Kremlin meeting only 002 tells (flagged_only in the export)
    assert "flagged copy only" in rows["2015-09-29"]
    assert "flagged copy only" not in rows["2015-09-30"]
    listed = runner.invoke(app, ["stories", "--db", db], env={"COLUMNS": "200"})
    spun = _seed(_export(seeds, "articles"), "002")["id"]
    alone = {s["id"] for s in _export(seeds, "stories") if s["article_ids"] == [spun]}
    for story_id, row in _table_rows(listed.output).items():
        # marked once: the title already carries the mark the table would add
        assert row.count("flagged copy only") == (story_id in alone), row


def _table_rows(output: str) -> dict[str, str]:
    """Return a rich table's rows by their first cell, each row's wrapped lines joined."""
    rows: dict[str, str] = {}
    key = None
    for line in output.splitlines():
        cells = line.split("│")
        if len(cells) < 3:
            continue
        if cells[1].strip():
            key = cells[1].strip()
        if key is not None:
            rows[key] = " ".join((rows.get(key, ""), *(c.strip() for c in cells[2:])))
    return rows


# -- what a journalist copies out must be safe to print ---------------------------------------


def test_story_page_speakers_say_what_kind_of_source_they_are(seeds):
    kinds = {(q["speaker"], q["speaker_kind"]) for q in _export(seeds, "quotes")}
    # "Moscow said ...": a city standing for its government; "the Daily Express reported":
    # an outlet (NER labels it ORG; its name is a newspaper's); Putin a person
    assert {("Moscow", "place"), ("Daily Express", "outlet"), ("Vladimir Putin", "person")} <= kinds
    assert ("Kremlin", "organisation") in kinds
    assert {k for s, k in kinds if s is None} == {None}  # unattributed has no kind
    groups = {g["speaker"]: g["speaker_kind"] for g in _export(seeds, "quote_groups")}
    assert (groups["Moscow"], groups["Daily Express"]) == ("place", "outlet")
    client = TestClient(create_app(seeds.store))
    page = lxml.html.fromstring(client.get(f"/stories/{_storyline(seeds)['id']}").text)
    marked = {
        s.text.strip(): s.cssselect(".speaker-kind")[0].text
        if s.cssselect(".speaker-kind")
        else None
        for s in page.cssselect("#quotes details.speaker summary")
    }
    assert marked["Moscow"] == "place (its government)"
    assert marked["Daily Express"] == "news outlet"
    assert marked["Vladimir Putin"] is None  # people are listed as they were
    params = {"story_id": _storyline(seeds)["id"], "per_page": 100}
    api = client.get("/api/quote_groups", params=params).json()["items"]
    assert {g["speaker"]: g["speaker_kind"] for g in api}["Daily Express"] == "outlet"


def test_story_page_sochi_claim_is_marked_wording_differs_in_export_briefing_and_page(seeds):
    claims = _export(seeds, "claims")
    (sochi,) = [c for c in claims if "contemplating" in c["text"]]
    # 000 quotes "We are now thinking ...", 001 "We are contemplating ...": one claim, two wordings
    assert sorted(a[:3] for a in sochi["article_ids"]) == ["000", "001"]
    assert sochi["wording_differs"] is True
    # the other claims of both articles are the same words in each (syndicated text)
    assert [c["text"] for c in claims if c["wording_differs"]] == [sochi["text"]]
    client = TestClient(create_app(seeds.store))
    story = client.get(f"/api/stories/{_storyline(seeds)['id']}").json()
    said = [s for s in story["briefing"]["sentences"] if "contemplating" in s["text"]]
    assert [s["wording_differs"] for s in said] == [True]
    assert [c["wording_differs"] for c in story["claims"] if c["id"] == sochi["id"]] == [True]
    page = lxml.html.fromstring(client.get(f"/stories/{_storyline(seeds)['id']}").text)
    marks = page.cssselect("#briefing .wording-mark")
    assert len(marks) == 1
    assert "contemplating" in marks[0].getparent().text_content()
    assert marks[0].text == "wording differs between outlets"
    # the tooltip says what the mark means: quoted otherwise, or reported without quoting
    assert "does not print word for word" in marks[0].get("title")
    assert "without quoting" in marks[0].get("title")
    (row,) = [r for r in page.cssselect("#claims tbody tr") if r.cssselect(".wording-mark")]
    assert "contemplating" in row.text_content()
