"""Direct quotes: find the cue of each quoted span, link split pieces, widen mixed quotes.

A cue is a speech verb right after the closing mark or before the opening one, a colon after a
clause, "Name:" or "—Name"; pieces of one quote split by its cue, or by paragraph breaks, share it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from storyline.extract.quotes import speakers as spk
from storyline.extract.quotes.cue_subject import quoted, reads, subject_verb
from storyline.extract.quotes.marks import balanced_span, double_marks
from storyline.text.cues import OBJECT_VERBS, SPEECH_VERBS, past_forms

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

    from storyline.extract.quotes.marks import QuotedSpan
    from storyline.models import QuoteKind

# "Said Ellis: "..."", "Adds the mayor: "..."": a speech verb put before its speaker (quotative
# inversion, general English); past forms and the -s forms of the commonest verbs (not fitted).
_INVERTED = past_forms(SPEECH_VERBS) | {"says", "adds", "writes", "asks", "notes"}
_MAX_CUE_GAP = 12  # tokens between a closing mark and its cue verb
_MAX_JOIN_GAP = 40  # words of a cue clause ("said X, a lawyer who ...") between two pieces
_MIN_MIXED_WORDS = 2  # words outside the marks that make a quote part of a wider clause


@dataclass
class Attr:
    """One attribution under construction (mutable while pieces join)."""

    start: int  # content char span
    end: int
    text: str
    kind: QuoteKind
    cue: Token | None
    cue_text: str
    speaker_head: Token | None
    speaker_span: Span | None
    parent: int | None = None  # index of the enclosing attribution
    pieces: int = 1  # pieces of the quote this one belongs to
    cues: list[int] = field(default_factory=list)  # cue token indexes of all linked pieces
    group: int | None = None  # index (in join_pieces' output) of the quote's first piece
    first_start: int = 1 << 62  # content start of the quote's first piece, when linked


def span_tokens(doc: Doc, start: int, end: int) -> Span | None:
    """Return the tokens covering a char range, or None when it is empty."""
    start, end = max(start, 0), min(end, len(spk.doc_text(doc)))
    if end <= start:
        return None
    span = doc.char_span(start, end, alignment_mode="expand")
    return span if span is not None and len(span) else None


def _cue_after(doc: Doc, close_char: int, limit_char: int) -> Token | None:
    """Return a speech verb right after a closing mark (``"...," Putin said``)."""
    first = span_tokens(doc, close_char, min(limit_char, len(spk.doc_text(doc))))
    if first is None:
        return None
    for n, token in enumerate(first):
        ends = token.text in {".", "!", "?"} and n > 0 and token.is_sent_end
        if n > _MAX_CUE_GAP or ends or "\n" in token.text:
            return subject_verb(first) if n > _MAX_CUE_GAP else None
        if token.pos_ in {"VERB", "AUX"} and (token.lemma_.lower() in SPEECH_VERBS or reads(token)):
            return token
    return None


def _cue_before(doc: Doc, floor_char: int, open_char: int) -> Token | None:
    """Return the speech verb introducing a quote (``Putin said: "..."``)."""
    region = span_tokens(doc, floor_char, open_char)
    if region is None or len(region) == 0:
        return None
    sent_start = doc[region.end - 1].sent.start if region.end - 1 < len(doc) else region.start
    tokens = [t for t in region if t.i >= sent_start and t.idx < open_char]
    if not tokens:
        return None
    n_para = max((n for n, t in enumerate(tokens) if "\n" in t.text), default=-1)
    words = [t for t in tokens[n_para + 1 :] if not t.is_space]
    if not words and n_para >= 0:
        # A paragraph that ends "The New York Times reports:" introduces the next one.
        before = [t for t in tokens[:n_para] if not t.is_space]
        words = before if before and before[-1].text == ":" else []
    verbs: list[Token] = []
    stopped = False
    for token in reversed(words):
        if token.text in {".", "!", "?"}:
            stopped = True
            break
        if token.lemma_.lower() in SPEECH_VERBS and token.pos_ in {"VERB", "AUX"}:
            verbs.append(token)
    if verbs:
        # 'Brazile said that Clinton appeared to be feeling better and looks forward to "..."':
        # the speech verb whose clause holds the quote is its cue, not the nearest one.
        inner = span_tokens(doc, open_char + 1, open_char + 2)
        above = {a.i for a in inner[0].ancestors} if inner is not None else set()
        return _outer_cue(next((v for v in verbs if v.i in above), verbs[0]))
    if stopped:
        return None
    if words and words[-1].text in {":", "—", "-"}:
        # "The Russian leader gave a rationale: "..."": the clause's own verb is the cue.
        for token in words:
            if token.pos_ in {"VERB", "AUX"} and any(c.dep_ == "nsubj" for c in token.children):
                return token
    return None


def _outer_cue(verb: Token) -> Token:
    """Return the speech verb that reports the clause of a nested cue without a speaker of its own.

    'Trump said he thought drugs were "a very big factor"', 'Obama said it would tell an
    American story, one of "suffering and delight"': the inner verb's subject is a pronoun (the
    speaker himself, or a thing), so the words are the outer speaker's and the content is the
    whole reported clause. A noun as the inner subject ('He said Clinton told voters "..."',
    'The left is saying, "..."') keeps the inner cue: the quoted words are theirs. (General
    English syntax; not fitted on any data set.)
    """
    node = verb
    for _ in range(3):
        head = node.head
        if (
            node.dep_ != "ccomp"
            or head.i == node.i
            or head.pos_ not in {"VERB", "AUX"}
            or head.lemma_.lower() not in SPEECH_VERBS
            or head.i > node.i
        ):
            break
        subject = spk.subject_of(node)
        if subject is None or subject.pos_ != "PRON":
            break
        node = head
    return node


def _name_colon(doc: Doc, floor_char: int, open_char: int) -> Span | None:
    """Return the name in the "Name: '...'" form."""
    region = span_tokens(doc, floor_char, open_char)
    if region is None:
        return None
    words = [t for t in region if not t.is_space]
    if len(words) < 2 or words[-1].text != ":":
        return None
    ents = [
        e for e in spk.span_ents(region) if e.end == words[-1].i and e.label_ in {"PERSON", "ORG"}
    ]
    if not ents or spk.is_furniture(ents[0].text):
        return None
    name = ents[0]
    first = doc[name.start]
    if first.lower_ in _INVERTED and first.text[:1].isupper() and len(name) > 1:
        name = doc[name.start + 1 : name.end]  # the tagger took the verb into the name
    if name.start == words[0].i:
        return name
    # "... more complicated. Said Ellis: "..."": a speech verb put before the name opens its
    # sentence; the verb is the cue, not part of the name
    verb = doc[name.start - 1]
    before = doc[verb.i - 1] if verb.i > 0 else None
    opens = (
        verb.i == words[0].i
        or before is None
        or before.text in {".", "!", "?"}
        or before.is_space  # a line break before the verb opens its line
    )
    if verb.lower_ in _INVERTED and verb.text[:1].isupper() and opens:
        return name
    return None


_DASH_NAME = re.compile(r"[\s\u00a0]*[—–―-]{1,2}[\s\u00a0]*([A-Z][^\n.,;:()]{1,60})")


def _dash_name(doc: Doc, close_char: int) -> Span | None:
    """Return the name in the '"..." —Name' form."""
    match = _DASH_NAME.match(spk.doc_text(doc), close_char)
    if match is None:
        return None
    return span_tokens(doc, match.start(1), match.end(1))


def find_direct(doc: Doc, spans: list[QuotedSpan]) -> list[Attr]:
    """Return one attribution per quoted span, with its cue if one is found."""
    text = spk.doc_text(doc)
    out: list[Attr] = []
    for n, span in enumerate(spans):
        parent = spans[span.parent] if span.parent is not None else None
        floor = parent.start if parent else _floor(spans, n)
        ceiling = parent.end if parent else _ceiling(spans, n, len(text))
        close_char = span.end + 1
        cue = _cue_after(doc, close_char, ceiling)
        before = _cue_before(doc, floor, span.start - 1)
        if cue is None or (before is not None and _governs(doc, before, span)):
            cue = before
        named: Span | None = None
        head = spk.subject_of(cue) if cue is not None else None
        if cue is None:
            named = _name_colon(doc, floor, span.start - 1) or _dash_name(doc, close_char)
        elif head is None:
            # "Said Ellis: "..."": the parser gave the inverted verb no subject
            named = _name_colon(doc, floor, span.start - 1)
        if cue is not None and head is not None and quoted(spans, span, head.idx):
            # the parser took a word of this quote, or of a quoted title ('said on Fox News's
            # "Fox and Friends"'): quoted words are never the speaker
            head = _outside_subject(doc, cue, span)
        if named is not None:
            head = named.root
        sp = named if named is not None else spk.speaker_span(doc, head) if head else None
        cue_text = cue.text if cue is not None else (":" if named is not None else "")
        out.append(
            Attr(
                span.start,
                span.end,
                text[span.start : span.end],
                "direct",
                cue,
                cue_text,
                head,
                sp,
                span.parent,
                cues=[cue.i] if cue is not None else [],
            )
        )
    return out


def _outside_subject(doc: Doc, cue: Token, span: QuotedSpan) -> Token | None:
    """Return the noun by a cue outside the quote: '"...," the aide said' or 'said Jane Doe'."""
    if cue.idx > span.end:
        first = cue.i  # walk back from the cue only: a slice from the Doc's start was quadratic
        while first > 0 and doc[first - 1].idx > span.end:
            first -= 1
        before = list(doc[first : cue.i])
        if before and before[-1].text == ")":  # "Elijah Cummings (D-Md.) said"
            opened = [t for t in before if t.text == "("]
            before = before[: before.index(opened[-1])] if opened else []
        before = [t for t in before if not t.is_punct]
        # '"...," when questioned after the debate, asserting': the object of a preposition or
        # a verb before the cue is not who spoke
        if (
            before
            and before[-1].pos_ in {"NOUN", "PROPN", "PRON"}
            and before[-1].dep_ not in {"pobj", "dobj", "dative"}
        ):
            token = before[-1]
            # '"...," Flynn, a top Trump surrogate, said': the name a description stands in
            # apposition to is the speaker (a name in apposition to a title is one already)
            if token.pos_ == "NOUN" and token.dep_ == "appos" and span.end < token.head.idx:
                token = token.head
            return token
    after = doc[cue.i + 1 : cue.i + 2]
    if (len(after) and after[0].pos_ in {"PROPN", "NOUN"}) or (
        len(after) and after[0].lower_ in {"one", "the", "a", "an"}
    ):
        token = after[0]
        while token.i + 1 < len(doc) and doc[token.i + 1].pos_ == "PROPN":
            token = doc[token.i + 1]
        return token
    return None


def _governs(doc: Doc, verb: Token, span: QuotedSpan) -> bool:
    """Return True when a quote sits inside a verb's clause ("blasted X for "...")."""
    inner = span_tokens(doc, span.start, span.end)
    return inner is not None and any(a.i == verb.i for a in inner.root.ancestors)


