"""Extraction stages that read one article at a time: dates, entities, quotes."""
