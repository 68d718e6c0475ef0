"""The HTML reader: decoding once, per-page extraction decisions, and the cleaner's guard."""

from __future__ import annotations

import gzip
from dataclasses import replace

import ftfy
import pytest

from storyline import errors
from storyline.clean import clean_article
from storyline.errors import InputError
from storyline.ingest.decode import declared_charset, decode_bytes, repair_text
from storyline.ingest.html import read_html
from storyline.ingest.html_vote import default_policy
from tests.conftest import shared_path

# Sentences of a made-up council story; repeated to the lengths the three bugs had.
_SENTENCES = [
    "The council approved the new budget for the harbour district on Tuesday evening.",
    "Residents had asked for more money for the ferry and the two schools near the quay.",
    "The mayor said the plan would be reviewed again in the spring, after the tender closes.",
    "Builders expect the first repairs on the sea wall to start before the autumn storms.",
    "Opposition members argued that the cost of the bridge had been understated for years.",
]


_WALKS = ("quay", "lighthouse", "dune", "pier", "marsh", "cliff")


def _body(words: int) -> str:
    text: list[str] = []
    k = 0
    while sum(len(s.split()) for s in text) < words:
        text.append(_SENTENCES[k % len(_SENTENCES)])
        k += 1
    return " ".join(text)


def _page(body_html: str, title: str = "Harbour budget approved") -> bytes:
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title>"
        '<meta property="article:published_time" content="2026-03-10T08:00:00Z"></head>'
        f"<body><nav><a href='/'>Home</a></nav><article><h1>{title}</h1>{body_html}"
        "</article><footer>Copyright 2026</footer></body></html>"
    ).encode()


def _cleaned(data: bytes):
    raw = read_html(data, "page.html")
    return raw, clean_article(raw, threshold=0.95)


def test_stray_byte_in_utf8_page_is_repaired_alone():
    text = "It’s the council’s “final” budget, the mayor said. " * 30
    data = text.encode() + b"Price: 5\x80 more. " + text.encode()
    decoded = decode_bytes(data, "page.html")
    assert "It’s the council’s “final” budget" in decoded
    assert "Price: 5€ more." in decoded
    assert "Ō" not in decoded


def test_stray_byte_page_reads_without_mojibake():
    para = "<p>" + "It’s the council’s “final” budget, the mayor said on Tuesday. " * 8 + "</p>"
    data = _page(para * 3).replace(b"Tuesday. </p>", b"Tuesday.\x92 </p>", 1)
    raw = read_html(data, "page.html")
    assert "It’s the council’s “final” budget" in raw.text
    assert "ItŌĆÖs" not in raw.text


@pytest.mark.parametrize(
    ("head", "charset"),
    [
        (b'<meta charset="windows-1252">', "windows-1252"),
        (b'<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">', "iso-8859-1"),
        (b"<title>none</title>", None),
    ],
)
def test_declared_charset_is_read_from_the_head(head, charset):
    assert declared_charset(b"<html><head>" + head + b"</head>") == charset


def test_declared_legacy_charset_decodes_first():
    data = "<html><head><meta charset='koi8-r'></head><body>Москва</body></html>".encode("koi8-r")
    assert "Москва" in decode_bytes(data, "page.html", declared=declared_charset(data))


def test_one_line_552_word_body_with_a_photo_credit_is_kept():
    body = _body(540) + " (Photo credit: Harbour Council) The vote was eleven to four."
    raw, clean = _cleaned(_page(f"<p>{body}</p>"))
    assert len(raw.text.split()) >= 552
    assert "(Photo credit: Harbour Council)" in clean.text
    assert len(clean.text.split()) == len(raw.text.split())
    kept = clean.meta["clean_kept"]
    assert [(k["reason"], k["guard"]) for k in kept] == [("caption", "long_line")]


