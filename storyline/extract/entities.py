"""Entity mentions per article and their merging into corpus entities with aliases and roles.

Merge rules, in order: a small alias table (world knowledge, extendable in config; a canonical
name is a key of its own, so "Britain" and "United Kingdom" meet in any order), acronyms of
multi-word names, people by first name + surname (case and hyphen variants fold together),
surname-only and titled mentions ("Mr Putin") onto the one full name they can mean, and role
descriptions ("the Russian leader") onto the one person of the article holding that title.
Different people sharing a surname stay apart unless the article names only one of them.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from storyline.extract.entity_parts import part_key
from storyline.extract.quotes.speakers import HONORIFICS, LEADER_WORDS, TITLE_WORDS
from storyline.linked import linked_groups
from storyline.models import Entity, Mention
from storyline.text.words import visible

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from spacy.tokens import Doc, Span

    from storyline.extract.entity_parts import PartCache

LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "NORP", "EVENT", "FAC"})
# World knowledge, not corpus tuning: common alternative names of a few actors.
BUILTIN_ALIASES: dict[str, str] = {
    "is": "Islamic State",
    "isis": "Islamic State",
    "isil": "Islamic State",
    "daesh": "Islamic State",
    "islamic state": "Islamic State",
    "islamic state of iraq and syria": "Islamic State",
    "islamic state of iraq and the levant": "Islamic State",
    "us": "United States",
    "usa": "United States",
    "united states of america": "United States",
    "the united states": "United States",
    "uk": "United Kingdom",
    "britain": "United Kingdom",
    "great britain": "United Kingdom",
    "un": "United Nations",
    "eu": "European Union",
    "nato": "NATO",
}
# Countries among the table's names: an alias the pattern finds ("UK") is a place, not an org.
BUILTIN_PLACES = frozenset({"United States", "United Kingdom"})
_FAMILY = {"LOC": "GPE", "FAC": "GPE"}


def _key(text: str) -> str:
    """Return the folding key of a name: case, dots, hyphens, possessives, invisibles ignored."""
    text = re.sub(r"['’]s$", "", visible(text).strip())
    text = text.replace(".", "").replace("-", " ").casefold()
    words = text.split()
    return " ".join(words[1:] if len(words) > 1 and words[0] == "the" else words)


def _mention_span(doc: Doc, ent: Span) -> Span:
    """Return a person's entity widened over the titles written before it."""
    start = ent.start
    while start > 0:
        token = doc[start - 1]
        is_title = token.lower_ in TITLE_WORDS or token.lower_ in HONORIFICS
        is_modifier = token.ent_type_ in {"NORP", "GPE", "ORG"} or token.pos_ == "ADJ"
        if token.tag_ == "POS" or not (is_title or (is_modifier and start < ent.start)):
            break
        start -= 1
    while start < ent.start and doc[start].pos_ == "ADJ" and doc[start].ent_type_ == "":
        start += 1  # "senior military official" keeps its adjectives only after a title
    return doc[start : ent.end]


def _alias_pattern() -> re.Pattern[str]:
    """Return a case-sensitive pattern for the alias table's written forms."""
    forms = set()
    for key in BUILTIN_ALIASES:
        words = key.split()
        if words[0] == "the":
            continue
        forms.add(key.upper() if len(words) == 1 and len(key) <= 4 else key.title())
    alternation = "|".join(sorted((re.escape(f) for f in forms), key=len, reverse=True))
    return re.compile(rf"\b(?:{alternation})\b")


_ALIAS_RE = _alias_pattern()


