"""MEANTIME temporal expressions: an out-of-sample check of ``find_timexes`` (no rule was fitted here).

Usage: python bench/timex_meantime.py [--data PATH] [--topics airbus,apple,...]
MEANTIME (120 Wikinews articles, CC BY 4.0) annotates TIMEX3 only in the headline and the first
five sentences, so the bench scores that part of each article: it writes the shared evaluator's
TE3 JSONL view of it to a temporary file, blanks the dateline line (the DCT, which MEANTIME does
not annotate in the text), runs storyline and the dateparser peer on it, and scores both with
``eval_te3.py``. MEANTIME follows the NewsReader guidelines, which differ from TimeBank's (it marks
"the Joint Strike Fighter program" or "which" as dates), so its figures run below TempEval-3's.
Prints a table per topic and overall, then ``value f1: X`` for storyline on the whole set.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from timex_tempeval import SHARED, evaluate, predict, read_docs

DEFAULT_DATA = SHARED / "eval" / "meantime-en" / "meantime_en.jsonl"
ANNOTATED_LINES = 6  # headline, dateline, then the five annotated sentences (one per line)
_DMY = re.compile(r"(\d\d)-(\d\d)-(\d{4})$")


def te3_view(doc: dict[str, Any]) -> dict[str, Any] | None:
    """Return the annotated part of one MEANTIME document as a TE3 JSONL row; None without DCT."""
    dct = doc.get("dct") or ""
    if m := _DMY.match(dct):  # one document gives its DCT day-month-year
        dct = f"{m[3]}-{m[2]}-{m[1]}"
    if not dct:
        return None
    lines = doc["text"].split("\n")[:ANNOTATED_LINES]
    if len(lines) > 1:
        lines[1] = " " * len(lines[1])  # the dateline: same length, so offsets hold
    text = "\n".join(lines)
    keys = ("type", "value", "start", "end", "text")
    timexes = [
        {"tid": f"t{t['m_id']}", **{k: t[k] for k in keys}}
        for t in doc["timex3"]
        if t.get("text") and t.get("start") is not None and t["end"] <= len(text)
        if t.get("sentence") != 1
    ]
    return {"doc_id": doc["doc_id"], "dct": {"value": dct}, "title": lines[0], "text": text,
            "timex3": timexes}  # fmt: skip


def write_view(data: Path, out: Path, topics: set[str] | None) -> int:
    """Write the TE3 view of the chosen topics' documents to ``out``; return the gold count."""
    n = 0
    with out.open("w", encoding="utf-8") as dst:
        for doc in read_docs(data):
            if topics and doc["topic"] not in topics:
                continue
            if (row := te3_view(doc)) is not None:
                dst.write(json.dumps(row, ensure_ascii=False) + "\n")
                n += len(row["timex3"])
    return n


def main() -> None:
    """Score storyline and dateparser per topic and overall; print the table."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="meantime_en.jsonl")
    ap.add_argument("--topics", default="", help="comma-separated topics (default: all)")
    a = ap.parse_args()
    if not a.data.exists():
        sys.exit(f"no MEANTIME data at {a.data}")
    chosen = {t for t in a.topics.split(",") if t}
    topics = sorted(chosen or {doc["topic"] for doc in read_docs(a.data)})
    tmp = Path(tempfile.mkdtemp(prefix="timex_meantime_"))
    print(f"MEANTIME on {a.data}: headline + first five sentences, scored by eval_te3.py")
    print(f"{'topic':10} {'gold':>5}  {'value F1 sl/peer':>17}  {'relaxed F1 sl/peer':>19}")
    overall: dict[str, float] = {}
    for name, subset in [*((t, {t}) for t in topics), ("all", set(topics))]:
        view = tmp / f"{name}.jsonl"
        gold = write_view(a.data, view, subset)
        predict(view, tmp / f"{name}.pred.jsonl")
        ours, _, _ = evaluate(["--gold", str(view), "--pred", str(tmp / f"{name}.pred.jsonl")])
        peer, _, _ = evaluate(["--gold", str(view), "--peer", "dateparser"])
        print(
            f"{name:10} {gold:5d}  {ours.get('value', 0):8.3f} {peer.get('value', 0):8.3f}  "
            f"{ours.get('relaxed', 0):9.3f} {peer.get('relaxed', 0):9.3f}"
        )
        overall = ours
    print(f"value f1: {overall.get('value', 0):.3f}")


if __name__ == "__main__":
    main()
