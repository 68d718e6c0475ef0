"""One predicate says whether a row stands on flagged copy alone (store, CLI, briefing)."""

from __future__ import annotations

import pytest

from storyline.flagged import flagged_only


@pytest.mark.parametrize(
    ("ids", "flagged", "expected"),
    [
        (["a", "b"], {"a", "b"}, True),
        (["a", "b"], {"a"}, False),
        ([], {"a"}, False),  # a row with no article is not "flagged copy only"
        (iter(["a"]), {"a"}, True),  # any iterable, read once
    ],
)
def test_flagged_flagged_only(ids, flagged, expected):
    assert flagged_only(ids, flagged) is expected