def _floor(spans: list[QuotedSpan], n: int) -> int:
    """Return the end of the previous top-level span (a cue cannot reach into it)."""
    for m in range(n - 1, -1, -1):
        if spans[m].parent is None:
            return spans[m].end + 1
    return 0


def _ceiling(spans: list[QuotedSpan], n: int, default: int) -> int:
    """Return the start of the next top-level span."""
    for m in range(n + 1, len(spans)):
        if spans[m].parent is None:
            return spans[m].start - 1
    return default


def _gap_words(doc: Doc, start: int, end: int) -> list[Token]:
    """Return the word tokens between two character offsets."""
    region = span_tokens(doc, start, end) if end > start else None
    if region is None:
        return []
    return [t for t in region if t.idx >= start and t.idx < end and (t.is_alpha or t.is_digit)]


_CONTENT_DEPS = frozenset({"ccomp", "xcomp", "oprd"})


def _in_cue_clause(token: Token, cues: list[int], gap: tuple[int, int]) -> bool:
    """Return True when a token belongs to a cue clause such as "Putin said Thursday".

    Words of the cue's own complement written between the pieces ("said the spate demands ...")
    are content, not cue.
    """
    node = token
    for _ in range(12):
        if node.i in cues:
            return True
        if node.head.i == node.i:
            return False
        if node.head.i in cues and node.dep_ in _CONTENT_DEPS and gap[0] <= node.idx < gap[1]:
            return False
        node = node.head
    return node.i in cues


