"""The clusterer's thresholds and weights; ``[cluster]`` in defaults.toml sets them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ClusterSettings:
    """Thresholds and weights of the clusterer; the defaults suit any corpus."""

    storyline_threshold: float = 0.25  # size-aware similarity to join a storyline
    # Low on purpose: an event is looked for inside the article's storyline only, where
    # the time decay (days) separates happenings more than the words do.
    event_threshold: float = 0.1  # cosine to an event centroid to join it
    merge_threshold: float = 0.07  # average linkage that merges two storylines
    size_exponent: float = 0.3  # 0: centroid cosine, 1: average linkage; between: both
    merge_exponent: float = 1.0  # the same blend for the similarity of two storylines
    refine_passes: int = 1  # second passes with the final idf; more moves little
    max_terms: int = 150  # per article, highest TF-IDF first
    query_terms: int = 50  # of those, the ones compared with storyline centroids
    title_weight: float = 1.0  # extra term count for each headline word
    entity_weight: float = 2.0
    name_weight: float = 1.0  # extra count for a capitalised word inside a sentence
    storyline_grace_days: float = 14.0
    storyline_decay_days: float = 60.0
    storyline_window_days: float = 180.0
    event_grace_days: float = 1.0
    event_decay_days: float = 3.0
    label_names: int = 3
    label_terms: int = 2
    # Headlines only: vectors of ~6 words are too sparse for cosine thresholds, so a
    # collapsed-Gibbs (GSDMM-style) pass, deterministic argmax, refines the assignment.
    short_doc_terms: float = 10.0  # mean content words per article at or below which
    gibbs_alpha: float = 0.1
    gibbs_beta: float = 0.1
    gibbs_iterations: int = 3
    # Who/where: an article naming entities, none of them among a storyline's principal ones
    # (named by at least principal_share of its members), is likely the same kind of news about
    # someone else (two storms, two NFL games): its similarity is multiplied by stranger_factor;
    # two storylines with disjoint principals merge likewise less. Off (1.0) by default: with
    # the NLP stage's entities, 0.5 gained on the same-kind pairs (B-cubed 0.831 -> 0.836) but
    # lost on all of GoogleNews TS (0.893 -> 0.878); both sets are lowercased, so their names are
    # noisy; measure on cased multi-outlet text before turning it on. Storylines only: inside a
    # storyline the gate split events (same-kind event B-cubed 0.804 -> 0.755).
    stranger_factor: float = 1.0
    principal_share: float = 0.5
    # When: an article's event is placed on the day its first dated sentence gives when that day
    # is at most this many days before publication (news tells the last days' happenings; an
    # older date is background, "Jackson died in 2009", and the publication day stands).
    event_day_window: int = 7
