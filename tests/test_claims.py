from __future__ import annotations

import json

import pytest

from storyline.claims.align import find_claims
from storyline.claims.conflicts import find_conflicts, settle_claims
from storyline.claims.params import ClaimsParams
from storyline.claims.statements import find_quantities
from storyline.clean import clean_article
from storyline.models import CleanArticle, RawArticle, content_hash
from storyline.text.sentences import sentence_spans
from tests.conftest import make_article, shared_path


def art(aid, text, *, source=None, published="2031-03-04", title="t"):
    return make_article(aid, title, text, published, locator=f"test:{aid}", source=source)


# Fictional reports of one event, worded differently by three outlets.
A = art(
    "a",
    "The Valdorian navy's blockade of Port Elsin, which began on 12 March, has drawn sharp "
    "criticism from neighbouring Karsk, whose ministers accuse Admiral Teodor Brun of starving "
    "the city. Officials said 12 people were killed when a fuel depot exploded in the harbour. "
    "Grain prices in the region have doubled since the winter.",
    source="Daily Ledger",
)
B = art(
    "b",
    "Admiral Teodor Brun, a close ally of the Valdorian president, began blockading the harbour "
    "of Port Elsin on 12 March. A fuel depot explosion in the harbour left 14 people dead, "
    "rescuers said on Tuesday. The fishing fleet has stayed in port all week.",
    source="Morning Post",
)
C = art(
    "c",
    "Volunteers in Lindholm collected blankets for families displaced by the flooding along the "
    "river. The town council voted to rebuild the old stone bridge before the summer.",
    source="Morning Post",
)
COPY = art("a-copy", A.text, source="Daily Ledger")


def claim_with(claims, needle):
    return next(c for c in claims if any(needle in t for _, t in c.statements))


def test_claims_split_sentences_keeps_abbreviations():
    text = "Mr. Brun met Dr. Alva in St. Elsin. They talked for an hour! Did they agree?"
    sentences = [text[s:e] for s, e in sentence_spans(text)]
    assert sentences == [
        "Mr. Brun met Dr. Alva in St. Elsin.",
        "They talked for an hour!",
        "Did they agree?",
    ]


def test_claims_align_paraphrases_across_outlets():
    claims = find_claims([A, B, C], story_id="s")
    blockade = claim_with(claims, "began on 12 March")
    assert set(blockade.article_ids) == {"a", "b"}
    assert blockade.kind == "corroborated"
    assert blockade.support == 2
    assert set(blockade.sources) == {"Daily Ledger", "Morning Post"}
    assert blockade.date == "2031-03-12"


def test_claims_unrelated_statements_stay_single_source():
    claims = find_claims([A, B, C], story_id="s")
    bridge = claim_with(claims, "stone bridge")
    assert bridge.article_ids == ("c",)
    assert bridge.kind == "single_source"
    grain = claim_with(claims, "Grain prices")
    assert grain.article_ids == ("a",)


def test_claims_duplicates_count_once_per_outlet():
    claims = find_claims([A, COPY], story_id="s", duplicates={"a-copy": "a"})
    blockade = claim_with(claims, "began on 12 March")
    assert set(blockade.article_ids) == {"a", "a-copy"}
    assert blockade.support == 1
    assert blockade.kind == "single_source"
    # without an outlet, a copy still counts with its original, not as a second source
    bare = [art("x", A.text), art("x-copy", A.text)]
    claims = find_claims(bare, story_id="s", duplicates={"x-copy": "x"})
    assert claim_with(claims, "began on 12 March").support == 1


def test_claims_untrusted_pages_do_not_corroborate():
    claims = find_claims([A, B], story_id="s", untrusted={"b"})
    blockade = claim_with(claims, "began on 12 March")
    assert set(blockade.article_ids) == {"a", "b"}
    assert blockade.kind == "single_source"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Officials said 12 people were killed in the blast.", ("killed", "12")),
        ("The explosion left 14 dead.", ("killed", "14")),
        ("The jets struck 72 targets overnight.", ("target", "72")),
        ("The blast killed 9 people and injured 30.", ("killed", "9")),
        ("Almost 80 percent of the targets were elsewhere.", ("percent", "80")),
    ],
)
def test_claims_quantities_name_the_counted_thing(text, expected):
    assert expected in find_quantities(text)


