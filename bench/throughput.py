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
import random
import re
import sys
import tempfile
import time
from pathlib import Path

import storyline
from storyline.config import load_settings
from storyline.extract.nlp import load_model

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "eval" / "timeline17"
_PTB = {"-LRB-": "(", "-RRB-": ")", "``": '"', "''": '"', "-LSB-": "[", "-RSB-": "]"}


def detokenize(text: str) -> str:
    for token, char in _PTB.items():
        text = text.replace(token, char)
    text = re.sub(r" ([.,;:!?%)\]])", r"\1", text)
    return re.sub(r"([(\[$]) ", r"\1", text)


def load_texts(folder: Path, n: int) -> list[dict[str, str]]:
    path = folder / "articles.jsonl"
    if not path.exists():
        path = folder / "articles.jsonl.gz"
    opener = __import__("gzip").open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        base = [json.loads(line) for line in handle if line.strip()]
    rng = random.Random(0)
    rows = []
    for i in range(n):
        src = base[i % len(base)]
        sentences = detokenize(src["text"]).split(" . ")
        if i >= len(base):  # a perturbed repeat: same size, not a duplicate
            rng.shuffle(sentences)
        text = " . ".join(sentences)
        rows.append({"id": f"t{i}", "title": text[:80], "text": text, "published": src["dct"]})
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    rows = load_texts(args.data, args.n)
    settings = load_settings()
    texts = [r["text"] for r in rows]

    nlp = load_model(settings.nlp.model)
    start = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=settings.nlp.batch_size, n_process=args.workers):
        pass
    bare = time.perf_counter() - start

    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus.jsonl"
        corpus.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
        start = time.perf_counter()
        with storyline.open(Path(tmp) / "bench.db", settings=settings) as workspace:
            workspace.ingest([corpus])
            report = workspace.run(workers=args.workers)
        full = time.perf_counter() - start
    print(f"throughput: {len(rows)} articles, model {settings.nlp.model}, workers {args.workers}")
    print(f"{'system':28} {'seconds':>9} {'articles/s':>11}")
    print(f"{'bare nlp.pipe':28} {bare:9.1f} {len(rows) / bare:11.1f}")
    print(f"{'storyline run':28} {full:9.1f} {len(rows) / full:11.1f}")
    for name, what in report.stages:
        print(f"  {name}: {what}")
    print(f"ratio to bare spacy: {bare / full:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
