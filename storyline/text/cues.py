"""Cue words: the verbs, nouns and adjectives that introduce a reported statement.

General English reporting vocabulary; the weak list drops verbs whose complement was mostly not
a statement on the PolNeAR dev split ("think", "support").
"""

from __future__ import annotations

# Verbs that introduce a direct quote or a reported statement.
SPEECH_VERBS = frozenset(
    "accuse acknowledge add admit advise agree allege announce answer argue ask assert assure "  # noqa: SIM905
    "believe blast boast call caution chant charge claim comment complain concede conclude "
    "confirm contend continue counter criticise criticize declare demand deny describe emphasise "
    "emphasize estimate exclaim explain feel hope inform insist instruct interject joke lament "
    "maintain mention muse note observe order pledge point post praise predict promise propose "
    "quip reassure recall recount reiterate remark repeat reply report respond retort say scream "
    "shout slam state stress suggest tell testify thank think tout tweet underscore urge vow warn "
    "whisper wonder worry write yell".split()
)

# VerbNet 3.4 (Kipper Schuler et al.; Levin 1993 ch. 37) verbs of communication missing above:
# members of say-37.7, complain-37.8 and confess-37.10 that take a that-clause or a quote, and
# of advise-37.9 that take a recipient and a that-clause (clause only: "alerted police" is no
# statement). Left out: slang and colloquial members (blab, bellyache, crab, kvetch, go, be_like),
# members whose object is a thing handed over (leak, promulgate, volunteer, interpose), "relate"
# ("relate to") and the directive "encourage". Chosen from the classes, not fitted on any data.
VERBNET_SPEECH = frozenset(
    "articulate blurt confess convey divulge gripe grumble insinuate moan object utter "  # noqa: SIM905
    "whine".split()
)
VERBNET_CLAUSE = frozenset(
    "admonish alert brief counsel intimate notify".split()  # noqa: SIM905
)
SPEECH_VERBS = SPEECH_VERBS | VERBNET_SPEECH

# Verbs whose clausal complement is a reported statement or stance.
REPORT_VERBS = (
    SPEECH_VERBS
    | VERBNET_CLAUSE
    | frozenset(
        "anticipate assume decide disclose doubt expect fear find forecast guess hear hint imagine "  # noqa: SIM905
        "indicate know learn project read realise realize recognise recognize reveal show signal "
        "suspect understand brag caution clarify concur confide opine posit proclaim reckon rule "
        "speculate surmise swear theorize".split()
    )
)

# Stance verbs whose object or infinitive is the content ("called for X").
OBJECT_VERBS = frozenset(
    "accuse acknowledge agree announce applaud ask attack blame blast call cite compare "  # noqa: SIM905
    "condemn criticise detail echo express liken promote refer "
    "criticize decline defend demand deny describe discuss dismiss endorse highlight mention note "
    "oppose plan pledge praise predict promise propose question recommend refuse reject say show "
    "slam suggest support tell threaten tout unveil urge vow want welcome "
    "admit brand challenge characterize characterise charge decide decry denounce deride "
    "dispute document dub emphasize emphasise hail identify intend invoke label lambaste laud "
    "mock offer paint portray recall reference reveal ridicule stress view warn".split()
)

# Verbs whose complement is mostly not a statement.
WEAK_CUES = frozenset(
    "know refuse support think".split()  # noqa: SIM905
)

# Verbs of belief and knowing that report a stance only with a finite clause of their own
# ("Trump thinks the polls are rigged"; not "thinks so", "knows the past", "I think"): the
# clause-taking members of VerbNet 3.4 conjecture-29.5 (subclasses -1 and -2) not listed above,
# and the verbs of FrameNet 1.7's Opinion and Awareness frames (Levin 1993, 29.4-29.5). Left
# out: members whose clause is mostly no stance ("allow", "mean", "hold", "grant"). Chosen from
# the classes and frames, not fitted on any data set; "know" and "think" are weak cues above
# and count here only with such a clause.
CLAUSE_CUES = frozenset(
    "conjecture discover foresee foretell guarantee infer know prophesy suppose presume "  # noqa: SIM905
    "think".split()
)

