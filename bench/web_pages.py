"""Web bench: server time of each page alone, then local load tests, cached and uncached.

The cached load repeats six URLs, so after the first round the response cache answers them;
the uncached loads give every request a URL never asked before (distinct story pages, then
distinct search queries, each with a fresh ``u=`` nonce the app ignores), so every request
is rendered. Each load prints p50/p99 with the single-render time of that page beside it.
Data is synthetic (made here, nothing read).
Usage: python bench/web_pages.py [--articles 500] [--stories 200] [--clients 50] [--seconds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from fastapi.testclient import TestClient

from storyline.models import CleanArticle, Entity, Quote, RawArticle, Story, TimeExpr, content_hash
from storyline.store import Store
from storyline.web import create_app

WORDS = [
    "dam",
    "river",
    "flood",
    "council",
    "mayor",
    "rain",
    "bridge",
    "water",
    "town",
    "minister",
    "repair",
    "storm",
]
OUTLETS = [f"Outlet {i}" for i in range(40)]
PATHS = ["/", "/stories/big", "/articles/art0003", "/api/stories", "/search?q=flood", "/api/quotes"]
STORY_SIZE = 25  # articles per small story: the bench's typical story page


def build(store: Store, n: int, stories: int = 200) -> str:
    rng = random.Random(7)
    pairs, quotes, timexes = [], [], []
    for i in range(n):
        body = " ".join(rng.choice(WORDS) for _ in range(400))
        said = "the water will be gone by Friday"
        date = "on 12 March"
        text = f'{body}. The mayor said "{said}" {date}. {body}'
        aid = f"art{i:04d}"
        day = f"2026-03-{1 + i % 28:02d}"
        raw = RawArticle(
            aid, f"Story {i}", text, f"bench:{i}", "txt", OUTLETS[i % 40], None, day, "metadata"
        )
        clean = CleanArticle(
            aid,
            f"Story {i}",
            text,
            f"bench:{i}",
            "txt",
            content_hash(f"Story {i}", text),
            OUTLETS[i % 40],
            None,
            day,
            "metadata",
        )
        pairs.append((raw, clean))
        start = text.index(said)
        quotes.append(
            Quote(
                f"q{i}",
                aid,
                f"Speaker {i % 30}",
                "he",
                "said",
                "direct",
                said,
                start,
                start + len(said),
            )
        )
        ds = text.index("12 March")
        timexes.append(
            TimeExpr(aid, ds, ds + 8, "12 March", "DATE", f"2026-03-{1 + i % 20:02d}", day)
        )
    store.save_batch(pairs, [])
    ids = [p[1].id for p in pairs]
    store.save_stage("bench", ids, quotes=quotes, timexes=timexes)
    store.replace_entities(
        [
            Entity(f"e{j}", f"Entity {j}", "PERSON", article_ids=tuple(ids[j::7]))
            for j in range(300)
        ],
        {},
        [],
    )
    small = [
        Story(
            f"s{k:03d}",
            f"Story {k}",
            "storyline",
            tuple(ids[(k * 7 + j) % n] for j in range(STORY_SIZE)),
            None,
            "2026-03-01",
            "2026-03-28",
        )
        for k in range(stories)
    ]
    big = Story(
        "big", "A 500-article story", "storyline", tuple(ids), None, "2026-03-01", "2026-03-28"
    )
    store.replace_stories([big, *small], {})
    return "big"


def uncached_paths(kind: str, stories: int) -> list[str]:
    """Return URLs that each appear once: story pages, or search queries of two words."""
    if kind == "story":
        return [f"/stories/s{k % stories:03d}?u={k}" for k in range(100_000)]
    pairs = [(a, b) for a in WORDS for b in WORDS if a != b]
    return [
        f"/search?q={pairs[k % len(pairs)][0]}+{pairs[k % len(pairs)][1]}&u={k}"
        for k in range(100_000)
    ]


def server_times(store: Store, story_id: str, repeat: int = 15) -> dict[str, tuple[float, float]]:
    """Return the median wall and CPU milliseconds of each page, rendered afresh each time."""
    client = TestClient(create_app(store, cache_entries=0))  # render every time
    out = {}
    for name, path in [
        ("story page", f"/stories/{story_id}"),
        (f"story page {STORY_SIZE}", "/stories/s001"),
        ("story api", f"/api/stories/{story_id}"),
        ("stories list", "/"),
        ("article page", "/articles/art0001"),
        ("search", "/search?q=mayor+water"),
    ]:
        client.get(path)  # warm (search builds its index once)
        wall, cpu = [], []
        for _ in range(repeat):
            t0, c0 = time.perf_counter(), time.process_time()
            r = client.get(path)
            wall.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
            assert r.status_code == 200, (path, r.status_code)
        out[name] = (statistics.median(wall), statistics.median(cpu))
    return out


async def _get(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str) -> int:
    """Send one keep-alive GET and read the whole response; return its status."""
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    length = next(
        int(line.split(":", 1)[1]) for line in lines if line.lower().startswith("content-length:")
    )
    await reader.readexactly(length)
    return int(lines[0].split()[1])


async def load(
    port: int, clients: int, seconds: float, paths: list[str]
) -> tuple[int, int, list[float]]:
    """Run ``clients`` keep-alive connections for ``seconds``; a lean client, so that the
    client's own cost stays small next to the server's. Client k asks for paths k,
    k + clients, k + 2 * clients...: with distinct paths, no two requests share a URL."""
    latencies: list[float] = []
    errors = 0
    stop = time.monotonic() + seconds

    async def worker(k: int) -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        i = k
        while time.monotonic() < stop:
            t0 = time.perf_counter()
            try:
                status = await _get(reader, writer, paths[i % len(paths)])
                errors += status != 200
            except (OSError, asyncio.IncompleteReadError, ValueError, StopIteration):
                errors += 1
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            latencies.append((time.perf_counter() - t0) * 1000)
            i += clients
        writer.close()

    await asyncio.gather(*(worker(k) for k in range(clients)))
    return len(latencies), errors, latencies


def _cpu_seconds(pid: int) -> float:
    """Return the CPU time a process has used (Linux /proc; 0.0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _percentiles(lat: list[float]) -> tuple[float, float]:
    lat = sorted(lat) or [0.0]
    return lat[len(lat) // 2], lat[min(len(lat) - 1, int(len(lat) * 0.99))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=500)
    parser.add_argument("--stories", type=int, default=200)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "bench.db")
        story_id = build(store, args.articles, args.stories)
        times = server_times(store, story_id)
        print(
            f"{args.articles} articles, {args.stories} stories; each page alone, no cache (median of 15)"
        )
        print(f"{'page':<16}{'wall ms':>10}{'cpu ms':>10}")
        for name, (wall, cpu) in times.items():
            print(f"{name:<16}{wall:>10.1f}{cpu:>10.1f}")
        print(f"(machine load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
        store.close()
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        # the server runs `serve` in its own process, as `storyline serve` does
        code = f"from storyline.web.app import serve; serve({str(Path(folder) / 'bench.db')!r}, '127.0.0.1', {port})"
        server = subprocess.Popen(
            [sys.executable, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        loads = [
            ("cached (6 URLs)", PATHS, times["story page"][0]),
            (
                "uncached story pages",
                uncached_paths("story", args.stories),
                times[f"story page {STORY_SIZE}"][0],
            ),
            ("uncached searches", uncached_paths("search", args.stories), times["search"][0]),
        ]
        results = []
        try:
            deadline = time.monotonic() + 120  # worker processes import the app anew
            while True:
                try:
                    httpx.get(f"http://127.0.0.1:{port}/api/stories", timeout=1)
                    break
                except httpx.HTTPError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.1)
            for path in PATHS:  # one request each first: the load measures a warm server
                httpx.get(f"http://127.0.0.1:{port}{path}", timeout=30)
            for name, paths, alone in loads:
                cpu = _cpu_seconds(server.pid)
                n, errors, lat = asyncio.run(load(port, args.clients, args.seconds, paths))
                per = (_cpu_seconds(server.pid) - cpu) * 1000 / max(n, 1)
                results.append((name, n, errors, *_percentiles(lat), alone, per))
        finally:
            server.terminate()
            server.wait(10)
        print(f"\nload: {args.clients} clients x {args.seconds:.0f}s each")
        # server CPU per request: what the server process spent, whatever else the machine ran
        print(
            f"{'mode':<22}{'requests':>9}{'req/s':>7}{'errors':>7}{'p50 ms':>8}{'p99 ms':>8}"
            f"{'alone ms':>10}{'srv cpu ms/req':>16}"
        )
        for name, n, errors, p50, p99, alone, per in results:
            print(
                f"{name:<22}{n:>9}{n / args.seconds:>7.0f}{errors:>7}{p50:>8.0f}{p99:>8.0f}"
                f"{alone:>10.1f}{per:>16.1f}"
            )
        cached, pages = results[0], results[1]
        print(
            f"\nheadline: story page with {args.articles} articles renders in {times['story page'][0]:.0f} ms "
            f"server time ({times['story page'][1]:.0f} ms CPU) (target < 300 ms); cached load {cached[2]} errors, "
            f"p99 {cached[4]:.0f} ms; uncached story pages at {args.clients} clients p50 {pages[3]:.0f} ms, "
            f"p99 {pages[4]:.0f} ms (target < 1000 ms; one alone {pages[5]:.0f} ms), {pages[2]} errors"
        )


if __name__ == "__main__":
    main()