def find_mentions(doc: Doc, article_id: str) -> list[Mention]:
    """Return the named-entity and role-description mentions of one parsed article."""
    out: list[Mention] = []
    known: list[tuple[int, int]] = []
    for match in _ALIAS_RE.finditer(doc.text):
        label = "GPE" if BUILTIN_ALIASES.get(_key(match.group())) in BUILTIN_PLACES else "ORG"
        out.append(Mention(article_id, match.start(), match.end(), match.group(), label))
        known.append((match.start(), match.end()))
    for ent in doc.ents:
        if ent.label_ not in LABELS:
            continue
        if any(s < ent.end_char and ent.start_char < e for s, e in known):
            continue  # the alias table knows better than NER ("Islamic" NORP in "Islamic State")
        span = _mention_span(doc, ent) if ent.label_ == "PERSON" else ent
        out.append(Mention(article_id, span.start_char, span.end_char, span.text, ent.label_))
    for chunk in doc.noun_chunks:
        words = [t for t in chunk if not t.is_space]
        if (
            len(words) >= 2
            and words[0].lower_ == "the"
            and chunk.root.lower_ in TITLE_WORDS
            and chunk.root.pos_ == "NOUN"
            and not any(t.ent_type_ in {"PERSON", "ORG"} for t in chunk)
        ):
            out.append(Mention(article_id, chunk.start_char, chunk.end_char, chunk.text, "ROLE"))
    return sorted(out, key=lambda m: (m.start, m.end))


@dataclass
class _Group:
    """Mentions gathered under one entity while merging."""

    type: str
    forms: Counter[str] = field(default_factory=Counter)
    titles: Counter[str] = field(default_factory=Counter)
    labels: Counter[str] = field(default_factory=Counter)
    articles: set[str] = field(default_factory=set)
    canonical: str | None = None


def _split_title(text: str) -> tuple[str, str]:
    """Return (title, name) of a titled person mention: "Russian President", "Vladimir Putin"."""
    words = re.sub(r"['’]s$", "", text.strip()).split()
    cut = 0
    for n, word in enumerate(words[:-1]):
        if word.casefold() in TITLE_WORDS or word.casefold() in HONORIFICS:
            cut = n + 1
    title = " ".join(w for w in words[:cut] if w.casefold() not in HONORIFICS)
    return title, " ".join(words[cut:])


def _acronym(name: str) -> str:
    """Return the initials of a multi-word name ("Islamic State" -> "is")."""
    words = [w for w in name.split() if w[:1].isupper()]
    return "".join(w[0] for w in words).casefold() if len(words) >= 2 else ""


def _alias_table(user: Mapping[str, str]) -> tuple[dict[str, str], frozenset[str]]:
    """Return folded name -> canonical name for every alias and canonical name, and the alias keys.

    Aliases and canonical names are joined transitively (a user's "Blighty" -> "Britain" joins the
    built-in "United Kingdom"), so a name meets its aliases in one group whatever the mention
    order. A user's alias re-points a built-in one of that spelling. The set is named by a
    canonical name that is no alias itself ("Blighty" -> "Britain" keeps "United Kingdom"),
    a user's before a built-in one.
    """
    user_aliases = {_key(k) for k in user}
    pairs = [(k, v, False) for k, v in BUILTIN_ALIASES.items() if _key(k) not in user_aliases]
    pairs += [(k, v, True) for k, v in user.items()]
    parent: dict[str, str] = {}

    def root(key: str) -> str:
        while parent.setdefault(key, key) != key:
            key = parent[key]
        return key

    for alias, canonical, _ in pairs:
        a, c = root(_key(alias)), root(_key(canonical))
        if a != c:
            parent[max(a, c)] = min(a, c)
    aliases = {_key(k) for k, _, _ in pairs}
    ranked = sorted((_key(c) in aliases, not mine, c) for _, c, mine in pairs)  # best name first
    names: dict[str, str] = {}
    for *_, canonical in ranked:
        names.setdefault(root(_key(canonical)), canonical)
    table = {key: names[root(key)] for key in list(parent) if key}
    return table, frozenset(aliases)


def _person_redirects(table: Mapping[str, str]) -> dict[str, str]:
    """Map the person group a multi-word table name would form onto its alias group."""
    found: dict[str, set[str]] = defaultdict(set)
    for key, canonical in table.items():
        words = key.split()
        if len(words) >= 2:
            found[f"PERSON:{words[0]} {words[-1]}"].add(canonical)
    return {pkey: f"ALIAS:{min(names)}" for pkey, names in found.items() if len(names) == 1}


