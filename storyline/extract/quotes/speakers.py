"""Who a quote's speaker is: the subject of its cue, expanded and resolved inside one Doc.

Names resolve to the fullest form the article uses ("Putin" -> "Vladimir Putin"); pronouns to
the nearest earlier person who was a subject or a speaker in the body; descriptions ("the
French president") to the one person the article gave that title. Unsure means None.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_left
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from storyline.extract.quotes import given_names as gn
from storyline.extract.quotes.cue_subject import (
    bare_surnames,
    directed,
    free_adjunct_of,
    mistagged_surname,
    next_to_cue,
    object_controller,
    stranded_subject,
    verb_above,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

    from spacy.tokens import Doc, Span, Token

PERSON_PRONOUNS = frozenset({"he", "she", "him", "her", "his"})
# "'s" is "us" in "let's": the tagger reads the clitic as a pronoun subject of the next verb.
SELF_PRONOUNS = frozenset({"i", "we", "me", "us", "'s", "’s"})
GROUP_PRONOUNS = frozenset({"they", "it", "them", "its", "their"})
HONORIFICS = frozenset(
    [
        "mr",
        "mr.",
        "mrs",
        "mrs.",
        "ms",
        "ms.",
        "dr",
        "dr.",
        "sen",
        "sen.",
        "rep.",
        "gov",
        "gov.",
        "gen",
        "gen.",
        "lt",
        "col",
        "rev.",
        "prof",
    ]
)
TITLE_WORDS = frozenset(
    [
        "president",
        "leader",
        "minister",
        "spokesman",
        "spokeswoman",
        "spokesperson",
        "secretary",
        "chancellor",
        "king",
        "queen",
        "premier",
        "official",
        "officer",
        "commander",
        "general",
        "chief",
        "director",
        "chairman",
        "chairwoman",
        "head",
        "ambassador",
        "envoy",
        "senator",
        "governor",
        "mayor",
        "candidate",
        "nominee",
        "adviser",
        "advisor",
        "aide",
        "diplomat",
        "prosecutor",
        "judge",
        "justice",
        "attorney",
        "lawmaker",
        "congressman",
        "congresswoman",
        "representative",
        "manager",
        "ceo",
        "founder",
        "analyst",
        "expert",
        "economist",
        "professor",
        "spokesman",
    ]
)
LEADER_WORDS = frozenset({"president", "premier", "chancellor", "king", "queen", "leader"})
_SUBJECTS = frozenset({"nsubj", "nsubjpass", "csubj"})
SPEAKER_WINDOW = 200  # tokens (about two paragraphs) in which a named speaker beats a subject
_PARTITIVES = frozenset({"one", "some", "many", "several", "most", "all", "both", "each", "few"})
_NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC"})
_FINITE = frozenset({"VBD", "VBZ", "VBP"})  # finite verb tags: a clause, not a name


_BREAK = re.compile("\n")
_LOCAL = threading.local()  # per thread: the last Doc and its text


def doc_text(doc: Doc) -> str:
    """Return ``doc.text``, built once per Doc: spaCy joins every token on each access."""
    cached = getattr(_LOCAL, "cached", None)
    if cached is not None and cached[0] is doc:
        return str(cached[1])
    text = doc.text
    _LOCAL.cached = (doc, text)
    return text


def paragraph_bounds(doc: Doc, char: int) -> tuple[int, int]:
    """Return the char span of the paragraph (line) holding ``char``, by bisection.

    Searching the text for the nearest line breaks from each cue made one long line quadratic.
    """
    cached = getattr(_LOCAL, "breaks", None)
    if cached is None or cached[0] is not doc:
        text = doc_text(doc)
        cached = (doc, [m.start() for m in _BREAK.finditer(text)], len(text))
        _LOCAL.breaks = cached
    breaks: list[int] = cached[1]
    n = bisect_left(breaks, char)
    start = breaks[n - 1] + 1 if n > 0 else 0
    end = breaks[n] if n < len(breaks) else int(cached[2])
    return start, end


def doc_ents(doc: Doc) -> tuple[Span, ...]:
    """Return ``doc.ents``, built once per Doc: spaCy walks every token on each access."""
    cached = getattr(_LOCAL, "ents", None)
    if cached is not None and cached[0] is doc:
        return tuple(cached[1])
    ents = tuple(doc.ents)
    _LOCAL.ents = (doc, ents, [e.start for e in ents])
    return ents


def span_ents(span: Span) -> list[Span]:
    """Return the entities wholly inside a span, like ``span.ents`` without its walk of the Doc."""
    ents = doc_ents(span.doc)
    starts: list[int] = _LOCAL.ents[2]
    out: list[Span] = []
    # by index: slicing the tuple from here copied the rest of the Doc's entities each call
    for n in range(bisect_left(starts, span.start), len(ents)):
        ent = ents[n]
        if ent.start >= span.end:
            break
        if ent.end <= span.end:
            out.append(ent)
    return out


def ents_before(doc: Doc, end: int) -> Iterator[Span]:
    """Yield the entities that start before token ``end``, nearest first."""
    ents = doc_ents(doc)
    for n in range(bisect_left(_LOCAL.ents[2], end) - 1, -1, -1):
        yield ents[n]


@dataclass
class DocPeople:
    """What one Doc says about its people: full names by surname, titles, subject mentions."""

    full_by_last: dict[str, str] = field(default_factory=dict)
    titles: dict[str, set[str]] = field(default_factory=dict)  # surname key -> title words
    # (token index, name, is_person) of body subjects that name someone, in text order
    subjects: list[tuple[int, str, bool]] = field(default_factory=list)
    genders: dict[str, str] = field(default_factory=dict)  # surname key -> "m" / "f"
    given_by_last: dict[str, set[str]] = field(default_factory=dict)  # "trump" -> donald, ivanka
    # (token index, name, is_person) of the named speakers of attributions, in text order
    speakers: list[tuple[int, str, bool]] = field(default_factory=list)
    # (token index, surname key) of every person named in the body, in text order
    persons: list[tuple[int, str]] = field(default_factory=list)
    doc: Doc | None = None

    def paragraph_of(self, token: int) -> int:
        """Return the char start of the paragraph holding a token of ``doc``."""
        if self.doc is None:
            return 0
        return paragraph_bounds(self.doc, self.doc[token].idx)[0]


def clean_name(span: Span) -> str:
    """Return an entity's text without honorifics, possessive or leading article."""
    words = [t for t in span if t.lower_ not in HONORIFICS and t.tag_ != "POS" and not t.is_space]
    while words and words[0].lower_ in {"the", "a", "an"}:
        words = words[1:]
    if not words:
        return ""
    text = doc_text(span.doc)[words[0].idx : words[-1].idx + len(words[-1])]
    return " ".join(text.split()).strip(" ,.'’")


