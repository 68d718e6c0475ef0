"""Timeline17 timeline summarisation: storyline's timelines against the DATEWISE-style peer.

Usage: python bench/tls_t17.py [--data PATH] [--out FILE] [--rouge original|reimpl] [--no-peer]
       [--config FILE]
The shared evaluator ``eval_t17.py`` gives each gold timeline's task (articles of the topic in the
date range, number of dates, sentences per date, keywords); storyline finds dates itself
(``find_timexes``; the dataset's ``mentioned_dates`` field is never read), turns sentences into
dated events and builds each timeline with ``build_timeline``. Both storyline and the evaluator's
peer are scored by the same code; the bench prints them side by side with seconds per topic and
ends with storyline's ``date f1: X`` then ``ar1 f1: Y``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import itertools
import json
import re
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from multiprocessing import Pool
from pathlib import Path
from typing import TYPE_CHECKING, Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from storyline.config import load_settings
from storyline.extract.events import find_events, find_leads
from storyline.extract.timex.find import find_timexes
from storyline.extract.timex.stamps import page_stamps
from storyline.timeline import TimelineSettings, build_timeline

if TYPE_CHECKING:
    from storyline.models import DatedEvent

SHARED = Path(__file__).resolve().parents[2] / "shared"
DEFAULT_DATA = SHARED / "eval" / "timeline17"
EVALUATOR = SHARED / "eval" / "tools" / "eval_t17.py"
_ROW = re.compile(r"^(\S+/\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*$")
_AVG = re.compile(r"^(concat|agreement|align\+ m:1)\s+([\d.]+)\s+([\d.]+)\s*$")
_HEAD = re.compile(r"^(date f1|ar1 f1): ([\d.]+)\s*$")
# PTB brackets and quotes back to text, so sentences read well and match other outlets.
_PTB = {"-LRB-": "(", "-RRB-": ")", "-LSB-": "[", "-RSB-": "]", "``": '"', "''": '"'}


def read_articles(data: Path) -> list[dict[str, Any]]:
    """Return the articles of ``data`` (plain or gzipped JSONL) without their upstream dates."""
    path = data / "articles.jsonl"
    rows: list[dict[str, Any]] = []
    with (
        path.open(encoding="utf-8")
        if path.exists()
        else gzip.open(data / "articles.jsonl.gz", "rt", encoding="utf-8") as f
    ):
        for line in f:
            if line.strip():
                row = json.loads(line)
                row.pop("mentioned_dates", None)  # HeidelTime output: storyline finds its own
                rows.append(row)
    return rows


def run_evaluator(args: list[str]) -> str:
    """Run eval_t17.py with ``args``; return its standard output."""
    proc = subprocess.run(
        [sys.executable, str(EVALUATOR), *args], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        sys.exit(f"eval_t17.py {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc.stdout


def detokenise(text: str) -> str:
    """Return PTB-tokenised text with brackets and quotes restored (gold keeps the tokens)."""
    return " ".join(_PTB.get(tok, tok) for tok in text.split())


def article_events(article: dict[str, Any]) -> tuple[list[DatedEvent], list[DatedEvent]]:
    """Return the dated events and lead sentences of one T17 article."""
    text = detokenise(article["text"])
    published = dt.date.fromisoformat(article["dct"])
    aid = f"{article['source_folder']}/{article['uid']}"
    timexes = find_timexes(text, anchor=published, article_id=aid)
    stamps = page_stamps(text, timexes)
    return (
        find_events(text, article_id=aid, published=published, timexes=timexes, stamps=stamps),
        find_leads(text, article_id=aid, published=published, timexes=timexes, stamps=stamps),
    )


def predict(
    tasks: list[dict[str, Any]],
    articles: list[dict[str, Any]],
    *,
    use_keywords: bool,
    jobs: int = 1,
    settings: TimelineSettings | None = None,
) -> tuple[dict[str, dict[str, list[str]]], dict[str, float]]:
    """Return storyline's timeline per task key and the seconds spent per topic."""
    by_topic: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for task in tasks:
        by_topic[task["topic"]].append(task)
    preds: dict[str, dict[str, list[str]]] = {}
    seconds: dict[str, float] = {}
    for topic, topic_tasks in by_topic.items():
        began = time.perf_counter()
        first = min(t["start"] for t in topic_tasks)
        last = max(t["end"] for t in topic_tasks)
        chosen_articles = [a for a in articles if a["topic"] == topic and first <= a["dct"] <= last]
        if jobs > 1:
            with Pool(jobs) as pool:
                found = pool.map(article_events, chosen_articles, chunksize=16)
        else:
            found = [article_events(a) for a in chosen_articles]
        events: list[tuple[str, DatedEvent]] = []  # (publication day, event)
        leads: list[DatedEvent] = []
        for article, (dated, lead) in zip(chosen_articles, found, strict=True):
            events += [(article["dct"], e) for e in dated]
            leads += lead
        for task in topic_tasks:
            start, end = task["start"], task["end"]
            chosen = [e for dct, e in events if start <= dct <= end and start <= e.date <= end]
            timeline = build_timeline(
                [e for e in chosen if len(e.date) == 10],
                max_dates=task["max_dates"],
                sentences_per_date=task["sents_per_date"],
                keywords=task["keywords"] if use_keywords else (),
                story_id=task["key"],
                leads=[e for e in leads if start <= e.date <= end],
                settings=settings,
            )
            preds[task["key"]] = {entry.date: list(entry.text) for entry in timeline}
        seconds[topic] = time.perf_counter() - began
    return preds, seconds


