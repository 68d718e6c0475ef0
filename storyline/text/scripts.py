"""Word counts that mean the same in every script: spaces, or characters at a per-script rate.

Chinese, Japanese and Thai are written without spaces between words, so ``len(text.split())``
counts a Chinese paragraph as one or two "words" and every word-count rule of the HTML reader
and the cleaner (a short primary, a long paragraph, a long line) is blind on such a page.
``WordMeasure`` counts a piece of text as ``split()`` does, except that characters of those
scripts count at a documented characters-per-word rate (``[text]`` in defaults.toml: published
average word lengths, not fitted). On text without them it is exactly ``len(text.split())``.

Korean (hangul) is not among them: Korean puts spaces between its words (eojeol), so
``split()`` already counts it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

# Han ideographs (unified, extension A, compatibility, the supplementary planes' extensions),
# the iteration mark and hiragana, katakana (with the prolonged sound mark and the half-width
# forms): written without spaces, counted at ``cjk_chars_per_word``.
_CJK = (
    "\u3005\u3006\u3007\u3040-\u309f\u30a0-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uf900-\ufaff\uff66-\uff9f\U00020000-\U0003134f"
)
# The Thai block (letters, vowel and tone marks), counted at ``thai_chars_per_word``.
_THAI = "\u0e00-\u0e7f"
_DENSE_RE = re.compile(f"[{_CJK}{_THAI}]+")
_CJK_RE = re.compile(f"[{_CJK}]")
_THAI_RE = re.compile(f"[{_THAI}]")
# Brahmic scripts of India (Devanagari to Malayalam, and Sinhala): their vowel signs and viramas
# are combining marks, not word characters to ``re``, so a word-character tokenizer cuts one
# Hindi word into two or three (1.8 tokens a word on tests/data/html_kinds/script_hi).
_INDIC_RE = re.compile("[\u0900-\u0dff]")
# What is left of a piece once its CJK/Thai runs are taken out counts as a word when it holds
# a letter or digit ("2023" of "2023年"); CJK punctuation (，。「」) alone is no word.
_WORD_CHAR_RE = re.compile(r"[^\W_]")


@dataclass(frozen=True, slots=True)
class WordMeasure:
    """Counts words: space-separated pieces, and CJK/Thai characters at a per-script rate."""

    cjk_chars_per_word: float
    thai_chars_per_word: float

    @classmethod
    def from_values(cls, values: Mapping[str, Any]) -> WordMeasure:
        """Build the measure from a ``[text]`` table (defaults.toml or resolved settings)."""
        return cls(
            cjk_chars_per_word=float(values["cjk_chars_per_word"]),
            thai_chars_per_word=float(values["thai_chars_per_word"]),
        )

    def count(self, text: str) -> int:
        """Return the number of words in ``text``: ``len(text.split())`` where no CJK/Thai."""
        if _DENSE_RE.search(text) is None:
            return len(text.split())  # the common case, at C speed
        return self._count(text.split(), text)

    def count_tokens(self, tokens: Sequence[str], text: str) -> int:
        """Return the words of ``text`` from its tokens (a regex's findall over ``text``).

        ``len(tokens)`` when ``text`` holds no CJK/Thai or Indic character: a rule that counted
        a line's regex tokens counts the same on Latin, Cyrillic, Greek or Arabic. Indic words
        count as their space-separated pieces (a tokenizer cuts them at their vowel signs); the
        line's other tokens count as they are.
        """
        if _INDIC_RE.search(text) is not None:
            # only the Indic words by spaces: the line's other tokens count as they did
            tokens = [token for token in tokens if _INDIC_RE.search(token) is None] + [
                piece
                for piece in text.split()
                if _INDIC_RE.search(piece) is not None and _WORD_CHAR_RE.search(piece)
            ]
        elif _DENSE_RE.search(text) is None:
            return len(tokens)
        return self._count(tokens, text)

    def _count(self, pieces: Sequence[str], text: str) -> int:
        """Count pieces without CJK/Thai as one word each, and ``text``'s CJK/Thai at the rates.

        The characters are taken from ``text``, not from the pieces: a word-character tokenizer
        splits Thai words at their vowel and tone marks (not word characters to ``re``).
        """
        plain = 0
        for piece in pieces:
            if _DENSE_RE.search(piece) is None:
                plain += 1
            else:  # "2023年": the "2023" is a word; CJK punctuation left over is none
                plain += sum(1 for rest in _DENSE_RE.split(piece) if _WORD_CHAR_RE.search(rest))
        dense = "".join(_DENSE_RE.findall(text))
        cjk = len(_CJK_RE.findall(dense))
        # Rounded up once per text, not per run: a clause between two commas is no extra word.
        return (
            plain
            + math.ceil(cjk / self.cjk_chars_per_word)
            + math.ceil((len(dense) - cjk) / self.thai_chars_per_word)
        )
