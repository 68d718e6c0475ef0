"""The text layer: cheap, regex-level text handling every corpus stage shares.

- ``sentences``: the one sentence splitter (character spans) and a capitalised-name finder;
- ``words``: folding, the stemmers, stop words and abbreviations;
- ``calendar``: month and weekday names, numbers and patterns;
- ``numbers``: number words ("twenty-one");
- ``cues``: the verbs, nouns and adjectives that introduce a reported statement.

No module here imports spaCy, scikit-learn or another storyline package: the layer sits under
every stage.
"""
