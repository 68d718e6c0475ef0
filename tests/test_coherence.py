from __future__ import annotations

import random

import numpy as np
import pytest

from storyline.quality import coherence_weights, encoder
from storyline.quality.coherence import (
    coherence_features,
    combine,
    head_logits,
    incoherence_score,
    sentence_cues,
)
from storyline.quality.sentence_pairs import (
    PAIR_CUES,
    encoded_follow,
    order_z,
    pair_cues,
    precedence_z,
)
from storyline.quality.vectors import embed_sentences
from storyline.text.sentences import find_names, known_names
from tests.conftest import sentence_model

FERRY_TITLE = "Ferry runs aground off Marrowby Island with 212 passengers on board"
FERRY = [
    "The ferry Northern Star ran aground on a sandbank off Marrowby Island early on Sunday.",
    "All 212 passengers and 14 crew members were taken off the ship by lifeboats within hours.",
    "Coastguard commander Helen Arkwright said nobody had been seriously hurt in the accident.",
    "Arkwright said strong winds had pushed the ferry off its usual route towards the harbour.",
    "She said divers would inspect the hull once the tide went out on Monday morning.",
    "The ferry company said passengers would get a full refund and free travel home.",
    "The Northern Star was built in 1996 and had been checked by inspectors last spring.",
    "Islanders brought blankets and hot drinks to the harbour for the rescued passengers.",
]
ORCHARD_TITLE = "Apple growers expect a record harvest after a warm and wet summer"
ORCHARD = [
    "Apple growers in the Dunmere valley expect the largest harvest in twenty years.",
    "Orchard owner Samuel Okafor said his trees carried so much fruit that branches broke.",
    "Okafor said pickers would work seven days a week until the end of October.",
    "The growers' association said prices for cider apples could fall because of the glut.",
    "Supermarkets have promised to buy more local fruit than usual this autumn.",
    "The warm spring meant the blossom survived without a single night of frost.",
]


def _model(encoded: bool) -> str | None:
    """Return the sentence model a test runs with: none, or the installed encoder."""
    return sentence_model() if encoded else None


@pytest.mark.parametrize("encoded", [False, True], ids=["word-vectors", "encoder"])
def test_coherence_shuffled_versions_score_above_the_original(encoded):
    model = _model(encoded)
    original = incoherence_score(FERRY_TITLE, "\n".join(FERRY), model)
    rng = random.Random(5)
    shuffled = []
    for _ in range(6):
        order = FERRY[:]
        while order == FERRY:
            rng.shuffle(order)
        shuffled.append(incoherence_score(FERRY_TITLE, "\n".join(order), model))
    assert np.mean(shuffled) > original
    assert sum(score > original for score in shuffled) >= 4


@pytest.mark.parametrize("encoded", [False, True], ids=["word-vectors", "encoder"])
def test_coherence_spliced_article_scores_above_both_sources(encoded):
    model = _model(encoded)
    spliced = [FERRY[0], ORCHARD[2], FERRY[1], ORCHARD[4], FERRY[3], ORCHARD[3], FERRY[6]]
    score = incoherence_score(FERRY_TITLE, "\n".join(spliced), model)
    assert score > incoherence_score(FERRY_TITLE, "\n".join(FERRY), model)
    assert score > incoherence_score(ORCHARD_TITLE, "\n".join(ORCHARD), model)
    splice, shuffle = head_logits(coherence_features(FERRY_TITLE, "\n".join(spliced), model))
    assert splice > shuffle  # the splice head is the one that fires


def test_coherence_encoder_adds_its_signals_and_heads():
    model = sentence_model()
    text = "\n".join(FERRY)
    plain, encoded = (
        coherence_features(FERRY_TITLE, text),
        coherence_features(FERRY_TITLE, text, model),
    )
    added = set(encoded) - set(plain)
    from_vectors = {name.replace("v_", "e_") for name in plain if name.startswith("v_")}
    assert added == from_vectors | {"e_pair_order_z"}
    # the real order fits better than random ones, by cosine and by the learned pair model
    assert encoded["e_order_z"] > 0
    assert encoded["e_pair_order_z"] > 0
    assert head_logits(encoded) != head_logits(plain)  # the encoded heads decide


