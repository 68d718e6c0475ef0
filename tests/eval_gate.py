"""Eval gate: fast subsets of the benchmarks, each held to a floor pinned in eval_baseline.json.

trafilatura's idea (``tests/eval_gate.py``): a score that falls below its floor fails CI, so a
regression cannot land silently. The subsets are fixed (no sampling at run time) and the code
is deterministic, so a score moves only when the code does.

Usage:
    python tests/eval_gate.py                   # run every gate, exit 1 if one is below its floor
    python tests/eval_gate.py --only quotes     # gates whose name contains "quotes"
    python tests/eval_gate.py --update          # pin the measured scores (floors only go up)
    python tests/eval_gate.py --update --allow-lower
        # also lower a floor; the commit that changes eval_baseline.json must then carry a line
        # ``eval-gate: lower <gate> because <reason>`` (tests/test_eval_gate.py checks history)

Data are read from ``../shared/eval`` (``--data`` for another root). A missing dataset is a
failure under ``CI=true`` and a skipped gate (said so in the table) elsewhere.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "tests" / "eval_baseline.json"
DEFAULT_DATA = ROOT.parent / "shared" / "eval"
# A floor sits this far under the pinned score: the code is deterministic, but BLAS, spaCy and
# scikit-learn builds may round differently on another machine; a real regression is larger.
SLACK = 0.003
# Fixed subsets: the first N items in the file's own (sorted) order, never a random draw.
POLNEAR_ARTICLES = 30
GOOGLENEWS_MOD = 3  # records with int(id) % 3 == 0: a third of every story, ~3,700 titles
DRAGNET_MOD = 3  # dragnet pages whose place in the sorted ids is a multiple of 3: 461 pages
SPLICE_N = 60
SPLICE_SEED = 17


def _bench(name: str) -> ModuleType:
    """Import ``bench/<name>.py`` (bench/ is scripts, not a package)."""
    path = ROOT / "bench" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"bench_{name}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def gate_html_zyte(data: Path, tmp: Path) -> float:
    """HTML reader + cleaner, token-shingle F1 on the whole Zyte set (181 pages)."""
    bench = _bench("html_extraction")
    pages, golds = bench.load_set(data / "article-extraction-benchmark")
    _, ours, _, _, _ = bench.run_interleaved(pages)  # trafilatura runs beside it: a few seconds
    return float(bench.score(ours, golds[""])["f1"])


def gate_html_dragnet(data: Path, tmp: Path) -> float:
    """HTML reader + cleaner on a third of dragnet (461 pages), the article's text scored on the
    truth without reader comments: comments kept out of the text are held there."""
    bench = _bench("html_extraction")
    pages, golds = bench.load_set(data / "dragnet")
    subset = {item: pages[item] for n, item in enumerate(sorted(pages)) if n % DRAGNET_MOD == 0}
    settings = bench.load_settings()
    ours = {}
    for item, page in subset.items():
        try:
            raw = bench.read_html(page, item)
        except bench.InputError:
            ours[item] = ""
            continue
        ours[item] = bench.clean_article(raw, threshold=bench.threshold_for(raw, settings)).text
    truth = golds[" (no comments)"]
    return float(bench.score(ours, {item: truth[item] for item in subset})["f1"])


def gate_timex_tbaq(data: Path, tmp: Path) -> float:
    """Time expressions, TempEval-3 TBAQ (256 documents), value F1 by the shared evaluator."""
    bench = _bench("timex_tempeval")
    gold = data / "tempeval3" / "TBAQ-cleaned" / "timex_tbaq_train.jsonl"
    out = tmp / "timex.jsonl"
    bench.predict(gold, out)
    figures, _, _ = bench.evaluate(["--gold", str(gold), "--pred", str(out)])
    return float(figures["value"])


def gate_quotes_polnear(data: Path, tmp: Path) -> float:
    """Quote attribution F1 on the first 30 PolNeAR dev articles (sorted by file name)."""
    bench = _bench("quotes_polnear")
    source = data / "polnear" / "dev.jsonl"
    keep = sorted(bench.read_articles(source))[:POLNEAR_ARTICLES]
    subset = tmp / "polnear-subset.jsonl"
    with source.open(encoding="utf-8") as src, subset.open("w", encoding="utf-8") as dst:
        dst.writelines(
            line for line in src if line.strip() and json.loads(line)["filename"] in keep
        )
    out = tmp / "polnear-pred.jsonl"
    bench.predict(bench.read_articles(subset), out)
    text = bench.evaluate(subset, "--pred", str(out))
    last = text.strip().splitlines()[-1]  # "attribution f1: 0.655"
    return float(last.rsplit(":", 1)[1])


def gate_cluster_googlenews(data: Path, tmp: Path) -> float:
    """Story clustering B-cubed F1, GoogleNews title+snippet, the records with id % 3 == 0."""
    bench = _bench("cluster_googlenews")
    root = data / "googlenews-story-clusters"
    records = [r for r in bench.load(root) if int(r["id"]) % GOOGLENEWS_MOD == 0]
    gold = tmp / "googlenews-gold.jsonl"
    gold.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    pred = tmp / "storyline-TS.jsonl"  # the evaluator names its row by the file
    bench.write(pred, [r["id"] for r in records], bench.predict(bench.articles(records, "TS")))
    rows = bench.evaluate(gold, ["--pred", f"TS={pred}"])
    return float(next(row for name, row in rows if "storyline" in name)["b3_f"])


def gate_splice(data: Path, tmp: Path) -> float:
    """Incoherent-page ROC AUC (spliced + shuffled vs original), 60 T17 originals, no encoder."""
    bench = _bench("splice_detection")
    articles = bench.prepare(bench.read_articles(data / "timeline17"))
    cases = bench.build(articles, SPLICE_N, SPLICE_SEED)
    scores = [bench.incoherence_score(title, text, None) for _, _, title, text in cases]
    return float(bench.auc(cases, scores, {"spliced", "shuffled"}))


@dataclass(frozen=True, slots=True)
class Gate:
    """One benchmark subset: its name, what it measures and the data folder it needs."""

    name: str
    needs: str
    run: Callable[[Path, Path], float]


GATES = (
    Gate("html_zyte_f1", "article-extraction-benchmark", gate_html_zyte),
    Gate("html_dragnet_third_article_f1", "dragnet", gate_html_dragnet),
    Gate("timex_tbaq_value_f1", "tempeval3", gate_timex_tbaq),
    Gate("quotes_polnear30_attribution_f1", "polnear", gate_quotes_polnear),
    Gate("cluster_googlenews_third_b3_f1", "googlenews-story-clusters", gate_cluster_googlenews),
    Gate("splice_t17_60_auc", "timeline17", gate_splice),
)


def floor_of(score: float) -> float:
    """Return the floor pinned for a measured score."""
    return math.floor((score - SLACK) * 1000) / 1000


def main(argv: list[str] | None = None) -> int:
    """Run the gates; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--only", default="", help="run the gates whose name contains this")
    parser.add_argument("--update", action="store_true", help="pin the measured scores")
    parser.add_argument("--allow-lower", action="store_true", help="with --update: lower floors")
    args = parser.parse_args(argv)
    baseline = json.loads(BASELINE.read_text(encoding="utf-8"))
    floors: dict[str, dict[str, float]] = baseline["gates"]
    strict = os.environ.get("CI", "").lower() == "true"
    failed: list[str] = []
    measured: dict[str, float] = {}
    print(f"{'gate':36} {'score':>7} {'floor':>7} {'seconds':>8}  result")
    with tempfile.TemporaryDirectory(prefix="storyline-gate-") as scratch:
        for gate in GATES:
            if args.only not in gate.name:
                continue
            floor = floors.get(gate.name, {}).get("floor")
            if not (args.data / gate.needs).is_dir():
                result = "MISSING DATA" if strict else "skipped (no data)"
                print(f"{gate.name:36} {'-':>7} {floor or '-':>7} {'-':>8}  {result}")
                if strict:
                    failed.append(f"{gate.name}: {args.data / gate.needs} is missing")
                continue
            began = time.perf_counter()
            score = gate.run(args.data, Path(scratch))
            seconds = time.perf_counter() - began
            measured[gate.name] = score
            ok = floor is None or score >= floor
            result = "ok" if ok else "BELOW FLOOR"
            shown = f"{floor:7.3f}" if floor is not None else f"{'-':>7}"
            print(f"{gate.name:36} {score:7.3f} {shown} {seconds:8.1f}  {result}")
            if not ok:
                failed.append(f"{gate.name}: {score:.3f} < floor {floor:.3f}")
    if args.update:
        return update(BASELINE, baseline, measured, allow_lower=args.allow_lower)
    for line in failed:
        print(f"eval gate failed: {line}", file=sys.stderr)
    return 1 if failed else 0