def gold_dates(data: Path) -> dict[str, list[dt.date]]:
    """Return each gold timeline's dates by task key ("<topic>/<timeline_id>")."""
    out: dict[str, list[dt.date]] = {}
    with (data / "timelines.jsonl").open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                row = json.loads(line)
                days = {dt.date.fromisoformat(e["date"][:10]) for e in row["entries"]}
                out[f"{row['topic']}/{row['timeline_id']}"] = sorted(days)
    return out


def adjacent_pairs(days: list[dt.date]) -> tuple[int, int]:
    """Return (consecutive dates one day apart, consecutive pairs) of a sorted timeline."""
    pairs = list(itertools.pairwise(days))
    return sum((b - a).days == 1 for a, b in pairs), len(pairs)


def tolerant_f1(pred: list[dt.date], gold: list[dt.date], days: int = 1) -> float:
    """Return date F1 where a predicted date within ``days`` of a gold date counts (1:1 match)."""
    free = list(gold)
    hits = 0
    for d in sorted(pred):
        match = next((g for g in free if abs((g - d).days) <= days), None)
        if match is not None:
            free.remove(match)
            hits += 1
    p, r = hits / len(pred) if pred else 0.0, hits / len(gold) if gold else 0.0
    return 2 * p * r / (p + r) if p + r else 0.0


def date_shape(
    preds: dict[str, dict[str, list[str]]], gold: dict[str, list[dt.date]]
) -> dict[str, float]:
    """Return the adjacent-day share (storyline, gold) and exact / +-1 day date F1 (mean P, R)."""
    adj = [0, 0, 0, 0]  # ours adjacent, ours pairs, gold adjacent, gold pairs
    spurious = 0  # our adjacent pairs that are not both gold dates
    f1s = []
    for key, timeline in preds.items():
        ours = sorted(dt.date.fromisoformat(d) for d in timeline)
        ref = gold.get(key, [])
        a, n = adjacent_pairs(ours)
        ga, gn = adjacent_pairs(ref)
        adj = [adj[0] + a, adj[1] + n, adj[2] + ga, adj[3] + gn]
        spurious += sum(
            (y - x).days == 1 and not (x in ref and y in ref) for x, y in itertools.pairwise(ours)
        )
        f1s.append(tolerant_f1(ours, ref))
    return {
        "adjacent share": adj[0] / adj[1] if adj[1] else 0.0,
        "gold adjacent share": adj[2] / adj[3] if adj[3] else 0.0,
        "adjacent not in gold share": spurious / adj[1] if adj[1] else 0.0,
        "date f1 +-1 day": sum(f1s) / len(f1s) if f1s else 0.0,
    }


def parse(output: str) -> tuple[dict[str, tuple[float, ...]], dict[str, tuple[float, float]]]:
    """Return the evaluator's per-timeline (date F, AR1 F, AR2 F) and its averages."""
    rows: dict[str, tuple[float, ...]] = {}
    avgs: dict[str, tuple[float, float]] = {}
    for line in output.splitlines():
        if m := _ROW.match(line):
            rows[m.group(1)] = (float(m.group(5)), float(m.group(6)), float(m.group(7)))
        elif m := _AVG.match(line):
            avgs[m.group(1)] = (float(m.group(2)), float(m.group(3)))
        elif m := _HEAD.match(line):
            avgs[m.group(1)] = (float(m.group(2)), 0.0)
    return rows, avgs


