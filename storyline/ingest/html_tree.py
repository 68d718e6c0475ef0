"""A page's lxml tree: trafilatura's own parse, with lxml.html's element classes chosen in C.

lxml asks the parser's class lookup for a Python class each time it hands an element to
Python. lxml.html's lookup (``HtmlElementClassLookup``) is a Python method: on dragnet and
Zyte it ran about 3,000 times per page (trafilatura's passes, htmldate, the readability port
all walk the tree), a few percent of the reader's time. The lookup here gives the same classes
(``FormElement`` for ``form``, ``HtmlElement`` for other elements, ``HtmlComment``, ...) from
lxml's C lookups, so every pass sees the same objects, only sooner.

``load_page`` is trafilatura 2.0's ``load_html`` on a decoded page, with this parser in place
of trafilatura's (same options); ``readability_tree`` is readability-lxml's parse, the same
way. The libraries' own parsers (``trafilatura.extract`` uses trafilatura's) are left alone.
"""

from __future__ import annotations

import logging

from lxml import etree
from lxml.html import (
    HtmlComment,
    HtmlElement,
    HtmlElementClassLookup,
    HtmlEntity,
    HTMLParser,
    HtmlProcessingInstruction,
    document_fromstring,
    fromstring,
)
from trafilatura.utils import is_dubious_html, repair_faulty_html


def _class_lookup() -> etree.ElementNamespaceClassLookup:
    """Return lxml.html's element classes as a C lookup (tag names in no namespace first)."""
    fallback = etree.ElementDefaultClassLookup(
        element=HtmlElement, comment=HtmlComment, pi=HtmlProcessingInstruction, entity=HtmlEntity
    )
    lookup = etree.ElementNamespaceClassLookup(fallback)
    # the HTML parser lower-cases tag names, so lxml.html's ``name.lower()`` is not needed
    tags = lookup.get_namespace(None)
    for name, cls in HtmlElementClassLookup._default_element_classes.items():  # noqa: SLF001
        tags[name] = cls
    return lookup


# trafilatura.utils.HTML_PARSER's options
PARSER = HTMLParser(
    collect_ids=False,
    default_doctype=False,
    encoding="utf-8",
    remove_comments=True,
    remove_pis=True,
)
PARSER.set_element_class_lookup(_class_lookup())


def from_bytes(html: str) -> HtmlElement | None:
    """Trafilatura's ``fromstring_bytes``: the page as UTF-8 bytes (a declared encoding)."""
    try:
        return fromstring(html.encode("utf8", "surrogatepass"), parser=PARSER)
    except Exception:  # noqa: BLE001 -- trafilatura guards this call the same way
        logging.getLogger("trafilatura").debug("lxml could not parse the page's bytes")
        return None


def load_page(html: str) -> HtmlElement | None:
    """Return trafilatura's ``load_html(html)`` for a decoded page, parsed with ``PARSER``."""
    beginning = html[:50].lower()
    dubious = is_dubious_html(beginning)
    html = repair_faulty_html(html, beginning)
    tree = None
    fallback = False
    try:
        tree = fromstring(html, parser=PARSER)
    except ValueError:
        # "Unicode strings with encoding declaration are not supported."
        tree = from_bytes(html)
        fallback = True
    except Exception:  # noqa: BLE001 -- trafilatura guards this call the same way
        logging.getLogger("trafilatura").debug("lxml could not parse the page")
    if (tree is None or len(tree) < 1) and not fallback:
        tree = from_bytes(html)
    # not HTML at all: trafilatura rejects such a tree
    if tree is not None and dubious and len(tree) < 2:
        tree = None
    return tree


# readability-lxml's parser (``readability.htmls.utf8_parser``: lxml.html's, UTF-8 input)
_READABILITY_PARSER = HTMLParser(encoding="utf-8")
_READABILITY_PARSER.set_element_class_lookup(_class_lookup())


def readability_tree(html: str) -> HtmlElement:
    """Return the tree readability-lxml's ``build_doc`` makes of ``html``, parsed with C lookups.

    readability-lxml's ``Document`` takes such a tree in place of the string. It drops hidden
    elements from it and works on a cleaned copy, and on a retry reads the (same) tree again:
    the hidden elements are gone already, so the retry sees what a fresh parse would give.

    Raises:
        lxml.etree.ParserError: the page is empty (as ``build_doc`` raises).
    """
    return document_fromstring(html.encode("utf-8", "replace"), parser=_READABILITY_PARSER)