def join_pieces(doc: Doc, attrs: list[Attr], spans: list[QuotedSpan]) -> list[Attr]:
    """Link the pieces of one quote split by its cue or by paragraph breaks.

    Pieces in separate sentences or paragraphs stay separate records, each with its verbatim
    text: joining them printed words in an order and with capitals nobody used ("... other
    regions, To do that, ..."); a piece without a cue takes the cue and speaker of the piece
    it carries on, or gives them its own. One sentence broken by its cue is one record.
    """
    out: list[Attr] = []
    last_top: int | None = None
    remap: dict[int, int] = {}
    for n, attr in enumerate(attrs):
        if attr.parent is not None:
            attr.parent = remap.get(attr.parent, attr.parent)
            remap[n] = len(out)
            out.append(attr)
            continue
        prev = out[last_top] if last_top is not None else None
        joinable = prev is not None and _joinable(doc, prev, attr, spans[n])
        if prev is not None and joinable and _one_sentence(spk.doc_text(doc), prev, attr):
            # '"We will win," she said, "and soon."': one quotation broken by its cue is one
            # record, its text the passage as printed, cue included.
            if prev.cue is None:
                _take_cue(prev, attr)
            prev.end = attr.end
            prev.text = spk.doc_text(doc)[prev.start : prev.end]
            prev.pieces += 1
            prev.cues += attr.cues
            remap[n] = last_top if last_top is not None else n
            continue
        if prev is not None and joinable:
            if prev.cue is None:
                for piece in out[_first_piece(out, last_top) :]:
                    if piece.parent is None and piece.cue is None:
                        _take_cue(piece, attr)
            elif attr.cue is None:
                _take_cue(attr, prev)
            prev.cues += attr.cues
            attr.cues = prev.cues
            attr.pieces = prev.pieces = prev.pieces + 1
            first = prev.group if prev.group is not None else last_top
            attr.group = prev.group = first
            attr.first_start = prev.first_start = out[first].start if first is not None else 0
        remap[n] = len(out)
        last_top = len(out)
        out.append(attr)
    return out


