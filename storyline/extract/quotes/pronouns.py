"""Who "he", "she" or "they" stands for: a recent speaker, else the nearest subject.

Split from ``speakers`` (which collects the people a pronoun may stand for).
"""

from __future__ import annotations

from bisect import bisect_left
from typing import TYPE_CHECKING

from storyline.extract.quotes import speakers as spk
from storyline.extract.quotes.speakers import SPEAKER_WINDOW, full_name, last_key, name_gender

if TYPE_CHECKING:
    from collections.abc import Iterator

    from spacy.tokens import Doc, Span, Token

    from storyline.extract.quotes.indirect import CharRanges
    from storyline.extract.quotes.speakers import DocPeople


def resolve_pronoun(
    people: DocPeople,
    before: int,
    *,
    person: bool,
    exclude: str | None = None,
    gender: str | None = None,
    quoted: CharRanges | None = None,
) -> str | None:
    """Return who a pronoun before a token stands for: a recent speaker, else the last subject.

    A person quoted within the last few paragraphs is the likeliest "he said"; without one, the
    nearest earlier subject that names a person (or a group) of the right gender. A person who
    is the subject of the sentence just before the pronoun's, named after that speaker last
    spoke, is likelier still (``centre``).
    """
    # both lists are in text order: slices by bisection keep this linear over an article
    lo = bisect_left(people.speakers, (before - SPEAKER_WINDOW + 1,))
    recent = people.speakers[lo : bisect_left(people.speakers, (before,))]
    found = _nearest(people, recent, before, person=person, exclude=exclude, gender=gender)
    if person and quoted is not None:
        centred = centre(people, before, quoted, gender, recent)
        if centred is not None and centred != exclude:
            return centred
    subjects = people.subjects[: bisect_left(people.subjects, (before,))]
    if found and _rival(people, found, before, gender):
        prior = _continued(people, before, quoted) if quoted is not None else None
        if prior is not None:
            # 'Lynch said. / She has faced ... his wife, Hillary Clinton ... She has called':
            # the pronoun continues the same pronoun subject; it is whoever that one is
            return resolve_pronoun(
                people, prior, person=person, exclude=exclude, gender=gender, quoted=quoted
            )
        # '"...," said Conrad Pyle. / Yusuf Tallmark broke his silence ... "...," he wrote': the
        # person who is the subject in the pronoun's own paragraph, when nobody else is named
        # after them; else nobody
        para = people.paragraph_of(before)
        own = [c for c in subjects if people.paragraph_of(c[0]) == para]
        alt = _nearest(people, own, before, person=person, exclude=exclude, gender=gender)
        if not alt or alt == found:
            return None
        at = max(i for i, n, _ in own if n == alt or full_name(people, n) == alt)
        return None if _named_between(people, last_key(alt), at, before, gender) else alt
    if found is not None:
        return found or None  # "": an unnamed source stands nearer than any name
    found = _nearest(people, subjects, before, person=person, exclude=exclude, gender=gender)
    return found or None


def _continued(people: DocPeople, before: int, quoted: CharRanges) -> int | None:
    """Return the same pronoun as subject just before this one, when it is the nearest subject.

    A pronoun subject that repeats the previous main-clause subject pronoun keeps its referent
    (centering "continue": Grosz, Joshi & Weinstein 1995); a name between them in an object or
    an embedded clause does not take the centre. None when the nearest main-clause subject of
    this or the previous sentence is anything else.
    """
    doc = people.doc
    if doc is None:
        return None
    pronoun = doc[before]
    floor = pronoun.sent.start
    while floor > 0:  # back over one sentence of narrative, as ``_subjects_before`` does
        prev = doc[floor - 1].sent
        floor = prev.start
        if any(not t.is_space and not t.is_punct and t.idx not in quoted for t in prev):
            break
    for token in reversed(doc[floor:before]):
        if token.dep_ not in {"nsubj", "nsubjpass"} or token.idx in quoted:
            continue
        if not _main_clause(token, strict=True):
            continue
        return token.i if token.lower_ == pronoun.lower_ else None
    return None


