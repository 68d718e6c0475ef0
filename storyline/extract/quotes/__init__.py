"""Who said what: direct, mixed and indirect quotes of one article with their cue and speaker.

Modules of the package, in the order they run:

- ``marks``: quoted stretches of text from their quote marks, sloppy punctuation tolerated;
- ``direct``: the cue of each quoted stretch, pieces of one quote joined, mixed quotes widened;
- ``cue_subject``: cues and subjects of direct quotes past the nearest words (long appositions);
- ``transcript``: the "NAME: words" lines of interviews and transcripts;
- ``indirect``: reporting verbs with their clause, "according to" and nouns of saying;
- ``speakers``: the people of the article, a speaker's name expanded to its fullest form;
- ``pronouns``: who "he", "she" or "they" stands for;
- ``find``: ``find_quotes``, the steps above run over one parsed article, and
  ``canonicalise_speakers``, speakers mapped onto the merged entities.

The package imports nothing itself: import the stage module you need, as the pipeline does.
"""