def _one_sentence(text: str, prev: Attr, attr: Attr) -> bool:
    """Return True when a piece carries on the sentence of the one before it."""
    between = text[prev.end : attr.start]
    return (
        "\n" not in between
        and prev.text.rstrip(" \"'”’")[-1:] not in {".", "!", "?", ":"}
        and attr.text[:1].islower()
    )


def _first_piece(out: list[Attr], last: int | None) -> int:
    """Return the index of the first piece of the group ending at ``out[last]``."""
    if last is None:
        return 0
    group = out[last].group
    return last if group is None else group


def _take_cue(attr: Attr, other: Attr) -> None:
    """Give a piece without a cue the cue and speaker of another piece of its quote."""
    attr.cue, attr.cue_text = other.cue, other.cue_text
    attr.speaker_head, attr.speaker_span = other.speaker_head, other.speaker_span


def _joinable(doc: Doc, prev: Attr, attr: Attr, span: QuotedSpan) -> bool:
    """Return True when ``attr`` carries on ``prev``: same cue, or only a cue clause between."""
    if prev.kind != "direct" or attr.kind != "direct":
        return False
    if span.continues:
        return True
    if attr.cue is not None and prev.cue is not None and attr.cue.i != prev.cue.i:
        return "\n" not in spk.doc_text(doc)[prev.end : attr.start] and not _gap_words(
            doc, prev.end, attr.start
        )
    gap = _gap_words(doc, prev.end, attr.start)
    between = spk.doc_text(doc)[prev.end : attr.start]
    if prev.cue is None and "\n" in between:
        return False
    if gap and not any(mark in between for mark in ",.:;—–\n"):
        return False  # '"X" in his "Y"' is one sentence quoting two phrases, not one quote
    cues = prev.cues + attr.cues
    return len(gap) <= _MAX_JOIN_GAP and all(
        _in_cue_clause(t, cues, (prev.end, attr.start)) for t in gap
    )


