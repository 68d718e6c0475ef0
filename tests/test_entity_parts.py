"""Incremental entity merging: new articles re-merge only the parts their names join."""

from __future__ import annotations

import pytest

from storyline.clean import clean_article
from storyline.config import load_settings
from storyline.export import export_rows
from storyline.extract import entities as entities_module
from storyline.extract.entities import find_mentions, merge_entities
from storyline.extract.entity_parts import PartCache
from storyline.extract.nlp import load_model
from storyline.models import Mention, RawArticle
from storyline.stages import run_entities
from storyline.store import Store
from tests.conftest import shared_path


def _m(article: str, start: int, text: str, label: str) -> Mention:
    return Mention(article, start, start + len(text), text, label)


OLD = [
    _m("a1", 0, "President Vladimir Putin", "PERSON"),
    _m("a1", 40, "Putin", "PERSON"),
    _m("a1", 60, "the president", "ROLE"),
    _m("a1", 90, "World Health Organization", "ORG"),
    _m("a2", 0, "Barack Obama", "PERSON"),
    _m("a2", 20, "Obama", "PERSON"),
    _m("a2", 40, "UN", "ORG"),
    _m("a3", 0, "John Smith", "PERSON"),
    _m("a3", 20, "Jane Smith", "PERSON"),
    _m("a3", 40, "Smith", "PERSON"),
]
NEW = [
    _m("a4", 0, "Putin", "PERSON"),
    _m("a4", 10, "WHO", "ORG"),
    _m("a4", 20, "the president", "ROLE"),
    _m("a5", 0, "Smith", "PERSON"),
    _m("a5", 10, "Peter Smith", "PERSON"),
]


def _names(found) -> dict[tuple[str, int, int], str]:
    entities, mapping = found
    by_id = {e.id: e.name for e in entities}
    return {loc: by_id[eid] for loc, eid in mapping.items()}


def test_entity_parts_new_articles_remerge_only_the_parts_their_names_join(monkeypatch):
    first = PartCache()
    merge_entities(OLD, cache=first)
    cache = PartCache(first.dump())  # as the next run reads it from the store
    merged: list[set[str]] = []
    real = entities_module._merge_part

    def spy(part, *args):
        merged.append({m.text for m in part})
        return real(part, *args)

    monkeypatch.setattr(entities_module, "_merge_part", spy)
    found = merge_entities(OLD + NEW, cache=cache)
    # the Putin, WHO and Smith parts: never Obama's or the UN's
    assert sorted(map(sorted, merged)) == [
        ["Jane Smith", "John Smith", "Peter Smith", "Smith"],
        ["President Vladimir Putin", "Putin"],
        ["WHO", "World Health Organization"],
    ]
    assert cache.merged == 3
    assert found == merge_entities(OLD + NEW)  # what a from-scratch merge makes
    names = _names(found)
    assert names["a4", 0, 5] == "Vladimir Putin"
    assert names["a4", 20, 33] == "Vladimir Putin"  # the role, through the new article's Putin
    assert names["a4", 10, 13] == "World Health Organization"
    assert names["a5", 0, 5] == "Peter Smith"  # the article names one Smith
    assert names["a3", 40, 45] == "Smith"  # a3 names two: no evidence, no merge
    putin = next(e for e in found[0] if e.name == "Vladimir Putin")
    assert putin.article_ids == ("a1", "a4")
    assert putin.roles == ("President",)


def test_entity_parts_nothing_new_merges_no_part():
    first = PartCache()
    expected = merge_entities(OLD + NEW, cache=first)
    again = PartCache(first.dump())
    assert merge_entities(OLD + NEW, cache=again) == expected
    assert again.merged == 0


def test_entity_parts_another_code_version_merges_every_part_again():
    first = PartCache(setting="v1")
    merge_entities(OLD, cache=first)
    other = PartCache(first.dump(), setting="v2")
    merge_entities(OLD, cache=other)
    assert other.merged == first.merged


@pytest.fixture(scope="module")
def seed_mentions() -> list[Mention]:
    nlp = load_model()
    mentions = []
    for path in sorted(shared_path("seeds").glob("0*.txt")):
        body = path.read_text(encoding="utf-8").split("\n", 1)[1]
        mentions += find_mentions(nlp(body), path.stem)
    return mentions


def test_entity_parts_seeds_merged_in_parts_equal_one_merge_of_everything(seed_mentions):
    """The parts' union is what merging every named mention as one part makes."""
    table, explicit = entities_module._alias_table({})
    redirect = entities_module._person_redirects(table)
    ordered = sorted(seed_mentions, key=lambda m: (m.article_id, m.start, m.end))
    named = [m for m in ordered if m.label != "ROLE"]
    whole, mapping = entities_module._merge_part(named, table, explicit, redirect)
    entities_module._resolve_roles([m for m in ordered if m.label == "ROLE"], whole, mapping)
    entities, parted = merge_entities(seed_mentions)
    assert entities == sorted(whole, key=lambda e: (e.type, e.name, e.id))
    assert parted == dict(sorted(mapping.items()))
    assert any(e.name == "Vladimir Putin" and len(e.article_ids) == 5 for e in entities)


def test_entity_parts_seeds_added_one_article_at_a_time_equal_from_scratch(seed_mentions):
    articles = sorted({m.article_id for m in seed_mentions})
    cache = PartCache()
    for n in range(1, len(articles) + 1):
        chosen = [m for m in seed_mentions if m.article_id in articles[:n]]
        cache = PartCache(cache.dump())
        assert merge_entities(chosen, cache=cache) == merge_entities(chosen), articles[n - 1]
        assert cache.merged < len(chosen)


def _store_with(store, mentions) -> None:
    """Store ``mentions`` as the nlp stage would, their articles first."""
    ids = sorted({m.article_id for m in mentions})
    raws = [RawArticle(a, "t", f"text {a}", a, "txt") for a in ids]
    store.save_batch([(r, clean_article(r)) for r in raws if not store.article(r.id)], [])
    store.save_stage("nlp", ids, mentions=[(m, None) for m in mentions])


def test_entity_parts_the_stage_writes_only_the_parts_that_changed_and_drops_the_gone(
    monkeypatch,
):
    settings = load_settings()
    writes: list[tuple[set[str], set[str]]] = []
    real = Store.update_keyed_state

    def spy(self, prefix, put, drop):
        writes.append((set(put), set(drop)))
        return real(self, prefix, put, drop)

    monkeypatch.setattr(Store, "update_keyed_state", spy)
    with Store.memory() as store:
        store.set_state("entities.v1", b"{}")  # the one-blob format of older stores: dropped
        _store_with(store, OLD)
        run_entities(store, settings)
        first = store.keyed_state("entity-parts.v2:")
        assert len(first) == len(writes[0][0]) == 5  # Putin, WHO, Obama, UN, the Smiths
        assert store.get_state("entities.v1") is None
        run_entities(store, settings)  # nothing changed: nothing written
        assert writes[1] == (set(), set())
        _store_with(store, NEW)  # a4 joins the Putin and WHO parts, a5 the Smiths
        run_entities(store, settings)
        put, drop = writes[2]
        assert len(put) == len(drop) == 3  # the three parts merged again, their old rows gone
        after = store.keyed_state("entity-parts.v2:")
        assert set(after) == set(first) - drop | put
        assert len(after) == 5
        entities = {e["name"]: e for e in export_rows(store, "entities")}
    assert entities["Vladimir Putin"]["article_ids"] == ["a1", "a4"]
    assert entities["Barack Obama"]["article_ids"] == [
        "a2"
    ]  # its part was read back, not merged again