def _title_words(doc: Doc, ent: Span) -> set[str]:
    """Return the lowercased title words written before a name or in its apposition."""
    words: set[str] = set()
    i = ent.start - 1
    while i >= 0 and doc[i].pos_ in {"PROPN", "ADJ", "NOUN"} and doc[i].ent_type_ != "PERSON":
        words.add(doc[i].lower_)
        i -= 1
    root = ent.root
    for child in root.children:
        if child.dep_ == "appos" and child.pos_ == "NOUN":
            words.update(t.lower_ for t in child.subtree if t.pos_ in {"NOUN", "ADJ", "PROPN"})
    if root.dep_ == "appos" and root.head.pos_ == "NOUN":
        words.update(t.lower_ for t in root.head.subtree if t.i < ent.start or t.i >= ent.end)
    return words | {_ABBREVIATED[w] for w in words if w in _ABBREVIATED}


# Title abbreviations of English news style, read as the title: "Sen. Graham" is a senator.
_ABBREVIATED = {
    "sen.": "senator",
    "sen": "senator",
    "rep.": "representative",
    "gov.": "governor",
    "gov": "governor",
    "gen.": "general",
    "prof.": "professor",
    "amb.": "ambassador",
}


_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})  # generational, not a surname


def last_key(name: str) -> str:
    """Return a surname's lookup key: "Bashar al-Assad", "Assad" share "assad" ("Jr." skipped)."""
    words = name.replace(",", " ").split()
    while len(words) > 1 and words[-1].casefold() in _SUFFIXES:
        words.pop()
    return words[-1].split("-")[-1].casefold() if words else ""


def collect_people(doc: Doc) -> DocPeople:
    """Return full names, titles and subject mentions of one Doc."""
    people = DocPeople(doc=doc)
    forms: dict[str, dict[str, int]] = {}
    for ent in doc_ents(doc):
        if ent.label_ != "PERSON":
            continue
        name = clean_name(ent)
        if not name:
            continue
        last = last_key(name)
        people.persons.append((ent.start, last))
        counts = forms.setdefault(last, {})
        counts[name] = counts.get(name, 0) + 1
        given = _given(name)
        if given:
            people.given_by_last.setdefault(last, set()).add(given)
        people.titles.setdefault(last, set()).update(_title_words(doc, ent))
    for last, counts in forms.items():
        # The most used multi-word form, first seen on ties ("Crooked Hillary Clinton" loses).
        multi = [n for n in counts if len(n.split()) > 1] or list(counts)
        people.full_by_last[last] = max(multi, key=lambda n: counts[n])
    for ent in doc_ents(doc):
        if ent.label_ in _NAME_LABELS and ent.root.dep_ in _SUBJECTS:
            if mistagged_surname(ent[0], people.full_by_last):
                continue  # a person's surname read as a place: ``bare_surnames`` adds it
            people.subjects.append((ent.start, ent.text, ent.label_ == "PERSON"))
    people.subjects += bare_surnames(doc, people.full_by_last)
    people.subjects.sort()
    people.genders = _genders(doc, people.titles)
    return people


