"""Fetch throughput: pages fetched, archived and ingested over HTTP vs the same pages from disk.

Generates --n HTML pages from the example corpus texts (each with its own id, so no two are
copies), writes them to a temporary folder, and in one run:
- disk: ``pipeline.ingest`` of the folder (the baseline);
- fetch: a local HTTP server (a separate process on 127.0.0.1) serves the folder and
  ``Workspace.fetch`` gets every page with politeness off (concurrent), archives it as WARC
  and ingests it, with the same settings;
- watch: --feeds RSS feeds on the same server, each listing pages already stored: the first
  poll reads them all, an idle poll (no new items) costs conditional requests only.

The CPU column splits the work between this process (the driver: reading, cleaning, storing)
and the forked fetch child (HTTP + WARC); on a shared machine the wall-clock ratio also
depends on what else runs. Both modes run --repeat times, alternated, each into a fresh database; the best run of each
is compared (the machine is shared).

Usage: python bench/fetch_throughput.py [--data examples/corpus] [--n 1000] [--feeds 50]
"""

from __future__ import annotations

import argparse
import html
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import storyline
from storyline import pipeline
from storyline.config import load_settings
from storyline.store.feeds import add_feed
from storyline.watch.cycle import poll

REPO = Path(__file__).resolve().parents[1]
SERVER = REPO / "tests" / "data" / "fetch" / "server.py"
OUTLETS = ["Tessel Gazette", "Northwater Post", "Harbour Weekly", "Orrin Observer", "Valdoria Wire"]

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{title} | {outlet}</title>
<meta property="og:site_name" content="{outlet}">
<meta property="og:title" content="{title}">
<meta property="article:published_time" content="{published}T08:00:00+00:00">
</head><body>
<header><nav><a href="/">Home</a> <a href="/world">World</a></nav></header>
<article><h1>{title}</h1>
{paragraphs}
</article>
<footer><p>Copyright {outlet}.</p></footer>
</body></html>
"""


def load_texts(folder: Path) -> list[tuple[str, str, str]]:
    """Return (title, body, published) of every txt file and JSONL row of the corpus."""
    texts = []
    for path in sorted(folder.glob("*.txt")):
        title, _, body = path.read_text(encoding="utf-8").partition("\n")
        texts.append((title.strip(), body.strip(), "2026-03-15"))
    jsonl = folder / "articles.jsonl"
    if jsonl.exists():
        for line in jsonl.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                texts.append(
                    (row.get("title", ""), row["text"], row.get("published", "2026-03-15"))
                )
    return texts


def write_pages(folder: Path, texts: list[tuple[str, str, str]], n: int) -> list[str]:
    """Write n pages page-00000.html ... and return their paths as URL paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        title, body, published = texts[i % len(texts)]
        paras = [p.strip() for p in body.split("\n") if p.strip()]
        paras.append(f"This is report {i} of the desk, filed under reference {i:05d}.")
        name = f"page-{i:05d}.html"
        (folder / name).write_text(
            PAGE.format(
                title=html.escape(f"{title} ({i})"),
                outlet=OUTLETS[i % len(OUTLETS)],
                published=published,
                paragraphs="\n".join(f"<p>{html.escape(p)}</p>" for p in paras),
            ),
            encoding="utf-8",
        )
        paths.append("/" + name)
    return paths


def write_feeds(folder: Path, pages: list[str], count: int, per_feed: int = 4) -> list[str]:
    feeds = []
    for f in range(count):
        items = "".join(
            f"<item><title>item {f}-{k}</title><link>{pages[(f * per_feed + k) % len(pages)]}"
            f"</link><pubDate>Mon, 16 Mar 2026 08:00:00 GMT</pubDate></item>"
            for k in range(per_feed)
        )
        name = f"feed-{f:03d}.xml"
        (folder / name).write_text(
            f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {f}</title>'
            f"<link>http://example.invalid/</link>{items}</channel></rss>",
            encoding="utf-8",
        )
        feeds.append("/" + name)
    return feeds