def _entity_id(type_: str, name: str) -> str:
    return hashlib.sha256(f"{type_}:{name}".encode()).hexdigest()[:16]


def merge_entities(
    mentions: Sequence[Mention],
    *,
    aliases: Mapping[str, str] | None = None,
    cache: PartCache | None = None,
) -> tuple[list[Entity], dict[tuple[str, int, int], str]]:
    """Merge mentions across the corpus into entities.

    The mentions fall into parts that cannot affect each other's merging (``entity_parts``:
    no name, surname, acronym or alias links them); each part is merged on its own, and a part
    ``cache`` holds from an earlier run is taken from it as it is. Role descriptions are then
    attached over the whole corpus. The result is the same as one merge of every mention: new
    articles cost the parts their names touch, not the corpus.

    Args:
        mentions: mentions of any number of articles (``find_mentions`` output).
        aliases: extra alias -> canonical name pairs, added to the built-in table.
        cache: merged parts by digest, read and filled (None: merge every part).

    Returns:
        The entities sorted by type and name, and a map from (article_id, start, end) of each
        merged mention to its entity id. Unresolved role descriptions are left out of the map.
    """
    table, explicit = _alias_table(aliases or {})
    redirect = _person_redirects(table)
    ordered = sorted(mentions, key=lambda m: (m.article_id, m.start, m.end))
    named = [m for m in ordered if m.label != "ROLE"]
    entities: list[Entity] = []
    mapping: dict[tuple[str, int, int], str] = {}
    for part in linked_groups(named, lambda m: _tokens(m, table, redirect)):
        key = part_key(part, table)
        found = cache.get(key) if cache is not None else None
        if found is None:
            found = _merge_part(part, table, explicit, redirect)
            if cache is not None:
                cache.put(key, found)
        entities.extend(found[0])
        mapping.update(found[1])
    _resolve_roles([m for m in ordered if m.label == "ROLE"], entities, mapping)
    return sorted(entities, key=lambda e: (e.type, e.name, e.id)), dict(sorted(mapping.items()))


def _tokens(m: Mention, table: Mapping[str, str], redirect: Mapping[str, str]) -> set[str]:
    """Return what links a mention to others in merging: two sharing none never interact.

    Its folded name (groups, display names), its acronym forms (``_merge_acronyms``), its
    alias-table name, its surname (surname-only and surname-tagged mentions find full names
    by it) and, within its article, its first name ("Peter" after "Peter Weber").
    """
    name = _split_title(m.text)[1] if m.label == "PERSON" else m.text
    k = _key(name)
    if not k:
        return set()
    form = visible(name).strip()
    words = k.split()
    found = {f"k:{k}", f"k:{form.replace('.', '').casefold()}", f"k:{_acronym(form)}"}
    canon = [table[k]] if k in table else []
    if m.label == "PERSON" and len(words) >= 2:
        target = redirect.get(f"PERSON:{words[0]} {words[-1]}")
        canon += [target[6:]] if target else []
    for c in canon:
        found |= {f"a:{c}", f"k:{_key(c)}", f"k:{_acronym(c)}"}
    if m.label == "PERSON" or len(words) == 1:
        found |= {f"w:{words[-1]}", f"f:{m.article_id}:{words[0]}"}
    found.discard("k:")
    return found


