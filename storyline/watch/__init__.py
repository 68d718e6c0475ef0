"""Watch mode: poll the watched feeds on a schedule, ingest what is new, log what changed.

Modules of the package, in the order a cycle uses them:

- ``schedule``: ``watch``, the loop that runs a cycle every so often, and ``parse_interval``;
- ``cycle``: ``poll``, one cycle (listings polled by ``fetch.listings``, new items fetched and
  ingested, the stages rerun), and its ``CycleReport``;
- ``changes``: the store ``snapshot`` before and after a cycle, and their ``diff``.

The fetching itself stays in ``fetch/``. The package imports nothing itself: import the module
you need.
"""
