"""Incremental runs: 1,000 articles, then 10 more, then nothing new, vs all 1,010 at once.

Ingests and analyses the first --n articles in a fresh SQLite store, then --more articles,
then reruns with nothing new; times each `storyline run` (ingest + every stage, in-process
through the Python API) and prints the second and third times as ratios of the first (aim:
<= 0.1 for 10 new articles, ~0 with nothing new). Then analyses all n + more articles in
another fresh store and says, export by export, whether the incremental store's is identical
to the from-scratch one (the exports `bench/export_identity.sh` compares) and how many rows
are; for stories it gives the partition agreement (B-cubed F1, adjusted Rand index) at both
levels. Clustering is online: old articles never move and a batch's idf, refinement and
merges depend on where the batch starts, so stories (and what follows them: the articles'
story ids, timelines, claims, quote groups) are alike but not identical to a from-scratch run;
entities, quotes and timexes are identical.

Data: real articles, Timeline17 dev (843, /work/shared/eval/timeline17, with outlet and date)
followed by the Dragnet pages' corrected texts (/work/shared/eval/dragnet, no date), shuffled
with a fixed seed so the 10 new ones are a mix that joins existing storylines.

Usage: python bench/incremental.py [--data T17_DIR] [--extra DRAGNET_DIR] [--n 1000]
[--more 10] [--workers 1] [--keep DIR]
"""

from __future__ import annotations

import argparse
import io
import json
import math
import random
import resource
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import storyline
from storyline.export import WHATS, export_rows, write_export

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scale_memory import DEFAULT_DATA, load_sources

DEFAULT_EXTRA = DEFAULT_DATA.parent / "dragnet"
EXPORTS = WHATS  # every export `storyline export --what` offers


def load_rows(t17: Path, extra: Path | None, count: int) -> list[dict[str, Any]]:
    """Return ``count`` real articles as JSONL rows, in a fixed shuffled order."""
    rows = [
        {
            "id": f"t17-{row['source_folder']}-{row['uid']}",
            "source": row["source_folder"].split("_", 1)[-1],
            "published": row["dct"],
            "text": row["text"],
        }
        for row in load_sources(t17)
    ]
    if extra is not None and len(rows) < count:
        truth = json.loads((extra / "ground-truth.json").read_text(encoding="utf-8"))
        for page_id in sorted(truth):
            text = truth[page_id]["articleBodyNoComments"].strip()
            if len(text.split()) >= 50:  # a page with no article body is not an article
                rows.append({"id": f"dragnet-{page_id}", "text": text})
    random.Random(17).shuffle(rows)
    if len(rows) < count:
        raise SystemExit(f"only {len(rows)} articles found, {count} asked for")
    return rows[:count]


def write_files(folder: Path, rows: list[dict[str, Any]]) -> list[Path]:
    """Write one JSONL file per article, named so that sorted order is ``rows`` order.

    One file each, at one path for both stores: an article's locator (file and line) is the
    same whether it came in the first run, the second or the from-scratch one.
    """
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, row in enumerate(rows):
        path = folder / f"{i:05d}.jsonl"
        path.write_text(json.dumps(row) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def timed_run(db: Path, sources: list[Path] | None, workers: int) -> float:
    """Ingest ``source`` (if any) and run every stage; return the CPU seconds it took.

    CPU time of this process (and its pool's, with --workers > 1): the machine is shared,
    so wall time measures the neighbours as much as storyline.
    """
    start = _cpu()
    with storyline.open(db) as workspace:
        if sources:
            workspace.ingest(sources)
        workspace.run(workers=workers)
    return _cpu() - start


def _cpu() -> float:
    own, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def exports(db: Path) -> dict[str, str]:
    """Return each export of the store at ``db`` as JSONL text."""
    found: dict[str, str] = {}
    with storyline.open(db) as workspace:
        for what in EXPORTS:
            out = io.StringIO()
            write_export(export_rows(workspace.store, what), out, "jsonl")
            found[what] = out.getvalue()
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="Timeline17 folder")
    parser.add_argument("--extra", type=Path, default=DEFAULT_EXTRA, help="Dragnet folder")
    parser.add_argument("--n", type=int, default=1000, help="articles in the first run")
    parser.add_argument("--more", type=int, default=10, help="articles added in the second run")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--keep", type=Path, default=None, help="keep the stores in this folder")
    args = parser.parse_args()
    rows = load_rows(args.data, args.extra, args.n + args.more)
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        paths = write_files(folder / "corpus", rows)
        for name in ("incremental.db", "scratch.db"):
            (folder / name).unlink(missing_ok=True)
        incremental, scratch = folder / "incremental.db", folder / "scratch.db"
        # each time is printed as soon as it is known: the from-scratch run takes longest
        print(f"articles: {args.n} then {args.more} more ({args.workers} worker(s))")
        print("| run | CPU seconds | ratio to the first |")
        print("|---|---|---|")
        t_first = timed_run(incremental, paths[: args.n], args.workers)
        print(f"| first {args.n} | {t_first:.1f} | 1.00 |", flush=True)
        t_more = timed_run(incremental, paths[args.n :], args.workers)
        print(f"| {args.more} more | {t_more:.1f} | {t_more / t_first:.3f} |", flush=True)
        t_none = timed_run(incremental, None, args.workers)
        print(f"| nothing new | {t_none:.1f} | {t_none / t_first:.3f} |", flush=True)
        t_scratch = timed_run(scratch, [folder / "corpus"], args.workers)
        total = args.n + args.more
        print(f"| from scratch {total} | {t_scratch:.1f} | {t_scratch / t_first:.2f} |")
        mine, theirs = exports(incremental), exports(scratch)
    same = True
    for what in EXPORTS:
        equal = mine[what] == theirs[what]
        same &= equal
        rows_in = mine[what].count("\n")
        print(
            f"{'same' if equal else 'DIFFERENT'} {what} ({rows_in} rows incremental, "
            f"{theirs[what].count(chr(10))} from scratch; {shared_rows(mine[what], theirs[what])})"
        )
    for level in ("storyline", "event"):
        found = agreement(partition(mine["stories"], level), partition(theirs["stories"], level))
        print(f"{level} partition, incremental vs from scratch: {found}")
    print("exports identical to a from-scratch run" if same else "exports DIFFER from scratch")
    return 0 if same else 1


