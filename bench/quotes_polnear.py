"""Score storyline's quote attribution on PolNeAR next to textacy, through the same evaluator.

Usage: ``python bench/quotes_polnear.py [--data PATH] [--out FILE]``. Prints both tables, the
same scores for direct (quoted, incl. mixed) and indirect attributions apart, the share of
predicted direct/mixed quotes whose text is a verbatim span of the article, the ratio of
extraction time to a bare ``nlp.pipe`` pass, and last the evaluator's headline line.

One evaluator row per attribution, as PolNeAR's gold counts them: the verbatim pieces the
extractor itself linked (same ``Quote.attribution_id``) become one row whose ``text`` is the
pieces' spoken words (``spoken_words``: a record of one sentence broken by its cue, kept
verbatim with the cue clause, gives the words outside that clause) in order joined by a space
and whose ``start``/``end`` is their covering span (the
evaluator scores ``text``; the span would also hold the cue between pieces). The grouping is the
extractor's, never read from the gold; ``--pieces`` writes one row per stored record instead.
The verbatim share is measured on the stored records (pieces), not on the joined rows.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from storyline.extract.entities import find_mentions, merge_entities
from storyline.extract.nlp import load_model, parse
from storyline.extract.quotes import speakers as spk
from storyline.extract.quotes.find import canonicalise_speakers, find_quotes, spoken_words

if TYPE_CHECKING:
    from storyline.models import Quote

KINDS = ("direct", "indirect")
SHARED = Path(__file__).resolve().parents[2] / "shared"
DEFAULT_DATA = SHARED / "eval" / "polnear" / "dev.jsonl"
EVALUATOR = SHARED / "eval" / "tools" / "eval_polnear.py"


def read_articles(path: Path) -> dict[str, str]:
    """Return article id -> text, one entry per article (annotator copies share the text)."""
    articles: dict[str, str] = {}
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                record = json.loads(line)
                articles.setdefault(record["filename"], record["text"])
    return dict(sorted(articles.items()))


# A speaker written only as a pronoun ("it said", "they say") that storyline left unresolved.
_PRONOUNS = (
    spk.PERSON_PRONOUNS
    | spk.SELF_PRONOUNS
    | spk.GROUP_PRONOUNS
    | frozenset({"you", "who", "which", "that", "them"})
)


def attributed(quote: Quote) -> bool:
    """Return True when storyline names or describes who said the quote.

    PolNeAR scores attributions: a quote nobody is said to have said is not one, nor is one whose
    speaker storyline left null behind a bare pronoun (``speaker_text`` "it", speaker None): the
    record claims no source, and the evaluator could only score it as a wrong one.
    """
    if quote.speaker:
        return True
    written = (quote.speaker_text or "").strip()
    return bool(written) and written.casefold() not in _PRONOUNS


def group_attributions(quotes: list[Quote]) -> list[list[Quote]]:
    """Return the quotes grouped by the extractor's ``attribution_id``, in text order."""
    groups: dict[str, list[Quote]] = {}
    for quote in quotes:
        groups.setdefault(quote.attribution_id or quote.id, []).append(quote)
    return sorted(
        (sorted(g, key=lambda q: q.start) for g in groups.values()), key=lambda g: g[0].start
    )


def attribution_row(pieces: list[Quote], text: str) -> dict[str, Any]:
    """Return one evaluator row for the pieces of one attribution (see the module docstring)."""
    first = pieces[0]
    speaker = next((q for q in pieces if q.speaker), first)
    kinds = {q.kind for q in pieces}
    return {
        "article_id": first.article_id,
        "text": " ".join(spoken_words(q) for q in pieces),
        "speaker": speaker.speaker,
        "speaker_text": speaker.speaker_text,
        "start": first.start,
        "end": max(q.end for q in pieces),
        # ignored by the evaluator; used for the by-kind table
        "kind": "indirect" if kinds == {"indirect"} else "direct",
        "pieces": len(pieces),
        "verbatim": sum(q.text in text[q.start : q.end] for q in pieces),
    }


def predict(articles: dict[str, str], out: Path, *, group: bool = True) -> tuple[float, float, int]:
    """Write storyline's attributions as evaluator rows; return parse and extraction seconds.

    The extraction time covers what the stage adds to the parse: mentions, quotes, the corpus
    merge of entities and the mapping of speakers onto them.
    """
    nlp = load_model()
    texts = list(articles.values())
    t0 = time.perf_counter()
    docs = list(parse(texts, nlp))
    t1 = time.perf_counter()
    quotes, mentions = [], []
    for article_id, doc in zip(articles, docs, strict=True):
        mentions += find_mentions(doc, article_id)
        quotes += find_quotes(doc, article_id)
    entities, mention_map = merge_entities(mentions)
    quotes = canonicalise_speakers(quotes, entities, mention_map)
    said = [quote for quote in quotes if attributed(quote)]
    rows = [
        attribution_row(group, articles[group[0].article_id])
        for group in (group_attributions(said) if group else [[q] for q in said])
    ]
    t2 = time.perf_counter()
    with out.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    return t1 - t0, t2 - t1, len(rows)