def test_claims_quantities_skip_dates_and_years():
    assert find_quantities("The war began on 12 March 2011 and in 2012 it spread.") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Fourteen people have been killed after the dam failed.", [("killed", "14")]),
        ("Officials said 12 people had been confirmed dead.", [("killed", "12")]),
        ("The agency puts the number of dead at 12.", [("killed", "12")]),
        ("Nine of the dead were from Brask.", []),  # a part of the toll, not the toll
        ("It was the worst flood in three decades.", []),  # a span of time
    ],
)
def test_claims_quantities_tolls_in_other_words(text, expected):
    assert find_quantities(text) == expected


def test_claims_lead_tolls_conflict_when_their_sentences_share_no_words():
    wire = art(
        "wire",
        "Fourteen people have been killed after the Kestrin Dam partly collapsed, officials said.",
        source="Valdoria Daily Wire",
        published="2031-03-11",
    )
    review = art(
        "review",
        "Engineers had warned about cracks in the spillway for a year. "
        "The national flood agency puts the number of dead at 12.",
        source="Continental Review",
        published="2031-03-16",
    )
    later = art(
        "later",
        "The inquiry opened two weeks after the collapse that killed 15 people in the valley.",
        source="Coast Post",
        published="2031-03-18",
    )
    articles = [wire, review, later]
    conflicts = find_conflicts(find_claims(articles, story_id="s"), articles, story_id="s")
    tolls = [c for c in conflicts if c.kind == "number" and c.subject == "killed"]
    # 12 five days after 14 cannot be an update; 15 two days after 12 is the toll rising.
    assert [dict(c.values) for c in tolls] == [{"12": ("review",), "14": ("wire",)}]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            (
                "Workers walked out at the plant on Monday. The union says 3,400 of the 3,900 staff "
                "have joined the stoppage. The company put the figure at about 2,600."
            ),
            [("staff", {"2600": ("strike",), "3400": ("strike",)})],
        ),
        (
            (
                "Organisers said 20,000 protesters marched through the capital on Saturday. "
                "Police put the number of protesters at 5,000."
            ),
            [("protester", {"20000": ("strike",), "5000": ("strike",)})],
        ),
        # the second party agrees, or the sentence before counts nothing: no conflict
        (
            (
                "The union says 3,400 of the 3,900 staff have joined. Managers put the figure at "
                "3,400 too."
            ),
            [],
        ),
        ("The strike began on Monday. The company put the figure at about 2,600.", []),
    ],
)
def test_claims_figure_disputed_within_one_article(text, expected):
    articles = [art("strike", text, source="Estmark Tribune", published="2031-03-16")]
    conflicts = find_conflicts(find_claims(articles, story_id="s"), articles, story_id="s")
    found = [(c.subject, dict(c.values)) for c in conflicts if c.kind == "number"]
    assert found == expected


def test_claims_conflicting_death_tolls_with_both_values():
    articles = [A, B, C]
    claims = find_claims(articles, story_id="s")
    conflicts = find_conflicts(claims, articles, story_id="s")
    tolls = [c for c in conflicts if c.kind == "number" and c.subject == "killed"]
    assert len(tolls) == 1
    assert dict(tolls[0].values) == {"12": ("a",), "14": ("b",)}
    assert tolls[0].claim_ids


def test_claims_later_higher_toll_is_an_update_not_a_conflict():
    late = art("b", B.text, source="Morning Post", published="2031-03-20")
    claims = find_claims([A, late], story_id="s")
    assert not [c for c in find_conflicts(claims, [A, late]) if c.subject == "killed"]


