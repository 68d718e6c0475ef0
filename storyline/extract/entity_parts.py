"""Entity merging in independent parts, a cache of merged parts, and headline mentions.

``merge_entities`` gives each mention the tokens that can link it to another one in merging
(folded name, acronym forms, alias-table name, surname, first name within its article). The
mentions that share no token, directly or through others, can never affect each other's
groups, names or ids, so each part is merged on its own and the union is the merge of the
whole corpus. A part is known by a digest of its mentions and the alias table: the store
keeps the merged parts (``PartCache``), and a run merges again only the parts whose mentions
changed, i.e. the parts the new articles' names join.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from dataclasses import replace
from typing import TYPE_CHECKING

from storyline.models import Entity

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from storyline.models import Mention

Part = tuple[list[Entity], dict[tuple[str, int, int], str]]


def part_key(part: Sequence[Mention], table: Mapping[str, str]) -> str:
    """Return the digest of what merging one part reads: its mentions and the alias table."""
    payload = [sorted(table.items()), [list(_fields(m)) for m in part]]
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode()).hexdigest()


def _fields(m: Mention) -> tuple[str, int, int, str, str]:
    return (m.article_id, m.start, m.end, m.text, m.label)


class PartCache:
    """Merged parts by ``part_key``, read from and written to the store one part a row.

    Mutable on purpose: a run reads parts from it and adds the ones it merged. The store keeps
    each part under its own name (``name``: a digest of the code version and ``part_key``), so
    a run writes only the parts it merged (``changes``) and deletes the stored parts it did not
    use, those of a superseded corpus or code version: the cache never outgrows the mentions.
    """

    def __init__(self, saved: Mapping[str, bytes] | None = None, setting: str = "") -> None:
        self.setting = setting
        self.saved: Mapping[str, bytes] = saved or {}  # stored name -> part, as JSON
        self.used: dict[str, bytes] = {}  # the parts this run read or merged, by stored name
        self.added: set[str] = set()  # the names of the parts merged this run
        self.merged = 0  # parts merged this run (not taken from the cache)

    def name(self, key: str) -> str:
        """Return the stored name of a part: its key under this cache's code version."""
        return hashlib.sha256(f"{self.setting}\n{key}".encode()).hexdigest()[:32]

    def get(self, key: str) -> Part | None:
        """Return the merged part of this digest, or None."""
        name = self.name(key)
        raw = self.saved.get(name)
        if raw is None:
            return None
        self.used[name] = raw
        entities, mapping = json.loads(raw)
        return (
            [Entity(e[0], e[1], e[2], tuple(e[3]), tuple(e[4]), tuple(e[5])) for e in entities],
            {(m[0], m[1], m[2]): m[3] for m in mapping},
        )

    def put(self, key: str, part: Part) -> None:
        """Keep a part merged this run."""
        entities, mapping = part
        self.merged += 1
        name = self.name(key)
        self.used[name] = json.dumps(
            [
                [[e.id, e.name, e.type, e.aliases, e.roles, e.article_ids] for e in entities],
                [[a, s, t, eid] for (a, s, t), eid in mapping.items()],
            ],
            ensure_ascii=False,
        ).encode()
        if name not in self.saved:
            self.added.add(name)

    def changes(self) -> tuple[dict[str, bytes], list[str]]:
        """Return the parts to write (merged this run, not stored) and the names to delete."""
        written = {name: self.used[name] for name in sorted(self.added)}
        return written, sorted(set(self.saved) - set(self.used))

    def dump(self) -> dict[str, bytes]:
        """Return every part this run used by stored name, as the next run reads them."""
        return dict(self.used)


def add_headline_articles(entities: Sequence[Entity], titles: Mapping[str, str]) -> list[Entity]:
    """Return ``entities`` with the articles whose headline names them added to their articles.

    A headline ("John Kerry: Russia's involvement ...") says who its article is about. Names
    are matched as whole words, case-sensitively, on an entity's name and aliases that no other
    entity has, and shouting (all-caps) headlines not at all. Headlines never make quote
    speakers: only ``article_ids`` grow.
    """
    owners: defaultdict[str, set[str]] = defaultdict(set)
    for entity in entities:
        for form in (entity.name, *entity.aliases):
            owners[form].add(entity.id)
    heads = {aid: title for aid, title in titles.items() if title and not title.isupper()}
    by_word: defaultdict[str, set[str]] = defaultdict(set)  # headline word -> its articles
    for aid, title in heads.items():
        for word in _WORD.findall(title):
            by_word[word].add(aid)
    out = []
    for entity in entities:
        # a form two entities share (a surname of two people) names neither; one letter nothing
        forms = [f for f in (entity.name, *entity.aliases) if len(f) > 1 and len(owners[f]) == 1]
        # only the headlines holding every word of a form are searched (and the pattern built
        # for them): linear in the corpus, not entities x headlines
        candidates = _candidates(forms, by_word, heads)
        found = set()
        if candidates:
            alternatives = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
            pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")
            found = {aid for aid in candidates if pattern.search(heads[aid])}
        if found - set(entity.article_ids):
            entity = replace(entity, article_ids=tuple(sorted(found | set(entity.article_ids))))  # noqa: PLW2901
        out.append(entity)
    return out


_WORD = re.compile(r"\w+")


def _candidates(
    forms: Sequence[str], by_word: Mapping[str, set[str]], heads: Mapping[str, str]
) -> set[str]:
    """Return the headlines that may hold one of ``forms`` as a whole-word match.

    A form that starts and ends with a word character matches only where each of its words is
    a whole word of the headline; any other form is looked for in every headline.
    """
    found: set[str] = set()
    for form in forms:
        words = _WORD.findall(form)
        if not (_WORD.fullmatch(form[:1]) and _WORD.fullmatch(form[-1:])):
            return set(heads)
        common = set(by_word.get(words[0], set()))
        for word in words[1:]:
            common &= by_word.get(word, set())
        found |= common
    return found
