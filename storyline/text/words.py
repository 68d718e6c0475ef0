"""Words: folding, the stemmers, stop words and the abbreviations a period does not end.

One place for the word lists every corpus stage filters with. The lists are general English
(not fitted on any data set); where a stage adds words of its own (news boilerplate for
clustering, counting words for claims) it says so here, beside the base list.
"""

from __future__ import annotations

from storyline.text.calendar import MONTH_ABBREVIATIONS, MONTH_NAMES, WEEKDAY_NAMES


def words(text: str) -> frozenset[str]:
    """Return the whitespace-separated words of ``text`` as a set."""
    return frozenset(text.split())


# English function words (the NLTK list without its contractions): what carries no topic.
FUNCTION_WORDS = words(
    """
a about above after again against all am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further had
has have having he her here hers herself him himself his how i if in into is it its itself just
me more most my myself no nor not now of off on once only or other our ours ourselves out over
own same she should so some such than that the their theirs them themselves then there these
they this those through to too under until up upon very was we were what when where which while
who whom why will with would you your yours yourself yourselves
"""
)
# A broader list (scikit-learn's ENGLISH_STOP_WORDS, copied as data so that reading it loads no
# scikit-learn; tests/test_text.py holds the two equal): it also drops "find", "show", "fire",
# "bill" and numbers, which suits a similarity of whole sentences but not a term list.
BROAD_STOP_WORDS = words(
    """
a about above across after afterwards again against all almost alone along already also although
always am among amongst amoungst amount an and another any anyhow anyone anything anyway
anywhere are around as at back be became because become becomes becoming been before beforehand
behind being below beside besides between beyond bill both bottom but by call can cannot cant co
con could couldnt cry de describe detail do done down due during each eg eight either eleven
else elsewhere empty enough etc even ever every everyone everything everywhere except few
fifteen fifty fill find fire first five for former formerly forty found four from front full
further get give go had has hasnt have he hence her here hereafter hereby herein hereupon hers
herself him himself his how however hundred i ie if in inc indeed interest into is it its itself
keep last latter latterly least less ltd made many may me meanwhile might mill mine more
moreover most mostly move much must my myself name namely neither never nevertheless next nine
no nobody none noone nor not nothing now nowhere of off often on once one only onto or other
others otherwise our ours ourselves out over own part per perhaps please put rather re same see
seem seemed seeming seems serious several she should show side since sincere six sixty so some
somehow someone something sometime sometimes somewhere still such system take ten than that the
their them themselves then thence there thereafter thereby therefore therein thereupon these
they thick thin third this those though three through throughout thru thus to together too top
toward towards twelve twenty two un under until up upon us very via was we well were what
whatever when whence whenever where whereafter whereas whereby wherein whereupon wherever
whether which while whither who whoever whole whom whose why will with within without would yet
you your yours yourself yourselves
"""
)
HONORIFICS = words("mr mrs ms dr")
# The reporting verbs' own forms: in a news story they say who spoke, not what happened.
SAYING_WORDS = words("said says say saying told tell according")

# Clustering: function words, reporting and dating words of news copy (a story is not "about"
# Tuesday), and words every article uses ("new", "first").
CLUSTER_STOP_WORDS = (
    FUNCTION_WORDS
    | SAYING_WORDS
    | HONORIFICS
    | frozenset(MONTH_NAMES)
    | frozenset(WEEKDAY_NAMES)
    | words(
        "new one two three first last also however may might must shall since still though us"
        " yet per via among amid across around week today yesterday tomorrow"
    )
)
# Claims: function words, reporting words, and units of time a quantity is counted in; the
# parser's bracket tokens ("-lrb-") and clitics ("'s", "n't") of tokenised text.
CLAIM_STOP_WORDS = (
    FUNCTION_WORDS
    | HONORIFICS
    | words("said say says told according")
    | words("'s n't -lrb- -rrb- lrb rrb")
    | words("also day days week weeks year years time first last new one get got like may might")
    | words("must")
    | words("shall")
)
# The cleaner's shared-words test between a line and the article: a short list, with "may" and
# "might" (boilerplate lines are full of them: "you may also like").
CLEAN_STOP_WORDS = words(
    """a an the and or but of to in on at for with by
    from as is are was were be been it its this that these those
    he she they we you i his her their our your not no so
    if than then there has have had will would can could may might also
    more most about into over after before up out who which what when where
    how all any some such only just do does did"""
)

# Words whose trailing period does not end a sentence: titles, company suffixes, months,
# Latin and clock abbreviations. A single letter ("George W. Bush") is handled by the splitter.
ABBREVIATIONS = MONTH_ABBREVIATIONS | words(
    "mr mrs ms dr prof st gen col lt sgt capt cmdr adm gov sen rep rev hon pres sec jr sr"
    " mt ft no vs etc inc corp co ltd u.s u.k u.n e.g i.e a.m p.m"
)


# A small table of aliases that are world knowledge, not data: one term per organisation.
TERM_ALIASES = {
    "isil": "isis",
    "daesh": "isis",
    "is": "isis",
    "islamic state": "isis",
    "u.s": "us",
    "usa": "us",
    "united states": "us",
}


# Soft hyphens and zero-width characters (U+00AD, U+200B-U+200D, U+2060, U+FEFF): nothing in
# print, yet "Ilse Var\xadga" and "Ilse\u200b Varga" were two people beside "Ilse Varga". Keys
# that merge names drop them; the article text keeps them (offsets, the benchmarks' scores).
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))


def visible(text: str) -> str:
    """Return ``text`` without soft hyphens and zero-width characters (for name keys)."""
    return text.translate(_INVISIBLE)


def fold(word: str) -> str:
    """Return ``word`` case-folded, with a typographic apostrophe plain and "'s" dropped."""
    return word.casefold().replace("’", "'").removesuffix("'s")


def stem(word: str) -> str:
    """Return a crude, deterministic stem: plural, -ing, -ed and possessive folded.

    The claims' stemmer: "killed", "kills" and "killing" meet; an alias is its one name first.
    """
    word = fold(word).strip("'-")
    word = TERM_ALIASES.get(word, word)
    if len(word) > 5 and word.endswith("ing"):
        return word[:-3]
    if len(word) > 4 and word.endswith("ied"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith("ed") and not word.endswith("eed"):
        return word[:-2]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is", "as")):
        return word[:-1]
    return word


def noun_stem(word: str) -> str:
    """Return ``word`` folded with a plural ("-s", "-ies") and a possessive dropped.

    The clusterer's stem: "talks" and "talk" meet, verbs keep their tense ("used" is no "use").
    Case is kept (a name stays a name): casefold first for a term.
    """
    word = word.replace("’", "'").removesuffix("'s").strip("'-")
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is", "as")):
        return word[:-1]
    return word


def plural_stem(word: str) -> str:
    """Return ``word`` folded with a plural "s" dropped: the timeline's lighter stemmer.

    Lighter than ``stem`` on purpose: timeline sentences are matched on names and nouns, where
    "-ed"/"-ing" folding merges words that differ ("fed", "sing").
    """
    word = fold(word)
    if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    return word


def prefix_stem(word: str) -> str:
    """Return the first six letters of a lower-case word, so plural and tense forms meet.

    The coherence model's stem: its TF-IDF heads were fitted on these features.
    """
    return word.replace("’", "'").split("'")[0][:6]