# "we are convinced this is ...": adjectives of stance with a clause.
CUE_ADJECTIVES = frozenset(
    "adamant afraid aware certain clear concerned confident convinced hopeful optimistic "  # noqa: SIM905
    "skeptical sure worried".split()
)

# "Clinton's claim that ...": nouns of saying with a that-clause.
CUE_NOUNS = frozenset(
    "accusation acknowledgement acknowledgment admission allegation announcement argument "  # noqa: SIM905
    "assertion belief charge claim comment concern conclusion contention emphasis fear hope "
    "insistence pledge prediction promise remark statement suggestion view warning "
    # FrameNet 1.7 Statement frame nouns not above (chosen from the frame, not fitted)
    "confirmation declaration denial explanation pronouncement report".split()
)

# "sees the program as an easy way in", "judged America a paper tiger", "cast himself as a
# champion": verbs of VerbNet 3.4 characterize-29.2 (and its subclasses) and consider-29.9 whose
# object with an "as" phrase or a predicate states a judgment of the subject's. Count only in
# that frame ("saw the film" says nothing). Left out: members whose frame is a choice or an act
# rather than a stance (adopt, select, take, treat, count, rank, certify, diagnose, stamp) and
# "represent" ("represented Clinton as her lawyer" is acting for her).
# Chosen from the classes, not fitted on any data set.
PREDICATIVE_VERBS = frozenset(
    "bill cast characterize conceive consider depict describe envisage envision hail "  # noqa: SIM905
    "identify imagine interpret judge paint perceive picture portray praise recast "
    "regard see stereotype typecast view visualize".split()
)

# "In this poll, Trump rose 1 point": a clause sourced by the survey it is "in" (like "according
# to"), the survey being the source. Nouns of a survey only: "in a statement" or "in a letter"
# come with the writer as the clause's subject, who is no record. General English; chosen by
# meaning, not fitted on any data set.
SOURCE_NOUNS = frozenset({"poll", "survey", "study"})

# "as Z put it", "as Z pointed out": verbs that cue the clause around an "as" phrase.
AS_VERBS = SPEECH_VERBS | frozenset({"put", "point"})

# "spoke of his flights", "talked about taxes": verbs whose content is only their topic phrase.
TOPIC_VERBS = {
    "speak": frozenset({"of", "about", "against"}),
    "talk": frozenset({"of", "about"}),
}

# "her decision to meet him": nouns of intent whose infinitive is the stance.
INTENT_NOUNS = frozenset(
    "decision determination pledge promise refusal threat vow".split()  # noqa: SIM905
)

# "urged them to unite": verbs whose object-plus-infinitive is an instruction, not a statement
# (general English, from the definition; not fitted on any data set).
DIRECTIVE_VERBS = frozenset(
    "advise ask beg call command direct encourage implore instruct invite order press "  # noqa: SIM905
    "push request tell urge warn".split()
)

# "Trump was told by aides ...", "officials were warned by ...": verbs whose object is the one
# addressed, so their passive subject is a listener, not what was said: VerbNet 3.4 advise-37.9
# and tell-37.2, with the directives above (chosen from the classes, not fitted on any data set).
RECIPIENT_VERBS = DIRECTIVE_VERBS | frozenset(
    "admonish advise alert apprise assure brief caution counsel enlighten inform instruct "  # noqa: SIM905
    "notify reassure remind tell update warn".split()
)

# "cited the figures", "expressed concern", "disputed the account": verbs whose object names
# what was said (an utterance or proposition), unlike a target ("condemned Western nations") or a
# topic ("discussed a solution"); "the poll showed a close race" reports a finding. Chosen by
# meaning in general English, then checked on the PolNeAR dev split (70 of 95 objects the
# bare-noun rule dropped there were gold content).
CONTENT_OBJECT_VERBS = frozenset(
    "cite detail dispute document echo express highlight invoke offer question recall reference "  # noqa: SIM905
    "reject reveal show unveil voice".split()
)

