"""Cost of one long article written as a single line against the same text in paragraphs.

Builds a fictional article of varied English sentences (names, places, quotes; no shared
data), writes it twice as a one-row JSONL file: once with no newline in its text, once with a
paragraph break every five sentences, runs ``storyline run`` on each in a child process
(``--workers 1``) and prints wall time and peak RSS, with the single-line / paragraphs ratio.
Usage:
  python bench/long_article.py [--kb 1000] [--seed 7] [--code OTHER_CHECKOUT]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_PEOPLE = ["Mara Velling", "Tomas Reyk", "Ilse Carrow", "Jonah Pettis", "Rhea Lunt", "Ada Moss"]
_ROLES = ["the harbour commissioner", "a council spokesperson", "the union leader", "the mayor"]
_PLACES = ["Port Calder", "Wenham", "the Ostrel valley", "North Brisk", "Lake Amery"]
_THINGS = ["the ferry contract", "the new sea wall", "the budget", "the rail link", "the strike"]
_VERBS = ["said", "told reporters", "added", "warned"]
_MONTHS = ["January", "March", "May", "July", "September", "November"]


def sentences(rng: random.Random) -> list[str]:
    """Return one varied fictional sentence or a short run of them (a quote with its speaker)."""
    person, role = rng.choice(_PEOPLE), rng.choice(_ROLES)
    place, thing = rng.choice(_PLACES), rng.choice(_THINGS)
    day = f"{rng.choice(_MONTHS)} {rng.randint(1, 28)}, {rng.randint(2019, 2026)}"
    kind = rng.randrange(5)
    if kind == 0:
        return [f'"We will not sign {thing} as it stands," {person} {rng.choice(_VERBS)}.']
    if kind == 1:
        return [f"{person}, {role}, said on {day} that {thing} would cost {place} more."]
    if kind == 2:
        return [f"Residents of {place} met on {day} to discuss {thing} and its delays."]
    if kind == 3:
        n = rng.randint(3, 90)
        return [f"About {n} families in {place} wrote to {role} about {thing} last week."]
    return [f"{person} visited {place}.", f"The visit was about {thing}, officials said."]


def make_text(chars: int, seed: int = 7, paragraph_every: int = 0) -> str:
    """Return about ``chars`` characters of fictional sentences, one line or in paragraphs."""
    rng = random.Random(seed)
    parts: list[str] = []
    size = count = 0
    while size < chars:
        for sentence in sentences(rng):
            count += 1
            sep = "\n\n" if paragraph_every and count % paragraph_every == 0 else " "
            parts.append(sentence + sep)
            size += len(sentence) + len(sep)
    return "".join(parts).rstrip()


def write_jsonl(path: Path, text: str) -> None:
    """Write one article row holding ``text``."""
    row = {
        "url": "https://example.invalid/port-calder/long",
        "title": "Port Calder argues over the ferry contract",
        "outlet": "Calder Gazette",
        "published": "2026-03-02",
        "text": text,
    }
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")


# Runs one command and prints its peak RSS: each run gets its own parent, as
# RUSAGE_CHILDREN keeps the largest child a process has ever waited for.
_MEASURE = (
    "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, "
    "capture_output=True); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def run_once(path: Path, db: Path, code: Path = ROOT) -> tuple[float, float]:
    """Run ``storyline run`` (of checkout ``code``) on ``path``; return (seconds, peak RSS MB)."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    cmd = [sys.executable, "-m", "storyline", "run", str(path), "--db", str(db), "--workers", "1"]
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, *cmd],
        env=env,
        cwd=path.parent,  # not this checkout: ``-m`` puts the working folder before PYTHONPATH
        check=True,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - start
    return elapsed, int(done.stdout.split()[-1]) / 1024


def main() -> int:
    """Run both shapes and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kb", type=int, default=1000, help="article size in KB")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--code", type=Path, default=ROOT, help="checkout to measure")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="storyline-long-") as root:
        for name, every in (("paragraphs", 5), ("single line", 0)):
            path = Path(root) / f"{name.replace(' ', '_')}.jsonl"
            write_jsonl(path, make_text(args.kb * 1000, args.seed, every))
            seconds, peak = run_once(path, Path(root) / f"{name.replace(' ', '_')}.db", args.code)
            rows.append((name, seconds, peak))
    print(f"{'shape':<12} {'seconds':>8} {'peak MB':>8}")
    for name, seconds, peak in rows:
        print(f"{name:<12} {seconds:>8.1f} {peak:>8.0f}")
    (_, t_par, m_par), (_, t_one, m_one) = rows
    print(f"{'ratio':<12} {t_one / t_par:>8.2f} {m_one / m_par:>8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
