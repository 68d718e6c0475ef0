"""Online two-level story clustering: events (days apart) inside storylines (weeks apart).

Articles are read in publication order. Each becomes a sparse TF-IDF vector (idf from the
stream so far; names capitalised mid-sentence and optional entity names weighted up) and
joins the storyline whose centroid is closest, found through an inverted index of centroid
terms (never all pairs), or opens a new one. The articles of the batch are then reassigned
with the final idf and close new storylines are merged by average linkage; finally each
article of the batch joins or opens an event inside its storyline. Old articles never move,
so stories grow batch by batch. When the batch is short texts (headlines only, a few words
each), cosine thresholds see too little; a deterministic GSDMM-style pass then moves each
article of the batch to its most likely storyline before events are built.

When weighs against the vocabulary of a kind of news: an event is placed on the day its
happening took place (the article's dated sentences), so two floods a week apart are two
events. Who/where (an article naming none of a storyline's principal entities counts less
similar to it) is a setting, ``stranger_factor``, off until measured on cased text.

Stages of the package, in the order they run:

- ``settings``: the thresholds and weights (``ClusterSettings``, from ``[cluster]`` in config);
- ``features``: an article's content words, names and TF-IDF vector;
- ``state``: the clusters and the state kept between batches (``ClusterState``);
- ``online``: one batch against the state: assignment, refinement, merging, short-text GSDMM;
- ``storylines``: ``cluster_articles``, the entry point, and the stories it returns;
- ``gsdmm`` and ``state_json``: the short-text pass and the state's stored form.

The package imports nothing itself: import the stage module you need, as the pipeline does.
"""