def test_coherence_features_are_deterministic_and_combine_to_the_score():
    text = "\n".join(FERRY)
    first = coherence_features(FERRY_TITLE, text)
    assert first == coherence_features(FERRY_TITLE, text)
    assert 0.0 < combine(first) == incoherence_score(FERRY_TITLE, text) < 1.0


def test_coherence_order_z_prefers_a_chain_in_its_own_order():
    # item k is similar to k - 1 and k + 1 only: the given order is the best one there is
    n = 8
    chain = np.eye(n + 1, k=1) + np.eye(n + 1, k=-1)
    assert order_z(chain) > 3.0
    order = [0, *random.Random(1).sample(range(1, n + 1), n)]
    assert order_z(chain[np.ix_(order, order)]) < 1.5


def test_coherence_precedence_z_wants_full_names_first():
    sentences = [FERRY[2], FERRY[3], FERRY[4], FERRY[5]]
    known = known_names([FERRY_TITLE, *sentences])
    names = [find_names(text, known) for text in [FERRY_TITLE, *sentences]]
    assert precedence_z(sentences, names) > 0
    swapped = [sentences[1], sentences[0], *sentences[2:]]
    names_swapped = [names[0], names[2], names[1], *names[3:]]
    assert precedence_z(swapped, names_swapped) < 0


def test_coherence_pair_cues_see_a_surname_before_its_full_name():
    texts = [FERRY_TITLE, FERRY[2], FERRY[3], FERRY[4]]
    known = known_names(texts)
    names = [find_names(text, known) for text in texts]
    n = len(texts)
    cues = pair_cues(texts, names, np.zeros((n, n)), np.zeros((n, n)), embed_sentences(texts))
    full_then_short = PAIR_CUES.index("full_then_short")
    pronoun_after_name = PAIR_CUES.index("pronoun_after_name")
    assert cues[1, 2, full_then_short] == 1.0  # "Helen Arkwright" then "Arkwright said"
    assert cues[2, 1, full_then_short] == 0.0
    assert cues[2, 3, pronoun_after_name] == 1.0  # "Arkwright said ..." then "She said ..."


def test_coherence_vectors_put_related_sentences_closer():
    vectors = embed_sentences(
        [
            "Doctors treated the injured patients at the city hospital.",
            "Nurses cared for the wounded in the clinic overnight.",
            "The striker scored twice as the team won the football match.",
            "",
        ]
    )
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]
    assert np.allclose(np.linalg.norm(vectors[:3], axis=1), 1.0)
    assert not vectors[3].any()  # no words, no direction


def test_coherence_too_short_to_judge_is_even_odds():
    assert incoherence_score(FERRY_TITLE, "") == 0.5
    assert incoherence_score(FERRY_TITLE, FERRY[0] + " " + FERRY[1]) == 0.5
    features = coherence_features(FERRY_TITLE, FERRY[0])
    assert all(np.isfinite(value) for value in features.values())


def test_coherence_encoded_pair_model_is_directional_and_checks_its_size():
    model = sentence_model()
    vectors = encoder.encode([FERRY_TITLE, *FERRY], model).astype(np.float64)
    follow = encoded_follow(vectors)
    assert follow is not None
    assert follow.shape == (len(FERRY) + 1, len(FERRY) + 1)
    assert not np.allclose(follow, follow.T)  # "j after i" is not "i after j"
    assert encoded_follow(np.eye(3, 10)) is None  # another model's vectors: no pair signal


def test_coherence_weights_load_from_the_packaged_data_file_with_fitting_shapes():
    # sentence_pairs falls back to plain cosine on a shape mismatch: a bad file must fail here
    dims = embed_sentences(["The ferry ran aground."]).shape[1]
    assert len(coherence_weights.BILINEAR) == dims * dims
    assert len(coherence_weights.PAIR) == len(PAIR_CUES)
    assert len(coherence_weights.POSITION) == len(sentence_cues(FERRY[0]))
    assert "no Timeline17" in coherence_weights.FITTED_ON
    for head in ("SPLICE", "SHUFFLE", "SPLICE_ENCODED", "SHUFFLE_ENCODED"):
        signals = getattr(coherence_weights, head)
        assert signals
        assert all(len(v) == 3 and v[1] > 0 for v in signals.values()), head
        assert isinstance(getattr(coherence_weights, f"{head}_BIAS"), float)
