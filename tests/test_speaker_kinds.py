"""What kind of source a speaker is: never an outlet or a city presented as a person."""

from __future__ import annotations

import pytest

from storyline.clean import clean_article
from storyline.models import Mention, Quote, RawArticle
from storyline.speaker_kinds import name_key, speaker_kind
from storyline.store import Store, read


@pytest.mark.parametrize(
    ("speaker", "written", "label", "kind"),
    [
        ("Anna Berg", "Mayor Anna Berg", "PERSON", "person"),
        ("Kessel", "Kessel", "GPE", "place"),  # "Kessel said ...": the town's government
        ("Tarn Valley", "the Tarn Valley", "LOC", "place"),
        ("Harbour Authority", "The Harbour Authority", "ORG", "organisation"),
        ("Tarn Herald", "the Tarn Herald", "ORG", "outlet"),  # a newspaper's name
        ("Evening Times", "The Evening Times", "ORG", "outlet"),
        ("Valley Socialists", "the Valley Socialists", "NORP", "organisation"),
        ("Two engineers", "Two engineers", None, None),  # the article never says: unknown
        (None, "he", None, None),  # unattributed
    ],
)
def test_speaker_kinds_from_the_ner_label_and_the_name(speaker, written, label, kind):
    assert speaker_kind(speaker, written, label=label) == kind


def test_speaker_kinds_the_articles_own_outlet_is_an_outlet_never_a_person():
    # NER may read an outlet with a person's name as PERSON: the metadata says it publishes
    assert speaker_kind("Ada Lind", "Ada Lind", label="PERSON", outlet="Ada Lind") == "outlet"
    assert speaker_kind("Marrow", "Marrow", label="PERSON", outlet="Marrow") == "outlet"
    # another stored article's outlet, named as written ("the Valley Courier reported")
    known = {name_key("The Valley Courier")}
    found = speaker_kind("Valley Courier", "the Valley Courier", label="ORG", outlets=known)
    assert found == "outlet"
    # a person is a person whatever outlet published the article
    assert speaker_kind("Ada Lind", "Ada Lind", label="PERSON", outlet="Tarn Post") == "person"


def test_speaker_kinds_newspaper_words_count_from_a_words_start_only():
    # "sometimes" holds "times", "Compost Ltd" holds "post": neither is a newspaper's name
    assert speaker_kind("Sometimes Group", "Sometimes Group", label="ORG") == "organisation"
    assert speaker_kind("Compost Ltd", "Compost Ltd", label="ORG") == "organisation"


@pytest.mark.parametrize("surname", ["Hill", "Sun", "Time", "Mirror"])
def test_speaker_kinds_a_person_named_like_another_outlet_stays_a_person(surname):
    # "Fiona Hill said" and The Hill is a stored outlet: a surname never names an outlet
    outlets = {name_key(surname), name_key(f"The {surname}")}
    found = speaker_kind(f"Fiona {surname}", surname, label="PERSON", outlets=outlets)
    assert found == "person"
    # the full name of another outlet is still one ("the Hill reported", labelled ORG)
    assert speaker_kind(surname, f"the {surname}", label="ORG", outlets=outlets) == "outlet"
    # and the article's own outlet beats even a PERSON label
    assert speaker_kind(surname, surname, label="PERSON", outlet=f"The {surname}") == "outlet"


@pytest.mark.parametrize(
    ("speaker", "written", "label", "kind"),
    [
        # unlabelled: unknown, whatever newspaper words the phrase holds
        ("Karine Jean-Pierre", "press secretary Karine Jean-Pierre", None, None),
        ("Tarn Weekly Post", "the Tarn Weekly Post", None, None),
        # a newspaper's word must end the name: a post office is no newspaper
        ("Post Office", "the Post Office", "ORG", "organisation"),
        ("Press Council of Tarn", "the Press Council of Tarn", "ORG", "organisation"),
        # mail, post and express head other firms' names too: a paper's only after its words
        ("Royal Mail", "Royal Mail", "ORG", "organisation"),
        ("Kessel Post", "Kessel Post", "ORG", "organisation"),
        ("Daily Mail", "the Daily Mail", "ORG", "outlet"),
        ("Tarn Herald", "the Tarn Herald", "ORG", "outlet"),
        # the canonical name only: a written phrase's words do not make an outlet
        ("Harbour Authority", "the Harbour Authority told the Tarn Times", "ORG", "organisation"),
    ],
)
def test_speaker_kinds_newspaper_words_end_the_canonical_name_of_an_org(
    speaker, written, label, kind
):
    assert speaker_kind(speaker, written, label=label) == kind


# -- the label the read model gives a speaker the entities do not link -----------------------


def _kinds_read(store, mentions, quotes):
    """Store one article with these mentions and quotes; return speaker -> kind as read."""
    raw = RawArticle("a1", "Ferry talks", "x " * 200, "a1.txt", "txt", "Tarn Post")
    store.save_batch([(raw, clean_article(raw))], [])
    found = [
        Mention("a1", start, start + len(text), text, label) for text, start, label in mentions
    ]
    said = [
        Quote(
            f"q{i}", "a1", speaker, written, "said", "direct", "We will talk.", 10 * i, 10 * i + 5
        )
        for i, (speaker, written) in enumerate(quotes)
    ]
    store.save_stage("nlp", ["a1"], mentions=[(m, None) for m in found], quotes=said)
    return {q["speaker"]: q["speaker_kind"] for q in store.reader().quotes()}


def test_speaker_kinds_a_person_named_like_a_place_the_article_names_is_a_person(db_store):
    mentions = [
        ("Washington", 5, "GPE"),  # the city, before the actor is named
        ("Denzel Washington", 40, "PERSON"),
        ("Washington", 80, "GPE"),
        ("Texas", 120, "GPE"),
        ("defence ministry", 160, "ORG"),
    ]
    quotes = [
        ("Denzel Washington", "Washington"),
        ("the governor of Texas", "the governor of Texas"),  # a title ending in a place
        ("Russia's defence ministry", "Russia's defence ministry"),  # an ORG head
    ]
    assert _kinds_read(db_store, mentions, quotes) == {
        "Denzel Washington": "person",
        "the governor of Texas": None,  # the article never labels the governor: unknown
        "Russia's defence ministry": "organisation",
    }


def test_speaker_kinds_mention_labels_are_read_in_article_order_on_both_backends(db_store):
    # stored out of the article's order: a backend's row order must not decide the label
    mentions = [
        ("Kessel", 90, "ORG"),
        ("Kessel", 5, "GPE"),
        ("Kessel", 200, "ORG"),  # Kessel: ORG twice, GPE once -> the majority
        ("Marrow", 300, "ORG"),
        ("Marrow", 250, "GPE"),  # Marrow: a tie -> the label it has first in the article
    ]
    quotes = [("Kessel", "Kessel"), ("Marrow", "Marrow")]
    kinds = _kinds_read(db_store, mentions, quotes)
    assert kinds == {"Kessel": "organisation", "Marrow": "place"}


def test_speaker_kinds_a_reader_reads_the_outlets_once(monkeypatch):
    # the export reads quotes a batch at a time: the outlets are read once for all batches
    monkeypatch.setattr(read, "KIND_BATCH", 1)
    with Store.memory() as store:
        statements: list[str] = []
        store.conn.set_trace_callback(statements.append)
        kinds = _kinds_read(store, [], [("Tarn Post", "the Tarn Post"), ("Ada Lind", "Lind")])
    assert kinds == {"Tarn Post": "outlet", "Ada Lind": None}  # the article's own outlet
    assert sum("SELECT DISTINCT source" in s for s in statements) == 1