def _genders(doc: Doc, titles: dict[str, set[str]]) -> dict[str, str]:
    """Return the gender an article gives a surname: "Mr."/"Ms.", a first name, "the widow"."""
    votes: dict[str, list[int]] = {}
    for ent in doc_ents(doc):
        if ent.label_ != "PERSON":
            continue
        words = {doc[ent.start - 1].lower_ if ent.start > 0 else "", ent[0].lower_}
        name = clean_name(ent).split()
        vote = votes.setdefault(last_key(" ".join(name)), [0, 0])
        # "President Barack Obama": the first word that is not a title is the first name.
        given = [w.casefold() for w in name[:-1] if w.casefold() not in TITLE_WORDS]
        first = given[0] if given else ""
        vote[0] += bool(words & gn.MALE_TITLES) + (first in gn.MALE_NAMES)
        vote[1] += bool(words & gn.FEMALE_TITLES) + (first in gn.FEMALE_NAMES)
    for key, described in titles.items():
        vote = votes.setdefault(key, [0, 0])
        vote[0] += bool(described & gn.MALE_NOUNS)
        vote[1] += bool(described & gn.FEMALE_NOUNS)
    return {k: ("m" if m > f else "f") for k, (m, f) in votes.items() if m != f}


def full_name(people: DocPeople, name: str) -> str:
    """Return the fullest form of a person's name seen in the Doc.

    A name whose first name the fullest form lacks is another person of the same family
    ("Ivanka Trump" beside "Donald Trump"): it is kept as written.
    """
    full = people.full_by_last.get(last_key(name), name)
    return name if _other_given(name, full) else full


def _other_given(name: str, full: str) -> bool:
    """Return True when ``name`` has a first name that ``full`` (same surname) does not hold."""
    words = [w.casefold() for w in name.split()[:-1] if w.casefold() not in TITLE_WORDS]
    fuller = [w.casefold() for w in full.split()[:-1] if w.casefold() not in TITLE_WORDS]
    # "De Blasio" in "Bill de Blasio", "Guajardo Villarreal": a word of the full form, same man
    return bool(words and fuller) and words[0] not in fuller


def name_gender(people: DocPeople, name: str) -> str | None:
    """Return "m"/"f" for a name: the article's votes for its surname.

    For another member of that family ("Ivanka Trump" where "Trump" is Donald) the votes are the
    other person's: the gender of her own first name, when it is a known one.
    """
    key = last_key(name)
    given = _given(name)  # with two first names on one surname its votes mix two people
    if _other_given(name, people.full_by_last.get(key, name)) or (
        given and len(people.given_by_last.get(key, ())) > 1
    ):
        return "m" if given in gn.MALE_NAMES else "f" if given in gn.FEMALE_NAMES else None
    return people.genders.get(key)


def _given(name: str) -> str:
    """Return the casefolded first name of a written name ("" for a bare surname)."""
    words = [w.casefold() for w in name.split()[:-1] if w.casefold() not in TITLE_WORDS]
    return words[0] if words else ""


def subject_of(verb: Token) -> Token | None:
    """Return the subject of a cue verb, climbing through conjoined or adverbial clauses."""
    token = verb
    for _ in range(3):
        subjects = [c for c in token.children if c.dep_ in _SUBJECTS]
        if subjects:
            # '... Coke user?" / Dean ... appeared and began by saying': a sentence run across
            # a paragraph break gives the verb a second subject; the one beside it spoke.
            near = [c for c in subjects if _same_paragraph(c, token)]
            return next_to_cue(near[-1], token) if near else _noun_before(token)
        for child in token.children:
            if child.dep_ == "agent":
                for sub in child.children:
                    if sub.dep_ == "pobj":
                        return sub
        controller = object_controller(token)
        if controller is not None:
            return None if directed(token) else controller
        adjunct = free_adjunct_of(token)
        if adjunct is not None:
            token = adjunct
        elif token.dep_ in {"conj", "advcl", "xcomp", "acomp"} and token.head.i != token.i:
            if (stranded := stranded_subject(token)) is not None:
                return stranded  # "since Clinton, at the debate, cited ...": not a conjunct
            token = token.head
        elif token.dep_ == "pcomp" and token.head.dep_ in {"prep", "conj"}:
            # "stopped short of calling ...": the subject of the verb the phrase hangs on;
            # "appeared at a hearing for ... and for saying ...", "refuses to discuss them,
            # aside from saying ...": through conjoined prepositions and an adverb to that verb
            above = verb_above(token.head)
            if above is None:
                return None
            token = above
        else:
            # "In a meeting with the Post Trump said ...": a misparsed name right before the verb
            return _noun_before(token) if token.dep_ == "ROOT" else None
    return None


