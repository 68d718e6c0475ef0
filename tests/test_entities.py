"""Entity mentions and corpus merging: seeds (read from ../shared) and hand-made articles."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from storyline.extract.entities import find_mentions, merge_entities
from storyline.extract.nlp import load_model
from storyline.models import Mention
from tests.conftest import shared_path

if TYPE_CHECKING:
    from spacy.language import Language

    from storyline.models import Entity


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load_model()


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


def test_entities_clusters_with_one_name_get_distinct_ids() -> None:
    """Two clusters that end with the same type and name still get one id each.

    "United Kingdom" as written and the alias table's "Britain" -> "United Kingdom" (likewise a
    user alias beside the name it stands for) form two groups of one canonical name: the id,
    a hash of type and name, must not clash, and each mention keeps its own cluster's entity.
    """
    mentions = [
        Mention("a1", 0, 14, "United Kingdom", "GPE"),
        Mention("a2", 0, 7, "Britain", "GPE"),
        Mention("a3", 0, 3, "IBM", "ORG"),
        Mention("a4", 0, 8, "Big Blue", "ORG"),
    ]
    entities, mapping = merge_entities(mentions, aliases={"Big Blue": "IBM"})
    assert len({e.id for e in entities}) == len(entities)
    by_id = {e.id: e for e in entities}
    for m in mentions:
        entity = by_id[mapping[(m.article_id, m.start, m.end)]]
        assert m.text in (entity.name, *entity.aliases)
        assert m.article_id in entity.article_ids
    assert merge_entities(list(reversed(mentions)), aliases={"Big Blue": "IBM"}) == (
        entities,
        mapping,
    )
