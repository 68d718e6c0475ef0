"""TempEval-3 temporal expressions: storyline's ``find_timexes`` against the dateparser peer.

Usage: python bench/timex_tempeval.py [--data PATH] [--out FILE]
Runs storyline on every document (text + DCT as the anchor), scores the predictions with the
shared evaluator ``eval_te3.py``, scores ``--peer dateparser`` on the same gold, prints both side
by side and ends with the evaluator's headline for storyline (``value f1: X``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from storyline.extract.timex.find import find_timexes

if TYPE_CHECKING:
    from collections.abc import Iterator

SHARED = Path(__file__).resolve().parents[2] / "shared"
DEFAULT_DATA = SHARED / "eval" / "tempeval3" / "TBAQ-cleaned" / "timex_tbaq_train.jsonl"
EVALUATOR = SHARED / "eval" / "tools" / "eval_te3.py"
_ROW = re.compile(r"^(strict|relaxed|type|value)\s+([\d.]+)\s+([\d.]*)\s*([\d.]+)?\s*$")


def read_docs(path: Path) -> Iterator[dict[str, Any]]:
    """Yield the documents of a JSONL file, skipping blank lines."""
    with path.open(encoding="utf-8") as src:
        for line in src:
            if line.strip():
                yield json.loads(line)


def predict(data: Path, out: Path) -> int:
    """Write storyline's predictions for every gold document to ``out``; return their number."""
    n = 0
    with out.open("w", encoding="utf-8") as dst:
        for doc in read_docs(data):
            dct = (doc.get("dct") or {}).get("value") or ""
            anchor = dt.date.fromisoformat(dct[:10]) if re.match(r"\d{4}-\d\d-\d\d", dct) else None
            for t in find_timexes(doc["text"], anchor=anchor, article_id=doc["doc_id"]):
                row = {"doc_id": doc["doc_id"], "start": t.start, "end": t.end, "text": t.text,
                       "type": t.type, "value": t.value}  # fmt: skip
                dst.write(json.dumps(row, ensure_ascii=False) + "\n")
                n += 1
    return n


def evaluate(args: list[str]) -> tuple[dict[str, float], str, float]:
    """Run eval_te3.py; return its F1 figures, its full output and the seconds it took."""
    began = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, str(EVALUATOR), *args], capture_output=True, text=True, check=True
    )
    seconds = time.perf_counter() - began
    figures: dict[str, float] = {}
    for line in proc.stdout.splitlines():
        m = _ROW.match(line.strip())
        if m:
            figures[m.group(1)] = float(m.group(4) or m.group(3) or m.group(2))
    return figures, proc.stdout, seconds


def main() -> None:
    """Run the benchmark and print the comparison table."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="TE3 TIMEX3 JSONL view")
    ap.add_argument("--out", type=Path, help="keep storyline's predictions JSONL here")
    a = ap.parse_args()
    out = a.out or Path(tempfile.mkstemp(suffix=".jsonl")[1])
    began = time.perf_counter()
    n = predict(a.data, out)
    ours_seconds = time.perf_counter() - began
    ours, ours_text, _ = evaluate(["--gold", str(a.data), "--pred", str(out)])
    peer, _, peer_seconds = evaluate(["--gold", str(a.data), "--peer", "dateparser"])
    print(f"data: {a.data}\nstoryline predictions: {n} -> {out}\n")
    print(
        f"{'system':12} {'relaxed F1':>10} {'strict F1':>10} {'type F1':>8} {'value F1':>9} {'seconds':>8}"
    )
    for name, fig, sec in (("storyline", ours, ours_seconds), ("dateparser", peer, peer_seconds)):
        print(
            f"{name:12} {fig.get('relaxed', 0):10.3f} {fig.get('strict', 0):10.3f} "
            f"{fig.get('type', 0):8.3f} {fig.get('value', 0):9.3f} {sec:8.1f}"
        )
    print("\nevaluator output (storyline):")
    print(ours_text.rstrip())


if __name__ == "__main__":
    main()
