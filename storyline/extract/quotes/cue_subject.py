"""Cues and subjects of direct quotes beyond the nearest words (split from ``direct``).

A long apposition between a quote and its verb, a document that "reads" its words, words of
another quoted stretch that the parser took for a subject, and a subject written as a bare
surname the tagger did not mark as a name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from storyline.text.cues import DIRECTIVE_VERBS, SPEECH_VERBS

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

    from storyline.extract.quotes.marks import QuotedSpan


def reads(verb: Token) -> bool:
    """Return True for intransitive "read" after a quote: '"...," the letter reads'.

    A document "reads" its words the way a person says them; with an object ("read the
    statement") the verb is no cue after a quote.
    """
    return verb.lemma_.lower() == "read" and not any(c.dep_ == "dobj" for c in verb.children)


def subject_verb(after: Span) -> Token | None:
    """Return the speech verb whose subject opens the words after a closing mark.

    '"...," Scott Pruitt, the Republican attorney general of Oklahoma, said': a long apposition
    puts the verb past the usual gap, but the name right after the mark is still its subject
    (general English syntax: the subject phrase holds its apposition).
    """
    words = [t for t in after[:3] if not (t.is_punct or t.is_space)]
    if not words or words[0].pos_ not in {"PROPN", "NOUN", "DET"}:
        return None
    head = words[0]
    while head.dep_ in {"compound", "flat", "det", "amod", "poss"} and head.head.i > head.i:
        head = head.head
    verb = head.head
    if (
        head.dep_ == "nsubj"
        and verb.i > head.i
        and verb.lemma_.lower() in SPEECH_VERBS
        and verb.pos_ in {"VERB", "AUX"}
        and "\n" not in after.doc[head.i : verb.i].text
    ):
        return verb
    return None


def quoted(spans: list[QuotedSpan], span: QuotedSpan, char: int) -> bool:
    """Return True when a character lies in this quote or in another one beside it.

    A quote that encloses ``span`` does not count: a nested quote's speaker is named inside its
    parent ('"... Assad said: 'I am fine with that' ..."').
    """
    return any(
        s.start <= char < s.end and (s is span or not s.start <= span.start < s.end) for s in spans
    )


def free_adjunct_of(verb: Token) -> Token | None:
    """Return the verb right before ', adding' / ', going on to say' that controls it.

    '"...," Sanders said, going on to say that ...': a participle clause after "said," is a free
    adjunct whose subject is the subject of "said" (English free adjuncts are controlled by the
    clause they follow); the parser often hangs it on a verb inside the next quotation instead.
    """
    doc = verb.doc
    if verb.tag_ != "VBG" or verb.i < 2 or doc[verb.i - 1].text != ",":
        return None
    said = doc[verb.i - 2]
    if (
        said.pos_ != "VERB"
        or said.i == verb.head.i
        or not any(c.dep_ in {"nsubj", "nsubjpass"} for c in said.children)
    ):
        return None
    return said


def bare_surnames(doc: Doc, full_by_last: dict[str, str]) -> list[tuple[int, str, bool]]:
    """Return subjects written as a bare surname the tagger left untagged ("Ham made it clear").

    A capitalised word that is the surname of a person the article named in full ("Norman Ham")
    is that person: news style names a person in full once, then by surname. That holds too when
    the tagger read the lone surname as a place or a body ('Jonas Feld ... / Feld, who retired
    in December, rejects that', "Feld" tagged GPE): the article itself named that word a person.
    ``full_by_last`` maps a surname key (last hyphen part, casefolded) to the fullest name.
    Returns (token index, surname, True) in text order, as ``DocPeople.subjects`` holds them.
    """
    found = []
    for token in doc:
        if token.dep_ not in {"nsubj", "nsubjpass"} or token.pos_ != "PROPN":
            continue
        if token.ent_type_ and not mistagged_surname(token, full_by_last):
            continue
        if any(c.dep_ in {"compound", "flat"} for c in token.children):
            continue  # part of a longer name the tagger did not see
        if _surname_of_full(token.text, full_by_last):
            found.append((token.i, token.text, True))
    return found


# spaCy's labels for places: a lone surname read as one is a misreading, not another name
_PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})


def _surname_of_full(word: str, full_by_last: dict[str, str]) -> bool:
    """Return True when ``word`` is the surname of a person the article named in full."""
    full = full_by_last.get(word.rsplit("-", maxsplit=1)[-1].casefold())
    return full is not None and len(full.split()) > 1 and full.split()[-1] == word


def mistagged_surname(token: Token, full_by_last: dict[str, str]) -> bool:
    """Return True for a one-word place entity that is a fully named person's surname.

    '"Jonas Feld" ... "Feld, who retired, rejects that"': the tagger's GPE on the lone word is
    wrong where the article named that word a person; a longer entity ("Port Feld") is another
    name and keeps its label. An ORG tag stays: a firm is often its founder's surname ("Ford
    said in a statement" beside a Bill Ford).
    """
    if token.ent_type_ not in _PLACE_LABELS or token.ent_iob_ != "B":
        return False
    following = token.doc[token.i + 1] if token.i + 1 < len(token.doc) else None
    if following is not None and following.ent_iob_ == "I":
        return False  # the entity runs on: a longer name
    return _surname_of_full(token.text, full_by_last)


def object_controller(verb: Token) -> Token | None:
    """Return the object that controls an infinitive: "forced Stumpf to admit that ...".

    In English object control the understood subject of the infinitive is the object of the
    verb above it ("asked him to explain", "urged them to say"); "promise" is the one common
    verb whose subject controls instead ("promised voters to ..."). General syntax, no tuning.
    """
    head = verb.head
    if verb.dep_ != "xcomp" or head.i == verb.i or head.lemma_.lower() == "promise":
        return None
    objects = [c for c in head.children if c.dep_ == "dobj" and c.i < verb.i]
    return objects[-1] if objects else None


def directed(verb: Token) -> bool:
    """Return True for an infinitive a directive asks its object to do ("urged them to say").

    "asking federal prosecutors to charge ...": the listener is asked to speak and has said
    nothing yet (issue #18 item 3), so the object is no speaker; "forced Stumpf to admit" is
    no directive and its object did speak. ``DIRECTIVE_VERBS`` is the issue's own list.
    """
    return verb.dep_ == "xcomp" and verb.head.lemma_.lower() in DIRECTIVE_VERBS


def next_to_cue(subject: Token, verb: Token) -> Token:
    """Return the name right before a cue that the parser made an appositive of the subject.

    "To understand the real Dred Scott, Chief Justice Roberts said, one should visit": the
    parser reads "Roberts" as an appositive of "Scott"; a name that runs up to the cue verb
    with no comma after it is the verb's subject (an appositive is closed by a comma:
    "Scott, the judge, said"). English punctuation, not fitted on any data set.
    """
    for child in subject.rights:
        if (
            child.dep_ == "appos"
            and child.pos_ == "PROPN"
            and child.right_edge.i == verb.i - 1
            and child.doc[child.left_edge.i - 1].text == ","
        ):
            return child
    return subject


def verb_above(prep: Token) -> Token | None:
    """Return the verb a preposition hangs on, through conjoined prepositions and adverbs."""
    token = prep
    for _ in range(4):
        if token.head.i == token.i or token.dep_ not in {"prep", "conj", "advmod", "pcomp"}:
            return None
        token = token.head
        if token.pos_ in {"VERB", "AUX"}:
            return token
    return None


# Subordinating conjunctions that the tagger also reads as prepositions ("since the war", "after
# the vote"): English closed class (Quirk et al. 1985, 14.12), not fitted on any data set.
SUBORDINATORS = frozenset(
    "after although as because before once since though until when while".split()  # noqa: SIM905
)


def stranded_subject(verb: Token) -> Token | None:
    """Return the subject of a clause the parser split at a subordinator it read as a preposition.

    "Trump has been targeting Machado since Clinton, at Monday's debate, cited ...": the parser
    makes "Clinton" the object of "since" and "cited" a conjunct of "targeting" sharing its
    subject. A conjunct verb has a coordinator ("and", "but") before it; with none, and the
    object of a subordinator between the two verbs, that noun is the subject of the second.
    """
    if verb.dep_ != "conj" or verb.pos_ != "VERB":
        return None
    between = verb.doc[verb.head.i + 1 : verb.i]
    if any(t.dep_ in {"cc", "preconj"} and t.head.i == verb.head.i for t in between):
        return None
    nouns = [
        t
        for t in between
        if t.dep_ == "pobj"
        and t.head.lower_ in SUBORDINATORS
        and t.pos_ in {"PROPN", "NOUN"}
        and t.ent_type_ not in {"DATE", "TIME"}  # "since March": a time, no speaker
    ]
    return nouns[-1] if nouns else None
