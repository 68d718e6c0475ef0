"""Weights of the incoherence score, read from ``data/coherence_weights.json`` when loaded.

``bench/fit_coherence.py --write`` fits and writes that file (do not edit it by hand); its
``fitted_on`` says on which data (no Timeline17 text). The ``*_ENCODED`` heads add the ``e_``
signals of the sentence encoder. Each head maps a signal to (mean, scale, weight).
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

WEIGHTS_FILE = "coherence_weights.json"  # in storyline/data


def _load() -> dict[str, Any]:
    source = resources.files("storyline").joinpath("data", WEIGHTS_FILE)
    data: dict[str, Any] = json.loads(source.read_text(encoding="utf-8"))
    return data


def _head(name: str) -> tuple[dict[str, tuple[float, float, float]], float]:
    """Return one logistic head: its signals' (mean, scale, weight) and its bias."""
    head = _DATA["heads"][name]
    signals = {
        signal: (float(m), float(s), float(w)) for signal, (m, s, w) in head["signals"].items()
    }
    return signals, float(head["bias"])


_DATA = _load()
FITTED_ON: str = _DATA["fitted_on"]
# ridge weights of coherence.sentence_cues for the relative position in a story
POSITION: tuple[float, ...] = tuple(float(x) for x in _DATA["position"])
# weights of sentence_pairs.PAIR_CUES and the bilinear form of the word vectors
PAIR: tuple[float, ...] = tuple(float(x) for x in _DATA["pair"])
BILINEAR: tuple[float, ...] = tuple(float(x) for x in _DATA["bilinear"])
SPLICE, SPLICE_BIAS = _head("SPLICE")
SHUFFLE, SHUFFLE_BIAS = _head("SHUFFLE")
SPLICE_ENCODED, SPLICE_ENCODED_BIAS = _head("SPLICE_ENCODED")
SHUFFLE_ENCODED, SHUFFLE_ENCODED_BIAS = _head("SHUFFLE_ENCODED")
