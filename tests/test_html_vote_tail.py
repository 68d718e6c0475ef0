"""Trailing teasers: short lines after the article's end that the port holds only scattered."""

from __future__ import annotations

from dataclasses import replace

from storyline.ingest.html_vote import default_policy, vote

_POLICY = replace(default_policy(), tail_anchor_words=15, tail_max_words=15)
_LEAD = (
    "Crews from three valleys fought the hillside fire above Marrowby through Saturday night, "
    "and by dawn the flames had stopped short of the reservoir road."
)
_MIDDLE = (
    "The fire service said dry gorse and a steady north wind had carried the fire across two "
    "farms before the helicopters arrived from the coast."
)
_END = (
    "Residents of the upper village may return on Monday, the council said, once engineers "
    "have checked the power lines along the reservoir road."
)
_ARTICLE = [_LEAD, _MIDDLE, _END]
# Related-post titles and a date line: every word is somewhere in the article, none in order.
_TEASERS = [
    "Fire service helicopters return to the coast",
    "Council checks reservoir power lines",
    "Monday, Saturday",
]


def test_short_lines_after_the_end_the_port_holds_only_scattered_are_dropped():
    primary = "\n".join(_ARTICLE + _TEASERS)
    text, record = vote(primary, "\n".join(_ARTICLE), _POLICY)
    assert text.split("\n") == _ARTICLE
    assert record["tail_dropped_lines"] == len(_TEASERS)
    assert record["dropped_lines"] == 0  # the word-bag test alone kept every teaser


def test_a_short_line_before_the_end_stays():
    # A subheading inside the article is as scattered as a teaser, but the article goes on.
    subhead = "Helicopters from the coast"
    primary = f"{_LEAD}\n{subhead}\n{_MIDDLE}\n{_END}"
    text, record = vote(primary, "\n".join(_ARTICLE), _POLICY)
    assert subhead in text.split("\n")
    assert record["tail_dropped_lines"] == 0


def test_a_short_last_line_the_port_holds_word_for_word_stays():
    signoff = "Reporting by the Marrowby desk."
    primary = "\n".join([*_ARTICLE, signoff])
    text, record = vote(primary, "\n".join([*_ARTICLE, signoff]), _POLICY)
    assert text.split("\n")[-1] == signoff
    assert record["tail_dropped_lines"] == 0


def test_a_long_line_after_the_end_stays():
    # Fifteen words or more: a paragraph the port split or reworded, not a teaser.
    late = (
        "Council engineers checked the reservoir power lines on Monday while fire service "
        "crews from the coast returned to the upper village farms"
    )
    primary = "\n".join([*_ARTICLE, late])
    text, record = vote(primary, "\n".join(_ARTICLE), _POLICY)
    assert late in text.split("\n")
    assert record["tail_dropped_lines"] == 0


def test_no_end_found_drops_nothing():
    # No line of fifteen words the port holds in order: where the article ends is unknown.
    primary = "\n".join([*_TEASERS, "Fire service helicopters crews reservoir road council"])
    # The port's paragraphs word-reversed (each under the vote's add_words: none is added).
    second = "\n".join(" ".join(reversed(line.split())) for line in _ARTICLE)
    text, record = vote(primary, second, _POLICY)
    assert text == primary
    assert record["tail_dropped_lines"] == 0


def test_zero_max_words_turns_the_rule_off():
    primary = "\n".join(_ARTICLE + _TEASERS)
    off = replace(_POLICY, tail_max_words=0)
    text, record = vote(primary, "\n".join(_ARTICLE), off)
    assert text == primary
    assert record["tail_dropped_lines"] == 0


_TABLE = [
    "| Ward | Homes without power | Homes reconnected |",
    "|---|---|---|",
    "| Upper village | 412 | 398 |",
    "| Marrowby | 1040 | 1040 |",
]


def test_a_headed_table_is_kept_whole_when_one_row_is_backed():
    # The port holds only the row whose words the article shares; the figures stay with it.
    primary = "\n".join([_LEAD, *_TABLE, _MIDDLE, _END])
    second = f"{_LEAD}\nUpper village\n{_MIDDLE}\n{_END}"
    text, record = vote(primary, second, _POLICY)
    assert text.split("\n") == [_LEAD, *_TABLE, _MIDDLE, _END]
    assert record["dropped_lines"] == 0


def test_a_headed_table_no_row_of_which_is_backed_is_dropped():
    table = ["| Fixture | Kick-off |", "|---|---|", "| Rovers v Athletic | 15:00 |"]
    primary = "\n".join([_LEAD, *table, _MIDDLE, _END])
    text, _ = vote(primary, "\n".join(_ARTICLE), _POLICY)
    assert "Rovers" not in text
    assert text.split("\n")[0] == _LEAD
