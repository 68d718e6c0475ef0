"""The tunables of claims and conflicts; ``[claims]`` in defaults.toml sets them for a run."""

from __future__ import annotations

from dataclasses import dataclass

ALIGN_THRESHOLD = 0.36  # seeds: paraphrases score 0.40-0.47, the closest unrelated pair 0.31
CONFLICT_THRESHOLD = 0.3  # two statements this close that count one thing differently conflict
QUOTE_THRESHOLD = 0.5  # two quotes this close but not word for word are one quote reworded
# Statements aligned per story at most: 3,000 squared similarities stay under 100 MB.
MAX_STATEMENTS = 3000


@dataclass(frozen=True, slots=True)
class ClaimsParams:
    """How statements are aligned into claims and when two of them conflict."""

    align_threshold: float = ALIGN_THRESHOLD
    conflict_threshold: float = CONFLICT_THRESHOLD
    quote_threshold: float = QUOTE_THRESHOLD
    # one rare word in common ("families") is not one quote reworded
    quote_min_shared: int = 3
    max_statements: int = MAX_STATEMENTS
    # statements of one unit compared per block in the conflict search (a memory bound)
    pair_chunk_rows: int = 512
    # two counts of pages further apart than this many days are an update, not a conflict
    max_days: int = 1
    # a toll is the first count of dead or injured in an article's lead: pages open with
    # kickers and standfirsts before the news
    lead_sentences: int = 10
    toll_window_days: int = 7


# the packaged defaults, for callers that pass no settings (the values above)
DEFAULT_PARAMS = ClaimsParams()
