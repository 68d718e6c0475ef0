"""Quote groups: one statement by one speaker across a storyline's outlets (issue #19 item 1)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace

import lxml.html
import numpy as np
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import storyline
from storyline.claims.align import find_claims
from storyline.claims.conflicts import find_conflicts
from storyline.clean import clean_article
from storyline.cli.app import app
from storyline.config import load_settings
from storyline.errors import INTERNAL, ConfigError
from storyline.export import WHATS, export_rows, write_export
from storyline.models import Quote, RawArticle, Story
from storyline.pipeline import analyse
from storyline.quality import encoder
from storyline.quote_groups import (
    GroupParams,
    QuoteArticle,
    aligned_overlap,
    group_id,
    group_quotes,
    params_from,
)
from storyline.quote_groups_stage import run_quote_groups
from storyline.store import Store
from storyline.store.dialect import translate_ddl
from storyline.store.migrations import MIGRATIONS
from storyline.web import create_app
from tests.conftest import make_article, shared_path

SOCHI_000 = (
    "We are now thinking about this and are trying, if it works out, to reach these agreements."
)
SOCHI_001 = "We are contemplating this and will try to implement it,"


def _quote(qid: str, article: str, text: str, speaker: str = "Ada Lind", kind: str = "direct"):
    return Quote(qid, article, speaker, speaker, "said", kind, text, 0, len(text))  # type: ignore[arg-type]


ARTICLES = {
    "a1": QuoteArticle("a1", "Harbour Ledger", "2031-03-02"),
    "a2": QuoteArticle("a2", "Valley Courier", "2031-03-02"),
    "a3": QuoteArticle("a3", "Northgate Post", "2031-03-03"),
    "a4": QuoteArticle("a4", None, "2031-03-04"),  # an outlet nobody names
    "late": QuoteArticle("late", "Harbour Ledger", "2031-09-01"),
}
BRIDGE = "We will rebuild the river bridge before the winter floods arrive, whatever it costs."
FERRY = "The ferry service will stay free for residents until the bridge reopens."


def _groups(quotes, **kwargs):
    return {
        tuple(sorted(v.quote_id for v in g.variants)): g
        for g in group_quotes("s-1", quotes, ARTICLES, **kwargs)
    }


# -- the grouping itself, on hand-made quotes ------------------------------------------------


def test_quote_groups_verbatim_and_partial_are_one_group_named_by_the_longest_direct_form():
    quotes = [
        _quote("q1", "a1", BRIDGE),
        _quote("q2", "a2", BRIDGE),
        _quote("q3", "a3", "rebuild the river bridge before the winter floods arrive"),
    ]
    (group,) = _groups(quotes).values()
    assert group.representative == BRIDGE
    assert {v.quote_id: v.match for v in group.variants} == {
        "q1": "representative",
        "q2": "verbatim",
        "q3": "partial",
    }
    assert group.outlets == 3
    assert (group.first_date, group.last_date) == ("2031-03-02", "2031-03-03")
    assert group.id == group_id("s-1", "Ada Lind", BRIDGE)


def test_quote_groups_reworded_and_translated_reports_join_their_statement():
    quotes = [
        _quote("q1", "a1", "Our troops will leave the border region once a ceasefire is signed."),
        _quote("q2", "a2", "Our soldiers will withdraw from the border area once a truce is signed."),
        _quote("q3", "a3", "the troops would leave the border region after a ceasefire", kind="indirect"),
    ]  # fmt: skip
    (group,) = _groups(quotes).values()
    assert group.representative_kind == "direct"
    assert {v.match for v in group.variants} == {"representative", "reworded"}


def test_quote_groups_near_misses_of_one_speaker_stay_apart():
    quotes = [
        _quote("q1", "a1", BRIDGE),
        _quote("q2", "a2", BRIDGE),
        _quote("q3", "a1", FERRY),  # the same speaker, another statement, in the same article
        _quote("q4", "a3", "I will not resign over this."),
    ]
    assert set(_groups(quotes)) == {("q1", "q2"), ("q3",), ("q4",)}


def test_quote_groups_two_quotes_of_one_article_are_never_one_statement():
    quotes = [_quote("q1", "a1", BRIDGE), _quote("q2", "a1", BRIDGE)]
    assert set(_groups(quotes)) == {("q1",), ("q2",)}


def test_quote_groups_a_quote_inside_its_own_speakers_quote_is_that_statement_once():
    question = "How would you feel if we supported their efforts against the insurgents?"
    outer = _quote("q1", "a1", f"I asked him, '{question}'")
    inner = replace(_quote("q2", "a1", question), nested_in="q1")
    answer = replace(_quote("q3", "a1", "I am fine with that.", "Tom Berg"), nested_in="q1")
    elsewhere = _quote("q4", "a2", question)
    groups = _groups([outer, inner, answer, elsewhere])
    # the words inside the outer quote are not a second statement of Ada Lind's
    assert set(groups) == {("q1", "q2", "q4"), ("q3",)}
    assert groups["q1", "q2", "q4"].representative == outer.text
    assert groups["q1", "q2", "q4"].outlets == 2
    # another speaker's words inside the quote (the answer) stay that speaker's statement
    assert groups["q3",].speaker == "Tom Berg"


def test_quote_groups_keep_speakers_and_distant_dates_apart_and_drop_unattributed():
    quotes = [
        _quote("q1", "a1", BRIDGE),
        _quote("q2", "a2", BRIDGE, speaker="Tom Berg"),
        _quote("q3", "late", BRIDGE),  # the same words half a year later: said again
        Quote("q4", "a3", None, None, "said", "direct", BRIDGE, 0, 10),
    ]
    assert set(_groups(quotes)) == {("q1",), ("q2",), ("q3",)}


def test_quote_groups_a_copy_counts_once_and_a_flagged_page_never_corroborates():
    quotes = [
        _quote("q1", "a1", BRIDGE),
        _quote("q2", "a2", BRIDGE),  # a2 is a copy of a1
        _quote("q3", "a3", BRIDGE),  # a3 is flagged
        _quote("q4", "a4", BRIDGE),  # no outlet: its own source
    ]
    (group,) = _groups(quotes, duplicates={"a2": "a1"}, untrusted=frozenset({"a3"})).values()
    assert group.outlets == 2  # Harbour Ledger (with its copy) and a4
    assert [v.flagged for v in group.variants] == [False, False, True, False]
    assert not group.flagged_only
    (flagged,) = _groups([quotes[2]], untrusted=frozenset({"a3"})).values()
    assert (flagged.outlets, flagged.flagged_only) == (0, True)


def test_quote_groups_representative_is_indirect_only_without_a_direct_form():
    quotes = [
        _quote("q1", "a1", "the river bridge would be rebuilt before the floods", kind="indirect"),
        _quote("q2", "a2", "the river bridge would be rebuilt before the winter floods came", kind="indirect"),
    ]  # fmt: skip
    (group,) = _groups(quotes).values()
    assert group.representative == quotes[1].text


def test_quote_groups_settings_come_from_defaults_toml():
    params = params_from(load_settings().quote_groups)
    # the dataclass's defaults are the shipped ones, the "auto" encoder resolved
    assert params == replace(GroupParams(), sentence_model=encoder.resolve("auto"))
    assert params.cut == (params.encoder_threshold if params.sentence_model else params.threshold)


def test_quote_groups_aligned_overlap_is_the_f1_of_greedy_token_matches():
    eye = np.eye(3, dtype=np.float32)
    assert aligned_overlap(eye, eye) == pytest.approx(1.0)
    # a's two tokens both meet b's first; b's second meets nothing: recall 1, precision 0.5
    a = np.array([[1.0, 0.0], [1.0, 0.0]], dtype=np.float32)
    b = np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32)
    assert aligned_overlap(a, b) == pytest.approx(2 * 1.0 * 0.5 / 1.5)
    assert aligned_overlap(a, np.zeros((0, 2), dtype=np.float32)) == 0.0


_ENCODED = GroupParams(sentence_model=encoder.DEFAULT_MODEL)
needs_encoder = pytest.mark.skipif(
    not encoder.available(), reason="needs the encoder (make install)"
)


@needs_encoder
def test_quote_groups_encoder_joins_two_translations_the_word_overlap_keeps_apart():
    quotes = [_quote("q1", "a1", SOCHI_000), _quote("q2", "a2", SOCHI_001)]
    assert set(_groups(quotes)) == {("q1",), ("q2",)}  # words: thinking != contemplating
    (group,) = _groups(quotes, params=_ENCODED).values()
    assert group.outlets == 2
    assert group.representative == SOCHI_000  # the longer direct form


@needs_encoder
def test_quote_groups_encoder_keeps_one_speakers_other_statements_apart():
    quotes = [
        _quote("q1", "a1", BRIDGE),
        _quote("q2", "a2", FERRY),
        _quote("q3", "a3", "I will not resign over this."),
        _quote("q4", "a3", "rebuild the river bridge before the winter floods arrive"),
    ]
    assert set(_groups(quotes, params=_ENCODED)) == {("q1", "q4"), ("q2",), ("q3",)}


@needs_encoder
def test_quote_groups_encoder_scores_a_pair_once_then_reads_it_from_the_cache(monkeypatch):
    quotes = [_quote("q1", "a1", SOCHI_000), _quote("q2", "a2", SOCHI_001)]
    scores: dict[str, float] = {}
    first = _groups(quotes, params=_ENCODED, scores=scores)
    assert list(first) == [("q1", "q2")]
    assert len(scores) == 1  # the one pair of one speaker that needed token alignment
    (score,) = scores.values()
    assert score >= _ENCODED.encoder_threshold

    def no_encoding(*_args, **_kwargs):
        raise AssertionError("a pair scored before was encoded again")

    monkeypatch.setattr(encoder, "token_states", no_encoding)
    again = [*quotes, _quote("q3", "a3", "I will not resign over this.", speaker="Bo Ek")]
    found = _groups(again, params=_ENCODED, scores=scores)
    assert set(found) == {("q1", "q2"), ("q3",)}  # a lone speaker's quote needs no encoding
    assert found["q1", "q2"].representative == SOCHI_000


@needs_encoder
def test_quote_groups_encoder_token_states_skip_cls_and_sep_and_are_unit_rows():
    (states,) = encoder.token_states(["We will rebuild the bridge."], 3)
    assert states.shape == (6, 384)  # we will rebuild the bridge .
    assert np.allclose(np.linalg.norm(states, axis=1), 1.0, atol=1e-5)
    with pytest.raises(ValueError, match="outside"):
        encoder.token_states(["x"], 99)


# -- the store: migration 14 on both dialects ------------------------------------------------


def test_quote_groups_migration_14_creates_the_table_on_sqlite_and_postgresql():
    assert "CREATE TABLE quote_groups" in MIGRATIONS[13]
    with Store.memory() as store:
        assert store.schema_version() == len(MIGRATIONS)
        assert store.count("quote_groups") == 0
    pg = translate_ddl(MIGRATIONS[13], lambda _table: ("id",))
    assert "CREATE TABLE quote_groups" in pg
    assert "outlets BIGINT" in pg or "outlets INTEGER" in pg


# -- the seeds, through the whole pipeline ---------------------------------------------------


@pytest.fixture(scope="module")
def seeds(tmp_path_factory):
    folder = shared_path("seeds")
    meta = [json.loads(line) for line in (folder / "metadata.jsonl").read_text().splitlines()]
    rows = []
    for item in meta:
        lines = (folder / item["file"]).read_text(encoding="utf-8").split("\n")
        title, text = lines[0], "\n".join(lines[1:])
        rows.append({"id": item["id"][:3], "title": title, "text": text, "published": item["published"]})  # fmt: skip
    tmp = tmp_path_factory.mktemp("seeds")
    corpus = tmp / "seeds.jsonl"
    corpus.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    workspace = storyline.open(tmp / "seeds.db")
    workspace.ingest([corpus])
    workspace.run(workers=1)
    yield workspace
    workspace.close()


def _seed_groups(workspace) -> list[dict]:
    return list(export_rows(workspace.store, "quote_groups"))


@needs_encoder
def test_quote_groups_seeds_sochi_statement_is_one_group_reported_by_2_outlets(seeds):
    (group,) = [
        g for g in _seed_groups(seeds) if any("contemplating" in v["text"] for v in g["variants"])
    ]
    assert group["speaker"] == "Vladimir Putin"
    assert {v["article_id"][:3] for v in group["variants"]} == {"000", "001"}
    assert group["outlets"] == 2


def test_quote_groups_seeds_flagged_page_002_never_adds_an_outlet(seeds):
    groups = _seed_groups(seeds)
    with_002 = [g for g in groups if any(v["article_id"].startswith("002") for v in g["variants"])]
    assert with_002  # 002 quotes Putin
    for group in with_002:
        variants = group["variants"]
        assert all(v["flagged"] for v in variants if v["article_id"].startswith("002"))
        trusted = {v["outlet"] or v["article_id"] for v in variants if not v["flagged"]}
        assert group["outlets"] == len(trusted)
        assert group["flagged_only"] == (not trusted)


def test_quote_groups_seeds_every_attributed_quote_is_in_one_group_of_its_speaker(seeds):
    quotes = {q.id: q for q in seeds.store.quotes() if q.speaker}
    seen = [v["quote_id"] for g in _seed_groups(seeds) for v in g["variants"]]
    assert sorted(seen) == sorted(quotes)
    for group in _seed_groups(seeds):
        assert {quotes[v["quote_id"]].speaker for v in group["variants"]} == {group["speaker"]}


def test_quote_groups_seeds_putins_question_to_assad_is_shown_once(seeds):
    # 000: Putin said "I asked him, 'How would you feel if we were to find in Syria ...'"
    asked = [
        g
        for g in _seed_groups(seeds)
        if any("How would you feel" in v["text"] for v in g["variants"])
    ]
    assert [g["speaker"] for g in asked] == ["Vladimir Putin"]
    assert asked[0]["representative"].startswith("I asked him, 'How would you feel")
    client = TestClient(create_app(seeds.store))
    story = next(s for s in export_rows(seeds.store, "stories") if s["level"] == "storyline")
    page = lxml.html.fromstring(client.get(f"/stories/{story['id']}").text)
    shown = [g.text_content() for g in page.cssselect("li.quote-group")]
    assert sum("How would you feel if we were to find in Syria" in g for g in shown) == 1


def test_quote_groups_export_round_trip_jsonl_csv_and_cli(seeds, tmp_path):
    assert "quote_groups" in WHATS
    rows = _seed_groups(seeds)
    out = io.StringIO()
    assert write_export(iter(rows), out, "jsonl") == len(rows)
    assert [json.loads(line) for line in out.getvalue().splitlines()] == rows
    out = io.StringIO()
    write_export(iter(rows), out, "csv")
    back = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [json.loads(r["variants"]) for r in back] == [r["variants"] for r in rows]
    result = CliRunner().invoke(
        app, ["export", "--what", "quote_groups", "--db", str(seeds.store.path)]
    )
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["id"] for line in result.output.splitlines()] == [
        r["id"] for r in rows
    ]


def test_quote_groups_api_lists_one_storys_groups(seeds):
    rows = _seed_groups(seeds)
    story_id = rows[0]["story_id"]
    client = TestClient(create_app(seeds.store))
    body = client.get("/api/quote_groups", params={"story_id": story_id, "per_page": 100}).json()
    assert body["total"] == sum(r["story_id"] == story_id for r in rows)
    assert [g["id"] for g in body["items"]] == [r["id"] for r in rows if r["story_id"] == story_id]
    assert client.get("/api/quote_groups", params={"story_id": "nope"}).json()["total"] == 0


def test_quote_groups_stage_a_storyline_that_raises_is_a_rejected_row(seeds, monkeypatch):
    def boom(*_args, **_kwargs):
        raise ValueError("poisoned storyline")

    store = seeds.store
    before = _seed_groups(seeds)
    try:
        monkeypatch.setattr("storyline.quote_groups_stage.group_quotes", boom)
        summary = run_quote_groups(store, {})
        assert summary.counts["groups"] == 0
        rejected = [r for r in store.rows("rejected") if r["stage"] == "quote_groups"]
        assert {r["code"] for r in rejected} == {INTERNAL}
        assert {r["item_id"] for r in rejected} == {g["story_id"] for g in before}
    finally:
        monkeypatch.undo()
        run_quote_groups(store, {}, params=params_from(load_settings().quote_groups))
    assert _seed_groups(seeds) == before


# -- claims: a quote-wording conflict only inside one quote group ------------------------------

NOT_LIFT = "We will not lift the blockade until the harbour is handed over to us"
LIFT = "We will lift the blockade once the harbour is handed over to us"


def _quote_conflicts(quote_groups):
    articles = [
        make_article("q0", "t", f'The admiral told reporters: "{NOT_LIFT}," before leaving Port Elsin.', "2031-03-04", source="outlet 0"),
        make_article("q1", "t", f'Speaking in Port Elsin, the admiral said: "{LIFT}."', "2031-03-04", source="outlet 1"),
    ]  # fmt: skip
    claims = find_claims(articles, story_id="s")
    found = find_conflicts(claims, articles, quote_groups=quote_groups)
    return [c for c in found if c.kind == "quote"]


def test_quote_groups_claims_conflict_only_between_variants_of_one_group():
    assert len(_quote_conflicts(None)) == 1  # without groups: close words that contradict
    (one,) = _quote_conflicts({"qg-1": (NOT_LIFT, LIFT)})
    assert {a for _, ids in one.values for a in ids} == {"q0", "q1"}
    # the grouping said two statements (e.g. said on two occasions): nothing to contradict
    assert _quote_conflicts({"qg-1": (NOT_LIFT,), "qg-2": (LIFT,)}) == []
    assert _quote_conflicts({}) == []


def test_quote_groups_seeds_no_quote_wording_conflict_in_the_stored_briefing(seeds):
    conflicts = list(seeds.store.rows("conflicts"))
    assert not [c for c in conflicts if c["kind"] == "quote"]


def test_quote_groups_seeds_assads_offer_is_one_group_and_long_topical_quotes_stay_apart(seeds):
    groups = _seed_groups(seeds)
    (offer,) = [g for g in groups if "armed opposition groups" in g["representative"]]
    # 000 reports it, 001 rewords it ("might be willing to work with rebel groups")
    assert {v["article_id"][:3] for v in offer["variants"]} == {"000", "001"}
    assert offer["outlets"] == 2
    assert offer["representative_kind"] == "indirect"  # neither outlet gives his words
    # 000's "How would you feel ..." and 004's "former Soviet republics" share Syria and
    # fighting, but are two statements
    # (the question is one group with "I asked him, '...'", the quote it is nested in)
    (feel,) = [g for g in groups if any("How would you feel" in v["text"] for v in g["variants"])]
    assert {v["article_id"][:3] for v in feel["variants"]} == {"000"}


# -- claims: statements quoting one group are one claim (the briefing's corroboration) ---------

THINKING = "We are now thinking about this and are trying to reach these agreements"
CONTEMPLATING = "We are contemplating this and will try to implement it"


def _translated_articles():
    return [
        make_article("t0", "t", f'"{THINKING}," the president told a meeting in Port Elsin.', "2031-03-04", source="outlet 0"),
        make_article("t1", "t", f'"{CONTEMPLATING}," he said to dignitaries at the resort.', "2031-03-04", source="outlet 1"),
    ]  # fmt: skip


def test_quote_groups_claims_statements_quoting_one_group_corroborate_each_other():
    articles = _translated_articles()
    apart = find_claims(articles, story_id="s")  # their words alone: two single-source claims
    assert sorted(c.support for c in apart) == [1, 1]
    groups = {"qg-1": (THINKING, CONTEMPLATING)}
    (claim,) = find_claims(articles, story_id="s", quote_groups=groups)
    assert (claim.kind, claim.support, set(claim.article_ids)) == ("corroborated", 2, {"t0", "t1"})
    # two groups (two statements): the quotes corroborate nothing
    split = {"qg-1": (THINKING,), "qg-2": (CONTEMPLATING,)}
    assert sorted(c.support for c in find_claims(articles, story_id="s", quote_groups=split)) == [
        1,
        1,
    ]


@needs_encoder
def test_quote_groups_seeds_sochi_statement_is_a_corroborated_claim(seeds):
    claims = [c for c in seeds.store.rows("claims") if "contemplating" in json.dumps(c)]
    assert claims
    assert any(c["kind"] == "corroborated" for c in claims)


def test_quote_groups_sentence_model_off_missing_or_auto():
    off = params_from(
        load_settings(overrides={"quote_groups": {"sentence_model": ""}}).quote_groups
    )
    assert (off.sentence_model, off.cut) == (None, off.threshold)  # the word overlap
    missing = load_settings(overrides={"quote_groups": {"sentence_model": "/nonexistent/model"}})
    with pytest.raises(encoder.EncoderUnavailableError):
        params_from(missing.quote_groups)
    with pytest.raises(ConfigError, match=r"\[quote_groups\] sentence_model"):
        analyse(Store.memory(), settings=missing)


# -- the quote-pair score cache: pruned with the quotes (issue #17) -----------------------------


def _fake_states(texts, _layer, _model):
    """Return unit one-hot rows per word: a deterministic stand-in for the encoder."""
    rows = []
    for text in texts:
        words = text.lower().split()
        states = np.zeros((len(words), 64), dtype=np.float32)
        for x, word in enumerate(words):
            states[x, sum(map(ord, word)) % 64] = 1.0
        rows.append(states)
    return rows


def _pairs(store):
    return json.loads(store.get_state("quote_pairs.v1"))["scores"]


def test_quote_groups_stage_pair_cache_drops_the_pairs_of_quotes_gone_and_keeps_the_rest(
    monkeypatch,
):
    monkeypatch.setattr(encoder, "token_states", _fake_states)
    params = GroupParams(sentence_model="fake-encoder")
    old = "The harbour toll will be cut in half for every fishing boat next spring."
    new = "Fishing boats will pay no harbour toll at all from next spring onwards."
    quotes = [_quote("q1", "a1", SOCHI_000), _quote("q2", "a2", SOCHI_001), _quote("q3", "a3", old)]
    with Store.memory() as store:
        raws = [RawArticle(a, "t", f"text {a}", a, "txt", f"outlet {a}") for a in ("a1", "a2", "a3")]  # fmt: skip
        store.save_batch([(r, clean_article(r)) for r in raws], [])
        store.save_stage("nlp", ["a1", "a2", "a3"], quotes=quotes)
        story = Story("s-1", "harbour", "storyline", ("a1", "a2", "a3"))
        store.replace_stories([story], {})
        run_quote_groups(store, {}, params=params)
        first = _pairs(store)
        assert len(first) == 3  # every pair of the one speaker needed token alignment
        # a3 is read again and now quotes something else: its two pairs are stale
        store.save_stage("nlp", ["a3"], quotes=[_quote("q3", "a3", new)])
        run_quote_groups(store, {}, params=params)
        second = _pairs(store)
    assert len(second) == 3
    (kept,) = set(first) & set(second)  # the pair of q1 and q2, neither of which changed
    assert second[kept] == first[kept]  # read from the cache, not scored again
    assert not (set(first) - {kept}) & set(second)  # q3's old pairs are gone
