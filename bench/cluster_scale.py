"""Wall time and peak memory of dedupe + clustering on 10k and 100k perturbed articles.

Usage: bench/cluster_scale.py [--data PATH] [--sizes 10000,100000] [--batch 5000]

Articles are built from Timeline17's articles.jsonl: each copy of a source article has its
sentences partly shuffled, some dropped and its date shifted by a few days (seeded, so every
run builds the same corpus). The corpus is fed in batches, as ingest would feed it: each
batch is deduplicated against everything before it (DuplicateIndex) and clustered onto the
existing stories (ClusterState). Peak memory is the process's max RSS (resource.getrusage).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from storyline.cluster.state import ClusterState
from storyline.cluster.storylines import cluster_articles
from storyline.dedupe import DuplicateIndex
from storyline.models import CleanArticle, content_hash

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "eval" / "timeline17"
_SENTENCE_RE = re.compile(r"(?<=[.!?])\s+")


def load(data: Path) -> list[dict[str, str]]:
    """Return the Timeline17 source articles."""
    with (data / "articles.jsonl").open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def perturbed(sources: list[dict[str, str]], n: int) -> list[CleanArticle]:
    """Return n articles: copies of the sources, shuffled, trimmed and re-dated."""
    out = []
    for i in range(n):
        src = sources[i % len(sources)]
        rng = random.Random(i)
        sentences = _SENTENCE_RE.split(src["text"])
        if i >= len(sources):
            keep = [s for s in sentences if rng.random() > rng.uniform(0.05, 0.4)]
            sentences = keep or sentences[:1]
            for _ in range(len(sentences) // 4):  # swap a few neighbours
                j = rng.randrange(len(sentences))
                k = min(j + 1, len(sentences) - 1)
                sentences[j], sentences[k] = sentences[k], sentences[j]
        day = date.fromisoformat(src["dct"][:10]) + timedelta(days=rng.randint(-3, 3))
        text = " ".join(sentences)
        title = " ".join(text.split()[:10])
        out.append(
            CleanArticle(
                id=f"t17-{i:06d}",
                title=title,
                text=text,
                locator=f"timeline17:{src['uid']}#{i}",
                format="jsonl",
                content_hash=content_hash(title, text),
                published=day.isoformat(),
            )
        )
    return out


def peak_rss_mib() -> float:
    """Return the peak resident set size of this process in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(items: list[CleanArticle], batch: int) -> tuple[float, float, float, float, int, int, int]:
    """Dedupe and cluster in batches: (wall s, cpu s, dedupe s, cluster s, dups, lines, events)."""
    index = DuplicateIndex()
    state = ClusterState()
    t_dedupe = t_cluster = 0.0
    cpu = time.process_time()
    stories = []
    for start in range(0, len(items), batch):
        chunk = items[start : start + batch]
        t0 = time.perf_counter()
        index.add(chunk)
        dups = {a.id: d for a in chunk if (d := index.duplicate_of(a.id)) is not None}
        t1 = time.perf_counter()
        stories, state = cluster_articles(chunk, duplicates=dups, state=state)
        t2 = time.perf_counter()
        t_dedupe += t1 - t0
        t_cluster += t2 - t1
    lines = sum(1 for s in stories if s.level == "storyline")
    events = sum(1 for s in stories if s.level == "event")
    n_dups = len(index.duplicates())
    cpu = time.process_time() - cpu
    return t_dedupe + t_cluster, cpu, t_dedupe, t_cluster, n_dups, lines, events


def main() -> None:
    """Build the corpora, time them and print the table."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--batch", type=int, default=5000)
    a = ap.parse_args()
    sources = load(a.data)
    sizes = [int(x) for x in a.sizes.split(",")]
    print(f"{len(sources)} Timeline17 source articles; batches of {a.batch}")
    # CPU seconds beside wall seconds: on a shared machine the wall clock counts others too.
    print(
        f"{'n':>8} {'total s':>8} {'cpu s':>7} {'dedupe s':>9} {'cluster s':>10} {'dups':>7} "
        f"{'storylines':>10} {'events':>7} {'peak MiB':>9}"
    )
    times: dict[int, float] = {}
    cpu_times: dict[int, float] = {}
    for n in sizes:
        items = perturbed(sources, n)
        total, cpu, t_d, t_c, dups, lines, events = run(items, a.batch)
        times[n] = total
        cpu_times[n] = cpu
        print(
            f"{n:8d} {total:8.1f} {cpu:7.1f} {t_d:9.1f} {t_c:10.1f} {dups:7d} {lines:10d} {events:7d} "
            f"{peak_rss_mib():9.0f}",
            flush=True,
        )
    if len(times) > 1:
        small, big = min(times), max(times)
        print(
            f"time ratio {big}/{small}: {times[big] / times[small]:.2f} (wall), "
            f"{cpu_times[big] / cpu_times[small]:.2f} (cpu)"
        )
    print(f"peak memory MiB: {peak_rss_mib():.0f}")


if __name__ == "__main__":
    main()