def cpu_mark() -> tuple[float, float]:
    """Return CPU seconds used so far by this process and by its finished children."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time(), children.ru_utime + children.ru_stime


def cpu_since(mark: tuple[float, float]) -> tuple[float, float]:
    own, children = cpu_mark()
    return own - mark[0], children - mark[1]


def start_server(root: Path) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, str(SERVER), str(root)], stdout=subprocess.PIPE, text=True, cwd=REPO
    )
    assert proc.stdout is not None
    base = proc.stdout.readline().strip()
    if not base.startswith("http://127.0.0.1:"):
        proc.kill()
        raise SystemExit(f"server did not start: {base!r}")
    return proc, base


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=REPO / "examples" / "corpus")
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--feeds", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=2, help="runs of each mode; best counts")
    args = parser.parse_args()

    texts = load_texts(args.data)
    if not texts:
        raise SystemExit(f"no .txt files or articles.jsonl rows in {args.data}")
    with tempfile.TemporaryDirectory(prefix="storyline-fetch-bench-") as tmp:
        root = Path(tmp) / "site"
        pages = write_pages(root, texts, args.n)
        feeds = write_feeds(root, pages, args.feeds)
        settings = load_settings(
            overrides={
                "fetch": {
                    "allow_private": True,
                    "politeness": False,
                    "concurrency": args.concurrency,
                    "archive_dir": str(Path(tmp) / "warc"),
                    "retries": 0,
                }
            }
        )
        html_files = [root / p.lstrip("/") for p in pages]

        proc, base = start_server(root)
        disk_runs: list[float] = []
        fetch_runs: list[float] = []
        cpu: dict[str, list[tuple[float, float]]] = {"disk": [], "fetch": []}
        try:
            # alternated and repeated: the machine is shared, the best of each is compared
            for run in range(args.repeat):
                with storyline.open(Path(tmp) / f"disk{run}.db", settings=settings) as ws:
                    start, mark = time.perf_counter(), cpu_mark()
                    disk = pipeline.ingest(ws.store, html_files, settings=settings)
                    disk_runs.append(time.perf_counter() - start)
                    cpu["disk"].append(cpu_since(mark))
                with storyline.open(Path(tmp) / f"fetch{run}.db", settings=settings) as ws:
                    start, mark = time.perf_counter(), cpu_mark()
                    fetched = ws.fetch([base + p for p in pages])
                    fetch_runs.append(time.perf_counter() - start)
                    cpu["fetch"].append(cpu_since(mark))
            warc_mb = sum(f.stat().st_size for f in (Path(tmp) / "warc").glob("*")) / 1e6
            warc_mb /= args.repeat

            with storyline.open(Path(tmp) / "fetch0.db", settings=settings) as ws:
                for path in feeds:
                    add_feed(ws.store, base + path, kind="feed")
                with ws.fetcher() as fetcher:
                    start = time.perf_counter()
                    first = poll(ws, fetcher)
                    first_s = time.perf_counter() - start
                    start = time.perf_counter()
                    idle = poll(ws, fetcher)
                    idle_s = time.perf_counter() - start
        finally:
            proc.terminate()
            proc.wait(timeout=10)
        disk_s, fetch_s = min(disk_runs), min(fetch_runs)

    print(
        f"## fetch throughput: {args.n} local pages, concurrency {args.concurrency}, "
        f"best of {args.repeat} runs each"
    )
    print()
    print(
        "| mode | pages | stored | rejected | seconds (best) | all runs | pages/s "
        "| CPU s: driver / fetch child |"
    )
    print("|---|---|---|---|---|---|---|---|")
    rows = (
        ("disk (baseline)", disk, disk_runs, cpu["disk"]),
        ("fetch+WARC", fetched, fetch_runs, cpu["fetch"]),
    )
    for name, summary, runs, used in rows:
        best = runs.index(min(runs))
        print(
            f"| {name} | {args.n} | {summary.stored} | {len(summary.rejected)} | "
            f"{min(runs):.2f} | {' '.join(f'{r:.2f}' for r in runs)} | {args.n / min(runs):.0f} "
            f"| {used[best][0]:.2f} / {used[best][1]:.2f} |"
        )
    print(f"\nWARC archive: {warc_mb:.1f} MB")
    print()
    print(f"## watch cycle: {args.feeds} local feeds, items already stored")
    print()
    print("| poll | feeds | not modified | new items | seconds |")
    print("|---|---|---|---|---|")
    for name, report, secs in (
        ("first (reads every feed)", first, first_s),
        ("idle (no new items)", idle, idle_s),
    ):
        print(
            f"| {name} | {report.feeds} | {report.not_modified} | {report.new_items} | {secs:.3f} |"
        )
    print()
    print(f"watch idle cycle seconds: {idle_s:.3f}")
    print(f"fetch ratio to disk: {disk_s / fetch_s:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