def main() -> None:
    """Run storyline and the peer on the tasks, score both, print the comparison."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--out", type=Path, help="write storyline's timelines here (evaluator format)")
    ap.add_argument("--rouge", choices=["original", "reimpl"], default="original")
    ap.add_argument("--no-keywords", action="store_true", help="ignore the tasks' keywords")
    ap.add_argument("--no-peer", action="store_true", help="score storyline only")
    ap.add_argument("--jobs", type=int, default=2, help="processes for reading the articles")
    ap.add_argument("--config", type=Path, help="a storyline.toml whose [timeline] keys apply")
    a = ap.parse_args()
    settings = TimelineSettings(**load_settings(a.config).timeline.model_dump())
    tmp = Path(tempfile.mkdtemp(prefix="tls_t17_"))
    run_evaluator(["--data", str(a.data), "--emit-tasks", str(tmp / "tasks.jsonl")])
    tasks = [json.loads(x) for x in (tmp / "tasks.jsonl").read_text().splitlines() if x.strip()]
    preds, seconds = predict(
        tasks, read_articles(a.data), use_keywords=not a.no_keywords, jobs=a.jobs, settings=settings
    )
    out = a.out or tmp / "storyline.json"
    out.write_text(json.dumps(preds, ensure_ascii=False), encoding="utf-8")
    common = ["--data", str(a.data), "--rouge", a.rouge]
    ours, ours_avg = parse(run_evaluator([*common, "--pred", str(out)]))
    peer: dict[str, tuple[float, ...]] = {}
    peer_avg: dict[str, tuple[float, float]] = {}
    if not a.no_peer:
        peer, peer_avg = parse(run_evaluator([*common, "--peer"]))
    print(f"T17 on {a.data} ({len(tasks)} timelines, ROUGE {a.rouge}): storyline vs DATEWISE peer")
    print(f"{'timeline':48} {'l':>3} {'k':>2}  {'date F':>13}  {'AR1 F':>13}  {'AR2 F':>13}")
    nan = (float("nan"),) * 3
    for t in tasks:
        s, p = ours.get(t["key"], nan), peer.get(t["key"], nan)
        cells = "  ".join(f"{s[i]:6.3f} {p[i]:6.3f}" for i in range(3))
        print(f"{t['key'][:48]:48} {t['max_dates']:3d} {t['sents_per_date']:2d}  {cells}")
    print(f"{'average (F of mean P, mean R)':48} {'R1 F sl/peer':>14} {'R2 F sl/peer':>14}")
    for m in ("concat", "agreement", "align+ m:1"):
        s2, p2 = ours_avg.get(m, (0.0, 0.0)), peer_avg.get(m, (float("nan"),) * 2)
        print(f"{m:48} {s2[0]:6.3f} {p2[0]:6.3f}  {s2[1]:6.3f} {p2[1]:6.3f}")
    for m in ("date f1", "ar1 f1"):
        print(f"{'peer ' + m:48} {peer_avg.get(m, (float('nan'), 0))[0]:6.3f}")
    for topic, sec in seconds.items():
        print(f"seconds for topic {topic}: {sec:.1f}")
    print(f"seconds per topic (storyline, mean): {sum(seconds.values()) / len(seconds):.1f}")
    # Adjacent days: consecutive timeline dates one day apart (one happening told on two days?).
    shape = date_shape(preds, gold_dates(a.data))
    for name, value in shape.items():
        print(f"{name}: {value:.3f}")
    # The gold itself has adjacent days (dense crises): issue #20's "below 10%" is about ours
    # that the gold does not share, one happening told on two days.
    print(
        "spurious adjacent share (issue #20 adjacency target, < 0.10: our adjacent pairs not"
        f" both gold): {shape['adjacent not in gold share']:.3f}"
    )
    print(f"date f1: {ours_avg['date f1'][0]:.3f}")
    print(f"ar1 f1: {ours_avg['ar1 f1'][0]:.3f}")


if __name__ == "__main__":
    main()
