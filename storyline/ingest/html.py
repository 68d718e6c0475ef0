"""HTML reader: trafilatura for the body, readability-lxml when it finds little, one metadata pass.

Per page: the page is decoded once (declared charset first), parsed once, its metadata read once
(the same steps and date parameters as trafilatura's ``with_metadata``, without the categories,
tags and licence storyline never stores), and its text extracted by trafilatura (fast mode: its
hidden readability/jusText backup pass off) with reader comments kept apart. Then three decisions,
each recorded in ``meta["extraction"]``:

- vote: a paragraph vote with trafilatura's readability port (``html_vote``): primary lines it
  does not back are dropped, long paragraphs only it holds are added in page order, short lines
  after the article's end that it holds only as scattered words are dropped (trailing teasers);
- comments: reader comments never join the article's text (a commenter's words would be read as
  the outlet's claims and quotes); trafilatura's comment block is kept whole beside it, in
  ``meta["reader_comments"]``. ``comments`` says "aside" when the block is at least
  ``html_comment_share`` of the article's words (a discussion), "dropped" when smaller
  (comment-widget text, which also asks the dispute below);
- fallback: when the primary text is under ``html_readability_short_words`` words,
  readability-lxml's text replaces it if it finds at least ``_MIN_WORDS`` words, less the
  short lines after the last long line both hold (the vote's tail rule, trafilatura's text
  voting) when trafilatura's text holds most of it (``html_vote_tail_min_held``):
  readability-lxml keeps a page's trailing teasers, "Full story" links and contact blocks;
- disputed: when trafilatura set a small comment section aside and its readability port (the
  vote's second text) has under ``html_readability_port_share`` of the voted text's words,
  readability-lxml's text replaces the voted text (``reason`` "disputed: comments dropped");
- small port: when the vote was skipped because the port's text is small, but still at least
  ``html_readability_small_port_share`` of the primary's, readability-lxml is asked; its text
  replaces the primary when its size is within ``html_readability_agree_factor`` of the port's
  (``reason`` "small port: readability agrees");
- repeats: long lines the text already holds are dropped when they are a good share of it
  (``repeated_lines_dropped``: trafilatura returns some pages twice).

Every word count above is the policy's ``WordMeasure`` (``[text]``): ``split()`` words, with
Chinese, Japanese and Thai characters counted at a per-script rate, so "100 words" means the
same on a page written without spaces. ftfy repairs only the extracted text, never the whole
page, and keeps CJK lines' full-width punctuation (``decode.repair_text``).
"""

from __future__ import annotations

import hashlib
import logging
import re
from typing import TYPE_CHECKING

import lxml.html
import trafilatura
from readability import Document as Readability
from trafilatura.metadata import (
    META_URL,
    examine_meta,
    extract_meta_json,
    extract_sitename,
    extract_title,
    extract_url,
)

from storyline import errors
from storyline.errors import InputError
from storyline.ingest.decode import declared_charset, decode_bytes, repair_text
from storyline.ingest.html_dates import page_published
from storyline.ingest.html_tree import load_page, readability_tree
from storyline.ingest.html_vote import (
    SKIPPED_SMALL,
    VotePolicy,
    block_text,
    default_policy,
    drop_tail,
    second_text,
    vote,
)
from storyline.ingest.published import PUBLISHED_NOTE
from storyline.models import RawArticle, content_hash

if TYPE_CHECKING:
    from lxml.html import HtmlElement

# trafilatura logs every page it finds hard; our Rejected rows say it once, with a code.
logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
logging.getLogger("htmldate").setLevel(logging.CRITICAL)
logging.getLogger("readability").setLevel(logging.CRITICAL)

# Fewer words than this is a menu or an error page, not an article.
_MIN_WORDS = 5
_WORDED = re.compile(r"\S*[^\W_]\S*")  # a space-separated piece holding a letter or digit
# The reader comments trafilatura found, kept beside the article's text (never in it).
COMMENTS_TEXT = "reader_comments"
_META_KEYS = ("title", "date", "sitename", "url", "author", "language")