def test_claims_conflicting_targets_and_event_dates():
    one = art(
        "p", "The air force said its jets struck 72 targets near Orvel on Monday.", source="X"
    )
    two = art(
        "q", "Jets of the air force struck 80 targets near Orvel on Monday, it said.", source="Y"
    )
    claims = find_claims([one, two], story_id="s")
    conflicts = find_conflicts(claims, [one, two], story_id="s")
    assert [dict(c.values) for c in conflicts if c.subject == "target"] == [
        {"72": ("p",), "80": ("q",)}
    ]
    three = art(
        "r", "The siege of Orvel by the northern army began on 3 May, officials said.", source="X"
    )
    four = art(
        "s", "The northern army began its siege of Orvel on 5 May, officials said.", source="Y"
    )
    claims = find_claims([three, four], story_id="s")
    dates = [c for c in find_conflicts(claims, [three, four]) if c.kind == "date"]
    assert len(dates) == 1
    assert dict(dates[0].values) == {"3 May": ("r",), "5 May": ("s",)}


def load_seeds():
    seeds = shared_path("seeds")
    meta = {}
    for line in (seeds / "metadata.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            meta[row["id"]] = row["published"]
    out = []
    for path in sorted(seeds.glob("*.txt")):
        title, _, body = path.read_text(encoding="utf-8").partition("\n")
        raw = RawArticle(
            id=path.stem,
            title=title,
            text=body,
            locator=str(path),
            format="txt",
            source=f"outlet-{path.stem[:3]}",
            published=meta.get(path.stem),
            published_source="metadata",
        )
        out.append(clean_article(raw))
    return out


@pytest.fixture(scope="module")
def seed_articles():
    return load_seeds()


def test_claims_seeds_align_the_start_of_the_air_campaign(seed_articles):
    claims = find_claims(seed_articles, story_id="seeds")
    started = [
        c
        for c in claims
        if any("30 September" in t for _, t in c.statements) and len(c.article_ids) > 1
    ]
    assert len(started) == 1
    ids = {a[:3] for a in started[0].article_ids}
    assert {"000", "001"} <= ids
    assert started[0].kind == "corroborated"
    assert started[0].date == "2015-09-30"


def _quote_conflicts(*texts):
    articles = [art(f"q{i}", text, source=f"outlet {i}") for i, text in enumerate(texts)]
    claims = find_claims(articles, story_id="s")
    return [c for c in find_conflicts(claims, articles) if c.kind == "quote"]


def test_claims_two_renderings_of_one_quote_are_not_a_conflict():
    # a translation or a paraphrase keeps the position: no incompatible value, no conflict
    assert not _quote_conflicts(
        'The admiral told reporters: "We will not lift the blockade until the harbour is '
        'handed over to us," before leaving Port Elsin.',
        'Speaking in Port Elsin, the admiral said: "We shall not lift the blockade until the '
        'harbour is given to us."',
    )
    # a negation on a word the other wording does not use ("no need") negates nothing shared
    assert not _quote_conflicts(
        'The admiral spoke against "splitting the Karsk ministers into hawks and doves" in '
        "Port Elsin on Friday.",
        'The admiral said in Port Elsin: "There is no need to play games, to split the Karsk '
        'ministers into hawks and doves."',
    )


def test_claims_contradicting_wordings_of_one_quote_conflict():
    negated = _quote_conflicts(
        'The admiral told reporters: "We will not lift the blockade until the harbour is '
        'handed over to us," before leaving Port Elsin.',
        'Speaking in Port Elsin, the admiral said: "We will lift the blockade once the '
        'harbour is handed over to us."',
    )
    assert len(negated) == 1
    ids = {a for _, group in negated[0].values for a in group}
    assert ids == {"q0", "q1"}
    counted = _quote_conflicts(
        'The admiral told reporters: "The blockade of the harbour will last two more weeks at '
        'the very least," in Port Elsin.',
        'The admiral said in Port Elsin: "The blockade of the harbour will last three more '
        'weeks at the very least."',
    )
    assert len(counted) == 1


def test_claims_settle_a_claim_whose_own_articles_disagree_as_conflicting():
    claims = find_claims([A, B, C], story_id="s")
    conflicts = find_conflicts(claims, [A, B, C])
    settled = {c.id: c for c in settle_claims(claims, conflicts)}
    depot = claim_with(claims, "fuel depot")
    # the depot claim is told by A and B, and A and B give its toll as 12 and 14
    assert {"a", "b"} <= set(depot.article_ids)
    assert any(depot.id in c.claim_ids for c in conflicts)
    assert settled[depot.id].kind == "conflicting"
    # a corroborated claim its own articles do not dispute stays corroborated
    blockade = claim_with(claims, "began on 12 March")
    assert settled[blockade.id].kind == blockade.kind == "corroborated"


def test_claims_very_large_story_is_capped_to_its_leads():
    words = ["harbour", "ferry", "tunnel", "market", "school", "clinic", "depot", "stadium"]
    arts = [
        CleanArticle(
            id=f"a{i}",
            title=f"Story {i}",
            text=" ".join(
                f"The {words[j % 8]} in district {i * 10 + j} reopened after repairs costing {j + 3} million."
                for j in range(10)
            ),
            locator=f"a{i}.txt",
            format="txt",
            content_hash=content_hash(f"Story {i}", str(i)),
            source=f"Outlet {i}",
        )
        for i in range(10)
    ]
    found = find_claims(arts, story_id="s", params=ClaimsParams(max_statements=30))
    used = sum(max(1, len(c.statements)) for c in found)
    assert 0 < used <= 30


def test_claims_do_not_depend_on_the_hash_seed_of_the_process():
    # Dask and process-pool workers start with their own PYTHONHASHSEED: same input, same claims.
    import os  # noqa: PLC0415
    import subprocess  # noqa: PLC0415
    import sys  # noqa: PLC0415

    script = (
        "import json, tests.test_claims as t\n"
        "from storyline.claims.align import find_claims\n"
        "from storyline.claims.conflicts import find_conflicts\n"
        "arts = [t.A, t.B, t.C]\n"
        "claims = find_claims(arts, story_id='s')\n"
        "out = [(c.id, c.article_ids, c.kind) for c in claims]\n"
        "out += [(c.id, c.values) for c in find_conflicts(claims, arts, story_id='s')]\n"
        "print(json.dumps(out))\n"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(outputs) == 1
    assert json.loads(outputs.pop())


def test_claims_seeds_one_position_rendered_twice_is_not_a_quote_conflict(seed_articles):
    claims = find_claims(seed_articles, story_id="seeds")
    conflicts = find_conflicts(claims, seed_articles, story_id="seeds")
    # 000 "dividing terrorists into moderates and non-moderates" and 001 "There is no need to
    # play on words, to classify terrorists are moderate and non-moderate" say the same thing
    assert not [c for c in conflicts if c.kind == "quote"]
    settled = settle_claims(claims, conflicts)
    disputed = {cid for c in conflicts for cid in c.claim_ids}
    for claim in settled:
        if claim.kind == "corroborated" and claim.id in disputed:
            sides = [
                set(ids) & set(claim.article_ids)
                for c in conflicts
                for _, ids in c.values
                if claim.id in c.claim_ids
            ]
            assert sum(bool(s) for s in sides) < 2  # never corroborated and split between them


def test_claims_statements_quoting_two_different_quote_groups_are_not_one_claim():
    # two speakers' words on one topic: shared topic words, two statements
    ministry = 'The ministry condemned the northern council for "dividing the rebels into good fighters and bad fighters" in the war.'
    president = '"There is no point sorting the rebels as good fighters or bad fighters in this war," the president said.'
    articles = [
        make_article("m", "t", ministry, "2031-03-04", source="Harbour Ledger"),
        make_article("p", "t", president, "2031-03-04", source="Valley Courier"),
    ]
    groups = {
        "qg-ministry": ["dividing the rebels into good fighters and bad fighters"],
        "qg-president": [
            "There is no point sorting the rebels as good fighters or bad fighters in this war,"
        ],
    }
    claims = find_claims(articles, story_id="s", quote_groups=groups)
    # never "corroborated" with one outlet's quoted words shown as the other's
    assert sorted(c.article_ids for c in claims) == [("m",), ("p",)]
    assert {c.kind for c in claims} == {"single_source"}


def test_claims_a_sentence_an_article_repeats_is_one_claim():
    said = (
        "The fever is essentially contained at the moment, since we're not seeing cases doubling."
    )
    repeat = "“The fever is essentially ‘contained’ at the moment, since we re not seeing cases doubling.”"
    post = make_article("a", "t", f"{said} Readers wrote in. {repeat} One reader agreed.", "2031-03-04", source="Harbour Ledger")  # fmt: skip
    other = make_article(
        "b", "t", f"Officials agreed. {said}", "2031-03-04", source="Valley Courier"
    )
    alone = [c for c in find_claims([post], story_id="s") if "contained" in c.text]
    assert [c.article_ids for c in alone] == [("a",)]  # one statement, shown once
    claims = [c for c in find_claims([post, other], story_id="s") if "contained" in c.text]
    assert [sorted(c.article_ids) for c in claims] == [["a", "b"]]  # with both its articles


def test_claims_two_wordings_of_one_quote_are_one_claim_marked_wording_differs(two_wordings):
    # two translations of one remark: one claim, its text one outlet's words, marked so
    articles, groups = two_wordings
    (claim,) = [c for c in find_claims(articles, story_id="s", quote_groups=groups) if "mayor" in c.text]  # fmt: skip
    assert sorted(claim.article_ids) == ["a", "b"]
    assert claim.wording_differs


def test_claims_one_quote_in_the_same_words_is_not_marked_wording_differs():
    quote = '"We will rebuild every bridge the flood took before winter," the mayor said.'
    cut = 'The mayor promised action. "We will rebuild every bridge the flood took," she said on Monday.'  # fmt: skip
    articles = [
        make_article("a", "t", quote, "2031-03-04", source="Harbour Ledger"),
        make_article("b", "t", quote, "2031-03-04", source="Valley Courier"),
        make_article("c", "t", cut, "2031-03-04", source="Tarn Post"),
    ]
    claims = [c for c in find_claims(articles, story_id="s") if len(c.article_ids) > 1]
    assert claims
    assert sorted(claims[0].article_ids) == ["a", "b", "c"]
    # the same words (a shorter cut of one quote is still its words): nothing to mark
    assert not any(c.wording_differs for c in claims)
    # a statement with no quote beside one that quotes: the quoted words are not the other's
    told = "The mayor said the town would rebuild every bridge the flood took before winter."
    reported = [*articles[:1], make_article("d", "t", told, "2031-03-04", source="Tarn Post")]
    (joined,) = [c for c in find_claims(reported, story_id="s") if len(c.article_ids) > 1]
    assert joined.wording_differs


def test_claims_one_quote_in_another_house_style_or_cut_is_the_same_wording():
    # the same words: "U.S."/"US", "5,000"/"5000", "Café"/"Cafe", a cut ("…"), a word put in
    said = [
        '"The U.S. team will send 5,000 tents to the Café Marin shelter before the storm," the mayor said at the harbour.',
        '"The US team will send 5000 tents to the Cafe Marin shelter before the storm," the mayor said at the harbour.',
        '"The U.S. team will send 5,000 tents … before the storm," the mayor said at the harbour.',
        '"[The mayor\'s team] will send 5,000 tents to the Café Marin shelter before the storm," the mayor said at the harbour.',
    ]  # fmt: skip
    outlets = ("Harbour Ledger", "Valley Courier", "Tarn Post", "Kessel Herald")
    articles = [
        make_article(aid, "t", text, "2031-03-04", source=outlet)
        for aid, text, outlet in zip("abcd", said, outlets, strict=True)
    ]
    (claim,) = [c for c in find_claims(articles, story_id="s") if "tents" in c.text]
    assert sorted(claim.article_ids) == ["a", "b", "c", "d"]
    assert not claim.wording_differs
    # a cut whose pieces are out of the speaker's order is not the speaker's words
    moved = (
        '"Before the storm … the U.S. team will send 5,000 tents," the mayor said at the harbour.'
    )
    pair = [articles[0], make_article("e", "t", moved, "2031-03-04", source="Tarn Post")]
    (claim,) = [c for c in find_claims(pair, story_id="s") if "tents" in c.text.casefold()]
    assert sorted(claim.article_ids) == ["a", "e"]
    assert claim.wording_differs
