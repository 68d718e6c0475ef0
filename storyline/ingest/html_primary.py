"""trafilatura's text and comments of a parsed page: ``bare_extraction`` for the reader's options.

The reader asks trafilatura for fast mode with comments, no metadata, plain text
(``html.extract_text``). ``bare_extraction`` copies the tree to clean it, then copies the
cleaned tree again as a backup for its comparison with other extractors, which fast mode never
runs: that copy cost about 1% of the reader's time. ``primary_text`` runs the same steps in the
same order, with the same options, without that copy; ``trafilatura.extract`` and
``bare_extraction`` themselves are left alone. trafilatura is pinned (pyproject); a new version
is checked with the reader's dump of the dev pages (identical fields) before it is taken.
"""

from __future__ import annotations

from copy import copy
from typing import TYPE_CHECKING

from lxml.etree import strip_tags
from trafilatura.core import trafilatura_sequence
from trafilatura.htmlprocessing import convert_tags, tree_cleaning
from trafilatura.main_extractor import extract_comments
from trafilatura.settings import DEFAULT_CONFIG, Extractor
from trafilatura.xml import xmltotxt

if TYPE_CHECKING:
    from lxml.html import HtmlElement


def primary_text(tree: HtmlElement, url: str | None) -> tuple[str, str] | None:
    """Return the text and comments ``bare_extraction`` gives (fast mode, comments included).

    That is ``bare_extraction(tree, url=url, fast=True, include_comments=True)``'s ``text`` and
    ``comments`` (None where it returns None). The tree is left as it was (cleaned on a copy).
    """
    # bare_extraction's options for these arguments (the rest are its and Extractor's defaults)
    options = Extractor(
        config=DEFAULT_CONFIG, output_format="python", fast=True, comments=True, url=url
    )
    try:
        cleaned = tree_cleaning(copy(tree), options)
        cleaned = convert_tags(cleaned, options, url)
        comments_body, _, comment_size, cleaned = extract_comments(cleaned, options)
        # fast mode: the cleaned-tree backup is never read (trafilatura_sequence's comparison)
        body, _, text_size = trafilatura_sequence(cleaned, cleaned, tree, options)
        if options.max_tree_size:
            if len(body) > options.max_tree_size:
                strip_tags(body, "hi")
            if len(body) > options.max_tree_size:
                raise ValueError
        # set from the config file's keys, untyped in trafilatura
        too_short = text_size < options.min_output_size  # type: ignore[attr-defined]
        if too_short and comment_size < options.min_output_comm_size:  # type: ignore[attr-defined]
            raise ValueError
    except (TypeError, ValueError):
        return None
    return xmltotxt(body, options.formatting), xmltotxt(comments_body, options.formatting)
