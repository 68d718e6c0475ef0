"""Calendar words: month and weekday names, their numbers and the regexes that find them.

General English; not fitted on any data set. Every stage that reads a month or a weekday name
takes it from here, so timex, dates, claims, clustering and timelines agree on what one is.
"""

from __future__ import annotations


def _names(text: str) -> tuple[str, ...]:
    return tuple(text.split())


MONTH_NAMES = _names(
    "january february march april may june july august september october november december"
)
WEEKDAY_NAMES = _names("monday tuesday wednesday thursday friday saturday sunday")
# "Sept." beside the three-letter forms; "may" is a month and a verb, so it is no abbreviation.
MONTH_ABBREVIATIONS = frozenset(_names("jan feb mar apr jun jul aug sep sept oct nov dec"))

# The first three letters of a month name (or abbreviation) to its number, 1-12.
MONTH_NUMBERS = {name[:3]: number for number, name in enumerate(MONTH_NAMES, 1)}
# A weekday name to its ISO index from 0 (Monday), as ``datetime.date.weekday``.
WEEKDAY_NUMBERS = {name: number for number, name in enumerate(WEEKDAY_NAMES)}

# Any month name or abbreviation (with or without its period); compile it case-insensitive.
MONTH_PATTERN = (
    r"(?:jan(?:uary|\.)?|feb(?:ruary|\.)?|mar(?:ch|\.)?|apr(?:il|\.)?|may|june?|jul(?:y|\.)?"
    r"|aug(?:ust|\.)?|sep(?:t(?:ember|\.)?|\.)?|oct(?:ober|\.)?|nov(?:ember|\.)?|dec(?:ember|\.)?)"
)
# A month name written in full and capitalised ("may" and "march" are also verbs).
MONTH_NAME_PATTERN = "|".join(name.capitalize() for name in MONTH_NAMES)
WEEKDAY_PATTERN = f"(?:{'|'.join(WEEKDAY_NAMES)})"


def month_number(word: str) -> int:
    """Return the number of a month name or abbreviation ("Sept." -> 9); KeyError if none."""
    return MONTH_NUMBERS[word.lower().rstrip(".")[:3]]