def page_metadata(tree: HtmlElement, url: str | None) -> dict[str, str | None]:
    """Return a page's title, date, site name, URL, author and language in one pass.

    With them ``published_note``: why the date kept less than the page's string seemed to give.

    The steps and the date call are trafilatura 2.0's ``extract_metadata`` (so the published
    date is the one ``with_metadata=True`` gives; dateparser told the page's language, see
    ``html_dates``), minus categories, tags and licence, and
    minus the byline scan for an author that no meta tag or JSON-LD names (a copy of the whole
    tree pruned and searched again: a tenth of the reader's time, for a field nothing reads).
    """
    meta = examine_meta(tree)
    if meta.author and " " not in meta.author:
        meta.author = None
    try:
        meta = extract_meta_json(tree, meta)
    except Exception:  # noqa: BLE001 -- trafilatura guards this call the same way
        logging.getLogger("trafilatura").debug("JSON-LD metadata failed")
    if not meta.title:
        meta.title = extract_title(tree)
    if not meta.url:
        meta.url = extract_url(tree, url)
    published = page_published(tree, meta.url)
    meta.date = published.value
    if not meta.sitename:
        meta.sitename = extract_sitename(tree)
    if meta.sitename:
        if isinstance(meta.sitename, list):
            meta.sitename = meta.sitename[0]
        elif isinstance(meta.sitename, dict):
            meta.sitename = str(meta.sitename)
        meta.sitename = meta.sitename.lstrip("@")
        if meta.sitename and "." not in meta.sitename and not meta.sitename[0].isupper():
            meta.sitename = meta.sitename.title()
    elif meta.url and (found := META_URL.match(meta.url)):
        meta.sitename = found[1]
    meta.clean_and_trim()
    fields = meta.as_dict()
    values = {key: (str(fields[key]) if fields.get(key) else None) for key in _META_KEYS}
    return values | {PUBLISHED_NOTE: published.note}


def readability_text(html: str) -> str:
    """Return readability-lxml's main text of a page, one block a line ("" when it fails)."""
    try:
        summary = Readability(readability_tree(html)).summary(html_partial=True)
        tree = lxml.html.fromstring(summary)
    except Exception:  # noqa: BLE001 -- a second opinion that fails is no opinion
        return ""
    return block_text(tree)


