"""Entity mentions and corpus merging: seeds (read from ../shared) and hand-made articles."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from storyline.extract.entities import find_mentions, merge_entities
from storyline.extract.entity_parts import add_headline_articles
from storyline.models import Entity, Mention
from tests.conftest import shared_path

if TYPE_CHECKING:
    from spacy.language import Language


@pytest.fixture(scope="module")
def seeds(nlp: Language) -> tuple[list[Entity], dict[tuple[str, int, int], str], list[Mention]]:
    mentions = []
    for path in sorted(shared_path("seeds").glob("0*.txt")):
        body = path.read_text(encoding="utf-8").split("\n", 1)[1]
        mentions += find_mentions(nlp(body), path.stem)
    entities, mapping = merge_entities(mentions)
    return entities, mapping, mentions


@pytest.mark.parametrize("name", ["Vladimir Putin", "Bashar al-Assad"])
def test_entities_seed_person_is_one_entity_in_all_articles(seeds, name: str) -> None:
    entities = seeds[0]
    matches = [
        e
        for e in entities
        if e.type == "PERSON" and name.rsplit(maxsplit=1)[-1].rsplit("-", maxsplit=1)[-1] in e.name
    ]
    assert [e.name for e in matches] == [name]
    assert len(matches[0].article_ids) == 5


def test_entities_seed_islamic_state_aliases_merge(seeds) -> None:
    entities = seeds[0]
    found = [e for e in entities if {"ISIS", "Daesh", "IS"} <= set(e.aliases)]
    assert [e.name for e in found] == ["Islamic State"]
    assert not any(e.name in {"ISIS", "Daesh", "IS", "ISIL"} for e in entities)


def test_entities_seed_role_description_links_to_person(seeds) -> None:
    entities, mapping, mentions = seeds
    names = {e.id: e.name for e in entities}
    roles = [m for m in mentions if m.label == "ROLE" and m.text.casefold() == "the russian leader"]
    assert roles
    assert {names[mapping[(m.article_id, m.start, m.end)]] for m in roles} == {"Vladimir Putin"}
    putin = next(e for e in entities if e.name == "Vladimir Putin")
    assert "Russian President" in putin.roles


def test_entities_same_surname_different_people_stay_apart(nlp: Language) -> None:
    doc = nlp("Jane Okafor met John Okafor in Lagos. Okafor said little. Jane Okafor left early.")
    entities, _mapping = merge_entities(find_mentions(doc, "a1"))
    people = sorted(e.name for e in entities if e.type == "PERSON")
    assert "Jane Okafor" in people
    assert "John Okafor" in people
    assert not any(
        e.name in {"Jane Okafor", "John Okafor"} and "Okafor" in e.aliases for e in entities
    )


def test_entities_variants_and_user_aliases(nlp: Language) -> None:
    docs = {
        "a1": nlp("Syrian President Bashar al-Assad flew to Moscow. Assad met officials."),
        "a2": nlp("Bashar Al-Assad spoke. The Kremlin and the Moskva administration agreed."),
    }
    mentions = [m for aid, doc in docs.items() for m in find_mentions(doc, aid)]
    entities, mapping = merge_entities(mentions, aliases={"Moskva": "Moscow"})
    assad = [e for e in entities if "Assad" in e.name]
    assert len(assad) == 1
    assert assad[0].article_ids == ("a1", "a2")
    assert "Syrian President" in assad[0].roles
    assert set(mapping.values()) <= {e.id for e in entities}
    again = merge_entities(list(reversed(mentions)), aliases={"Moskva": "Moscow"})
    assert again == (entities, mapping)


def _merged(
    mentions: list[Mention], aliases: dict[str, str] | None = None
) -> list[tuple[str, str, tuple[str, ...], tuple[str, ...]]]:
    """Return (type, name, aliases, article ids) per entity, checking ids and input-order freedom."""
    entities, mapping = merge_entities(mentions, aliases=aliases)
    assert merge_entities(list(reversed(mentions)), aliases=aliases) == (entities, mapping)
    assert len({e.id for e in entities}) == len(entities)
    by_id = {e.id: e for e in entities}
    for m in mentions:
        if m.label != "ROLE":
            entity = by_id[mapping[(m.article_id, m.start, m.end)]]
            assert m.text.removeprefix("President ") in (entity.name, *entity.aliases)
    return [(e.type, e.name, e.aliases, e.article_ids) for e in entities]


def test_entities_alias_table_names_merge_with_their_canonical_name() -> None:
    mentions = [
        Mention("a1", 0, 14, "United Kingdom", "GPE"),
        Mention("a2", 0, 7, "Britain", "ORG"),
        Mention("a3", 0, 2, "UK", "ORG"),
        Mention("a4", 0, 18, "the United Kingdom", "GPE"),
        Mention("a4", 30, 43, "Great Britain", "ORG"),
    ]
    (entity,) = _merged(mentions)
    assert entity[1:] == (
        "United Kingdom",
        ("Britain", "Great Britain", "UK", "the United Kingdom"),
        ("a1", "a2", "a3", "a4"),
    )


@pytest.mark.parametrize("first", ["EU", "European Union"])
def test_entities_acronym_alias_merges_in_either_mention_order(first: str) -> None:
    second = "European Union" if first == "EU" else "EU"
    mentions = [
        Mention("a1", 0, len(first), first, "ORG"),
        Mention("a2", 10, 10 + len(second), second, "ORG"),
        Mention("a2", 40, 42, "EU", "GPE"),
    ]
    assert _merged(mentions) == [("ORG", "European Union", ("EU",), ("a1", "a2"))]


def test_entities_un_written_before_united_nations_merges() -> None:
    mentions = [
        Mention("a1", 0, 2, "UN", "ORG"),
        Mention("a1", 20, 34, "United Nations", "ORG"),
        Mention("a2", 0, 18, "the United Nations", "ORG"),
    ]
    assert _merged(mentions) == [
        ("ORG", "United Nations", ("UN", "the United Nations"), ("a1", "a2"))
    ]


def test_entities_user_alias_merges_with_its_canonical_name() -> None:
    mentions = [
        Mention("a1", 0, 8, "Big Blue", "ORG"),
        Mention("a2", 0, 3, "IBM", "ORG"),
        Mention("a3", 0, 24, "President Vladimir Putin", "PERSON"),
        Mention("a3", 30, 35, "Putin", "PERSON"),
        Mention("a4", 0, 4, "Vova", "PERSON"),
        Mention("a4", 10, 15, "Putin", "PERSON"),
    ]
    merged = _merged(mentions, aliases={"Big Blue": "IBM", "Vova": "Vladimir Putin"})
    assert merged == [
        ("ORG", "IBM", ("Big Blue",), ("a1", "a2")),
        ("PERSON", "Vladimir Putin", ("Putin", "Vova"), ("a3", "a4")),
    ]
    entities, _mapping = merge_entities(mentions, aliases={"Vova": "Vladimir Putin"})
    assert next(e for e in entities if e.name == "Vladimir Putin").roles == ("President",)


def test_entities_surname_merges_with_full_name_without_aliases() -> None:
    mentions = [
        Mention("a1", 0, 5, "Putin", "PERSON"),
        Mention("a2", 0, 14, "Vladimir Putin", "PERSON"),
        Mention("a2", 20, 25, "Putin", "PERSON"),
        Mention("a2", 30, 48, "the Russian leader", "ROLE"),
    ]
    assert _merged(mentions) == [("PERSON", "Vladimir Putin", ("Putin",), ("a1", "a2"))]


def test_entities_same_surname_in_different_stories_stays_two_people() -> None:
    mentions = [
        Mention("a1", 0, 11, "Jane Okafor", "PERSON"),
        Mention("a1", 20, 26, "Okafor", "PERSON"),
        Mention("a2", 0, 11, "John Okafor", "PERSON"),
        Mention("a2", 20, 26, "Okafor", "PERSON"),
    ]
    for aliases in (None, {"J. Okafor": "Jane Okafor"}):
        assert _merged(mentions, aliases) == [
            ("PERSON", "Jane Okafor", ("Okafor",), ("a1",)),
            ("PERSON", "John Okafor", ("Okafor",), ("a2",)),
        ]


def test_entities_clusters_with_one_name_get_distinct_ids() -> None:
    """Two clusters that end with the same type and name still get one id each.

    A user table naming two people with one first name + surname ("Jane Q. Okafor" and "Jane
    Okafor" as two different canonicals) leaves the surname "Okafor" of article a1 on Jane's own
    full-name group, while in a2, beside "John Okafor", it stays apart: two PERSON groups named
    "Okafor". The id, a hash of type and name, must not clash, and each mention keeps its own
    cluster's entity.
    """
    aliases = {"Jane Q. Okafor": "JQO", "Jane Okafor": "Okafor Foundation"}
    mentions = [
        Mention("a1", 0, 14, "Jane Q. Okafor", "PERSON"),
        Mention("a1", 20, 26, "Okafor", "PERSON"),
        Mention("a2", 0, 14, "Jane Q. Okafor", "PERSON"),
        Mention("a2", 20, 31, "John Okafor", "PERSON"),
        Mention("a2", 40, 46, "Okafor", "PERSON"),
    ]
    entities, mapping = merge_entities(mentions, aliases=aliases)
    okafors = [e for e in entities if (e.type, e.name) == ("PERSON", "Okafor")]
    assert [e.article_ids for e in okafors] in ([("a1",), ("a2",)], [("a2",), ("a1",)])
    assert len({e.id for e in entities}) == len(entities)
    by_id = {e.id: e for e in entities}
    for m in mentions:
        entity = by_id[mapping[(m.article_id, m.start, m.end)]]
        assert m.text in (entity.name, *entity.aliases)
        assert m.article_id in entity.article_ids
    assert merge_entities(list(reversed(mentions)), aliases=aliases) == (entities, mapping)


def test_entities_country_aliases_are_places(nlp: Language) -> None:
    doc = nlp("The UK and the US asked NATO and the EU to act, Britain said.")
    labels = {m.text: m.label for m in find_mentions(doc, "a1")}
    assert (labels["UK"], labels["US"], labels["Britain"]) == ("GPE", "GPE", "GPE")
    assert (labels["NATO"], labels["EU"]) == ("ORG", "ORG")
    entities, _ = merge_entities(find_mentions(doc, "a1"))
    types = {e.name: e.type for e in entities}
    assert types["United Kingdom"] == types["United States"] == "GPE"


def _entity(eid: str, name: str, type_: str, aliases: tuple[str, ...], ids: tuple[str, ...]):
    return Entity(eid, name, type_, aliases, (), ids)


def test_entities_headline_names_add_their_article_and_shared_or_shouted_forms_do_not() -> None:
    entities = [
        _entity("p1", "John Kerry", "PERSON", ("Kerry",), ("a1",)),
        _entity("p2", "Ann Lind", "PERSON", ("Lind",), ("a1",)),
        _entity("p3", "Tom Lind", "PERSON", ("Lind",), ("a2",)),  # "Lind" names two people
        _entity("g1", "Russia", "GPE", (), ("a1",)),
    ]
    titles = {
        "a1": "Talks resume",
        "a2": "Kerry: Russia’s involvement could be an opportunity",
        "a3": "Lind backs the plan; Kerryville votes",  # a shared surname, a longer word
        "a4": "KERRY AND RUSSIA",  # all capitals: not read
    }
    found = {e.id: e.article_ids for e in add_headline_articles(entities, titles)}
    assert found == {
        "p1": ("a1", "a2"),
        "p2": ("a1",),
        "p3": ("a2",),
        "g1": ("a1", "a2"),
    }
