"""Quarters, halves and reporting periods, as company reports and business news use them.

"The quarter" in an earnings report is the quarter just ended; "a year earlier" shifts the quarter
the story is about. These handlers share the signature of those in ``handlers``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from storyline.extract.timex import values as tv
from storyline.extract.timex.rules import ORDINALS, Candidate

if TYPE_CHECKING:
    from storyline.extract.timex.values import Resolved, StoryState

_PERIOD_MODS = {"latest", "recent", "year", "comparable", "same", "previous", "prior", "current"}


def quarter_value(text: str, c: Candidate, g: dict[str, str], st: StoryState) -> Resolved | None:
    """Resolve a quarter, half or reporting period ("the third quarter", "the year-ago period")."""
    del text, c
    if g.get("qbare"):
        g = {"qmod": "latest ", "qunit": "quarter"}
    if "qmod" not in g:  # "the 1988 period", "last year's quarter": the quarter talked about
        a = st.anchor
        qtext = (
            st.ref_quarter[-1]
            if st.ref_quarter
            else str(tv.shift_quarter(*tv.quarter_of(a), -1)[1])
            if a
            else "X"
        )
        last = "last" in g["qyear"].lower()
        year_text = g.get("year") or (f"{a.year - last:04d}" if a else "XXXX")
        return "DATE", f"{year_text}-Q{qtext}"
    mods = g["qmod"].lower().replace("-", " ").split()
    unit = g["qunit"].lower()
    ordinal = next((ORDINALS[m] for m in mods if m in ORDINALS), None)
    if "final" in mods:
        ordinal = 4 if unit == "quarter" else 2
    if unit == "period" and not set(mods) & _PERIOD_MODS:
        return None
    if unit == "half" and "last" in mods:
        ordinal = 2
    if unit == "half" and ordinal not in {1, 2}:
        return None
    year: int | None = None
    if g.get("year") or g.get("ofyear"):
        year = int(g.get("ofyear") or g["year"])
    a = st.anchor
    qyear = (g.get("qyear") or "").lower()
    if a is not None and "last year" in qyear:
        year = a.year - 1
    elif a is not None and ("this year" in qyear or "next year" in qyear):
        year = a.year + ("next" in qyear)
    if "ago" in mods or "earlier" in mods or "comparable" in mods:
        if st.ref_quarter:
            return "DATE", tv.shift_value(st.ref_quarter, -1) or st.ref_quarter
        if a is None:
            return "DATE", "XXXX-QX"
        y, q = tv.shift_quarter(*tv.quarter_of(a), -1)
        return "DATE", f"{y - 1:04d}-Q{q}"
    if unit == "half":
        if year is None:
            if a is None:
                return "DATE", f"XXXX-H{ordinal}"
            year = a.year if (ordinal == 1 or a.month > 6) else a.year - 1
        return "DATE", f"{year:04d}-H{ordinal}"
    if ordinal is None:
        if "same" in mods and st.ref_quarter:
            return "DATE", st.ref_quarter
        if a is None:
            return "DATE", "XXXX-QX"
        step = 0 if "current" in mods else -1
        y, q = tv.shift_quarter(*tv.quarter_of(a), step)
        return "DATE", f"{year or y:04d}-Q{q}"
    if year is None:
        if a is None:
            return "DATE", f"XXXX-Q{ordinal}"
        year = a.year if ordinal <= tv.quarter_of(a)[1] else a.year - 1
    return "DATE", f"{year:04d}-Q{ordinal}"


def year_ago_value(text: str, c: Candidate, g: dict[str, str], st: StoryState) -> Resolved | None:
    """Resolve "year-ago", "the quarter a year ago": the story's quarter (or year) a year back."""
    del text, c, g
    if st.ref_quarter:
        return "DATE", tv.shift_value(st.ref_quarter, -1) or st.ref_quarter
    if st.ref and st.ref[:4].isdigit():
        return "DATE", str(int(st.ref[:4]) - 1)
    return ("DATE", str(st.anchor.year - 1)) if st.anchor else ("DATE", "XXXX")
