"""Continuity signals of a page stitched from several stories, each read from the page alone."""

from __future__ import annotations

import numpy as np
import pytest

from storyline.quality.coherence import coherence_features
from storyline.quality.continuity import (
    anchor_jumps,
    continuity_features,
    group_alternation,
    name_islands,
    title_window_min,
)
from storyline.quality.vectors import embed_sentences
from storyline.text.sentences import find_names, known_names
from tests.test_quality import BRIDGE, BRIDGE_TITLE, VOTE


def _names(title: str, sentences: list[str]) -> list[list[str]]:
    texts = [title, *sentences]
    known = known_names(texts)
    return [find_names(text, known) for text in texts]


def test_name_islands_split_the_cast_of_two_stories():
    own = name_islands(_names(BRIDGE_TITLE, BRIDGE))
    spliced = [BRIDGE[0], VOTE[2], BRIDGE[2], VOTE[3], BRIDGE[3], BRIDGE[9]]
    stitched = name_islands(_names(BRIDGE_TITLE, spliced))
    # Holm's sentences never meet Kellford's cast: a third of the named sentences stand apart
    assert stitched[0] > own[0]
    assert stitched[0] >= 0.3


def test_lonely_names_count_sentences_whose_names_appear_nowhere_else():
    names = [["Kellford"], ["Kellford"], ["Peter Holm"], ["Tom Brandt"], ["Brandt"]]
    assert name_islands(names) == pytest.approx(
        (0.5, 0.25)
    )  # Holm alone; Brandt recurs; Kellford in the title


def test_group_alternation_is_low_for_runs_and_high_for_interleaving():
    # two topics of three sentences each: similar within a topic, not across
    topic = np.array([0, 0, 0, 1, 1, 1])
    runs = np.where(topic[:, None] == topic[None, :], 0.8, 0.05)
    order = [0, 3, 1, 4, 2, 5]
    interleaved = runs[np.ix_(order, order)]
    assert group_alternation(runs) == pytest.approx(0.0)
    assert group_alternation(interleaved) > 1.0


def test_anchor_jumps_count_dates_that_move_back_and_forth():
    steady = ["It opened in March 2009.", "In March it closed again.", "No date here."]
    jumping = ["It opened in March 2009.", "In July 2012 it closed.", "In March 2009 it grew."]
    assert anchor_jumps(steady) == pytest.approx(0.0)
    assert anchor_jumps(jumping) == pytest.approx(2 / 3)


def test_title_window_min_finds_the_stretch_that_leaves_the_headline():
    to_title = np.array([0.5, 0.4, 0.0, 0.0, 0.1, 0.4])
    assert title_window_min(to_title) == pytest.approx(0.1 / 3)


def test_coherence_features_carry_the_continuity_signals():
    features = coherence_features(BRIDGE_TITLE, "\n".join(BRIDGE))
    texts = [BRIDGE_TITLE, *BRIDGE]
    vectors = embed_sentences(texts)
    own = continuity_features(BRIDGE, _names(BRIDGE_TITLE, BRIDGE), np.eye(len(texts)), vectors)
    assert set(own) <= set(features)
    assert features["cont_name_islands"] == pytest.approx(own["cont_name_islands"])