def centre(
    people: DocPeople,
    before: int,
    quoted: CharRanges,
    gender: str | None,
    recent: list[tuple[int, str, bool]],
) -> str | None:
    """Return the person "he"/"she" continues: the subject of the sentence just before it.

    '... Bryan Anderson ... / McLenney said ... "...," she said. / Anderson largely agreed with
    McLenny ... / "...," he said': a pronoun that opens the next sentence continues the subject
    of the one before (the centre of attention, Grosz, Joshi & Weinstein 1995), not a speaker
    quoted paragraphs back. A paragraph opens a new discourse segment whose subject becomes the
    centre (Grosz & Sidner 1986); within the paragraph of a speaker's cue, that speaker stays.
    Only a named person in the subject of a main clause, not inside a quote, of the pronoun's
    gender (unknown counts as agreeing), and only when no speaker was cued after that subject:
    the later cue is then the nearer antecedent. None otherwise.
    """
    doc = people.doc
    if doc is None:
        return None
    sent = doc[before].sent
    floor = sent.start
    while floor > 0:  # back over one sentence of narrative, as ``_subjects_before`` does
        prev = doc[floor - 1].sent
        floor = prev.start
        if any(not t.is_space and not t.is_punct and t.idx not in quoted for t in prev):
            break
    lowest = _previous_paragraph(doc, doc[before].idx)
    for token in reversed(doc[floor:before]):
        if token.idx < lowest:
            return None  # a sentence run across paragraph breaks: no farther than one back
        if token.dep_ != "nsubj" or token.idx in quoted or not _main_clause(token, strict=True):
            continue
        # the person the subject names, itself or in apposition ("His daughter Ivanka Trump"),
        # or a bare surname the tagger missed ("Norman Ham ... / Ham made it clear")
        ent = _person_ent(doc, token)
        if ent is None and any(i == token.i and is_person for i, _, is_person in people.subjects):
            ent = doc[token.i : token.i + 1]
        if ent is None:
            continue
        para = people.paragraph_of(token.i)
        if any(people.paragraph_of(index) == para and index != token.i for index, _, _ in recent):
            return None  # 'Hollis said ... Then Brandt nodded. "...," he said': one segment
        if any(index > token.i for index, _, _ in recent):
            return None  # a speaker cued since: the usual rules decide
        name = spk.clean_name(ent)
        known = name_gender(people, name) if gender and name else None
        if not name or (known is not None and known != gender):
            return None
        return full_name(people, name)
    return None


def _previous_paragraph(doc: Doc, char: int) -> int:
    """Return the char start of the paragraph before the one holding ``char`` (blank skipped)."""
    start = spk.paragraph_bounds(doc, char)[0]
    text = spk.doc_text(doc)
    back = start - 1
    while back > 0 and text[back].isspace():
        back -= 1
    return spk.paragraph_bounds(doc, back)[0] if back > 0 else 0


def _person_ent(doc: Doc, head: Token) -> Span | None:
    """Return the PERSON entity a subject is, or names in its apposition; else None."""
    for token in (head, *(c for c in head.children if c.dep_ == "appos")):
        if token.ent_type_ == "PERSON":
            ent = next(spk.ents_before(doc, token.i + 1), None)
            if ent is not None and ent.end > token.i and ent.label_ == "PERSON":
                return ent
    return None


def _rival(people: DocPeople, name: str, before: int, gender: str | None) -> bool:
    """Return True when another person who could be "he" is named after the recent speaker.

    '"...," said Mr Putin. [...] an advantage to Putin, supporting Assad [...] He said he would
    have further talks': with Assad named since Putin last spoke, "he" could be either, and a
    wrong famous name is worse than none (issue #18: when in doubt, no speaker).
    """
    key = last_key(name)
    spoke = max((i for i, n, _ in people.speakers if i < before and last_key(n) == key), default=-1)
    if spoke < 0 or people.paragraph_of(spoke) == people.paragraph_of(before):
        return False  # the speaker is named in the pronoun's own paragraph
    return _named_between(people, key, spoke, before, gender)