def test_long_body_whose_first_sentence_reads_like_a_bio_is_kept():
    # The shape of the page that was removed as `bio` 0.958: one line, a reporter's record as the
    # opening sentence, a mention of Facebook, no reporting verb, no full stop at the very end.
    first = "Jane Moor has covered the harbour for the Herald as a reporter since 2009."
    story = " ".join(
        f"Week {n} brought new cracks in the old sea wall and the ferry ran late again."
        for n in range(140)
    )
    body = f"{first} {story} The harbour group shares its photos on Facebook"
    raw, clean = _cleaned(_page(f"<p>{body}</p>"))
    assert len(raw.text.split()) >= 1825
    assert clean.text.startswith(first)
    assert clean.removed == ()
    assert [k["reason"] for k in clean.meta["clean_kept"]] == ["bio"]


def test_list_article_items_beside_short_links_are_kept():
    names = [f"{a} {b}" for a in ("North", "South", "Old", "New") for b in _WALKS]
    items = "".join(
        f"<li>{name} walk</li><li>http://bit.ly/w{n}</li>" for n, name in enumerate(names)
    )
    intro = f"<p>{_body(60)}</p>"
    raw, clean = _cleaned(_page(f"{intro}<ul>{items}</ul><p>{_body(40)}</p>"))
    assert all(f"{name} walk" in raw.text for name in names)
    assert all(f"{name} walk" in clean.text for name in names)


def test_extraction_decision_is_in_meta():
    raw = read_html(_page(f"<p>{_body(300)}</p>"), "page.html")
    assert raw.meta["extraction"]["extractor"] == "trafilatura"
    assert raw.meta["extraction"]["reason"] == "primary"
    # trafilatura's hidden backup pass is off: the readability fallback is ours, recorded
    assert raw.meta["extraction"]["mode"] == "fast"
    assert raw.published == "2026-03-10"


def test_short_primary_text_asks_readability():
    raw = read_html(_page(f"<p>{_body(30)}</p>"), "page.html")
    decision = raw.meta["extraction"]
    assert decision["reason"] == "short" or decision["readability_words"] < 5
    assert "harbour district" in raw.text


def test_page_without_text_is_rejected_with_code():
    with pytest.raises(InputError) as info:
        read_html(b"<html><body><nav>Home</nav></body></html>", "empty.html")
    assert info.value.code == errors.NO_ARTICLE_TEXT


_REPAIR_CASES = [
    "Plain “curly” line – with a dash… and ‘quotes’.\nSecond plain line\n",
    "ItÃ¢â‚¬â„¢s mojibake\nplain line\n",
    "Caf\u00c3\u00a9 au lait &amp; croissants\n<b>markup</b> then &amp;\nlater &amp;\n",
    "ﬁne ligature\r\nfullwidth ＬＯＵＤ\x1b[31m red\n",
    "no newline at the end &eacute;",
    "",
]


@pytest.mark.parametrize("text", _REPAIR_CASES)
def test_repair_text_equals_ftfy_on_the_whole_text(text):
    # ftfy runs only on lines that are not plain; the result must be ftfy's own, entity state
    # after a "<" line included.
    assert repair_text(text) == ftfy.fix_text(text, uncurl_quotes=False, normalization="NFC")


def test_repair_text_fixes_mojibake_lines_only():
    assert repair_text("plain\nItâ€™s\n") == "plain\nIt’s\n"


def test_repair_text_keeps_cjk_full_width_punctuation_as_written():
    """A CJK line keeps its widths (its typography, the article's exact text); a Latin line's
    full-width letters still become ASCII, as the English stages read them."""
    chinese = "记者：张伟（实习）报道，地铁将于明年开通！\n"
    assert repair_text(chinese) == chinese
    assert repair_text("Ctrl＋Alt＋Kで起動する\n") == "Ctrl＋Alt＋Kで起動する\n"
    assert repair_text("ＬＯＵＤ　ＮＯＩＳＥＳ said Ｍｒ Smith\n") == "LOUD NOISES said Mr Smith\n"
    mixed = "记者：张伟\nＬＯＵＤ\n"
    assert repair_text(mixed) == "记者：张伟\nLOUD\n"


