"""A weekday written with three numbers settles their order, on every path (rows, feeds, HTML).

Fictional inputs. "Monday, 11.05.2012" can only be 5 November 2012 (11 May 2012 was a Friday);
"Fri 03/04/2015" is 3 April (4 March 2015 was a Wednesday). A weekday on both readings
("Friday 05/09/2014": 5 September and 9 May 2014 were both Fridays) or on neither settles
nothing: only the year is kept, as without a weekday, and one on neither is said in the note.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import lxml.html
import pytest

import storyline
from storyline.fetch.feeds import parse_feed
from storyline.ingest.html_dates import page_published
from storyline.ingest.published import Published, named_weekdays, read_published

if TYPE_CHECKING:
    from pathlib import Path

TEXT = (
    "The harbour master said the new pier would open in spring after the council approved "
    "the money for its repair. Fishermen welcomed the news at a meeting in the town hall."
)


def _page(body: str, lang: str = "") -> Published:
    declared = f' lang="{lang}"' if lang else ""
    page = (
        f"<html{declared}><head><title>Pier to open</title></head><body><article>"
        f"<h1>Pier to open</h1><p>{TEXT}</p><p>{TEXT}</p>{body}</article></body></html>"
    )
    return page_published(lxml.html.fromstring(page), None)


@pytest.mark.parametrize(
    ("value", "language", "day"),
    [
        ("Monday, 11.05.2012", None, "2012-11-05"),
        ("Monday, 11.05.2012 / 9:44 PM", None, "2012-11-05"),
        ("Fri 03/04/2015", None, "2015-04-03"),
        ("Wed, 03/04/2015", None, "2015-03-04"),
        ("03/04/2015 Friday", None, "2015-04-03"),
        # the row's language names its weekdays (dateparser's locale data)
        ("Montag, 11.05.2012", "de", "2012-11-05"),
        ("vendredi 03/04/2015", "fr", "2015-04-03"),
    ],
)
def test_a_weekday_on_one_reading_keeps_that_day(
    value: str, language: str | None, day: str
) -> None:
    assert read_published(value, None, language) == Published(day)


def test_a_weekday_on_both_readings_or_on_neither_keeps_the_year() -> None:
    both = read_published("Friday 05/09/2014")
    assert both.value == "2014"
    assert "only the year" in (both.note or "")
    assert "falls on" not in (both.note or "")
    neither = read_published("Mon 03/04/2015")  # 3 April a Friday, 4 March a Wednesday
    assert neither.value == "2015"
    assert "no reading falls on the Monday" in (neither.note or "")
    # two weekdays named, one on each side: neither is taken
    assert read_published("Wed 03/04/2015 Fri").value == "2015"
    # one order stated: the weekday is not asked ("de": 3 April)
    assert read_published("Wed 03.04.2015", frozenset({"DMY"})).value == "2015-04-03"


def test_only_weekday_names_of_three_letters_or_more_count() -> None:
    # "we", "so", "mo" are words as often as days: they name none
    assert named_weekdays("We 03/04/2015", "03/04/2015") == frozenset()
    assert named_weekdays("so 03.04.2015", "03.04.2015", "de") == frozenset()
    assert named_weekdays("Sonntag, 05.04.2015", "05.04.2015", "de") == frozenset({6})
    assert named_weekdays("Sonntag, 05.04.2015", "05.04.2015") == frozenset()  # English source


def test_only_a_weekday_next_to_the_numbers_counts() -> None:
    # a weekday elsewhere in the text is another day's (here: a Friday meeting)
    text = "The Friday meeting was moved. Posted 03/04/2015 by the desk"
    assert named_weekdays(text, "03/04/2015") == frozenset()
    assert named_weekdays("Posted Friday, 03/04/2015", "03/04/2015") == frozenset({4})
    assert named_weekdays("03/04/2015 (Friday)", "03/04/2015") == frozenset({4})
    with pytest.raises(ValueError):  # a weekday alone is no date
        read_published("Montag")


def test_html_pages_read_the_weekday_beside_the_numbers() -> None:
    # htmldate reads the line day first (11 May); the weekday says 5 November
    line = '<div class="date">Monday, 11.05.2012 / 9:44 PM / News</div>'
    assert _page(line) == Published("2012-11-05")
    # a date pattern in the text: the weekday in the same text node settles it
    assert _page("<p>Posted Fri 03/04/2015 by Ann Lee</p>") == Published("2015-04-03")
    # a weekday in another node, far from the numbers, does not
    far = "<p>On Friday the pier was closed.</p><p>Posted 03/04/2015 by Ann Lee</p>"
    assert _page(far).value == "2015"
    # control: a weekday on both readings keeps the year
    assert _page('<div class="date">Friday, 05.09.2014 / 9:44 PM</div>').value == "2014"
    # a German page: its weekday names, though its order (day first) already settles it
    assert _page('<div class="date">Montag, 11.05.2012</div>', "de").value == "2012-05-11"


def test_rows_and_feeds_read_the_weekday(tmp_path: Path) -> None:
    rows = tmp_path / "rows.jsonl"
    row = {"id": "a", "text": TEXT, "published": "Fri 03/04/2015"}
    other = row | {"id": "b", "published": "Mon 03/04/2015"}
    rows.write_text(json.dumps(row) + "\n" + json.dumps(other) + "\n")
    with storyline.open(tmp_path / "w.db") as workspace:
        workspace.ingest([rows])
        stored = {a.id: a for a in workspace.articles()}
    assert (stored["a"].published, stored["a"].published_precision) == ("2015-04-03", "day")
    assert stored["b"].published_precision == "year"
    assert "Monday" in stored["b"].meta["published_note"]
    doc = (
        "<rss version='2.0'><channel><title>T</title><language>fr</language><item>"
        "<link>http://x.example/a</link><pubDate>mercredi 03/04/2015</pubDate></item>"
        "</channel></rss>"
    )
    (entry,) = parse_feed(doc.encode(), "http://x.example/feed").entries
    # French writes day first (3 April, a Friday): the stated order wins over the weekday
    assert entry.published == "2015-04-03"
    english = doc.replace("<language>fr</language>", "").replace("mercredi", "Wed")
    (entry,) = parse_feed(english.encode(), "http://x.example/feed").entries
    assert entry.published == "2015-03-04"
