"""The boilerplate line scorer's feature scores; ``[clean.scores]`` in defaults.toml sets them.

Each is the score one feature gives a line on its own (0..1; the features of a line add up as a
noisy-or), or, for ``protect_*``, what is taken off for a sign of news copy. They were set by
hand while the cleaner was built (git history of storyline/clean.py) and have not been refitted;
the HTML guard (``[clean] html_*``) was fitted on dragnet on top of them.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping


@dataclass(frozen=True, slots=True)
class LineWeights:
    """What each feature of a line scores (see ``clean._line_features`` and its context rules)."""

    url: float = 1.0  # the line is a URL
    credit: float = 0.95  # a photo or wire credit ("Photo: ...")
    header: float = 0.9  # a "Related stories" / "Read more" header
    cta_short: float = 0.55  # a sentence opens with a call to action, line of 30 words or less
    cta_long: float = 0.3  # the same in a longer line
    cta_per_term: float = 0.3  # per boilerplate term ("newsletter", "subscribe") ...
    cta_terms_max: float = 0.7  # ... up to this much
    caption_credit: float = 0.9  # a non-sentence of 4+ words ending in a credit
    caption_edge: float = 0.6  # a non-sentence of 6+ words first or last on the page
    headline: float = 0.35  # another non-sentence (a subhead, a kicker)
    bio_tail: float = 0.85  # an author bio in the page's last 40%
    bio_body: float = 0.5  # an author bio elsewhere
    byline_edge: float = 0.7  # a short "By ..." line first or in the tail
    byline_body: float = 0.4  # the same elsewhere
    protect_reporting: float = 0.25  # a reporting verb ("said", "told")
    protect_quote: float = 0.2  # a reporting verb and a quote
    protect_long_sentence: float = 0.1  # a full sentence of 20+ words
    title: float = 0.9  # a copy of the headline
    repeated: float = 0.85  # a non-sentence repeated on the page
    furniture: float = 0.8  # a line of the furniture set a caller passes (ingest passes none)
    related_block: float = 0.8  # a teaser under a "related" header

    @classmethod
    def from_values(cls, scores: Mapping[str, Any]) -> LineWeights:
        """Build them from a ``[clean.scores]`` table (defaults.toml or resolved settings)."""
        return cls(**{f.name: float(scores[f.name]) for f in fields(cls)})


# the packaged defaults, for callers that pass no settings (the values above)
DEFAULT_WEIGHTS = LineWeights()
