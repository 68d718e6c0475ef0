"""Who a quote's speaker is: the subject of its cue, expanded and resolved inside one Doc.

Names resolve to the fullest form the article uses ("Putin" -> "Vladimir Putin"); pronouns to
the nearest earlier person who was a subject or a speaker in the body; descriptions ("the
French president") to the one person the article gave that title. Unsure means None.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

PERSON_PRONOUNS = frozenset({"he", "she", "him", "her"})
SELF_PRONOUNS = frozenset({"i", "we", "me", "us"})
GROUP_PRONOUNS = frozenset({"they", "it", "them"})
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
_NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC"})


_LOCAL = threading.local()  # per thread: the last Doc and its text


def doc_text(doc: Doc) -> str:
    """Return ``doc.text``, built once per Doc: spaCy joins every token on each access."""
    cached = getattr(_LOCAL, "cached", None)
    if cached is not None and cached[0] is doc:
        return str(cached[1])
    text = doc.text
    _LOCAL.cached = (doc, text)
    return text


@dataclass
class DocPeople:
    """What one Doc says about its people: full names by surname, titles, subject mentions."""

    full_by_last: dict[str, str] = field(default_factory=dict)
    titles: dict[str, set[str]] = field(default_factory=dict)  # surname key -> title words
    # (token index, name, is_person) of body subjects that name someone, in text order
    subjects: list[tuple[int, str, bool]] = field(default_factory=list)
    genders: dict[str, str] = field(default_factory=dict)  # surname key -> "m" / "f"


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
    return words


def last_key(name: str) -> str:
    """Return the lookup key of a surname: "Bashar al-Assad" and "Assad" share "assad"."""
    words = name.split()
    return words[-1].split("-")[-1].casefold() if words else ""


def collect_people(doc: Doc) -> DocPeople:
    """Return full names, titles and subject mentions of one Doc."""
    people = DocPeople()
    forms: dict[str, dict[str, int]] = {}
    for ent in doc.ents:
        if ent.label_ != "PERSON":
            continue
        name = clean_name(ent)
        if not name:
            continue
        last = last_key(name)
        counts = forms.setdefault(last, {})
        counts[name] = counts.get(name, 0) + 1
        people.titles.setdefault(last, set()).update(_title_words(doc, ent))
    for last, counts in forms.items():
        # The most used multi-word form, first seen on ties ("Crooked Hillary Clinton" loses).
        multi = [n for n in counts if len(n.split()) > 1] or list(counts)
        people.full_by_last[last] = max(multi, key=lambda n: counts[n])
    for ent in doc.ents:
        if ent.label_ in _NAME_LABELS and ent.root.dep_ in _SUBJECTS:
            people.subjects.append((ent.start, ent.text, ent.label_ == "PERSON"))
    people.genders = _genders(doc)
    return people


_MALE_TITLES = frozenset({"mr", "mr."})
_FEMALE_TITLES = frozenset({"mrs", "mrs.", "ms", "ms."})


def _genders(doc: Doc) -> dict[str, str]:
    """Return the gender an article gives a surname through "Mr."/"Mrs."/"Ms." (no guessing)."""
    votes: dict[str, list[int]] = {}
    for ent in doc.ents:
        if ent.label_ != "PERSON":
            continue
        words = {doc[ent.start - 1].lower_ if ent.start > 0 else "", ent[0].lower_}
        vote = votes.setdefault(last_key(clean_name(ent)), [0, 0])
        vote[0] += bool(words & _MALE_TITLES)
        vote[1] += bool(words & _FEMALE_TITLES)
    return {k: ("m" if m > f else "f") for k, (m, f) in votes.items() if m != f}


def full_name(people: DocPeople, name: str) -> str:
    """Return the fullest form of a person's name seen in the Doc."""
    return people.full_by_last.get(last_key(name), name)


def subject_of(verb: Token) -> Token | None:
    """Return the subject of a cue verb, climbing through conjoined or adverbial clauses."""
    token = verb
    for _ in range(3):
        for child in token.children:
            if child.dep_ in _SUBJECTS:
                return child
        for child in token.children:
            if child.dep_ == "agent":
                for sub in child.children:
                    if sub.dep_ == "pobj":
                        return sub
        if token.dep_ in {"conj", "advcl", "xcomp", "acomp"} and token.head.i != token.i:
            token = token.head
        else:
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
        while end < len(doc) and doc[end].ent_iob_ == "I":
            end += 1
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
    return found.pop() if len(found) == 1 else None


def is_named(text: str) -> bool:
    """Return True when a phrase has a capitalised word other than a leading article."""
    words = text.split()
    return any(w[:1].isupper() for w in words[1:]) or (
        bool(words) and words[0][:1].isupper() and words[0].casefold() not in {"the", "a", "an"}
    )


def resolve_pronoun(
    people: DocPeople,
    before: int,
    *,
    person: bool,
    exclude: str | None = None,
    gender: str | None = None,
) -> str | None:
    """Return the nearest earlier subject that names a person (or a group) before a token."""
    for index, name, is_person in reversed(people.subjects):
        if index >= before or is_person != person:
            continue
        known = people.genders.get(last_key(name)) if gender else None
        if known is not None and known != gender:
            continue
        resolved = full_name(people, name) if is_person else name
        if resolved != exclude:
            return resolved
    return None
