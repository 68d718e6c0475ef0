"""Long fuzz profile for ingest: the hostile-folder property of tests/test_fuzz_inputs.py, N times.

Each example builds a folder of hostile entries (non-UTF-8 names, BOMs, gzip bombs scaled down
by a 4 KiB max_bytes, deep/oversized/junk JSONL lines, oversized CSV fields, binary files, FIFOs,
dangling and looping symlinks, a manifest naming paths outside its folder), reads it, ingests
it through the CLI, and checks that every input is exactly one article or one Rejected row,
that nothing is S199 and that the CLI exits 0 or 3. A failure prints Hypothesis's shrunk
example and exits 1. Usage:
  python bench/fuzz_inputs.py [--examples 500] [--seed N]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.test_fuzz_inputs import run_examples


def main() -> int:
    """Run the examples and print how many passed and how long they took."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=500)
    parser.add_argument("--seed", type=int, default=None, help="reproduce a run")
    args = parser.parse_args()
    start = time.perf_counter()

    def progress(done: int) -> None:
        if done % 50 == 0:
            print(f"  {done} examples, {time.perf_counter() - start:.0f} s", flush=True)

    with tempfile.TemporaryDirectory(prefix="storyline-fuzz-") as root:
        done = run_examples(args.examples, Path(root), progress, seed=args.seed)
    elapsed = time.perf_counter() - start
    print(f"fuzz_inputs: {done} hostile folders, all invariants held, {elapsed:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
