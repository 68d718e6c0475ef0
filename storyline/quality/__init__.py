"""Page quality: is an article's copy coherent, whole, attributed and long enough to trust.

Stages of the package, in the order they run:

- ``encoder``: the optional sentence encoder (all-MiniLM-L6-v2 run with numpy, no torch);
- ``vectors``: packaged word vectors, the encoder's fallback for sentence embeddings;
- ``sentence_pairs``: cues of two adjacent sentences that belong together (or do not);
- ``coherence``: the incoherence score, from the signals above and ``coherence_weights``
  (which reads ``data/coherence_weights.json``, fitted and written by bench/fit_coherence.py);
- ``assess``: ``assess_quality``, the score and page counts turned into flags with reasons.

The package imports nothing itself: import the stage module you need, as the pipeline does.
"""