def _named_between(
    people: DocPeople, key: str, after: int, before: int, gender: str | None
) -> bool:
    """Return True when another person who could be the pronoun is named between two tokens.

    Only names in the paragraph of the second token (the pronoun's) count.
    """
    lo = bisect_left(people.persons, (after + 1,))
    for index, other in people.persons[lo : bisect_left(people.persons, (before,))]:
        if other == key or people.paragraph_of(index) != people.paragraph_of(before):
            continue
        if _passing(people, other):
            continue
        known = _gender_at(people, index, other) if gender else None
        if known is None or known == gender:
            return True
    return False


def _gender_at(people: DocPeople, index: int, key: str) -> str | None:
    """Return the gender of the person named at a token, by the name as written there.

    "Ivanka Trump" in an article about Donald Trump is not "he": her surname's votes are his.
    """
    doc = people.doc
    ent = next(spk.ents_before(doc, index + 1), None) if doc is not None else None
    if ent is None or ent.start != index:
        return people.genders.get(key)
    return name_gender(people, spk.clean_name(ent))


def _passing(people: DocPeople, key: str) -> bool:
    """Return True for a one-word "person" named once in the article, never by a full name.

    'Harsh? He doesn't think so.': the tagger reads a capitalised word as a name; a real person
    the pronoun could stand for is nearly always introduced by a full name or named again.
    """
    if len(people.full_by_last.get(key, key).split()) > 1:
        return False
    return sum(1 for _, k in people.persons if k == key) < 2


def _nearest(
    people: DocPeople,
    candidates: list[tuple[int, str, bool]],
    before: int,
    *,
    person: bool,
    exclude: str | None,
    gender: str | None,
) -> str | None:
    """Return the nearest earlier candidate of the right kind and gender ("" when unnamed)."""
    for index, name, is_person in reversed(candidates):
        if index >= before or is_person != person:
            continue
        if not name:  # an unnamed source ("a spokesman") is the nearest: nobody to name
            return ""
        known = name_gender(people, name) if gender else None
        if known is not None and known != gender:
            continue
        resolved = full_name(people, name) if is_person else name
        if resolved != exclude:
            return resolved
    return None


# A body that speaks through "it" or "they": an organisation, a place (a government), a group.
_BODY_LABELS = frozenset({"ORG", "GPE"})
_GROUP_LABELS = frozenset({"ORG", "GPE", "NORP"})
_SINGULAR = frozenset({"NN", "NNP"})
_PLURAL = frozenset({"NNS", "NNPS"})


def resolve_it(doc: Doc, pronoun: Token, quoted: CharRanges) -> str | None:
    """Return the named body "it" stands for: the nearest agreeing subject before it, if named.

    English "it" takes the nearest earlier singular non-person subject of its own or the
    previous sentence as antecedent: "The White House is saying ... But it is steering clear",
    "Although the IMF did not single out ..., it referenced". When that subject is a thing not
    named ("The city", "the ad", "a report"), "it" is that thing and names nobody: None, never
    a farther name. Subjects inside quotes and other pronouns are passed over (agreement and
    recency only; general syntax, no word list).
    """
    token = _antecedent_it(doc, pronoun, quoted)
    if token is None or token.ent_type_ not in _BODY_LABELS:
        return None
    return _entity_name(doc, token)


def _antecedent_it(doc: Doc, pronoun: Token, quoted: CharRanges) -> Token | None:
    """Return the nearest earlier singular non-person main-clause subject: what "it" is."""
    for token in _subjects_before(doc, pronoun, quoted):
        if token.tag_ not in _SINGULAR or token.ent_type_ == "PERSON":
            continue  # plural ("officials") or a person cannot be "it"
        return token
    return None


def described_antecedent(doc: Doc, pronoun: Token, quoted: CharRanges) -> str | None:
    """Return the description an unresolved "it"/"they" stands for ("the city", "show insiders").

    Item 2 of the quote rules: an unnamed source is a speaker in its own right, written as its
    description with no canonical name. When the antecedent the resolvers above find is a
    common noun with no name in it, its noun phrase is that description; a name, a pronoun or
    no agreeing subject gives None (same agreement and recency rules, no word list).
    """
    lower = pronoun.lower_
    token = (
        _antecedent_it(doc, pronoun, quoted)
        if lower == "it"
        else _antecedent_they(doc, pronoun, quoted)
    )
    if token is None or token.pos_ != "NOUN" or token.ent_type_:
        return None
    span = spk.speaker_span(doc, token)
    if span is None or any(t.ent_type_ or t.pos_ == "PROPN" for t in span):
        return None
    return span.text.strip() or None


