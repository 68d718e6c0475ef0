"""Throughput: the full `storyline run` vs a bare `nlp.pipe` pass of the same spaCy model.

Both read the same texts (Timeline17 articles, repeated with light perturbation up to --n) with
the same worker count, in one run. storyline's time covers everything `storyline run` does:
reading JSONL, cleaning, storing, dates, NLP (parse + entities + quotes), entity merging and the
corpus stages that have landed. The bare pass only parses.

Usage: python bench/throughput.py [--data DIR] [--n 2000] [--workers 1]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import storyline
from storyline.config import load_settings
from storyline.extract.nlp import load_model
from storyline.quality import encoder

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scale_memory import DEFAULT_DATA, load_sources, synthesise


def load_texts(folder: Path, n: int) -> list[dict[str, str]]:
    """Return n rows: Timeline17 articles, then copies perturbed so dedupe keeps them apart.

    (Copies with only their sentences shuffled were near-duplicates: storyline parsed 825 of
    2,000 while the bare pass parsed all 2,000.)
    """
    return list(synthesise(load_sources(folder), n))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument(
        "--sentence-model",
        default=None,
        help="override [quality] sentence_model ('' = no sentence encoder); default: the config",
    )
    args = parser.parse_args()
    rows = load_texts(args.data, args.n)
    overrides = (
        {"quality": {"sentence_model": args.sentence_model}}
        if args.sentence_model is not None
        else None
    )
    settings = load_settings(overrides=overrides)
    texts = [r["text"] for r in rows]

    nlp = load_model(settings.nlp.model)
    start = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=settings.nlp.batch_size, n_process=args.workers):
        pass
    bare = time.perf_counter() - start
    print(f"bare nlp.pipe: {len(rows)} texts in {bare:.1f} s", flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus.jsonl"
        corpus.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
        start = time.perf_counter()
        with storyline.open(Path(tmp) / "bench.db", settings=settings) as workspace:
            workspace.ingest([corpus])
            report = workspace.run(workers=args.workers)
        full = time.perf_counter() - start
    encoded = encoder.resolve(settings.quality.sentence_model) or "none"
    print(
        f"throughput: {len(rows)} articles, model {settings.nlp.model}, workers {args.workers}, "
        f"sentence encoder {encoded}"
    )
    print(f"{'system':28} {'seconds':>9} {'articles/s':>11}")
    print(f"{'bare nlp.pipe':28} {bare:9.1f} {len(rows) / bare:11.1f}")
    print(f"{'storyline run':28} {full:9.1f} {len(rows) / full:11.1f}")
    for name, what in report.stages:
        print(f"  {name}: {what}")
    print(f"ratio to bare spacy: {bare / full:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
