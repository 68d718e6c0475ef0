"""Count ``attribution_mismatch`` flags on untouched real news and on the splice bench's pages.

Usage: ``python bench/attribution_flags.py [--cache DIR] [--dragnet N] [--spliced N] [--show SET]``.

Every article of an untouched set is honest copy, so each flag there is a false accusation; the
spliced pages of ``bench/splice_detection.py`` (same seed) are the true positives this check
can add. Quotes are extracted as the pipeline extracts them (parse, ``find_quotes``, speakers
canonicalised per article) and given to ``attribution_problem``, as the quality stage gives the
stored quotes. Sets: Timeline17 dev topics (headline glued to the lead: the first sentence is the
title, as the splice bench takes it), PolNeAR dev (title and text given), Dragnet and the Zyte
article-extraction benchmark (article bodies without a title, without reader comments where
the set separates them: only the body branch can fire).
Parsed quotes are cached under ``--cache`` (the extractor is not what is measured here).
Prints per set: articles, flagged, and the flags grouped by the branch that fired; for the
splice bench's pages also how many lose trust by any untrusted flag (``assess_quality``).
"""

from __future__ import annotations

import argparse
import json
import pickle
import random
import tempfile
from collections import Counter
from pathlib import Path

from splice_detection import build, detokenise, prepare, read_articles

from storyline.extract.entities import find_mentions, merge_entities
from storyline.extract.nlp import load_model, parse
from storyline.extract.quotes.find import canonicalise_speakers, find_quotes
from storyline.models import CleanArticle
from storyline.quality.assess import (
    UNTRUSTED_FLAGS,
    assess_quality,
    attribution_problem,
    split_sentences,
)

SHARED = Path(__file__).resolve().parents[2] / "shared" / "eval"


def branch(reason: str) -> str:
    """Return which branch of ``attribution_problem`` a reason comes from."""
    if reason.startswith("the headline has"):
        return "headline speaker not in body"
    if reason.startswith("the headline"):
        return "headline people vs body speakers"
    return "unattributed direct quotes"


def t17(split: str) -> list[tuple[str, str, str, str]]:
    """Return (set, id, title, text) of the Timeline17 dev articles, one set per topic."""
    rows = read_articles(SHARED / "timeline17")
    out = []
    for row in rows:
        sentences = split_sentences(detokenise(row["text"]))
        if len(sentences) >= 2:
            uid = f"{row['source_folder']}/{row['uid']}"
            out.append((f"t17-{row['topic']}", uid, sentences[0], "\n".join(sentences[1:])))
    del split
    return out


def polnear() -> list[tuple[str, str, str, str]]:
    """Return PolNeAR dev articles; the text repeats the title as its first paragraph."""
    out = []
    for line in (SHARED / "polnear" / "dev.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        text = row["text"]
        if text.startswith(row["title"]):
            text = text[len(row["title"]) :].lstrip(". \n")
        out.append(("polnear", row["filename"], row["title"], text))
    return out


def bodies(name: str, folder: str, n: int) -> list[tuple[str, str, str, str]]:
    """Return up to n article bodies (no title) of a ground-truth.json set, sampled by seed 0."""
    data = json.loads((SHARED / folder / "ground-truth.json").read_text(encoding="utf-8"))
    keys = sorted(data)
    random.Random(0).shuffle(keys)
    # the body without reader comments where the set has it: the cleaner drops comment threads
    body = [data[k].get("articleBodyNoComments") or data[k]["articleBody"] for k in keys[:n]]
    return [(name, k, "", text.strip()) for k, text in zip(keys[:n], body, strict=True)]


def spliced(n: int) -> list[tuple[str, str, str, str]]:
    """Return the splice bench's spliced and shuffled pages (its default seed)."""
    cases = build(prepare(read_articles(SHARED / "timeline17")), n, 0)
    return [(f"bench-{k}", f"{k}{i}", title, text) for i, (k, _, title, text) in enumerate(cases)]


def with_quotes(items: list[tuple[str, str, str, str]], cache: Path) -> list[tuple]:
    """Return the items with their quotes, extracted as the pipeline does (cached by id)."""
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / "quotes.pkl"
    known: dict[tuple[str, str, str], list] = {}
    if path.exists():
        known = pickle.loads(path.read_bytes())  # noqa: S301 (our own cache, written below)
    todo = [it for it in items if (it[0], it[1], it[3]) not in known]
    if todo:
        nlp = load_model()
        for item, doc in zip(todo, parse([it[3] for it in todo], nlp), strict=True):
            aid = f"{item[0]}:{item[1]}"
            quotes = find_quotes(doc, aid)
            entities, mention_map = merge_entities(find_mentions(doc, aid))
            known[(item[0], item[1], item[3])] = canonicalise_speakers(
                quotes, entities, mention_map
            )
        path.write_bytes(pickle.dumps(known))
    return [(*it, known[(it[0], it[1], it[3])]) for it in items]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--cache", type=Path, default=Path(tempfile.gettempdir()) / "attribution_flags"
    )
    parser.add_argument("--dragnet", type=int, default=300)
    parser.add_argument("--spliced", type=int, default=60)
    parser.add_argument("--show", default="", help="print the reasons of this set")
    args = parser.parse_args()
    items = t17("dev") + polnear()
    items += bodies("dragnet", "dragnet", args.dragnet)
    items += bodies("zyte-aeb", "article-extraction-benchmark", 1000)
    items += spliced(args.spliced)
    rows = with_quotes(items, args.cache)
    untrusted: Counter = Counter()
    per: dict[str, Counter] = {}
    total: Counter = Counter()
    for name, uid, title, text, quotes in rows:
        total[name] += 1
        reason = attribution_problem(title, text, quotes)
        counts = per.setdefault(name, Counter())
        if name.startswith("bench-"):
            # the whole quality verdict: does the page lose trust, by any untrusted flag?
            page = CleanArticle(uid, title, text, "bench", "txt", uid)
            flags = set(assess_quality(page, quotes=quotes).flags)
            untrusted[name] += bool(flags & set(UNTRUSTED_FLAGS))
        if reason:
            counts[branch(reason)] += 1
            if args.show and name.startswith(args.show):
                print(f"[{name} {uid}] {title[:90]!r}\n    -> {reason}")
    print(f"{'set':18} {'articles':>8} {'flagged':>7}  by branch (bench-*: untrusted by any flag)")
    for name in sorted(total):
        counts = per.get(name, Counter())
        detail = "; ".join(f"{k}: {v}" for k, v in sorted(counts.items()))
        if name.startswith("bench-"):
            detail = f"untrusted {untrusted[name]}; {detail}"
        print(f"{name:18} {total[name]:8} {sum(counts.values()):7}  {detail}")


if __name__ == "__main__":
    main()