def evaluate(data: Path, *args: str) -> str:
    """Run the shared evaluator and return its output."""
    cmd = [sys.executable, str(EVALUATOR), "--gold", str(data), *args]
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def _evaluator() -> Any:  # the shared evaluator is an untyped script
    """Import the shared evaluator as it is, to score subsets through its own functions."""
    spec = importlib.util.spec_from_file_location("eval_polnear", EVALUATOR)
    if spec is None or spec.loader is None:
        msg = f"cannot load {EVALUATOR}"
        raise FileNotFoundError(msg)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def by_kind(data: Path, out: Path) -> list[str]:
    """Return table lines: attribution P/R/F1 @0.5 for direct and for indirect quotes.

    One matching over all gold items, as the evaluator does; a prediction counts for its own
    kind (direct = "direct" and "mixed"), a gold item for the evaluator's own flag (content
    opening with a quote mark). Precision: matched predictions of the kind over predictions of
    the kind, without those that only match a no-source item; recall: matched gold items of
    the kind over gold items of the kind.
    """
    ev = _evaluator()
    gold = ev.load_gold(str(data))
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines() if line]
    by_article: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_article.setdefault(row["article_id"], []).append(row)
    counts = {k: {"tp_pred": 0, "n_pred": 0, "tp_gold": 0, "n_gold": 0} for k in KINDS}
    for aid, g in gold.items():
        found = by_article.get(aid, [])
        preds = [
            {
                "tokens": ev.tokens(r["text"]),
                "speaker_tokens": ev.tokens(r.get("speaker_text")),
                "speaker_fields": [
                    w
                    for w in (
                        ev.content_words(r.get("speaker")),
                        ev.content_words(r.get("speaker_text")),
                    )
                    if w
                ],
            }
            for r in found
        ]
        pairs = ev.match(preds, g["items"], ev.HEADLINE, True)  # noqa: FBT003
        used = {i for i, _ in pairs}
        for i, row in enumerate(found):
            kind = "direct" if row["kind"] in {"direct", "mixed"} else "indirect"
            if i not in used and any(
                ev.overlap(preds[i]["tokens"], d) >= ev.HEADLINE for d in g["dontcare"]
            ):
                continue
            counts[kind]["n_pred"] += 1
            counts[kind]["tp_pred"] += i in used
        for j, item in enumerate(g["items"]):
            kind = "direct" if item["direct"] else "indirect"
            counts[kind]["n_gold"] += 1
            counts[kind]["tp_gold"] += any(j == jj for _, jj in pairs)
    lines = [" kind     | gold | pred |  attrib P      R     F1"]
    for kind, c in counts.items():
        p = c["tp_pred"] / c["n_pred"] if c["n_pred"] else 0.0
        r = c["tp_gold"] / c["n_gold"] if c["n_gold"] else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        lines.append(
            f" {kind:8} | {c['n_gold']:4d} | {c['n_pred']:4d} | {p:9.3f} {r:6.3f} {f:6.3f}"
        )
    quoted = [r for r in rows if r["kind"] in {"direct", "mixed"}]
    n_pieces = sum(r["pieces"] for r in quoted)
    share = sum(r["verbatim"] for r in quoted) / n_pieces if n_pieces else 1.0
    lines.append(f"verbatim direct/mixed quotes: {share:.3f} of {n_pieces} stored records")
    return lines


def main() -> None:
    """Run storyline and textacy on one PolNeAR split and print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=None, help="keep storyline's predictions")
    parser.add_argument("--no-peer", action="store_true", help="skip the textacy run")
    parser.add_argument("--pieces", action="store_true", help="one row per record, not grouped")
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkstemp(suffix=".jsonl")[1])
    articles = read_articles(args.data)
    parse_s, extract_s, n_quotes = predict(articles, out, group=not args.pieces)
    peer = "" if args.no_peer else evaluate(args.data, "--peer")
    ours = evaluate(args.data, "--pred", str(out))
    if peer:
        print(peer.rstrip().rsplit("\n", 1)[0])
        print(f"textacy {peer.rstrip().rsplit(chr(10), 1)[1]}")
        print()
    print(ours.rstrip().rsplit("\n", 1)[0])
    print("\n".join(by_kind(args.data, out)))
    print(
        f"storyline: {n_quotes} attributions from {len(articles)} articles; parse {parse_s:.1f}s, "
        f"entities+quotes {extract_s:.2f}s, extraction/parse time ratio {extract_s / parse_s:.3f}"
    )
    print(ours.rstrip().rsplit("\n", 1)[1])


if __name__ == "__main__":
    main()