def shared_rows(mine: str, theirs: str) -> str:
    """Say how many rows of two JSONL exports are identical (as multisets of lines)."""
    a, b = Counter(mine.splitlines()), Counter(theirs.splitlines())
    common = sum((a & b).values())
    return f"{common} rows identical"


def partition(stories: str, level: str) -> dict[str, str]:
    """Return article id -> story id for the stories of one level in a stories export."""
    found: dict[str, str] = {}
    for line in stories.splitlines():
        row = json.loads(line)
        if row["level"] == level:
            found.update((article_id, row["id"]) for article_id in row["article_ids"])
    return found


def agreement(mine: dict[str, str], theirs: dict[str, str]) -> str:
    """Return the B-cubed F1 and adjusted Rand index of two partitions of the same articles.

    Online clustering depends on the batch an article arrives in (the idf so far, the
    refinement and merge passes inside a batch, old storylines that never move), so the
    incremental store and a from-scratch one cluster alike but not identically: this says how
    alike, over the articles both clustered, labels ignored.
    """
    ids = sorted(set(mine) & set(theirs))
    if not ids:
        return "no articles clustered in both"
    a, b = _members(mine, ids), _members(theirs, ids)
    precision = sum(len(a[mine[i]] & b[theirs[i]]) / len(a[mine[i]]) for i in ids) / len(ids)
    recall = sum(len(a[mine[i]] & b[theirs[i]]) / len(b[theirs[i]]) for i in ids) / len(ids)
    f1 = 2 * precision * recall / (precision + recall)
    return f"B-cubed F1 {f1:.3f} (P {precision:.3f}, R {recall:.3f}), ARI {_ari(mine, theirs, ids):.3f}"


def _members(labels: dict[str, str], ids: list[str]) -> dict[str, set[str]]:
    groups: dict[str, set[str]] = defaultdict(set)
    for article_id in ids:
        groups[labels[article_id]].add(article_id)
    return groups


def _ari(mine: dict[str, str], theirs: dict[str, str], ids: list[str]) -> float:
    """Return the adjusted Rand index of two labelings of ``ids`` (Hubert and Arabie)."""
    pairs = Counter((mine[i], theirs[i]) for i in ids)
    rows, cols = Counter(mine[i] for i in ids), Counter(theirs[i] for i in ids)
    index = sum(math.comb(n, 2) for n in pairs.values())
    left, right = (
        sum(math.comb(n, 2) for n in rows.values()),
        sum(math.comb(n, 2) for n in cols.values()),
    )
    expected = left * right / math.comb(len(ids), 2) if len(ids) > 1 else 0.0
    top = (left + right) / 2
    return 1.0 if top == expected else (index - expected) / (top - expected)


if __name__ == "__main__":
    raise SystemExit(main())
