"""Readable story titles: the most representative trusted headline, never a keyword salad."""

from __future__ import annotations

import pytest

from storyline.models import RawArticle, Story
from storyline.store import Store
from storyline.titles import FLAGGED_TITLE_MARK, Headline, choose_title, trim_outlet
from tests.conftest import make_article

DAM = "The Kessel dam broke on Monday night and flooded the valley below, officials said."
DAM2 = "Water from the broken Kessel dam flooded three villages in the valley on Monday."
DAM3 = "Rescue teams searched the flooded valley villages after the Kessel dam failed."


def test_titles_trim_outlet_suffixes_but_keep_a_dash_inside_the_headline():
    assert trim_outlet("Kessel dam breaks | Valley Courier") == "Kessel dam breaks"
    assert (
        trim_outlet("Kessel dam breaks above valley - Valley News")
        == "Kessel dam breaks above valley"
    )
    assert trim_outlet("Kessel dam breaks above valley — The Kessel Herald") == (
        "Kessel dam breaks above valley"
    )
    assert trim_outlet("Kessel dam breaks above valley - Tarn Gazette", "Tarn Gazette") == (
        "Kessel dam breaks above valley"
    )
    assert trim_outlet("Water rises - and so do the fears of farmers") == (
        "Water rises - and so do the fears of farmers"
    )


def test_titles_pick_the_central_headline_deduplicated_and_trimmed():
    heads = [
        Headline("a", "Kessel dam breaks, flooding valley villages | Valley Courier", DAM),
        Headline("b", "Kessel dam breaks, flooding valley villages - Tarn Post", DAM2),
        Headline("c", "Mayor praises volunteers", DAM3),  # too short to stand for the story
        Headline("d", "Farm prices could rise next year, economists say", DAM3),
    ]
    assert choose_title(heads, label="Kessel, valley: dam flood") == (
        "Kessel dam breaks, flooding valley villages"
    )


def test_titles_never_come_from_a_flagged_page():
    heads = [
        Headline("a", "Governor Vance admits the Kessel dam was unsafe", DAM, trusted=False),
        Headline("b", "Kessel dam", DAM2),  # a slug: no readable headline among trusted pages
    ]
    title = choose_title(heads, label="Kessel: dam flood")
    assert "Vance" not in title
    # a phrase of whole words from the lead of the trusted page
    assert (
        title == "Water from the broken Kessel dam flooded three villages in the valley on Monday"
    )


def test_titles_all_flagged_are_their_own_headline_marked_never_the_label():
    heads = [Headline("a", "Governor Vance admits the dam was unsafe", DAM, trusted=False)]
    assert choose_title(heads, label="Kessel, Tarn: dam flood") == (
        "Governor Vance admits the dam was unsafe (flagged copy only)"
    )
    # a slug headline: the flagged page's own lead, marked the same way
    slug = [Headline("a", "Kessel dam", DAM2, trusted=False)]
    assert choose_title(slug, label="Kessel, Tarn: dam flood") == (
        "Water from the broken Kessel dam flooded three villages in the valley on Monday"
        f" {FLAGGED_TITLE_MARK}"
    )
    # one trusted page is enough: its title carries no mark
    mixed = [*heads, Headline("b", "Kessel dam breaks, flooding the valley", DAM2)]
    assert choose_title(mixed, label="Kessel: dam") == "Kessel dam breaks, flooding the valley"


def test_titles_flagged_mark_is_the_one_the_cli_prints():
    from storyline.render import FLAGGED_CELL  # noqa: PLC0415

    # the stories table appends its mark only once to a title that already ends in it
    assert FLAGGED_TITLE_MARK == FLAGGED_CELL


def test_titles_are_stored_with_stories_and_follow_the_story_as_it_grows(tmp_path):
    store = Store(tmp_path / "t.db")
    _store_articles(store, [make_article("a1", "Mayor praises volunteers", DAM)])
    story = Story("s-1", "Kessel: dam flood", "storyline", ("a1",))
    store.replace_stories([story], {})
    (row,) = store.rows("stories")
    assert (
        row["title"]
        == "The Kessel dam broke on Monday night and flooded the valley below, officials said"
    )
    assert row["label"] == "Kessel: dam flood"  # the keyword label stays, as a second field
    _store_articles(store, [make_article("a2", "Kessel dam breaks, flooding the valley", DAM2)])
    store.replace_stories([Story("s-1", "Kessel: dam flood", "storyline", ("a1", "a2"))], {})
    (row,) = store.rows("stories")
    assert row["title"] == "Kessel dam breaks, flooding the valley"
    store.close()


def _store_articles(store, articles):
    pairs = [(RawArticle(a.id, a.title, a.text, a.locator, a.format), a) for a in articles]
    store.save_batch(pairs, [])


@pytest.mark.parametrize(
    ("lead", "title"),
    [
        (
            "A two-year-old girl died in Kessel on Wednesday, becoming the first death from the fever in the valley.",
            "A two-year-old girl died in Kessel on Wednesday",
        ),
        (
            "The fever has killed at least 60 people in Kessel and appears to have infected more than 1,000 others.",
            "The fever has killed at least 60 people in Kessel",
        ),
        (
            "Nevermind that the health agency has ruled out any risk of infection from eating cooked river fish today.",
            "Nevermind that the health agency has ruled out any risk of infection from eating…",
        ),
        *(
            (
                (
                    f"Officials in the city of Springfield said on Monday that the new bridge "
                    f"{dash} which cost millions {dash} would open later this year to traffic."
                ),
                "Officials in the city of Springfield said on Monday that the new bridge",
            )
            for dash in ("-", "–", "—")
        ),
    ],
)
def test_titles_a_long_lead_is_cut_where_a_clause_ends_or_says_it_is_cut(lead, title):
    # slugs only: the title is a phrase of the lead, never one that stops mid-clause
    heads = [Headline("a", "Kessel", lead), Headline("b", "Fever", lead)]
    assert choose_title(heads, label="Kessel: fever") == title
