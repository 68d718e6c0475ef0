"""Number words: "three", "twenty-one", "a dozen", read as numbers.

General English; not fitted on any data set. Time expressions ("three weeks ago") and the
quantities claims compare ("killed twelve") read them from here.
"""

from __future__ import annotations


def _names(text: str) -> tuple[str, ...]:
    return tuple(text.split())


UNIT_WORDS = dict(
    zip(
        _names(
            "zero one two three four five six seven eight nine ten eleven twelve thirteen"
            " fourteen fifteen sixteen seventeen eighteen nineteen"
        ),
        range(20),
        strict=True,
    )
)
TENS_WORDS = dict(
    zip(
        _names("twenty thirty forty fifty sixty seventy eighty ninety"),
        range(20, 100, 10),
        strict=True,
    )
)
SCALE_WORDS = {"dozen": 12, "hundred": 100, "thousand": 1000}

# One to ninety-nine in words ("twenty-one", "forty five"); compile it case-insensitive.
NUMBER_WORD_PATTERN = (
    rf"(?:(?:{'|'.join(TENS_WORDS)})(?:[-\s](?:{'|'.join(list(UNIT_WORDS)[1:10])}))?"
    rf"|{'|'.join(list(UNIT_WORDS)[1:])})"
)


def number_value(words: str) -> int | None:
    """Return the value of a number written in words below 100 ("twenty-one" -> 21), or None."""
    total = 0
    for part in words.lower().replace("-", " ").split():
        if part in TENS_WORDS:
            total += TENS_WORDS[part]
        elif part in UNIT_WORDS:
            total += UNIT_WORDS[part]
        else:
            return None
    return total


# Words that state a count in a claim ("killed twelve", "a dozen injured") to their digits.
# "one" is left out: "one of the", "no one" count nothing.
COUNT_WORDS = {
    word: str(value)
    for word, value in {**UNIT_WORDS, **TENS_WORDS, **SCALE_WORDS}.items()
    if value >= 2
}
