"""Who said what: direct, mixed and indirect quotes with their cue and speaker.

Direct quotes come from the quote marks (``marks``), their cue is a speech verb next to
them, or a colon, dash or "Name:" form; pieces of one quote share their cue, and every record's
text is verbatim (a sentence broken by its cue is one record, cue included). Indirect quotes
are reporting verbs with a clausal complement and "according to" phrases. Speakers are
resolved inside the article only (``speakers``): the headline is never used.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from typing import TYPE_CHECKING

from storyline.extract.quotes import speakers as spk
from storyline.extract.quotes.content import widen_content
from storyline.extract.quotes.direct import Attr, cue_phrase, find_direct, join_pieces, widen_mixed
from storyline.extract.quotes.indirect import (
    CharRanges,
    SpanIndex,
    find_indirect,
    inside_small,
    unembedded,
)
from storyline.extract.quotes.marks import find_quoted_spans
from storyline.extract.quotes.pronouns import (
    described_antecedent,
    resolve_it,
    resolve_pronoun,
    resolve_they,
    who_antecedent,
)
from storyline.extract.quotes.transcript import find_transcript_lines
from storyline.models import Quote
from storyline.text.words import visible

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from spacy.tokens import Doc, Token

    from storyline.models import Entity


_MAX_TITLE_WORDS = 6
_VOICE = frozenset({"i", "me", "you", "we", "us"})
_THING = frozenset({"it", "its"})


def quote_id(article_id: str, start: int, end: int) -> str:
    """Return a stable id for a quote from its article and span."""
    return hashlib.sha256(f"{article_id}:{start}:{end}".encode()).hexdigest()[:16]


def _resolve(
    doc: Doc,
    attr: Attr,
    people: spk.DocPeople,
    parent: Attr | None,
    parent_speaker: str | None,
    *,
    in_quotes: CharRanges | None = None,
    clashing: frozenset[int] = frozenset(),
) -> str | None:
    """Return the speaker's full name as the article writes it, or None when unsure.

    ``clashing`` holds the speaker tokens of quotes that talk about a "he" or "she" while
    speaking for a side (``_speaks_of``): every quote given to that token shares the doubt.
    """
    head, span = attr.speaker_head, attr.speaker_span
    if head is None or span is None:
        return None
    lower = head.lower_
    if head.pos_ == "PRON" and (head.text == "I" or not head.text.isupper()):
        if lower in spk.SELF_PRONOUNS:
            # '"I asked him, 'How would you feel ...'"' reports words the speaker said (a past
            # tense); '"... I think, 'This is their lives.'"' or '"I can say, 'Look ...'"' is
            # their quote itself, no second statement: no source
            past = attr.cue is not None and attr.cue.tag_ == "VBD"
            return parent_speaker if parent is not None and past else None
        if lower in spk.PERSON_PRONOUNS:
            if parent is not None:
                return _person_in(doc, parent, head.i, people, parent_speaker)
            gender = "m" if lower in {"he", "him", "his"} else "f"
            if head.i in clashing or (attr.kind == "direct" and _speaks_of(attr.text, gender)):
                # '"... he's getting an A and our president is not," he said': the quote talks
                # about a "he"; the last man named is more likely its subject than its speaker.
                # The quotation after it, given to the same "he" ('"So is he going to ..."'),
                # is the same unnamed speaker's, not that man's.
                return None
            return resolve_pronoun(people, head.i, person=True, gender=gender, quoted=in_quotes)
        # "it said" stands for a report, a bill or a country as often as for an organisation
        # that spoke: resolved to a recent speaker, it named the wrong source 7 times in 10 on
        # PolNeAR dev; only its own antecedent, when that is a named body, is taken.
        if lower == "it" and parent is None and in_quotes is not None:
            return resolve_it(doc, head, in_quotes)
        if lower == "they" and parent is None and in_quotes is not None:
            # the same rule for "they": resolved to a recent non-person speaker or subject, it
            # named the wrong group 9 times in 15 on PolNeAR dev
            return resolve_they(doc, head, in_quotes)
        if lower in spk.GROUP_PRONOUNS - _THING and parent is None:
            return resolve_pronoun(people, head.i, person=False)
        return None
    ents = spk.span_ents(span)
    persons = [e for e in ents if e.label_ == "PERSON"]
    if persons:
        return spk.full_name(people, spk.clean_name(persons[-1]))
    if head.pos_ == "NOUN":
        named = _appositive_person(doc, head) or _author(head)
        if named is not None:
            return spk.full_name(people, named)
        described = spk.resolve_description(people, span)
        if described is not None:
            return described
    if ents or any(t.pos_ == "PROPN" for t in span):
        name = spk.clean_name(span)
        full = spk.full_name(people, name)
        # "Okafor" tagged as ORG (or not at all) is still the Jane Okafor named before.
        return (full if len(name.split()) == 1 else name) or None
    return spk.resolve_description(people, span)


def _author(head: Token) -> str | None:
    """Return the person who made the thing a quote is sourced to ("a speech Clinton gave").

    'according to a speech Mrs. Clinton delivered at New York University': the words are the
    speaker's who, in the relative clause on the noun, made it (general syntax).
    """
    for clause in head.rights:
        if clause.dep_ != "relcl":
            continue
        for sub in clause.children:
            if sub.dep_ == "nsubj" and sub.ent_type_ == "PERSON":
                ents = spk.span_ents(sub.doc[sub.left_edge.i : sub.i + 1])
                person = next((e for e in ents if e.label_ == "PERSON"), None)
                return spk.clean_name(person) or None if person is not None else None
    return None


def _appositive_person(doc: Doc, head: Token) -> str | None:
    """Return the person named in apposition to a description ("The minister, Mr. Guajardo,").

    The description with its name beside it is that person, not an unnamed source.
    """
    for child in head.rights:
        if child.dep_ == "appos" and child.ent_type_ == "PERSON":
            ents = spk.span_ents(doc[child.left_edge.i : child.right_edge.i + 1])
            person = next(
                (e for e in ents if e.label_ == "PERSON" and e.start <= child.i < e.end), None
            )
            if person is not None:
                return spk.clean_name(person) or None
    return None


_THIRD = {"m": frozenset({"he", "him", "his", "himself"}), "f": frozenset({"she", "her", "hers"})}


# a closing mark, the cue clause, an opening mark; some papers print double marks as "''"
_CUE_CLAUSE = re.compile(r"(?:[”\"]|'')[^“”\"\n]*?(?:[“\"]|'')")


def spoken_words(quote: Quote) -> str:
    """Return a quote's content without the cue clause printed inside it.

    A direct quotation broken by its cue is one verbatim record ('We will win," she said, "and
    soon'); the words said are the text outside that clause. Other quotes are returned whole.
    """
    if quote.kind != "direct":
        return quote.text
    return " ".join(_CUE_CLAUSE.sub(" ", quote.text).split())


_WE = frozenset({"we", "us", "our", "ours"})


def _speaks_of(text: str, gender: str) -> bool:
    """Return True for a first/third-person clash: "our president" beside a "he" of the quote.

    A "he" in a quote alone is common in a man's own words about another man, so it does not
    block the speaker; speaking for a side ("we", "our") and of a "he" outside it does.
    """
    # a record of one quotation broken by its cue holds the cue clause: '," she said, "'
    words = set(re.findall(r"[a-z]+", _CUE_CLAUSE.sub(" ", text).casefold()))
    return not _THIRD[gender].isdisjoint(words) and not _WE.isdisjoint(words)


def _add_named_speakers(doc: Doc, ordered: list[Attr], people: spk.DocPeople) -> None:
    """Add the named speakers of the article's attributions to the pronoun candidates."""
    found = list(people.subjects)
    full_names = set(people.full_by_last.values())
    for attr in ordered:
        head = attr.speaker_head
        if attr.parent is not None or head is None or head.pos_ == "PRON":
            continue
        name = _resolve(doc, attr, people, None, None)
        written = attr.speaker_span.text if attr.speaker_span is not None else ""
        label = name or (written if spk.is_named(written) else None)
        if label:
            person = head.ent_type_ == "PERSON" or name in full_names or _titled_name(attr)
            found.append((head.i, label, person))
            people.speakers.append((head.i, label, person))
        elif spk.is_unnamed_source(head):
            # "A defense official said ... He said ...": "he" is the official, named by nobody.
            people.speakers.append((head.i, "", True))
    people.subjects = sorted(found)
    people.speakers.sort()


def _titled_name(attr: Attr) -> bool:
    """Return True for a speaker written as a title and a two-word name the tagger missed.

    '"Minister of Water and Infrastructure Anselm Dorrik said ... He said ...': no PERSON tag
    on the name, but a person's title ("minister", "spokesman") before an untagged proper name
    of two words or more names a person, so a "he" after it can be them.
    """
    head, span = attr.speaker_head, attr.speaker_span
    if head is None or span is None or head.pos_ != "PROPN" or head.ent_type_:
        return False
    if not any(c.dep_ in {"compound", "flat"} and c.pos_ == "PROPN" for c in head.children):
        return False
    return any(t.lower_ in spk.TITLE_WORDS for t in span if t.i < head.i)


def _antecedent(doc: Doc, attr: Attr) -> None:
    """Replace a relative pronoun speaker ("who said") by the noun it stands for."""
    head = attr.speaker_head
    if head is None or head.lower_ not in {"who", "which", "that"}:
        return
    verb = head.head
    if verb.dep_ == "relcl" and verb.head.pos_ in {"NOUN", "PROPN"}:
        noun = who_antecedent(head, verb) if head.lower_ == "who" else verb.head
        attr.speaker_head = noun
        attr.speaker_span = spk.speaker_span(doc, noun)


def _person_in(
    doc: Doc, parent: Attr, before: int, people: spk.DocPeople, exclude: str | None
) -> str | None:
    """Return the last person named inside a quote (any of its pieces) before a nested pronoun."""
    start = min(parent.start, parent.first_start)
    for ent in spk.ents_before(doc, before):
        if ent.start_char < start:
            break
        if ent.label_ == "PERSON" and ent.end <= before:
            name = spk.full_name(people, spk.clean_name(ent))
            if name and name != exclude:
                return name
    return None


def find_quotes(doc: Doc, article_id: str, *, title: str = "") -> list[Quote]:
    """Return the direct, mixed and indirect quotes of one parsed article, in text order.

    Args:
        doc: the parsed article body (``CleanArticle.text``).
        article_id: id of the article, used in quote ids.
        title: the headline; kept apart on purpose, it never supplies a speaker.

    Returns:
        Quotes whose ``speaker`` is the full name as the article writes it (None when unsure);
        ``canonicalise_speakers`` maps it to the merged entity later.
    """
    del title  # headline names are never speakers of body quotes
    spans = find_quoted_spans(spk.doc_text(doc))
    pieces = find_direct(doc, spans)
    attrs = join_pieces(doc, pieces, spans)
    titles = {id(a) for a in attrs if _is_title(a.text)}
    for attr in attrs:
        if attr.parent is None and attr.kind == "direct" and id(attr) not in titles:
            widen_mixed(doc, attr)
    direct = [a for a in attrs if _keep_direct(a) and id(a) not in titles]
    quoted = [(a.start, a.end) for a in attrs if a.parent is None and a.kind == "direct"]
    lines = find_transcript_lines(doc)
    line_index = SpanIndex(lines)
    # '"PENCE: Gennifer Flowers will not ...': a quoted transcript line names its own speaker;
    # a cue found outside its marks belongs to another sentence
    labelled = {t.speaker_span.start_char for t in lines if t.speaker_span is not None}
    direct = [
        a
        for a in direct
        if (a.speaker_head is not None and a.start not in labelled) or not line_index.overlapping(a)
    ]
    frames: list[Attr] = []  # dropped frames whose subjects still spoke
    indirect = find_indirect(doc, direct, quoted, frames)
    widened = CharRanges(widen_content(doc, indirect, spans))
    # A quoted phrase inside a reported clause is part of that clause's content; so is a
    # quotation the clause was widened to close ("said X, and of ''all the people ...''").
    indirect_index = SpanIndex(indirect)
    direct = [
        d
        for d in direct
        if d.parent is not None
        or (
            not any(inside_small(d, i) for i in indirect_index.touching(d.start, d.end))
            and not (d.start in widened and d.end - 1 in widened)
        )
    ]
    direct_index = SpanIndex(direct)
    lines = [t for t in lines if not direct_index.overlapping(t)]
    line_index = SpanIndex(lines)
    indirect = [a for a in indirect if not line_index.overlapping(a)] + lines
    indirect = unembedded(indirect)
    people = spk.collect_people(doc)
    in_quotes = CharRanges(quoted)
    people.subjects = [s for s in people.subjects if doc[s[0]].idx not in in_quotes]
    people.persons = [p for p in people.persons if doc[p[0]].idx not in in_quotes]
    # "I believe ...", "you know ..." in the narrative: the writer or reader, not a source.
    indirect = [
        a for a in indirect if a.speaker_head is None or a.speaker_head.lower_ not in _VOICE
    ]
    ordered = sorted(direct + indirect, key=lambda a: (a.start, -a.end))
    for attr in ordered:
        _antecedent(doc, attr)
    _add_named_speakers(doc, sorted(ordered + frames, key=lambda a: a.start), people)
    index_of = {id(a): n for n, a in enumerate(attrs)}
    names: dict[int, str | None] = {}
    quotes: list[Quote] = []
    ids: dict[int, str] = {}
    seq = sorted(ordered, key=lambda a: a.parent is not None)  # parents named before nested
    clashing = frozenset(
        a.speaker_head.i
        for a in ordered
        if a.kind == "direct"
        and a.parent is None
        and a.speaker_head is not None
        and a.speaker_head.lower_ in spk.PERSON_PRONOUNS
        and _speaks_of(a.text, "m" if a.speaker_head.lower_ in {"he", "him", "his"} else "f")
    )
    for attr in seq:
        parent = attrs[attr.parent] if attr.parent is not None else None
        parent_speaker = names.get(id(parent)) if parent is not None else None
        name = _resolve(
            doc, attr, people, parent, parent_speaker, in_quotes=in_quotes, clashing=clashing
        )
        names[id(attr)] = name
        qid = quote_id(article_id, attr.start, attr.end)
        ids[index_of.get(id(attr), -1)] = qid
        quotes.append(
            Quote(
                id=qid,
                article_id=article_id,
                speaker=name,
                speaker_text=_speaker_text(doc, attr, name, in_quotes),
                cue=cue_phrase(attr.cue)
                if attr.cue is not None and attr.cue_text != "according to"
                else attr.cue_text,
                kind=attr.kind,
                text=attr.text,
                start=attr.start,
                end=attr.end,
                nested_in=ids.get(attr.parent) if attr.parent is not None else None,
            )
        )
    return sorted(_link_attributions(quotes, seq), key=lambda q: (q.start, -q.end))


def _speaker_text(doc: Doc, attr: Attr, name: str | None, in_quotes: CharRanges) -> str | None:
    """Return the speaker as written; for an unresolved "they", the group it stands for.

    "Environmentalists worry ... They say the cost could fall to taxpayers": the source is the
    unnamed group, a description with no canonical name (never a farther name), not a bare
    pronoun. "It" is left as written: its antecedent is as often a thing that cannot speak
    ("The bill would raise fees. It said ...") as a body that can.
    """
    span, head = attr.speaker_span, attr.speaker_head
    if span is None:
        return None
    if (
        name is None
        and attr.parent is None
        and head is not None
        and head.pos_ == "PRON"
        and head.lower_ == "they"
    ):
        return described_antecedent(doc, head, in_quotes) or span.text
    return span.text


def _link_attributions(quotes: list[Quote], attrs: Sequence[Attr]) -> list[Quote]:
    """Give the kept pieces of one linked quotation the id of its first kept piece.

    ``quotes`` and ``attrs`` are parallel. The pieces stay separate verbatim records; the shared
    id says they are one attribution, as a reader (and PolNeAR's gold) counts them.
    """
    groups: dict[int, list[int]] = {}
    for n, attr in enumerate(attrs):
        if attr.group is not None and attr.parent is None:
            groups.setdefault(attr.group, []).append(n)
    out = list(quotes)
    for members in groups.values():
        if len(members) < 2:  # one kept piece is a quote in one piece
            continue
        first = min(members, key=lambda n: quotes[n].start)
        for n in members:
            out[n] = replace(quotes[n], attribution_id=quotes[first].id)
    return out


_TITLE_SMALL_WORDS = frozenset({"a", "an", "and", "at", "for", "in", "of", "on", "the", "to"})


def _is_title(text: str) -> bool:
    """Return True for a quoted name of a show or work ("Face the Nation"), not a statement."""
    words = text.strip(" ,").split()
    if not words or len(words) > _MAX_TITLE_WORDS or text.rstrip()[-1:] in {".", "!", "?", ","}:
        return False
    return all(w[:1].isupper() or w in _TITLE_SMALL_WORDS for w in words)


def _keep_direct(attr: Attr) -> bool:
    """Keep cued quotes, and uncued ones that are whole statements rather than scare quotes."""
    if attr.speaker_head is not None:
        return attr.parent is None or len(attr.text.split()) >= 3
    return (
        attr.cue is None
        and attr.parent is None
        and len(attr.text.split()) >= 8
        and attr.text[:1].isupper()
    )


def canonicalise_speakers(
    quotes: Sequence[Quote],
    entities: Sequence[Entity],
    mention_map: Mapping[tuple[str, int, int], str],
) -> list[Quote]:
    """Return the quotes with ``speaker`` set to the canonical entity name and its id.

    A speaker no entity names keeps the article's spelling without invisible characters, so
    that every later reader (quote groups, speaker kinds) compares names as printed.
    """
    by_id = {e.id: e for e in entities}
    in_article: dict[str, set[str]] = {}
    for (article_id, _, _), entity_id in mention_map.items():
        in_article.setdefault(article_id, set()).add(entity_id)
    out: list[Quote] = []
    for quote in quotes:
        entity = _match_entity(quote.speaker, in_article.get(quote.article_id, set()), by_id)
        if entity is None:  # the article's spelling, less what never prints (soft hyphens, ...)
            speaker = visible(quote.speaker) if quote.speaker else quote.speaker
            out.append(quote if speaker == quote.speaker else replace(quote, speaker=speaker))
        else:
            out.append(replace(quote, speaker=entity.name, speaker_entity_id=entity.id))
    return out


def _match_entity(name: str | None, ids: set[str], by_id: Mapping[str, Entity]) -> Entity | None:
    """Return the entity of this article whose name or alias matches a speaker name."""
    if not name:
        return None
    key = visible(name).casefold()  # "Ilse Var\xadga" is the entity "Ilse Varga"
    last = key.split()[-1]
    exact, partial = [], []
    joint = _joint(key, ids, by_id)
    for entity_id in sorted(ids):
        entity = by_id.get(entity_id)
        if entity is None:
            continue
        forms = {visible(f).casefold() for f in (entity.name, *entity.aliases)}
        if key in forms:
            exact.append(entity)
        elif (
            not joint and entity.type == "PERSON" and any(f.split()[-1] == last for f in forms if f)
        ):
            partial.append(entity)
    found = exact or partial
    return found[0] if len(found) == 1 or exact else None


def _joint(key: str, ids: set[str], by_id: Mapping[str, Entity]) -> bool:
    """Return True for two people speaking together ("grassley and leahy", from "they").

    Each side of the "and" ends in the surname of a person of the article; "Minister of Water
    and Infrastructure Anselm Dorrik" is one person, as "water" names nobody.
    """
    parts = [p.split() for p in key.split(" and ")]
    if len(parts) < 2 or not all(parts):
        return False
    surnames = {
        f.split()[-1]
        for i in ids
        if (e := by_id.get(i)) is not None and e.type == "PERSON"
        for f in {e.name.casefold(), *(a.casefold() for a in e.aliases)}
        if f
    }
    return all(p[-1] in surnames for p in parts)