# "issued a statement calling the test a violation", "at a news conference announcing that ...":
# nouns of a text or a spoken event whose participle clause reports what its author said; the
# author is the one who issued, sent or spoke at it. Nouns of FrameNet 1.7's Text, Statement and
# Speak_on_topic frames that name a thing issued (chosen from the frames, not fitted on any data
# set); "interview" and "video" are left out (the subject may be the interviewer or the filmed).
DOCUMENT_NOUNS = frozenset(
    "ad address advertisement briefing column communique conference editorial email filing "  # noqa: SIM905
    "letter memo memorandum message motion paper petition post posting release remarks report "
    "resolution speech statement tweet".split()
)

# "show up", "called in to a town hall": a verb with a particle is another verb. These are the
# phrasal verbs of saying and judging that stay cues (general English, chosen by meaning from
# the verbs above; not fitted on any data set): "pointed out that", "spoke out about",
# "called on X to", "laid out a plan", "hit back at", "ruled out a run".
PHRASAL_CUES = frozenset(
    {
        ("call", "on"),
        ("call", "out"),
        ("chime", "in"),
        ("cry", "out"),
        ("fire", "back"),
        ("hit", "back"),
        ("lash", "out"),
        ("lay", "out"),
        ("play", "down"),
        ("point", "out"),
        ("rule", "out"),
        ("shoot", "back"),
        ("speak", "out"),
        ("speak", "up"),
        ("spell", "out"),
        ("sum", "up"),
        ("talk", "up"),
        ("weigh", "in"),
        ("write", "back"),
    }
)

# Negative implicatives (Karttunen 1971 "Implicative verbs"; the "-" / "+-" verbs of Nairn,
# Condoravdi and Karttunen 2006): "declined to declare", "refuses to explain" assert that the
# infinitive did not happen, so a cue under one reports nothing. From the lexicon, not fitted.
NEGATIVE_IMPLICATIVES = frozenset(
    "avoid decline fail forget neglect refrain refuse".split()  # noqa: SIM905
)

# Verbs of attempt, need and intention whose infinitive is not entailed (Karttunen 1971's
# non-implicative verbs): "needs to tell the truth", "tried to talk to", "hopes to explain"
# report nothing said yet. From the lexicon's class, not fitted on any data set.
NON_IMPLICATIVES = frozenset(
    "aim attempt hope intend need plan seek try want wish".split()  # noqa: SIM905
)

# "plans to raise taxes", "wants to see": intentions, not statements. Their infinitive-only
# readings were right 23% (plan), 43% (want) of the time on the PolNeAR dev split.
INTENT_VERBS = frozenset({"plan", "want", "intend", "decide"})

# Verbs whose past or present form marks a sentence or a line as reported speech ("the Kremlin
# said Wednesday", "she warned"): the union of the lists the timeline's events, the cleaner and
# the quality checks each kept before (general English; each is in SPEECH_VERBS or REPORT_VERBS).
REPORTING_LEMMAS = frozenset(
    "accuse add announce argue ask claim confirm declare explain insist note report reveal say "  # noqa: SIM905
    "state suggest tell tweet urge warn write".split()
)
_IRREGULAR_PAST = {"say": "said", "tell": "told", "write": "wrote"}


def past_forms(lemmas: frozenset[str]) -> frozenset[str]:
    """Return the past forms of ``lemmas`` ("said", "warned", "denied").

    Present forms are left out: "claims", "reports", "notes", "states" are plural nouns as often.
    """
    forms: set[str] = set()
    for lemma in lemmas:
        if lemma in _IRREGULAR_PAST:
            forms.add(_IRREGULAR_PAST[lemma])
        elif lemma.endswith("e"):
            forms.add(lemma + "d")
        elif lemma.endswith("y") and lemma[-2] not in "aeiou":
            forms.add(lemma[:-1] + "ied")
        else:
            forms.add(lemma + "ed")
    return frozenset(forms)


# "officials say", "she says", "sources tell": present forms of the two verbs that are no noun.
REPORTING_FORMS = past_forms(REPORTING_LEMMAS) | {"say", "says", "tells"}
# An alternation of REPORTING_FORMS, longest first, for a regex between word boundaries.
REPORTING_PATTERN = "|".join(sorted(REPORTING_FORMS, key=lambda w: (-len(w), w)))