def widen_mixed(doc: Doc, attr: Attr) -> None:
    """Widen a quote embedded in its cue's clause to the whole clause (kind "mixed")."""
    cue = attr.cue
    inner = span_tokens(doc, attr.start, attr.end)
    if cue is None or inner is None or attr.pieces > 1:
        return
    if cue.dep_ == "parataxis" and _widen_around(doc, attr, cue, inner.root):
        return
    node = inner.root
    for _ in range(8):
        if node.head.i in {cue.i, node.i}:
            break
        node = node.head
    complements = {"ccomp", "xcomp", "dobj", "advcl", "oprd", "dative"}
    if cue.lemma_.lower() in OBJECT_VERBS:
        complements.add("prep")
    if node.head.i != cue.i or node.dep_ not in complements:
        return
    # "called half of his supporters "deplorables"": the object goes with the quoted complement.
    heads = [c for c in cue.rights if c.dep_ in complements and c.i <= node.i] or [node]
    if node.dep_ == "prep":
        # 'blasted the West for "dividing ..."': what was said is the reason, not the target
        heads = [node]
    # a paragraph break ends the sentence the parser ran on past it ('asking, "...?"¶The ad')
    p_start, p_end = spk.paragraph_bounds(doc, cue.idx)
    clause = [
        t
        for c in heads
        for t in c.subtree
        if not (t.is_punct and t.text not in "\"“”'‘’") and p_start <= t.idx < p_end
    ]
    if not clause:
        return
    start = min(t.idx for t in clause)
    end = max(t.idx + len(t) for t in clause)
    if cue.idx >= start and cue.idx < end:
        return
    outside = [
        t for t in clause if (t.idx < attr.start - 1 or t.idx >= attr.end + 1) and t.is_alpha
    ]
    if len(outside) >= _MIN_MIXED_WORDS:
        attr.start, attr.end = min(start, attr.start), max(end, attr.end)
        full = spk.doc_text(doc)
        left, right = balanced_span(full, attr.start, attr.end)
        attr.end = max(attr.end, right)  # a closing mark just past the clause is the quote's
        attr.text = full[left:right]
        attr.kind = "mixed"


def _widen_around(doc: Doc, attr: Attr, cue: Token, root: Token) -> bool:
    """Widen "Americans, he said, can 'rock like Jimi'" to the clause around the cue."""
    head = cue.head
    if cue.idx > attr.start or (head.i != root.i and head not in root.ancestors):
        return False
    own = {t.i for t in cue.subtree}
    clause = [
        t
        for t in head.subtree
        if t.i not in own and not (t.is_punct and t.text not in "\"“”'‘’") and not t.is_space
    ]
    outside = [
        t for t in clause if (t.idx < attr.start - 1 or t.idx >= attr.end + 1) and t.is_alpha
    ]
    if len(outside) < _MIN_MIXED_WORDS or "\n" in spk.doc_text(doc)[clause[0].idx : clause[-1].idx]:
        return False
    attr.start = min(clause[0].idx, attr.start)
    attr.end = max(clause[-1].idx + len(clause[-1]), attr.end)
    # the passage as printed, its cue clause included: cutting the cue out printed a sentence
    # the article never had (issue #18)
    full = spk.doc_text(doc)
    while attr.end > attr.start and full[attr.end - 1] in " ,":
        attr.end -= 1
    if (
        full[attr.end - 1 : attr.end] in {'"', "”"}
        and double_marks(full[attr.start : attr.end]) % 2
    ):
        attr.end -= 1  # the closing mark of the last quoted phrase, its opening one kept out
    attr.text = full[attr.start : attr.end]
    attr.kind = "mixed"
    return True


def cue_phrase(verb: Token) -> str:
    """Return the cue as written: the verb with its auxiliaries and particle."""
    parts = [c for c in verb.children if c.dep_ in {"aux", "auxpass", "neg", "prt"}] + [verb]
    return " ".join(t.text for t in sorted(parts, key=lambda t: t.i))