def extract_text(
    html: str, tree: HtmlElement, url: str | None, policy: VotePolicy
) -> tuple[str, dict[str, object]]:
    """Return the main text of a parsed page and the decisions that chose it.

    The tree is consumed: the vote's second extractor prunes it.
    """
    # fast=True: trafilatura's own backup pass (readability + jusText compared inside it) is
    # skipped; the readability fallback below decides instead, and in the open. Measured with
    # bench/html_extraction.py --split (dragnet halves by page-id hash, and Zyte): F1 up on the
    # held-out dragnet half (both truths) and on Zyte, and the reader is faster.
    doc = trafilatura.bare_extraction(
        tree, url=url, fast=True, include_comments=True, with_metadata=False
    )
    body = str(getattr(doc, "text", "") or "") if doc is not None else ""
    comments = str(getattr(doc, "comments", "") or "") if doc is not None else ""
    count = policy.words.count  # CJK and Thai counted at a rate per script (text.scripts)
    body_words, comment_words = count(body), count(comments)
    decision: dict[str, object] = {
        "extractor": "trafilatura",
        "mode": "fast",
        "reason": "primary",
        "words": body_words,
        "comment_words": comment_words,
        "comments": "none",
    }
    if comment_words:
        # Kept whole beside the text on every path (read_html moves it to the page's meta):
        # the page's discussion is the reader's to see, not the article's to analyse.
        decision[COMMENTS_TEXT] = comments
        widget = comment_words < policy.comment_share * body_words
        decision["comments"] = "dropped" if widget else "aside"
    if body_words < policy.short_words:
        # A short primary asks readability-lxml first: when it answers, its text replaces the
        # primary's, so the vote (a fifth of the reader's time) would change nothing.
        second = readability_text(html)
        found = decision["readability_words"] = count(second)
        if found >= _MIN_WORDS:
            decision["vote"] = {"voter": "trafilatura-readability", "result": "skipped: fallback"}
            decision.update(extractor="readability-lxml", reason="short")
            # readability-lxml reads a whole container: on a landing page or a press release
            # its text runs on past the article into teasers and contact lines that
            # trafilatura's text lacks. Measured with bench/html_extraction.py --split: up on
            # both dragnet halves, Zyte unchanged; trimming the head the same way lost on
            # dragnet half A (re-simulated from cached extractor texts), so only the tail goes.
            # Only when trafilatura's text holds most of readability-lxml's (drop_tail): else
            # trafilatura set the article's own short lines aside, and they would go too.
            second, dropped, held = drop_tail(second, body, policy)
            decision["tail_dropped_lines"] = dropped
            decision["tail_held_share"] = round(held, 3)
            return second, decision
    # The vote works on the tree last: trafilatura's readability port prunes the tree it reads.
    port = second_text(tree)
    text, record = vote(body, port, policy)
    decision["vote"] = record
    if record.get("result") == SKIPPED_SMALL:
        text = _small_port(html, text, port, decision, policy)
    if decision["comments"] == "dropped":  # a small block: comment-widget text
        if decision["extractor"] == "readability-lxml":
            return text, decision  # already readability-lxml's text (_small_port)
        return _disputed(html, text, count(port), decision, policy)
    return text, decision


def _small_port(
    html: str, text: str, port: str, decision: dict[str, object], policy: VotePolicy
) -> str:
    """Return readability-lxml's text when it and the port both find a block the primary outgrew.

    The vote is skipped when the port's text is small next to trafilatura's: the port found
    another block or none. When the port still holds ``small_port_share`` of the primary's
    words and readability-lxml (the same algorithm, other code) finds a text of about the
    port's size (within ``agree_factor``), two readability readers agree on a block and
    trafilatura's text holds more than the article (teasers, link lists, the page's other
    posts). A port under that share, or a readability-lxml answer far from the port's size,
    leaves the primary: one reader lost the article (seen on dragnet half A: an 8,000-word
    page whose port kept 52 words).
    """
    port_words, text_words = policy.words.count(port), policy.words.count(text)
    if port_words < max(_MIN_WORDS, policy.small_port_share * text_words):
        return text
    second = readability_text(html)
    found = policy.words.count(second)
    decision["readability_words"] = found
    factor = policy.agree_factor
    if found < _MIN_WORDS or not port_words / factor <= found <= port_words * factor:
        return text
    decision.update(extractor="readability-lxml", reason="small port: readability agrees")
    return second


def _disputed(
    html: str, text: str, port_words: int, decision: dict[str, object], policy: VotePolicy
) -> tuple[str, dict[str, object]]:
    """Return readability-lxml's text when the voted text and the port's disagree, else the former.

    Asked only where trafilatura set a small comment section aside. On such pages a port text
    far shorter than the voted text means trafilatura's body holds more than the article
    (comment or page furniture, or the article twice), which the vote's word-bag test cannot
    drop. Only those pages pay for a readability-lxml call (two in a hundred on dragnet), so
    the reader stays fast.
    """
    text_words = policy.words.count(text)
    share = port_words / text_words if text_words else 1.0
    decision["port_share"] = round(share, 3)  # port words / voted words: the dispute's measure
    if share >= policy.port_share:
        return text, decision
    second = readability_text(html)
    second_words = policy.words.count(second)
    decision["readability_words"] = second_words
    if second_words < _MIN_WORDS:
        return text, decision
    decision.update(extractor="readability-lxml", reason="disputed: comments dropped")
    return second, decision


