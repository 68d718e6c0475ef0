"""Frame checks: whether a cue with its complement reports a statement at all.

Issue #18 "what counts as reported speech": negated and interrogative frames, cues under a
modal, bare noun-phrase objects of verbs that are no speech verbs, directive infinitives and
countries acting report nothing. Also the lemma a cue is looked up by, and the shapes a
cue's complement takes (a finite clause, an object with its predicate, a survey it is in).
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from storyline.text.cues import (
    AS_VERBS,
    CONTENT_OBJECT_VERBS,
    DIRECTIVE_VERBS,
    INTENT_VERBS,
    NEGATIVE_IMPLICATIVES,
    NON_IMPLICATIVES,
    OBJECT_VERBS,
    PHRASAL_CUES,
    PREDICATIVE_VERBS,
    REPORT_VERBS,
    SOURCE_NOUNS,
    SPEECH_VERBS,
    TOPIC_VERBS,
)

if TYPE_CHECKING:
    from spacy.tokens import Token


# "could not resist pointing out", "did not hesitate to say": a negated verb of holding back
# asserts its complement (negative implicatives, general English; not fitted on any data set).
HOLD_BACK = frozenset({"resist", "hesitate", "fail"})


def negated(verb: Token) -> bool:
    """Return True for "did not make clear", "never said": a frame that reports no statement.

    A negated verb governs a complement that follows it ("did not say that ..."); a reporting
    clause before it ("X pointed out that ..., so thousands do not ...") is outside its scope.
    """
    if any(c.dep_ == "neg" for c in verb.children):
        return True
    if _implied_not(verb):
        return True
    head = verb.head
    return (
        verb.dep_ in {"xcomp", "ccomp"}
        and verb.i > head.i
        and head.lemma_.lower() not in HOLD_BACK
        and any(c.dep_ == "neg" for c in head.children)
    )


def _implied_not(verb: Token) -> bool:
    """Return True for "declined to declare", "refuses to release ... or explain", "needs to tell".

    The infinitive (or a verb coordinated with it) of a negative implicative did not happen, and
    that of a verb of attempt or need has not happened yet; "did not refuse to say" (the
    implicative itself negated) is left to the negation rule.
    """
    node = verb
    while node.dep_ in {"xcomp", "conj"} and node.head.i != node.i:
        edge, node = node.dep_, node.head
        if edge == "conj" and not _bare_conjunct(verb, node):
            continue  # "wants lower rates and suggests that ...": a conjunct, not under it
        if node.lemma_.lower() in NEGATIVE_IMPLICATIVES:
            return not any(c.dep_ == "neg" for c in node.children)
        if node.lemma_.lower() in NON_IMPLICATIVES:
            return True  # "needs to tell the truth", "tried to talk to": not done yet
    return False


def _bare_conjunct(verb: Token, node: Token) -> bool:
    """Return True for "declined to threaten Moscow or declare it responsible".

    A bare form (tagged VB, or VBP by a tagger that cannot tell them apart) without a subject
    of its own cannot be coordinated with a past or third-person verb (English syntax), so the
    parser's conjunct of the finite verb belongs to its infinitive.
    """
    return (
        verb.tag_ in {"VB", "VBP"}
        and node.tag_ in {"VBD", "VBZ"}
        and not any(c.dep_ in {"nsubj", "nsubjpass"} for c in verb.children)
    )


def other_verb(verb: Token) -> bool:
    """Return True for a cue whose particle makes it another verb ("show up", "called in to").

    A particle is part of the verb (English syntax): only the phrasal verbs of saying in
    PHRASAL_CUES stay cues.
    """
    return any(
        c.dep_ == "prt" and (verb.lemma_.lower(), c.lower_) not in PHRASAL_CUES
        for c in verb.children
    )


# English indefinite pronouns (a closed class) that head "everything X says".
_INDEFINITE = frozenset(
    "all anything everything nothing something whatever".split()  # noqa: SIM905
)
# Relative words whose role in the relative clause shows what the clause is missing.
_RELATIVE_TAGS = frozenset({"WDT", "WP", "WP$", "WRB"})


def gapped(verb: Token) -> bool:
    """Return True for a cue in a relative clause whose gap is what was said.

    "Everything Trump says is a lie", "the things that he said": the noun the clause modifies is
    the cue's object, so the words after the cue are no statement of the subject's (English
    syntax; not fitted). "the study, which notes that ..." (the relative word is the
    subject) and "tweets in which he called ..." (an adjunct) keep their cue.
    """
    subject = next((c for c in verb.children if c.dep_ in {"nsubj", "nsubjpass"}), None)
    if subject is None:
        return False
    if subject.pos_ == "PROPN" and any(
        c.dep_ in {"compound", "nmod", "det"} and c.lower_ in _INDEFINITE for c in subject.lefts
    ):
        # "Everything Trump says is ...": a pronoun cannot modify a name, so the parser's noun
        # phrase is a relative clause whose gap, the pronoun, is the cue's object
        return True
    if verb.dep_ != "relcl" or subject.tag_ in _RELATIVE_TAGS:
        return False
    rel = next((t for t in verb.subtree if t.tag_ in _RELATIVE_TAGS and t.i < verb.i), None)
    if rel is None:  # reduced ("Everything Trump says"): the gap is the object unless a clause
        return not any(c.dep_ in {"ccomp", "xcomp", "dobj"} for c in verb.children)
    return rel.dep_ == "dobj" and rel.head.i == verb.i


def is_time(prep: Token) -> bool:
    """Return True for "for about five minutes": a duration, not what was said.

    The phrase's own object is the time; a time inside a clause the phrase holds ("accusing
    her of being asleep when late-night calls came in") leaves it a statement.
    """
    obj = next((c for c in prep.children if c.dep_ in {"pobj", "pcomp"}), None)
    return obj is not None and obj.ent_type_ in {"TIME", "DATE"}


WH = frozenset({"whether", "if", "which", "what", "who", "whom", "how", "why", "when", "where"})
# Verbs whose embedded question is a question asked, not an answer given.
ASKING = frozenset({"ask", "wonder", "inquire", "enquire"})
# Verbs of doubt: "questioned whether X was prepared", "doubts how he could": the embedded
# question states the speaker's doubt about its answer, a stance like "doubted that X was"
# (a closed class of English dubitative verbs; not fitted on any data set).
DOUBTING = frozenset({"doubt", "question"})
# Words that open an embedded question even without a parse ("if", "when" open conditions).
QUESTION_WORDS = WH - {"if", "when", "where"}


def question(clause: Token) -> bool:
    """Return True for an embedded question ("asked whether", "which groups he meant")."""
    first = clause.left_edge
    return first.lower_ in WH and first.i < clause.i


def unreal(verb: Token) -> bool:
    """Return True for a cue under a modal ("would show", "could argue"): nothing said yet."""
    return verb.tag_ == "VB" and any(
        c.dep_ in {"aux", "auxpass"} and c.tag_ == "MD" for c in verb.children
    )


def states(verb: Token, head: Token) -> bool:
    """Return False when a stance verb's complement reports no statement.

    Issue #18 "what counts as reported speech": a bare noun phrase object of a verb that is
    not a speech verb ("condemning Western nations", "discuss a political solution"), the
    infinitive of a directive with its own object ("urging them to unite"), and a country
    acting rather than speaking ("France and Russia agreed to intensify their strikes").
    """
    lemma = cue_lemma(verb)
    rights = [c for c in verb.rights if c.dep_ in {"dobj", "xcomp", "oprd", "prep", "dative"}]
    deps = {c.dep_ for c in rights}
    obj = next((c for c in rights if c.dep_ == "dobj"), None)
    # "offered no proof", "cited no source": an object under "no" is a negated frame
    if obj is not None and any(c.dep_ == "det" and c.lower_ == "no" for c in obj.children):
        return False
    if deps == {"dobj"} and lemma not in SPEECH_VERBS | CONTENT_OBJECT_VERBS:
        obj = next(c for c in rights if c.dep_ == "dobj")
        # a relative clause ("a solution, which is ...") leaves the object a noun phrase
        if obj.pos_ not in {"VERB", "AUX"} and not any(
            c.dep_ in {"ccomp", "xcomp", "acl"} for c in obj.children
        ):
            return False
    xcomp = next((c for c in rights if c.dep_ == "xcomp"), None)
    if lemma in NEGATIVE_IMPLICATIVES and xcomp is not None and cue_lemma(xcomp) in REPORT_VERBS:
        return False  # "declined to explain how ...": a refusal to say says nothing
    if "xcomp" in deps and deps & {"dobj", "dative"} and lemma in DIRECTIVE_VERBS:
        return False
    if deps == {"xcomp"} and lemma in INTENT_VERBS:
        return False  # "plans to raise taxes": an intention, not something said
    return not (head.ent_type_ == "GPE" and "xcomp" in deps)


_KNOWN = REPORT_VERBS | OBJECT_VERBS | AS_VERBS | PREDICATIVE_VERBS | frozenset(TOPIC_VERBS)


def cue_lemma(token: Token) -> str:
    """Return the lemma a verb is looked up by in the cue lists.

    The tagger's lemmatiser misreads some inflected cues ("hoping", "hopes" -> "hop",
    "lambasting" -> "lambast"); when its lemma is no cue, the regular English stem of the
    written form ("-ing", "-ed", "-s" with or without a final "e") that is one is used instead.
    """
    if token.pos_ not in {"VERB", "NOUN"}:
        return token.lemma_.lower()
    return _lookup(token.lemma_, token.lower_)


@cache
def _lookup(lemma: str, form: str) -> str:
    """Return the cue lemma of a verb or noun form (cached: the same words recur)."""
    lemma = lemma.lower()
    if lemma in _KNOWN:
        return lemma
    return next((s for s in _stems(form) if s in _KNOWN), lemma)


def _stems(form: str) -> list[str]:
    """Return the candidate stems of a regular inflected English verb form."""
    out: list[str] = []
    for suffix in ("ing", "ed", "es", "s"):
        if form.endswith(suffix) and len(form) > len(suffix) + 2:
            stem = form[: -len(suffix)]
            out += [stem, stem + "e"]
            if stem[-1] == stem[-2]:  # "admitting" -> "admit"
                out.append(stem[:-1])
            if stem.endswith("i"):  # "denied" -> "deny"
                out.append(stem[:-1] + "y")
    return out


def verb_as_noun(token: Token) -> bool:
    """Return True for a present-tense cue the tagger read as a plural noun ("Trump claims that").

    A sentence needs a verb: a root "-s" word with a clausal complement of its own is the verb
    of its sentence whatever its tag (English syntax; not fitted on any data set).
    """
    return (
        token.pos_ in {"NOUN", "PROPN"}
        and token.dep_ == "ROOT"
        and token.lower_.endswith("s")
        and cue_lemma(token) in REPORT_VERBS
        and any(c.dep_ == "ccomp" or that_clause(c) for c in token.children)
    )


def that_clause(token: Token) -> bool:
    """Return True for a "that" clause the parser hung on a noun as a clause of its own (acl).

    "Trump charges that countries ... donated": on a verb read as a noun, the marked clause is
    its complement, not a relative clause (a relative "that" is a subject or object, no mark).
    """
    return token.dep_ == "acl" and any(
        c.dep_ == "mark" and c.lower_ == "that" for c in token.children
    )


def finite_clause(verb: Token) -> Token | None:
    """Return the verb's clausal complement with a subject of its own, after the verb.

    "thinks the polls are rigged", "knew that he lied": a stance; "thinks so", "knows how to
    win", "wondered whether" have no such clause (English syntax; not fitted on any data set).
    """
    return next(
        (
            c
            for c in verb.rights
            if c.dep_ == "ccomp"
            and c.left_edge.lower_ not in QUESTION_WORDS | {"if", "how", "when", "where"}
            and any(g.dep_ in {"nsubj", "nsubjpass", "expl"} and g.i < c.i for g in c.children)
        ),
        None,
    )


def source_noun(prep: Token) -> Token | None:
    """Return the survey an "in" phrase names ("in this poll", "in a new study"), else None."""
    obj = next((c for c in prep.children if c.dep_ == "pobj"), None)
    if obj is None or obj.pos_ != "NOUN" or obj.lemma_.lower() not in SOURCE_NOUNS:
        return None
    return obj


def predicative(verb: Token) -> bool:
    """Return True for a verb of judging with an object and its predicate.

    "sees the program as a way in", "judged America a paper tiger" (object and predicate),
    "did not consider Mr. Clarke an option" (parsed as a verbless clause): the pair is a
    proposition the subject holds, not a bare noun phrase (English syntax; not fitted).
    """
    if cue_lemma(verb) not in PREDICATIVE_VERBS:
        return False
    kids = list(verb.rights)
    if any(c.dep_ == "dobj" for c in kids):
        return any(c.dep_ == "oprd" or (c.dep_ == "prep" and c.lower_ == "as") for c in kids)
    return any(
        c.dep_ == "ccomp"
        and c.pos_ in {"NOUN", "ADJ", "PROPN"}
        and any(g.dep_ == "nsubj" for g in c.children)
        for c in kids
    )


# Subordinators of contrast: a clause they open is set against the one before, not inside it
# (general English; not fitted on any data set).
_CONTRAST = frozenset({"though", "although", "while", "whereas"})


def own_report(clause: Token) -> list[Token]:
    """Return a clause's tokens up to a coordinated report of its own.

    "what Trump says his plan would do and how experts say it would shape tax law": the second
    conjunct has its own speaker and clause, a report of its own found from its own verb. So has
    a contrasting clause ("... in private work, though she noted clients are beginning to ...":
    a second statement set against the first, not part of it).
    """
    cut = next(
        (
            c
            for c in clause.rights
            if (
                c.dep_ in {"conj", "parataxis"}
                or (c.dep_ == "advcl" and any(g.lower_ in _CONTRAST for g in c.lefts))
            )
            and cue_lemma(c) in REPORT_VERBS
            and any(g.dep_ == "nsubj" for g in c.children)
            and any(g.dep_ == "ccomp" for g in c.children)
        ),
        None,
    )
    if cut is None:
        return list(clause.subtree)
    kept = [t for t in clause.subtree if t.i < cut.left_edge.i]
    while kept and (kept[-1].dep_ == "cc" or kept[-1].is_punct):
        kept.pop()  # "... would do and": the conjunction belongs to the next report
    return kept


def loose_clause(verb: Token) -> list[Token]:
    """Return the complement the parser hung on a speech verb as an adverbial clause.

    "Trump said after the convention he would not accept ...": an adverb or time phrase
    between the verb and its complement makes the parser read the clause as "advcl"; a finite
    clause with its own subject and no subordinator ("because", "when") after a speech verb is
    what was said (general English syntax; not fitted on any data set).
    """
    if cue_lemma(verb) not in SPEECH_VERBS:
        return []
    return [
        c
        for c in verb.rights
        if c.dep_ == "advcl"
        and c.pos_ in {"VERB", "AUX"}
        and any(g.dep_ in {"nsubj", "nsubjpass"} and g.i < c.i for g in c.children)
        and not any(g.dep_ in {"mark", "advmod"} and g.i < c.i for g in c.children)
    ]


def reason_clause(verb: Token, clause: Token) -> list[Token]:
    """Return a "because ..." clause that the parser hung on the verb right after its complement.

    "said that claim smacked of hypocrisy, because Democrats have ...": the reason is part of
    what was said, the parser's attachment to "said" notwithstanding.
    """
    end = clause.right_edge.i
    for child in verb.rights:
        if (
            child.dep_ == "advcl"
            and child.left_edge.i in {end + 1, end + 2}
            and any(c.dep_ == "mark" and c.lower_ in {"because", "since"} for c in child.children)
        ):
            return list(child.subtree)
    return []


def marked_that(verb: Token) -> bool:
    """Return True when a verb opens a "that" clause (it is reported, not reporting)."""
    return any(c.dep_ == "mark" and c.lower_ == "that" for c in verb.children)


def inverted_host(verb: Token) -> tuple[Token, Token] | None:
    """Return (cue clause, "that" clause) when the parser hung the cue's clause on its complement.

    "The nominee continues to insist, most recently in an interview, that he wants ...": a comma
    phrase between the verb and "that" makes the parser read the cue clause as a complement of
    the clause after it. A "that" clause after the cue, holding the cue's clause, is what was said.
    """
    if any(c.dep_ == "xcomp" and cue_lemma(c) in REPORT_VERBS for c in verb.children):
        return None  # "continues to insist": the inner verb is the cue
    top = verb
    while top.dep_ in {"xcomp", "conj"} and top.head.i != top.i:
        top = top.head
    host = top.head
    if top.dep_ != "ccomp" or host.i <= verb.i or not marked_that(host):
        return None
    return top, host


def coordinated_objects(verb: Token) -> list[Token]:
    """Return noun phrases coordinated with the verb's object that the parser hung on the verb.

    "emphasizing economic fairness, and a need to raise the minimum wage": a noun cannot be a
    conjunct of a verb, so a nominal ``conj`` of the cue is a second object (English syntax;
    not fitted on any data set). Verbal conjuncts ("and warned ...") are clauses of their own.
    """
    return [
        c
        for c in verb.rights
        if c.dep_ == "conj"
        and c.pos_ in {"NOUN", "PROPN"}
        and not any(g.dep_ in {"nsubj", "nsubjpass"} for g in c.children)
    ]


def without_glosses(tokens: list[Token]) -> list[Token]:
    """Return an object's tokens without its non-restrictive relative clauses.

    "cited criticism of Matt Lauer, who took heat for ...": the clause after the comma is the
    writer's gloss on the object, not part of what the speaker cited.
    """
    drop: set[int] = set()
    for t in tokens:
        comma = t.left_edge.i - 1
        if t.dep_ == "relcl" and t.head.i < comma and t.doc[comma].text == ",":
            drop |= {u.i for u in t.subtree} | {comma}
    if not drop:
        return tokens
    kept = [t for t in tokens if t.i not in drop]
    return kept if sum(t.is_alpha for t in kept) >= 2 else tokens


# "made clear", "made it plain": the light verb "make" with an adjective of evidence is a verb of
# saying ("stated"), its clause what was said (English idiom; not fitted on any data set).
_MADE = frozenset({"clear", "plain"})


def made_clear(verb: Token) -> list[Token]:
    """Return the clause of "Ham made it clear he had misgivings", else an empty list.

    The clause is the verb with a subject of its own after the adjective, whichever of "make"
    or the adjective the parser hung it on; the adjective and "it" are the cue's, not the
    content. An embedded question ("did not make it clear which groups ...") is no statement.
    """
    if verb.lemma_.lower() != "make" or verb.pos_ != "VERB":
        return []
    doc = verb.doc
    nxt = [t for t in doc[verb.i + 1 : verb.i + 3] if not t.is_space]
    adj = nxt[0] if nxt and nxt[0].lower_ in _MADE else None
    if adj is None and len(nxt) == 2 and nxt[0].lower_ == "it" and nxt[1].lower_ in _MADE:
        adj = nxt[1]
    if adj is None:
        return []
    clause = next(
        (
            t
            for t in doc[adj.i + 1 : verb.sent.end]
            if t.dep_ in {"ccomp", "advcl"}
            and t.head.i in {verb.i, adj.i}
            and any(c.dep_ in {"nsubj", "nsubjpass", "expl"} for c in t.children)
        ),
        None,
    )
    if clause is None or question(clause):
        return []
    tokens = [t for t in clause.subtree if t.i > adj.i]
    if tokens and tokens[0].lower_ == "that":
        tokens = tokens[1:] if tokens[0].dep_ == "mark" else tokens
    return tokens


def run_on(cue: Token, tokens: list[Token]) -> list[Token]:
    """Return the rest of a sentence the parser cut off without punctuation, else nothing.

    "Clinton cited disparaging remarks Trump had made about Machado as examples ...": a
    sentence of edited prose ends with a stop mark, so a "sentence" that ends on a word inside
    a paragraph is cut by the parser (here before a reduced relative clause), and content that
    reaches that cut goes on to the end of the next one (English orthography; not fitted).
    """
    sent = cue.sent
    last = sent[-1]
    doc = cue.doc
    if (
        not tokens
        or max(t.i for t in tokens) != last.i
        or last.is_punct
        or sent.end >= len(doc)
        or "\n" in doc[last.i : sent.end + 1].text_with_ws
    ):
        return []
    return [t for t in doc[sent.end].sent if not t.is_space]