def resolve_they(doc: Doc, pronoun: Token, quoted: CharRanges) -> str | None:
    """Return who "they" stands for: the nearest plural subject before it, if it names them.

    The antecedent of "they" is the nearest earlier subject of its own or the previous
    sentence that is plural (a plural noun, or two people joined: "Mr. Grassley and Mr. Leahy
    say ... they say") or a named body ("Politifact ... they published"). Named people or a
    named group give the speaker; unnamed ones ("show insiders", "McConnell aides",
    "environmentalists") make "they" a speaker nobody names: None, never a farther name.
    """
    token = _antecedent_they(doc, pronoun, quoted)
    if token is None:
        return None
    joined = [token, *(c for c in token.children if c.dep_ == "conj")]
    if len(joined) > 1:
        if all(t.ent_type_ == "PERSON" for t in joined):
            names = [_entity_name(doc, t) for t in joined]
            return " and ".join(n for n in names if n) or None
        return None
    if token.ent_type_ in _GROUP_LABELS:
        return _entity_name(doc, token)
    # "Local Mayors": a plural written as a name names a group, as a named speaker does
    return spk.clean_name(spk.speaker_span(doc, token)) or None if token.tag_ == "NNPS" else None


def _antecedent_they(doc: Doc, pronoun: Token, quoted: CharRanges) -> Token | None:
    """Return the nearest earlier plural (or joined, or group) main-clause subject."""
    for token in _subjects_before(doc, pronoun, quoted):
        if any(c.dep_ == "conj" for c in token.children):
            return token
        if token.ent_type_ == "PERSON" or (
            token.tag_ not in _PLURAL and token.ent_type_ not in _GROUP_LABELS
        ):
            continue  # one person or one thing is not "they"
        return token
    return None


def _subjects_before(doc: Doc, pronoun: Token, quoted: CharRanges) -> Iterator[Token]:
    """Yield the noun subjects of a pronoun's sentence (before it) and the previous sentence.

    Nearest first; subjects inside quotes, pronoun subjects and subjects of reported or relative
    clauses are skipped: an antecedent is the subject of a main clause (or of an adverbial
    clause hanging on it), the most salient role (centering: subject over embedded positions).
    """
    floor = pronoun.sent.start
    # back over one sentence with words of the narrative: a paragraph break is a "sentence", and
    # so is a sentence wholly inside a quotation ('"... changed. He continues ...," it wrote'),
    # whose subjects are the speaker's, not the writer's
    while floor > 0:
        prev = doc[floor - 1].sent
        floor = prev.start
        if any(not t.is_space and not t.is_punct and t.idx not in quoted for t in prev):
            break
    for token in reversed(doc[floor : pronoun.i]):
        if (
            token.dep_ in {"nsubj", "nsubjpass"}
            and token.pos_ != "PRON"
            and token.idx not in quoted
            and _main_clause(token)
        ):
            yield token


def _main_clause(subject: Token, *, strict: bool = False) -> bool:
    """Return True when a subject's clause reaches its sentence root through conj/advcl only.

    ``strict``: through conj only; the subject of "While Obama had ..., that has not happened
    for Clinton" is not the centre a following "he" continues (a backgrounded clause).
    """
    verb = subject.head
    links = {"conj"} if strict else {"conj", "advcl"}
    for _ in range(6):
        if verb.dep_ == "ROOT" or verb.head.i == verb.i or _new_paragraph(verb):
            return True
        if verb.dep_ not in links:
            return False
        verb = verb.head
    return False


def _new_paragraph(verb: Token) -> bool:
    """Return True when a verb hangs on a head across a paragraph break.

    '..., she’s still saying it …” / Anderson largely agreed with McLenny': the parser runs a
    sentence on past a closing quote and a blank line; a clause that opens a paragraph is a
    main clause of its own (a paragraph break ends every sentence).
    """
    lo, hi = sorted((verb.i, verb.head.i))
    return any("\n" in t.text or "\n" in t.whitespace_ for t in verb.doc[lo:hi])


