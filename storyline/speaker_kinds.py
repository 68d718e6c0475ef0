"""What kind of source a quote's speaker is: a person, an organisation, an outlet or a place.

News attributes words to whoever the article names, and that is often not a person: "Moscow
said ..." (a city standing for its government), "the Daily Express reported ..." (an outlet).
The attribution stays as written; its kind is added so that a "who said what" list never
presents an outlet or a city as a person. The kind comes from what the article itself says:

- an outlet: the speaker is the article's own publisher (as named or as written: NER may
  read an outlet named after a person as PERSON), or, unless the article labels it PERSON,
  another stored article's outlet by its full name (never a surname: "Fiona Hill" is not The
  Hill), or an ORG whose name ends like a newspaper's ("Daily Express", "Evening Times":
  ``titles.OUTLET_WORD_RE``, the pattern titles trim outlets with);
- else the NER label of the speaker's entity, or of a mention of the article that names it:
  PERSON a person, GPE/LOC/FAC a place (its government speaking), ORG/NORP an organisation.

No name list fitted on the seeds: ``_SHARED_WORDS`` is chosen by what the words mean. A
speaker the article never labels stays of unknown kind (None), as an unattributed quote has no
speaker, whatever words its name holds ("press secretary Karine Jean-Pierre").
"""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING, Literal

from storyline.text.words import visible
from storyline.titles import OUTLET_WORD_RE

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable

SpeakerKind = Literal["person", "organisation", "outlet", "place"]

_PLACE_LABELS = frozenset(("GPE", "LOC", "FAC"))
_GROUP_LABELS = frozenset(("ORG", "NORP"))
# "the Daily Express" names the Daily Express: a leading article is not part of the name
_LEADING_RE = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
# the titles' pattern from a word's start to the name's end: "Evening Times" is shaped like a
# newspaper, "Sometimes Group" and "Post Office" are not (a name's head is its last word)
_OUTLET_END_RE = re.compile(rf"\b(?P<word>{OUTLET_WORD_RE.pattern})$", re.IGNORECASE)
# Words as often the head of a postal, transport or card company's name as of a paper's
# ("Royal Mail", "Canada Post", "American Express"): a newspaper's only after another of its
# words ("Daily Mail", "Daily Express"); others come from the outlet metadata. Chosen by what
# the words mean, not fitted on any data.
_SHARED_WORDS = frozenset(("mail", "post", "express"))

# How a page shows each kind next to the speaker's name.
KIND_LABELS: dict[str, str] = {
    "person": "person",
    "organisation": "organisation",
    "outlet": "news outlet",
    "place": "place (its government)",
}


def majority_kind(kinds: Iterable[str | None]) -> str | None:
    """Return the kind most of a speaker's quotes were given (a tie: the first), None if none.

    One name is mostly one kind, but each quote's kind comes from its own article's labels:
    every list of a speaker's quotes shows the kind most of them were given.
    """
    found = Counter(k for k in kinds if k)
    return found.most_common(1)[0][0] if found else None


def name_key(name: str | None) -> str:
    """Return a name as speakers and outlets are compared: no article, spaces folded, casefolded."""
    return _LEADING_RE.sub("", " ".join(visible(name or "").split())).casefold()


def speaker_kind(
    speaker: str | None,
    speaker_text: str | None,
    *,
    label: str | None,
    outlet: str | None = None,
    outlets: Collection[str] = (),
) -> SpeakerKind | None:
    """Return the kind of a quote's speaker, None when it has none or the article never says.

    Args:
        speaker: the canonical speaker name (None: unattributed).
        speaker_text: the speaker as written.
        label: the NER label of the speaker's entity or of the article's mention naming it.
        outlet: the article's own outlet (its metadata).
        outlets: keys (``name_key``) of every outlet the store knows.

    >>> speaker_kind("Moscow", "Moscow", label="GPE")
    'place'
    >>> speaker_kind("Daily Express", "the Daily Express", label="ORG")
    'outlet'
    >>> speaker_kind("Anna Berg", "Berg", label="PERSON", outlet="Tarn Post")
    'person'
    """
    if speaker is None:
        return None
    full = name_key(speaker)
    own = name_key(outlet)
    if own and own in {full, name_key(speaker_text)}:
        return "outlet"
    if label == "PERSON":
        return "person"
    if full in outlets:
        return "outlet"
    if label in _PLACE_LABELS:
        return "place"
    if label == "ORG" and _newspaper_shaped(full):
        return "outlet"
    return "organisation" if label in _GROUP_LABELS else None


def _newspaper_shaped(key: str) -> bool:
    """Return whether a name (``name_key``) ends with a newspaper's word ("Evening Times")."""
    end = _OUTLET_END_RE.search(key)
    if end is None:
        return False
    word = end.group("word").casefold()
    before = key[: end.start("word")].split()
    return word not in _SHARED_WORDS or any(OUTLET_WORD_RE.fullmatch(w) for w in before)