# A blog post whose text is <br>-separated inside a <div> nested in a <p>: trafilatura returns
# every paragraph twice (the shape of a dragnet blog page that did so), its readability port once.
_PLACES = ("quay", "ferry", "school", "bridge", "sea wall", "market", "lighthouse", "dune path")
_COMMENT = (
    "<div class='comments' id='comments'><h4>1 comment:</h4><dl id='comments-block'>"
    "<dt>Ann said...</dt><dd><p>Good to see the quay fixed.</p></dd></dl></div>"
)


def _week(n: int) -> str:
    return (
        f"In week {n} the work at the {_PLACES[n % 8]} went on, and {n * 7} residents came to"
        f" see how the {_PLACES[(n * 3) % 8]} looked after the storm."
    )


def _blog_page(paragraphs: list[str], comments: str) -> bytes:
    text = "<br />\n<br />\n".join(paragraphs)
    post = (
        "<div class='post-body'>\n<p><div dir='ltr'>\n<b><span>Harbour works</span></b><br />\n"
        f"<div>\n<br />\n{text}<br />\n</div>\n</div></p>\n</div>"
    )
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>Harbour works</title></head>"
        f"<body><div class='blog-posts'><div class='post'>{post}</div>{comments}</div>"
        "</body></html>"
    ).encode()


def _weeks() -> list[str]:
    return [" ".join(_week(3 * i + j) for j in range(3)) for i in range(8)]


def test_disputed_page_with_small_comment_section_is_read_by_readability():
    raw = read_html(_blog_page(_weeks(), _COMMENT), "blog.html")
    decision = raw.meta["extraction"]
    assert decision["comments"] == "dropped"
    assert decision["port_share"] < 0.7
    assert (decision["extractor"], decision["reason"]) == (
        "readability-lxml",
        "disputed: comments dropped",
    )
    # Each paragraph once, the last one kept, the reader's comment left out.
    assert raw.text.count(_week(0)) == 1
    assert raw.text.count(_week(23)) == 1
    assert "Good to see the quay fixed" not in raw.text


def test_page_whose_port_agrees_keeps_trafilaturas_text():
    paragraphs = "".join(f"<p>{p}</p>" for p in _weeks())
    raw = read_html(_page(paragraphs + _COMMENT), "page.html")
    decision = raw.meta["extraction"]
    assert decision["comments"] == "dropped"
    assert decision["port_share"] >= 0.7
    assert (decision["extractor"], decision["reason"]) == ("trafilatura", "primary")
    assert raw.text.count(_week(0)) == 1


def test_dispute_is_not_asked_without_a_comment_section():
    # The rule is fitted on pages where trafilatura set comments aside (readability-lxml on
    # every disputed page lost F1 on dragnet); the doubled text goes by the repeat rule.
    raw = read_html(_blog_page(_weeks(), ""), "blog.html")
    decision = raw.meta["extraction"]
    assert decision["comments"] == "none"
    assert "port_share" not in decision
    assert decision["extractor"] == "trafilatura"
    assert decision["repeated_lines_dropped"] == 8
    assert raw.text.count(_week(0)) == 1
    assert raw.text.count(_week(23)) == 1


def test_dispute_and_repeats_follow_the_policy():
    never = replace(default_policy(), port_share=0.0)
    raw = read_html(_blog_page(_weeks(), _COMMENT), "blog.html", vote_policy=never)
    assert raw.meta["extraction"]["extractor"] == "trafilatura"
    assert raw.text.count(_week(0)) == 1
    keep_all = replace(never, repeat_share=0.9)
    raw = read_html(_blog_page(_weeks(), _COMMENT), "blog.html", vote_policy=keep_all)
    assert "repeated_lines_dropped" not in raw.meta["extraction"]
    assert raw.text.count(_week(0)) == 2


def test_short_repeated_lines_are_kept():
    # A plan whose headings and portions repeat day after day: short lines, all text.
    days = "".join(
        f"<h3>Day {n}</h3><p>Breakfast</p><p>Eat within an hour of waking up</p>"
        f"<p>{_week(n)} {_week(n + 40)}</p>"
        for n in range(12)
    )
    raw = read_html(_page(days), "plan.html")
    assert "repeated_lines_dropped" not in raw.meta["extraction"]
    assert raw.text.count("Eat within an hour of waking up") == 12