def _merge_part(
    ordered: Sequence[Mention],
    table: Mapping[str, str],
    explicit: frozenset[str],
    redirect: Mapping[str, str],
) -> tuple[list[Entity], dict[tuple[str, int, int], str]]:
    """Merge one part's named mentions (in article and position order); roles come later."""
    groups: dict[str, _Group] = {}
    assigned: dict[tuple[str, int, int], str] = {}

    def group(gkey: str, type_: str) -> _Group:
        return groups.setdefault(gkey, _Group(type_))

    # People: full names first, so surnames can find them.
    people = [m for m in ordered if m.label == "PERSON"]
    surname_votes = Counter(_key(_split_title(m.text)[1]).split()[-1] for m in people if m.text)
    full: dict[str, set[str]] = defaultdict(set)  # surname -> full-name group keys
    for m in people:
        title, name = _split_title(m.text)
        words = _key(name).split()
        if len(words) >= 2:
            gkey = f"PERSON:{words[0]} {words[-1]}"
            full[words[-1]].add(gkey)
    per_article: dict[str, set[str]] = defaultdict(set)
    for m in people:
        title, name = _split_title(m.text)
        words = _key(name).split()
        if len(words) >= 2:
            per_article[m.article_id].add(f"PERSON:{words[0]} {words[-1]}")
    for m in ordered:
        title, name = _split_title(m.text) if m.label == "PERSON" else ("", m.text)
        k = _key(name)
        if not k or m.label == "ROLE":
            continue
        words = k.split()
        type_ = _FAMILY.get(m.label, m.label)
        is_person = m.label == "PERSON" or (
            words[-1] in full and surname_votes[words[-1]] > 0 and len(words) == 1
        )
        pkey = _person_key(words, full, per_article[m.article_id]) if is_person else ""
        # A canonical name tagged as a person's surname keeps to the full name it resolved onto
        # ("Washington" beside "Denzel Washington"); an alias the table names outright does not.
        elsewhere = (
            m.label == "PERSON"
            and len(words) == 1
            and " " in pkey
            and redirect.get(pkey, pkey) != f"ALIAS:{table.get(k)}"
        )
        if k in table and (k in explicit or not elsewhere):
            gkey = f"ALIAS:{table[k]}"
            type_ = "ORG" if m.label not in {"GPE", "LOC"} else "GPE"
        elif is_person:
            gkey, type_ = pkey, "PERSON"
        else:
            gkey = f"{type_}:{k}"
        gkey = redirect.get(gkey, gkey)
        g = group(gkey, type_)
        if gkey.startswith("ALIAS:"):
            g.canonical = gkey[6:]
        g.forms[visible(name).strip()] += 1  # the name shown: no soft hyphen inside it
        g.labels["PERSON" if type_ == "PERSON" else m.label] += 1  # a surname resolved is a person
        if title:
            g.titles[title] += 1
        g.articles.add(m.article_id)
        assigned[(m.article_id, m.start, m.end)] = gkey
    _merge_acronyms(groups, assigned)
    _settle_types(groups, frozenset(table[_key(c)] for c in BUILTIN_ALIASES.values()))
    return _finish(groups, assigned)


def _person_key(words: list[str], full: Mapping[str, set[str]], in_article: set[str]) -> str:
    """Return the group of a person mention: its full name, or the one full name a surname means."""
    if len(words) >= 2:
        return f"PERSON:{words[0]} {words[-1]}"
    surname = words[-1]
    local = sorted(g for g in full.get(surname, set()) if g in in_article)
    if len(local) == 1:
        return local[0]
    candidates = sorted(full.get(surname, set()))
    if not local and len(candidates) == 1:
        return candidates[0]
    first = sorted(g for g in in_article if g.split(":", 1)[1].split()[0] == surname)
    if not candidates and len(first) == 1:
        return first[0]  # "Peter" after "Peter Weber" in the same article
    return f"PERSON:{surname}"  # several people share the surname here: no evidence, no merge


def _merge_acronyms(groups: dict[str, _Group], assigned: dict[tuple[str, int, int], str]) -> None:
    """Fold an all-caps group into the multi-word group whose initials it spells.

    Alias-table groups claim their initials first and keep their name: when one of them is the
    all-caps side, the other group folds into it; two alias-table groups never fold.
    """
    initials: dict[str, str] = {}
    for gkey in sorted(groups, key=lambda k: groups[k].canonical is None):  # stable: corpus order
        named = groups[gkey]
        if named.canonical or named.type != "PERSON":  # alias-table groups are typed later
            acro = _acronym(named.canonical or named.forms.most_common(1)[0][0])
            if acro and acro not in initials:
                initials[acro] = gkey
    moved: dict[str, str] = {}
    for gkey in sorted(groups):
        g = groups.get(gkey)
        if g is None or (g.type == "PERSON" and not g.canonical):
            continue
        form = g.forms.most_common(1)[0][0].replace(".", "")
        target = initials.get(form.casefold())
        while target in moved:
            target = moved[target]
        if not form.isupper() or target is None or target == gkey:
            continue
        src, dst = gkey, target
        if g.canonical:
            if groups[target].canonical:
                continue
            src, dst = target, gkey
        _fold(groups, assigned, src, dst)
        moved[src] = dst


