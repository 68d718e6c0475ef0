"""Claims: the statements of a story's articles, aligned across outlets, and where they differ.

Stages of the package, in the order they run:

- ``statements``: sentences, their stemmed content words, names, numbers and counted things;
- ``align``: ``find_claims``, the same statement of different articles grouped into one claim;
- ``conflicts``: ``find_conflicts`` (numbers, tolls, dates and quotes that disagree) and
  ``settle_claims`` (a claim whose own articles disagree is no longer corroborated).

The package imports nothing itself: import the stage module you need, as the pipeline does.
"""
