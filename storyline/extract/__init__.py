"""Extraction stages that read one article at a time: dates, entities, quotes.

Modules and packages, in the order they run:

- ``nlp``: the spaCy model, loaded once per name, and texts parsed in batches;
- ``entities``: mentions per article, later merged into corpus entities;
- ``quotes/``: direct, mixed and indirect quotes with their speakers;
- ``annotate``: the NLP stage, one parse per article giving its mentions and quotes;
- ``timex/``: time expressions with TimeML values, and the publication date guessed from them;
- ``events``: the sentences that report something happening on a resolved date.

The package imports nothing itself: import the stage module you need, as the pipeline does.
"""