def update(
    path: Path,
    baseline: dict[str, dict[str, dict[str, float]]],
    measured: dict[str, float],
    *,
    allow_lower: bool,
) -> int:
    """Write the measured scores and their floors; refuse to lower a floor without the flag."""
    gates = baseline["gates"]
    lowered = [
        name
        for name, score in measured.items()
        if name in gates and floor_of(score) < gates[name]["floor"]
    ]
    if lowered and not allow_lower:
        print(
            "refusing to lower the floor of " + ", ".join(lowered) + ": pass --allow-lower and"
            " say why in the commit message (eval-gate: lower <gate> because ...)",
            file=sys.stderr,
        )
        return 1
    for name, score in measured.items():
        entry = gates.setdefault(name, {})
        entry["score"] = round(score, 4)
        new_floor = floor_of(score)
        entry["floor"] = new_floor if name in lowered else max(new_floor, entry.get("floor", 0.0))
    path.write_text(json.dumps(baseline, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"pinned {len(measured)} gates in {path}")
    return 0


def lowered_floors(old: dict[str, dict[str, float]], new: dict[str, dict[str, float]]) -> list[str]:
    """Return the gates whose floor is lower in ``new`` than in ``old`` (or that disappeared)."""
    return [
        name
        for name, entry in old.items()
        if name not in new or new[name]["floor"] < entry["floor"]
    ]


def git_history() -> list[tuple[str, str, dict[str, dict[str, float]]]]:
    """Return (commit, message, gates) for every commit that changed the baseline, oldest first."""
    rel = str(BASELINE.relative_to(ROOT))
    log = subprocess.run(
        ["git", "-C", str(ROOT), "log", "--reverse", "--format=%H", "--", rel],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    out = []
    for commit in log:
        message = subprocess.run(
            ["git", "-C", str(ROOT), "log", "-1", "--format=%B", commit],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        shown = subprocess.run(
            ["git", "-C", str(ROOT), "show", f"{commit}:{rel}"],
            check=False,
            capture_output=True,
            text=True,
        )
        gates = json.loads(shown.stdout)["gates"] if shown.returncode == 0 else {}
        out.append((commit, message, gates))
    return out


if __name__ == "__main__":
    sys.exit(main())