def drop_repeats(text: str, decision: dict[str, object], policy: VotePolicy) -> str:
    """Return the text without long lines it already holds, when such repeats are many.

    trafilatura returns some pages' text twice (seen on dragnet blog pages: ``<br>``-separated
    text in a ``<div>`` inside a ``<p>``); short repeated lines (table rows, meal-plan headings,
    "Reply") are left alone. The count of dropped lines is recorded in ``decision``.
    """
    seen: set[str] = set()
    kept: list[str] = []
    repeated = 0
    for line in text.split("\n"):
        key = " ".join(line.split())
        words = policy.words.count(key)
        if key in seen and words >= policy.repeat_words:
            repeated += words
            continue
        seen.add(key)
        kept.append(line)
    if not repeated or repeated < policy.repeat_share * policy.words.count(text):
        return text
    decision["repeated_lines_dropped"] = len(text.split("\n")) - len(kept)
    return "\n".join(kept)


def read_html(
    data: bytes, locator: str, *, url: str | None = None, vote_policy: VotePolicy | None = None
) -> RawArticle:
    """Read one HTML page into a RawArticle.

    ``vote_policy`` is the paragraph vote's settings (``VotePolicy.from_settings`` of the
    resolved ``[ingest]`` table); None takes the packaged defaults.

    Raises:
        InputError: S101/S104/S105 from decoding, S108 when no article text is found.
    """
    html = decode_bytes(data, locator, declared=declared_charset(data), fix_text=False)
    tree = load_page(html)
    if tree is None:
        raise InputError(errors.NO_ARTICLE_TEXT, locator, "no article text found in the HTML")
    # Metadata first: trafilatura's extraction works on copies, the date on this tree.
    meta = page_metadata(tree, url)
    policy = vote_policy or default_policy()
    body, decision = extract_text(html, tree, url, policy)
    comments = str(decision.pop(COMMENTS_TEXT, ""))
    body = drop_repeats(body, decision, policy)
    body = repair_text(body)
    # pieces without a letter or digit ("-", "|", "*") are no words: a page of dashes is no article
    if policy.words.count(" ".join(_WORDED.findall(body))) < _MIN_WORDS:
        raise InputError(errors.NO_ARTICLE_TEXT, locator, "no article text found in the HTML")
    # The date is htmldate's (html_dates.page_date): a day the markup states, else the extensive
    # search's answer, cut to the month or year when no day backs it.
    published = meta.get("date")
    title = repair_text(meta.get("title") or "")
    # trafilatura repeats the headline as the first line of the text: drop that copy.
    lines = body.split("\n")
    if title and lines and lines[0].strip() == title.strip():
        body = "\n".join(lines[1:]).strip("\n")
    source = meta.get("sitename")
    return RawArticle(
        id=content_hash(title, body),
        title=title,
        text=body,
        locator=locator,
        format="html",
        source=repair_text(source) if source else None,
        url=url or meta.get("url"),
        published=published or None,
        published_source="metadata" if published else "unknown",
        language=meta.get("language"),
        raw_sha256=hashlib.sha256(data).hexdigest(),
        meta=_page_meta(html, meta, decision, comments),
    )


def _page_meta(
    html: str, meta: dict[str, str | None], decision: dict[str, object], comments: str
) -> dict[str, object]:
    """Return what the page says about itself that RawArticle has no field for."""
    extra: dict[str, object] = {"extraction": decision}
    if comments:
        extra[COMMENTS_TEXT] = repair_text(comments)
    if meta.get("author"):
        extra["author"] = repair_text(meta["author"] or "")
    if meta.get(PUBLISHED_NOTE):
        extra[PUBLISHED_NOTE] = meta[PUBLISHED_NOTE]  # why the page's date kept less than a day
    if "</html>" not in html[-2000:].lower():
        extra["html_truncated"] = True  # kept: the article may be cut short
    return extra
