"""Storyline briefings vs sumy's LexRank and TextRank on Timeline17, scored with ROUGE-1/2.

Usage: bench/briefing_rouge.py [--data PATH] [--max-articles N] [--cap N]

One task per gold timeline whose topic has articles (as eval_t17.py and news-tls): the input is
every article of the timeline's topic published between the timeline's first and last date,
subsampled evenly in publication order to at most ``--max-articles`` (default 40) with the same
subset for every system. All systems choose from the same candidate sentences (storyline's
sentence splitter, 6-80 words, after undoing the PTB tokenisation) and return the same number of
sentences: N = the number of gold dates, capped at ``--cap`` (default 20). Each summary is scored
with rouge-score (ROUGE-1/2 F1, Porter stemming) against the journalists' whole timeline text.
The outlet of an article is the suffix of its T17 folder (bbc, guardian, reuters).

Needs: sumy, rouge-score (pip). Nothing is downloaded at run time: sumy gets the sentences
and a plain regex word tokenizer from here, its Snowball stemmer and stop list ship with it.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rouge_score import rouge_scorer
from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence
from sumy.nlp.stemmers import Stemmer
from sumy.summarizers.lex_rank import LexRankSummarizer
from sumy.summarizers.text_rank import TextRankSummarizer
from sumy.utils import get_stop_words

from storyline.briefing.select import build_briefing
from storyline.claims.align import find_claims
from storyline.claims.statements import MAX_WORDS, MIN_WORDS
from storyline.models import CleanArticle, content_hash
from storyline.text.sentences import sentence_spans

SHARED = Path(__file__).resolve().parents[2] / "shared"
DEFAULT_DATA = SHARED / "eval" / "timeline17"

_PTB = [
    (r"-LRB-", "("),
    (r"-RRB-", ")"),
    (r"-LSB-", "["),
    (r"-RSB-", "]"),
    (r"-LCB-", "{"),
    (r"-RCB-", "}"),
    (r"``\s*", '"'),
    (r"\s*''", '"'),
    (r"\s+([.,;:!?%)\]}])", r"\1"),
    (r"([(\[{$])\s+", r"\1"),
    (r"\s+(n't|'s|'re|'ve|'ll|'d|'m)\b", r"\1"),
]


def detokenize(text: str) -> str:
    """Undo the PTB tokenisation closely enough for a sentence splitter."""
    for pattern, repl in _PTB:
        text = re.sub(pattern, repl, text)
    return text


def read_jsonl(data: Path, name: str) -> list[dict[str, Any]]:
    plain = data / name
    opener: Any = open if plain.exists() else gzip.open
    path = plain if plain.exists() else data / f"{name}.gz"
    with opener(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def to_article(row: dict[str, Any]) -> CleanArticle:
    text = detokenize(row["text"])
    article_id = f"{row['source_folder']}/{row['uid']}"
    return CleanArticle(
        id=article_id,
        title="",
        text=text,
        locator=f"t17:{article_id}",
        format="jsonl",
        content_hash=content_hash("", text),
        source=row["source_folder"].split("_", 1)[-1],
        published=row["dct"],
        published_source="metadata",
    )


def subsample(rows: list[dict[str, Any]], limit: int) -> list[dict[str, Any]]:
    """Return at most ``limit`` rows, evenly spaced in (date, folder, uid) order."""
    rows = sorted(rows, key=lambda r: (r["dct"], r["source_folder"], int(r["uid"])))
    if len(rows) <= limit:
        return rows
    step = len(rows) / limit
    return [rows[int(i * step)] for i in range(limit)]


def candidates(articles: list[CleanArticle]) -> list[str]:
    """Return the sentences every system chooses from."""
    out = []
    for article in articles:
        for start, end in sentence_spans(article.text):
            sentence = " ".join(article.text[start:end].split())
            if MIN_WORDS <= len(sentence.split()) <= MAX_WORDS:
                out.append(sentence)
    return list(dict.fromkeys(out))


class _Words:
    """A sumy tokenizer that never needs nltk data: sentences are given, words are regex."""

    language = "english"

    @staticmethod
    def to_words(text: str) -> list[str]:
        return re.findall(r"[A-Za-z0-9]+(?:'[a-z]+)?", text)

    @staticmethod
    def to_sentences(text: str) -> list[str]:
        return [text]


def sumy_summary(sentences: list[str], n: int, algorithm: str) -> list[str]:
    tokenizer = _Words()
    doc = ObjectDocumentModel([Paragraph([Sentence(s, tokenizer) for s in sentences])])
    cls = LexRankSummarizer if algorithm == "lexrank" else TextRankSummarizer
    summarizer = cls(Stemmer("english"))
    summarizer.stop_words = get_stop_words("english")
    return [str(s) for s in summarizer(doc, n)]


def storyline_summary(articles: list[CleanArticle], n: int, story_id: str) -> list[str]:
    claims = find_claims(articles, story_id=story_id)
    briefing = build_briefing(articles, claims, (), story_id=story_id, max_sentences=n)
    return [s.text for s in briefing.sentences]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--max-articles", type=int, default=40)
    parser.add_argument("--cap", type=int, default=20)
    args = parser.parse_args()
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2"], use_stemmer=True)
    rows = read_jsonl(args.data, "articles.jsonl")
    timelines = [t for t in read_jsonl(args.data, "timelines.jsonl") if t["articles_available"]]
    systems = ("storyline", "lexrank", "textrank")
    totals: dict[str, list[tuple[float, float]]] = {s: [] for s in systems}
    print(f"{'timeline':48} {'n':>3} {'docs':>4}  " + "  ".join(f"{s:>17}" for s in systems))
    print(f"{'':48} {'':>3} {'':>4}  " + "  ".join(f"{'R1-F':>8} {'R2-F':>8}" for _ in systems))
    started = time.perf_counter()
    for timeline in timelines:
        dates = sorted({e["date"] for e in timeline["entries"]})
        gold = "\n".join(e["text"] for e in timeline["entries"])
        pool = [
            r for r in rows if r["topic"] == timeline["topic"] and dates[0] <= r["dct"] <= dates[-1]
        ]
        articles = [to_article(r) for r in subsample(pool, args.max_articles)]
        n = min(len(dates), args.cap)
        sentences = candidates(articles)
        if not sentences:
            print(f"{timeline['timeline_id'][:48]:48} skipped: no articles in its date range")
            continue
        summaries = {
            "storyline": storyline_summary(articles, n, timeline["timeline_id"]),
            "lexrank": sumy_summary(sentences, n, "lexrank"),
            "textrank": sumy_summary(sentences, n, "textrank"),
        }
        cells = []
        for system in systems:
            score = scorer.score(gold, "\n".join(summaries[system]))
            pair = (score["rouge1"].fmeasure, score["rouge2"].fmeasure)
            totals[system].append(pair)
            cells.append(f"{pair[0]:8.4f} {pair[1]:8.4f}")
        print(f"{timeline['timeline_id'][:48]:48} {n:>3} {len(articles):>4}  " + "  ".join(cells))
    means = {
        s: (
            sum(p[0] for p in v) / max(1, len(v)),
            sum(p[1] for p in v) / max(1, len(v)),
        )
        for s, v in totals.items()
    }
    print(
        f"{'mean':48} {'':>3} {'':>4}  "
        + "  ".join(f"{means[s][0]:8.4f} {means[s][1]:8.4f}" for s in systems)
    )
    print(f"timelines: {len(timelines)}, seconds: {time.perf_counter() - started:.0f}")
    ratio = means["storyline"][1] / means["lexrank"][1] if means["lexrank"][1] else 0.0
    print(f"rouge-2 ratio to lexrank: {ratio:.3f}")


if __name__ == "__main__":
    main()