def _same_paragraph(a: Token, b: Token) -> bool:
    """Return True when no paragraph break lies between two tokens."""
    lo, hi = sorted((a.idx, b.idx))
    return "\n" not in doc_text(a.doc)[lo:hi]


def _noun_before(verb: Token) -> Token | None:
    """Return the noun right before a verb in its paragraph ("12:15 p.m." above "Trump says")."""
    for token in reversed(verb.doc[max(verb.i - 4, 0) : verb.i]):
        if "\n" in token.text:
            return None
        if token.pos_ in {"NOUN", "PROPN", "PRON"}:
            return token
        if token.pos_ not in {"AUX", "ADV", "PART"}:
            return None
    return None


def speaker_span(doc: Doc, head: Token) -> Span:
    """Return the noun phrase headed by a subject token, without clauses hanging off it."""
    start = head.left_edge.i
    end = head.i + 1
    while (
        end < len(doc)
        and doc[end].head.i in range(start, end + 1)
        and (doc[end].dep_ in {"compound", "flat", "appos"} and doc[end].pos_ == "PROPN")
    ):
        end += 1
    if head.ent_type_:
        # a name holds no verb: "Trump accused Holt of being a" read as one entity stops at it
        while end < len(doc) and doc[end].ent_iob_ == "I" and doc[end].tag_ not in _FINITE:
            end += 1
    if head.lower_ in _PARTITIVES or head.pos_ == "NUM":
        # "one of the family's attorneys, Justin Bamberg,": the partitive alone names nobody.
        parts = [
            c for c in head.rights if (c.dep_ == "prep" and c.lower_ == "of") or c.dep_ == "appos"
        ]
        if parts:
            end = max(end, max(c.right_edge.i for c in parts) + 1)
    while start < end and (doc[start].is_punct or doc[start].is_space):
        start += 1
    for i in range(end - 1, start, -1):
        if "\n" in doc[i].text or doc[i].is_space:
            start = i + 1
            break
    return doc[start:end]


def _describes(words: list[str], titles: set[str]) -> bool:
    """Return True when a description's head and modifiers fit a person's titles."""
    head, mods = words[-1], words[:-1]
    if head in titles or (head == "leader" and titles & LEADER_WORDS):
        pass
    else:
        return False
    return all(m in titles for m in mods)


def resolve_description(people: DocPeople, span: Span) -> str | None:
    """Return the one person whose titles match a description like "the Russian leader"."""
    words = [
        t.lower_
        for t in span
        if t.pos_ in {"NOUN", "PROPN"} or (t.pos_ == "ADJ" and t.text[:1].isupper())
    ]
    if not words or words[-1] not in TITLE_WORDS:
        return None
    found = {
        people.full_by_last[last]
        for last, titles in people.titles.items()
        if _describes(words, titles)
    }
    if not found:
        # "the South Carolina senator": a place or party before the title is rarely written
        # beside the name; the one person the article calls a senator is still the one meant
        head = words[-1]
        found = {
            people.full_by_last[last]
            for last, titles in people.titles.items()
            if head in titles or (head == "leader" and titles & LEADER_WORDS)
        }
    return found.pop() if len(found) == 1 else None


# Labels that web pages put before links, videos and sections: never a speaker (world knowledge
# of page furniture, not fitted on any data set).
_FURNITURE = frozenset(
    "advertisement breaking click editor's exclusive listen live more news photo photos read "  # noqa: SIM905
    "related see sign subscribe update updated video watch".split()
)


def is_unnamed_source(head: Token) -> bool:
    """Return True for one unnamed person as a speaker: "a defense official", "the aide"."""
    return head.pos_ == "NOUN" and head.tag_ == "NN" and head.lower_ in TITLE_WORDS


def is_furniture(label: str) -> bool:
    """Return True for a page label such as "READ MORE", "WATCH" or "Related" as a speaker."""
    words = label.casefold().strip(" :").split()
    return bool(words) and words[0] in _FURNITURE


def is_named(text: str) -> bool:
    """Return True when a phrase has a capitalised word other than a leading article."""
    words = text.split()
    return any(w[:1].isupper() for w in words[1:]) or (
        bool(words) and words[0][:1].isupper() and words[0].casefold() not in {"the", "a", "an"}
    )
