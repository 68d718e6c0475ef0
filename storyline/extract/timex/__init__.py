"""Time expressions: dates, times, durations and sets found in a text, with TimeML values.

Modules of the package, in the order they run:

- ``rules``: the regular expressions that find candidate expressions, and their lexicon;
- ``values``: calendar arithmetic, the tense heuristic and the story state (anchor, last date);
- ``handlers``: one value handler per rule kind, a candidate turned into a (type, value);
- ``fiscal``: the handlers of quarters, halves and reporting periods;
- ``ranges``: ranges ("22-23 October") whose start takes the month or year of their end, and
  the pairs of dates that bound one happening (read by ``extract.events``);
- ``stamps``: a page's own time stamps ("Page last updated at ..."), kept out of its events;
- ``find``: ``find_timexes``, the expressions of one article resolved against its publication
  date, and ``infer_publication``, that date guessed from the text when metadata has none.

The package imports nothing itself: import the stage module you need, as the pipeline does.
"""