def _settle_types(groups: Mapping[str, _Group], not_people: frozenset[str]) -> None:
    """Type each alias-table group as most of its mentions were: person, place, else org.

    A tie goes to person when a title was written ("President ..."), so roles can still find it.
    The built-in table names organisations and places only, so its names are never people.
    """
    for g in groups.values():
        if g.canonical:
            total = sum(g.labels.values())
            places = g.labels["GPE"] + g.labels["LOC"]
            people = 0 if g.canonical in not_people else g.labels["PERSON"]
            person = 2 * people > total or (2 * people == total and bool(g.titles))
            g.type = "PERSON" if person else "GPE" if 2 * places > total else "ORG"


def _fold(
    groups: dict[str, _Group], assigned: dict[tuple[str, int, int], str], src: str, dst: str
) -> None:
    g, into = groups.pop(src), groups[dst]
    into.forms.update(g.forms)
    into.titles.update(g.titles)
    into.labels.update(g.labels)
    into.articles |= g.articles
    for loc, gkey in assigned.items():
        if gkey == src:
            assigned[loc] = dst


def _resolve_roles(
    roles: Sequence[Mention], entities: Sequence[Entity], mapping: dict[tuple[str, int, int], str]
) -> None:
    """Attach "the Russian leader" to the one person of the article whose titles fit."""
    people: defaultdict[str, list[tuple[str, set[str]]]] = defaultdict(list)
    for entity in entities:
        if entity.type == "PERSON":
            titles = {w.casefold() for t in entity.roles for w in t.split()}
            for article_id in entity.article_ids:
                people[article_id].append((entity.id, titles))
    for m in roles:
        raw = m.text.split()[1:]
        # Capitalised modifiers ("Russian") must fit a title; "embattled" need not.
        words = [w.casefold() for w in raw[:-1] if w[:1].isupper()] + [raw[-1].casefold()]
        found = set()
        for entity_id, titles in people.get(m.article_id, []):
            head_ok = words[-1] in titles or (words[-1] == "leader" and titles & LEADER_WORDS)
            if head_ok and all(w in titles for w in words[:-1]):
                found.add(entity_id)
        if len(found) == 1:
            mapping[(m.article_id, m.start, m.end)] = found.pop()


def _finish(
    groups: dict[str, _Group], assigned: dict[tuple[str, int, int], str]
) -> tuple[list[Entity], dict[tuple[str, int, int], str]]:
    """Return the entities and the mention map with final ids."""
    ids: dict[str, str] = {}
    taken: set[str] = set()
    entities: list[Entity] = []
    for gkey, g in groups.items():
        forms = [f for f, n in g.forms.items() if n > 0]
        if not forms:
            continue
        if g.canonical:
            name = g.canonical
        else:
            multi = [f for f in forms if len(f.split()) > 1] if g.type == "PERSON" else forms
            name = min(multi or forms, key=lambda f: (-g.forms[f], -len(f), f))
        type_ = g.type
        entity_id = _entity_id(type_, name)
        if entity_id in taken:
            # two groups kept apart (people sharing a surname) can end with the same name
            entity_id = _entity_id(type_, f"{name}\x00{gkey}")
        taken.add(entity_id)
        ids[gkey] = entity_id
        aliases = tuple(sorted({f for f in forms if f != name}))
        roles = tuple(t for t, _ in sorted(g.titles.items(), key=lambda kv: (-kv[1], kv[0])))
        entities.append(Entity(entity_id, name, type_, aliases, roles, tuple(sorted(g.articles))))
    mapping = {loc: ids[gkey] for loc, gkey in sorted(assigned.items()) if gkey in ids}
    return sorted(entities, key=lambda e: (e.type, e.name, e.id)), mapping