_DISCUSSION = (
    "<div class='comments' id='comments'><h3>4 comments</h3><ol class='commentlist'>"
    + "".join(
        f"<li class='comment'><p class='comment-author'>{who} said:</p><p>{said}</p></li>"
        for who, said in (
            (
                "Ann",
                "The ferry was late again this morning and nobody on the quay knew why at all.",
            ),
            (
                "Bo",
                "I think the council is lying about the cost of the sea wall, it will be double.",
            ),
            (
                "Cy",
                "Good to see the market open again after the storm, the stalls looked busy today.",
            ),
            (
                "Di",
                "My street still has no light at night and the school bus takes the long way round.",
            ),
        )
    )
    + "</ol></div>"
)


def test_a_discussion_is_kept_beside_the_article_never_in_its_text():
    # A commenter's words in the text would be read as the outlet's: "the council is lying"
    # would become the paper's claim. The discussion stays with the page, whole.
    paragraphs = "".join(f"<p>{p}</p>" for p in _weeks()[:2])
    raw = read_html(_page(paragraphs + _DISCUSSION), "page.html")
    decision = raw.meta["extraction"]
    assert decision["comments"] == "aside"
    assert decision["comment_words"] >= 0.3 * decision["words"]
    assert "council is lying" not in raw.text
    assert "ferry was late again" not in raw.text
    assert raw.text.count(_week(0)) == 1
    assert raw.text.count(_week(5)) == 1
    comments = raw.meta["reader_comments"]
    assert "I think the council is lying about the cost of the sea wall" in comments
    assert "My street still has no light at night" in comments
    assert "reader_comments" not in decision  # the record of decisions stays small


def test_comment_widget_text_is_kept_beside_the_article_too():
    paragraphs = "".join(f"<p>{p}</p>" for p in _weeks())
    raw = read_html(_page(paragraphs + _COMMENT), "page.html")
    assert raw.meta["extraction"]["comments"] == "dropped"
    assert "Good to see the quay fixed" not in raw.text
    assert "Good to see the quay fixed." in raw.meta["reader_comments"]


def test_a_page_without_comments_has_no_comment_field():
    raw = read_html(_page("".join(f"<p>{p}</p>" for p in _weeks())), "page.html")
    assert raw.meta["extraction"]["comments"] == "none"
    assert "reader_comments" not in raw.meta


def test_a_plain_text_file_keeps_cjk_full_width_punctuation():
    # decode_bytes(fix_text=True) is the .txt reader's path: it went through ftfy's width fix
    chinese = "国务院周一表示，新政策将于（三月）生效。官员说：“这是第一步。”\n"
    assert decode_bytes(chinese.encode("utf-8"), "a.txt", fix_text=True) == chinese
    assert decode_bytes("ItÃ¢â‚¬â„¢s\r\n".encode(), "b.txt", fix_text=True) == "It’s\n"


def test_a_page_of_dashes_beside_its_comment_thread_is_no_article():
    # dragnet R859: trafilatura's body is five "-" lines and the thread is comments; with the
    # comments set aside the dashes alone were stored as the article
    page = gzip.decompress(shared_path("eval", "dragnet", "html", "R859.html.gz").read_bytes())
    with pytest.raises(InputError) as caught:
        read_html(page, "R859.html")
    assert caught.value.code == errors.NO_ARTICLE_TEXT


def test_comments_beside_a_short_primary_are_labelled_aside():
    short = "<p>The quay reopened on Monday after the storm repairs were finished.</p>"
    raw = read_html(_page(short + "".join(f"<p>{p}</p>" for p in _weeks()[:1]) + _DISCUSSION), "s")
    decision = raw.meta["extraction"]
    assert decision["words"] < 100
    assert decision["comments"] == "aside"
    assert "council is lying" in raw.meta["reader_comments"]
    assert "council is lying" not in raw.text
