"""Memory at scale: peak RSS of `storyline run` by corpus size, Dask vs a pool, streamed ingest.

Three measurements, each a fresh child process (so every peak is its own), in one run:

1. rss: ingest + run of synthetic corpora of --sizes articles (Timeline17 texts repeated with
   distinct ids and every ~6th word swapped for another word of the same article, so dedupe
   does not collapse them); peak RSS of the driver (which writes the store and runs the corpus
   stages) and of the largest worker, per size and per 10k articles.
2. dask: the same --compare-n corpus run on a Dask LocalCluster (2 workers) and on a process
   pool (2 workers); articles/s of each and whether every `storyline export` is byte-identical.
3. stream: a generated JSONL of --stream-mb megabytes ingested (read, clean, store), peak RSS.

Corpora are cached in --cache (rebuilt only when missing). Usage:
  python bench/scale_memory.py [--data DIR] [--sizes 3000,10000] [--compare-n 1000]
      [--stream-mb 1000] [--parts rss,dask,stream] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterator

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "eval" / "timeline17"
_PTB = {"-LRB-": "(", "-RRB-": ")", "``": '"', "''": '"', "-LSB-": "[", "-RSB-": "]"}
EXPORTS = ("articles", "entities", "quotes", "timexes", "timeline", "stories", "claims")


def load_sources(folder: Path) -> list[dict[str, Any]]:
    """Return the Timeline17 source articles (text detokenised)."""
    with (folder / "articles.jsonl").open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    for row in rows:
        text = row["text"]
        for token, char in _PTB.items():
            text = text.replace(token, char)
        row["text"] = text.replace(" .", ".").replace(" ,", ",")
    return rows


def synthesise(sources: list[dict[str, Any]], n: int) -> Iterator[dict[str, str]]:
    """Yield n rows: the sources, then copies with every ~6th word swapped and dates shifted.

    Swapping one word in six breaks about 40% of the 3-word shingles, so a copy's estimated
    Jaccard to its source is ~0.4, well under dedupe's 0.8: each copy is its own article.
    """
    for i in range(n):
        src = sources[i % len(sources)]
        rng = random.Random(i)
        words = src["text"].split(" ")
        if i >= len(sources):
            for j in range(rng.randrange(6), len(words), 6):
                words[j] = words[rng.randrange(len(words))]
        day = date.fromisoformat(src["dct"][:10]) + timedelta(days=rng.randint(-3, 3) * (i > 0))
        text = " ".join(words)
        yield {
            "id": f"s{i:07d}",
            "title": " ".join(words[:10]),
            "text": text,
            "published": day.isoformat(),
        }


def corpus(cache: Path, sources: list[dict[str, Any]], n: int) -> Path:
    """Return a cached JSONL of n synthetic articles, writing it when missing."""
    path = cache / f"scale-{n}.jsonl"
    if not path.exists():
        tmp = path.with_suffix(".part")
        with tmp.open("w", encoding="utf-8") as out:
            for row in synthesise(sources, n):
                out.write(json.dumps(row) + "\n")
        tmp.rename(path)
    return path


def big_corpus(cache: Path, sources: list[dict[str, Any]], megabytes: int) -> tuple[Path, int]:
    """Return a cached JSONL of about ``megabytes`` MB and its number of rows."""
    path = cache / f"stream-{megabytes}mb.jsonl"
    count_file = path.with_suffix(".count")
    if not path.exists() or not count_file.exists():
        tmp = path.with_suffix(".part")
        written = rows = 0
        with tmp.open("w", encoding="utf-8") as out:
            for row in synthesise(sources, 10**9):
                line = json.dumps(row) + "\n"
                out.write(line)
                written += len(line)
                rows += 1
                if written >= megabytes * 1_000_000:
                    break
        tmp.rename(path)
        count_file.write_text(str(rows))
    return path, int(count_file.read_text())


def peak_mib(who: int) -> float:
    """Return the peak RSS in MiB of this process or (RUSAGE_CHILDREN) its largest child."""
    return resource.getrusage(who).ru_maxrss / 1024


def child(args: argparse.Namespace) -> int:
    """Ingest (and unless --ingest-only, run) one corpus; print a JSON line of figures."""
    import storyline  # noqa: PLC0415 - the parent never imports the package

    figures: dict[str, Any] = {}
    start = time.perf_counter()
    with storyline.open(args.db) as workspace:
        summary = workspace.ingest([args.corpus])
        figures["ingest_s"] = time.perf_counter() - start
        figures["ingest_mib"] = peak_mib(resource.RUSAGE_SELF)
        figures["stored"] = summary.stored
        if not args.ingest_only:
            report = workspace.run(workers=args.workers, dask=args.dask or None)
            figures["stages"] = report.lines()
    figures["seconds"] = time.perf_counter() - start
    figures["driver_mib"] = peak_mib(resource.RUSAGE_SELF)
    figures["worker_mib"] = peak_mib(resource.RUSAGE_CHILDREN)
    print(json.dumps(figures))
    return 0


def measure(
    path: Path, db: Path, workers: int, *, dask: str = "", ingest_only: bool = False
) -> dict[str, Any]:
    """Run ``child`` in a fresh process and return its figures."""
    command = [
        sys.executable,
        __file__,
        "--child",
        str(path),
        "--db",
        str(db),
        "--workers",
        str(workers),
        "--dask",
        dask,
    ]
    if ingest_only:
        command.append("--ingest-only")
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"child failed:\n{done.stderr[-3000:]}")
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def exports(db: Path) -> dict[str, bytes]:
    """Return every `storyline export --format jsonl` of a database, as bytes."""
    out: dict[str, bytes] = {}
    for what in EXPORTS:
        done = subprocess.run(
            [sys.executable, "-m", "storyline", "export", "--what", what, "--db", str(db)],
            capture_output=True,
            check=True,
        )
        out[what] = done.stdout
    return out


def part_rss(args: argparse.Namespace, sources: list[dict[str, Any]], tmp: Path) -> None:
    """Peak RSS by corpus size."""
    print(f"\n== peak RSS by corpus size (workers {args.workers}) ==")
    print(
        f"{'articles':>9} {'seconds':>8} {'art/s':>6} {'ingest MiB':>10} {'driver MiB':>10} "
        f"{'worker MiB':>10} {'driver MiB/10k':>14}"
    )
    peaks: dict[int, float] = {}
    for n in (int(x) for x in args.sizes.split(",")):
        figures = measure(corpus(args.cache, sources, n), tmp / f"rss-{n}.db", args.workers)
        peaks[n] = figures["driver_mib"]
        print(
            f"{n:9d} {figures['seconds']:8.0f} {n / figures['seconds']:6.1f} "
            f"{figures['ingest_mib']:10.0f} {figures['driver_mib']:10.0f} "
            f"{figures['worker_mib']:10.0f} {figures['driver_mib'] * 10_000 / n:14.0f}",
            flush=True,
        )
        for line in figures["stages"]:
            print(f"    {line}")
    if len(peaks) > 1:
        small, big = min(peaks), max(peaks)
        print(
            f"driver peak grows {peaks[big] / peaks[small]:.2f}x for {big / small:.1f}x articles "
            f"(+{(peaks[big] - peaks[small]) * 10_000 / (big - small):.0f} MiB per 10k)"
        )


def part_dask(args: argparse.Namespace, sources: list[dict[str, Any]], tmp: Path) -> None:
    """Dask LocalCluster vs a process pool, same corpus, same worker count."""
    n = args.compare_n
    path = corpus(args.cache, sources, n)
    print(f"\n== Dask LocalCluster vs process pool: {n} articles, 2 workers each ==")
    print(f"{'executor':22} {'seconds':>8} {'art/s':>6} {'driver MiB':>10} {'worker MiB':>10}")
    dumps = {}
    for name, dask in (("process pool", ""), ("dask LocalCluster", "local")):
        db = tmp / f"cmp-{dask or 'pool'}.db"
        figures = measure(path, db, 2, dask=dask)
        dumps[name] = exports(db)
        print(
            f"{name:22} {figures['seconds']:8.0f} {n / figures['seconds']:6.1f} "
            f"{figures['driver_mib']:10.0f} {figures['worker_mib']:10.0f}",
            flush=True,
        )
    pool, dask_dump = dumps["process pool"], dumps["dask LocalCluster"]
    same = [what for what in EXPORTS if pool[what] == dask_dump[what]]
    sizes = ", ".join(f"{what} {len(pool[what]) // 1024} KiB" for what in EXPORTS)
    print(f"exports compared: {sizes}")
    print(f"byte-identical exports: {len(same)} of {len(EXPORTS)}", end="")
    differ = sorted(set(EXPORTS) - set(same))
    print(f" (differ: {', '.join(differ)})" if differ else "")


def part_stream(args: argparse.Namespace, sources: list[dict[str, Any]], tmp: Path) -> None:
    """A large JSONL through ingest: peak RSS against the file size."""
    path, rows = big_corpus(args.cache, sources, args.stream_mb)
    size = path.stat().st_size / 1_000_000
    print(f"\n== streamed ingest: {path.name}, {size:.0f} MB, {rows} rows ==")
    figures = measure(path, tmp / "stream.db", 1, ingest_only=True)
    db_mb = sum(p.stat().st_size for p in tmp.glob("stream.db*")) / 1_000_000
    print(
        f"stored {figures['stored']} articles in {figures['seconds']:.0f} s "
        f"({figures['stored'] / figures['seconds']:.0f} articles/s); database {db_mb:.0f} MB"
    )
    print(f"peak RSS {figures['driver_mib']:.0f} MiB for a {size:.0f} MB input")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--sizes", default="3000,10000")
    parser.add_argument("--compare-n", type=int, default=1000)
    parser.add_argument("--stream-mb", type=int, default=1000)
    parser.add_argument("--parts", default="rss,dask,stream")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--cache", type=Path, default=Path(tempfile.gettempdir()) / "storyline-scale"
    )
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--dask", default="", help=argparse.SUPPRESS)
    parser.add_argument("--ingest-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        args.corpus = args.child
        return child(args)
    args.cache.mkdir(parents=True, exist_ok=True)
    sources = load_sources(args.data)
    parts = {"rss": part_rss, "dask": part_dask, "stream": part_stream}
    with tempfile.TemporaryDirectory(dir=args.cache) as tmp:
        for name in args.parts.split(","):
            parts[name](args, sources, Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())