def _entity_name(doc: Doc, token: Token) -> str | None:
    """Return the clean name of the entity holding a token, or None."""
    ent = next(spk.ents_before(doc, token.i + 1), None)
    if ent is not None and ent.end > token.i:
        return spk.clean_name(ent) or None
    return None


# Named things that English refers to with "which"/"that", never "who" (AP style: "who" for
# people; an organisation, a place or a title is "which").
_NOT_WHO = frozenset({"ORG", "GPE", "LOC", "FAC", "WORK_OF_ART", "EVENT", "PRODUCT", "LAW"})


def who_antecedent(who: Token, verb: Token) -> Token:
    """Return the noun "who" stands for where the parser hung its clause on the wrong noun.

    A relative clause follows its antecedent: in 'Oprah Winfrey, Will Smith, ... and Stevie
    Wonder, who joked' it is the conjunct right before it, not the one the parser chose (unless
    the clause's verb is plural: 'Democrats and Republicans, who have questioned'). And "who"
    needs a person: 'Democrats on Capitol Hill, who have argued' is the Democrats, the noun the
    named place hangs on. General syntax and the who/which split; no word list.
    """
    noun = verb.head
    before = who.doc[who.i - 1] if who.i > 0 else who
    if before.is_punct and before.i > 0:
        before = who.doc[before.i - 1]
    while before.dep_ in {"compound", "flat"} and before.head.i > before.i:
        before = before.head
    plural = any(t.tag_ == "VBP" for t in (verb, *verb.children) if t.dep_ in {"aux", "relcl"})
    if before.i > noun.i and before.dep_ == "conj" and not plural and _conjoined(before, noun):
        return _described(before)
    if (
        noun.dep_ == "pobj"
        and noun.ent_type_ in _NOT_WHO
        and noun.head.dep_ == "prep"
        and _people(noun.head.head)
    ):
        noun = noun.head.head
    if plural and noun.tag_ in _SINGULAR and not any(c.dep_ == "conj" for c in noun.children):
        # 'a focal point for demonstrators here, who have taken to the streets': a plural verb
        # agrees with a plural antecedent; the nearest plural noun inside the phrase before "who"
        nearer = [
            t for t in who.doc[noun.i + 1 : who.i] if t.tag_ in _PLURAL and t.head.i >= noun.i
        ]
        if nearer:
            noun = nearer[-1]
    return _described(noun)


def _people(noun: Token) -> bool:
    """Return True for a noun that can be "who": a person or group named, or a plural noun.

    'severe criticism from the West, who claim': "criticism" cannot speak; a named place may
    stand for its people ("the West, who"), so "who" climbs off it only to a noun that can.
    """
    return (
        noun.ent_type_ in {"PERSON", "NORP"}
        or (noun.pos_ in {"NOUN", "PROPN"} and noun.tag_ in {"NNS", "NNPS"})
        or (noun.dep_ == "appos" and noun.head.ent_type_ == "PERSON")  # "Morgan, a lawyer"
    )


def _described(noun: Token) -> Token:
    """Return the named person a description stands for, by apposition or predication.

    'Peter Morgan, a lawyer for the Sierra Club, who ...' (apposition) and 'Trump is a serial
    liar ... and birther who has pledged' (a predicate noun says what its subject is): the
    person named is the antecedent, not the description.
    """
    first = noun
    while first.dep_ == "conj" and first.head.i != first.i:
        first = first.head
    if first.dep_ == "appos" and first.head.ent_type_ == "PERSON":
        return first.head
    if first.dep_ == "attr":
        subject = spk.subject_of(first.head)  # "... and is a serial liar": through the conj
        if subject is not None and subject.ent_type_ == "PERSON":
            return subject
    return noun


def _conjoined(conj: Token, head: Token) -> bool:
    """Return True when ``conj`` is a conjunct of ``head`` (through a chain of conjuncts)."""
    token = conj
    for _ in range(12):
        if token.dep_ != "conj" or token.head.i == token.i:
            return False
        token = token.head
        if token.i == head.i:
            return True
    return False
