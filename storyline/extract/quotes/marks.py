"""Find quoted stretches of text from their quote marks, tolerating sloppy punctuation.

Real pages mix straight and curly marks, forget closing marks, nest double quotes and run a
quote over several paragraphs with an opening mark on each. The scan never raises.
"""

from __future__ import annotations

from dataclasses import dataclass

_DOUBLE_OPEN = frozenset("“„«")
_DOUBLE_CLOSE = frozenset("”»")
_OPENING_CONTEXT = frozenset("([{—–-/:")


@dataclass(frozen=True, slots=True)
class QuotedSpan:
    """The content between one pair of quote marks (marks excluded)."""

    start: int
    end: int
    parent: int | None  # index of the span this one is nested in
    continues: bool  # True when it carries on the previous paragraph's quote


def _role(text: str, i: int) -> tuple[str, str] | None:
    """Return (kind, role) of the mark at ``i``: kind d/s, role open/close/either."""
    ch = text[i]
    before = text[i - 1] if i > 0 else "\n"
    after = text[i + 1] if i + 1 < len(text) else " "
    if ch in _DOUBLE_OPEN:
        return ("d", "open")
    if ch in _DOUBLE_CLOSE:
        # A closing mark used as an opener: at the start of a line, before a word.
        return ("d", "open" if before == "\n" and after.isalnum() else "close")
    if ch == '"':
        if before == " " and after.isspace():
            # 'the term 'African American outreach,' " he told': a mark standing alone between
            # spaces opens nothing; it closes the quote that is open, if any
            return ("d", "either")
        if before.isspace() or before in _OPENING_CONTEXT:
            return ("d", "open")
        if after.isspace() or not after.isalnum():
            return ("d", "close")
        return ("d", "either")
    if ch in "‘'":
        if (before.isspace() or before in _OPENING_CONTEXT or before in '"“') and after.isalnum():
            return ("s", "open")
        if ch == "‘":
            return None
    if ch in "’'" and not before.isspace() and not after.isalnum():
        return ("s", "close")
    return None


def _closers_ahead(marks: list[tuple[int, str, str]]) -> list[int]:
    """Return, for each mark, double closers minus double openers after it.

    Counted once per paragraph from the end: counting after each mark was quadratic on a
    transcript written as one long line.
    """
    ahead = [0] * len(marks)
    balance = 0
    for k in range(len(marks) - 1, -1, -1):
        ahead[k] = balance
        _, kind, role = marks[k]
        if kind == "d":
            balance += (role == "close") - (role == "open")
    return ahead


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Return the span without surrounding white space."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _paragraphs(text: str) -> list[tuple[int, int]]:
    """Return (start, end) of each non-empty line."""
    out, pos = [], 0
    for line in text.split("\n"):
        if line.strip():
            out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


def _starts_with_open(text: str, para: tuple[int, int]) -> bool:
    """Return True when a paragraph opens with a double quote mark."""
    stripped = text[para[0] : para[1]].lstrip()
    return bool(stripped) and (stripped[0] in _DOUBLE_OPEN or stripped[0] == '"')


def find_quoted_spans(text: str) -> list[QuotedSpan]:
    """Return every quoted span of ``text`` in document order, nested ones after their parent."""
    spans: list[QuotedSpan] = []
    # Two apostrophes stand for a double mark in some archives; same length keeps offsets.
    text = text.replace("''", '" ')
    paras = _paragraphs(text)
    carry = False  # the previous paragraph ended inside a quote that this one continues
    for p_index, (p_start, p_end) in enumerate(paras):
        marks: list[tuple[int, str, str]] = []
        for i in range(p_start, p_end):
            if text[i] in "\"“”„«»‘’'":
                found = _role(text, i)
                if found is not None:
                    marks.append((i, *found))
        stack: list[tuple[str, int, int | None, bool]] = []  # kind, content start, parent, cont
        ahead = _closers_ahead(marks)
        opened = False

        for k, (i, kind, mark_role) in enumerate(marks):
            doubles = [n for n, item in enumerate(stack) if item[0] == "d"]
            role = ("close" if doubles else "open") if mark_role == "either" else mark_role
            if kind == "d" and role == "open":
                # enough closing marks follow to close an inner quote and the outer
                nested = ahead[k] >= 2
                if doubles and not (text[i] != '"' and nested):
                    # An opening mark while a quote is open restarts the quote.
                    while len(stack) > doubles[0]:
                        _close(text, stack, i, spans)
                stack.append(("d", i + 1, -1 if stack else None, carry and not opened))
                opened = True
            elif kind == "d":
                if doubles:
                    while len(stack) > doubles[-1]:
                        _close(text, stack, i, spans)
            elif role == "open":
                stack.append(("s", i + 1, -1 if stack else None, False))
            elif stack and stack[-1][0] == "s":
                _close(text, stack, i, spans)
        # Unclosed single marks at the end of a paragraph were apostrophes.
        stack = [item for item in stack if item[0] == "d"]
        nxt = paras[p_index + 1] if p_index + 1 < len(paras) else None
        carry = bool(stack) and nxt is not None and _starts_with_open(text, nxt)
        while stack:
            _close(text, stack, p_end, spans)
    return _resolve_parents(spans)


def _close(
    text: str, stack: list[tuple[str, int, int | None, bool]], end: int, spans: list[QuotedSpan]
) -> None:
    """Close the innermost open quote at ``end``; -1 as parent marks "nested" until sorted."""
    _, start, parent, cont = stack.pop()
    s, e = _trim(text, start, end)
    if e > s:
        spans.append(QuotedSpan(s, e, parent, cont))


def _resolve_parents(spans: list[QuotedSpan]) -> list[QuotedSpan]:
    """Sort spans by start and turn the parent placeholders into indexes."""
    spans = sorted(spans, key=lambda s: (s.start, -s.end))
    out: list[QuotedSpan] = []
    for span in spans:
        parent = None
        if span.parent is not None:
            for n in range(len(out) - 1, -1, -1):
                if out[n].start <= span.start and span.end <= out[n].end:
                    parent = n
                    break
        out.append(QuotedSpan(span.start, span.end, parent, span.continues))
    return out


def double_marks(text: str) -> int:
    """Return the number of double quote marks in a text."""
    return sum(text.count(m) for m in '"“”')


def balanced_span(full: str, start: int, end: int) -> tuple[int, int]:
    """Return a mixed quote's passage without its outer marks and spaces, its marks paired.

    'has called the Russian intervention “counter-productive”': stripping the outer marks cut
    the closing one off a quoted phrase that ends the clause, and a reader copying the quote
    got an opening mark never closed. A double mark at either edge (or just past the end) is
    kept when the passage holds an odd number of them without it. Returns char offsets.
    """
    strip = "\"“”‘’' ,"
    left, right = start, end
    while left < right and full[left] in strip:
        left += 1
    while right > left and full[right - 1] in strip:
        right -= 1
    if left < right and double_marks(full[left:right]) % 2:
        closer = next((k for k in range(right, min(end + 1, len(full))) if full[k] not in " ,"), -1)
        if closer >= 0 and full[closer] in {'"', "”"}:
            right = closer + 1  # the closing mark of the last quoted phrase
        elif left > start and full[left - 1] in {'"', "“"}:
            left -= 1  # the opening mark of the first one
    return left, right
