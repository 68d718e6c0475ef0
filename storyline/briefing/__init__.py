"""The briefing of a story: a few cited sentences that tell it, optionally rewritten.

Stages of the package, in the order they run:

- ``select``: ``build_briefing``, maximal marginal relevance over the story's claims, and the
  briefing rendered as Markdown, HTML or JSON;
- ``abstractive``: the optional rewrite of the chosen sentences by a local endpoint;
- ``stage``: the pipeline's last stage, each storyline's claims, conflicts and briefing.

The package imports nothing itself: import the stage module you need, as the pipeline does.
"""
