"""The clusterer's stored state: JSON with named fields, old pickles still read."""

from __future__ import annotations

import json
import pickle
from collections import Counter

from storyline.cluster.state import ClusterState, _Cluster
from storyline.cluster.state_json import dump_state, load_state, state_from_json, state_to_json


def _state() -> ClusterState:
    story = _Cluster(
        "s-1",
        "storyline",
        0,
        0,
        ["a1", "a2"],
        {"dam": 0.5, "flood": 0.25},
        0.3125,
        735000,
        735002,
        None,
        1.5,
        Counter({"varga": 2}),
    )
    event = _Cluster("e-1", "event", 1, 0, ["a2"], {"dam": 1 / 3}, 1 / 9, None, None, "s-1")
    return ClusterState(
        n_docs=2,
        batches=1,
        df=Counter({"dam": 2, "flood": 1}),
        storylines={"s-1": story},
        events={"e-1": event},
        storyline_of={"a1": "s-1", "a2": "s-1"},
        event_of={"a2": "e-1"},
        seq={"a1": 0, "a2": 1},
        dates={"a1": 735000, "a2": None},
        postings={"dam": {"s-1": 0.5}},
        caps=Counter({"varga": 3}),
        seen=Counter({"varga": 4}),
        surface={"varga": "Varga"},
    )


def test_cluster_state_json_round_trips_every_field_and_the_order():
    state = _state()
    back = state_from_json(state_to_json(state))
    assert back == state
    assert isinstance(back.df, Counter)
    assert isinstance(back.storylines["s-1"].names, Counter)
    assert back.events["e-1"].norm2 == 1 / 9  # floats exactly
    assert list(back.storyline_of) == ["a1", "a2"]
    assert state_to_json(back) == state_to_json(state)


def test_cluster_state_json_survives_a_class_change():
    doc = json.loads(state_to_json(_state()))
    doc["a_field_from_the_future"] = [1, 2]
    del doc["surface"]  # a field added after the state was written
    doc["storylines"][0]["weight"] = 3.0
    del doc["storylines"][0]["names"]
    back = state_from_json(json.dumps(doc))
    assert back.surface == {}
    assert back.storylines["s-1"].names == Counter()
    assert back.storylines["s-1"].members == ["a1", "a2"]
    assert back.df == Counter({"dam": 2, "flood": 1})


def test_cluster_state_json_reads_a_pickle_written_before_it():
    state = _state()
    assert load_state(pickle.dumps(state)) == state
    assert load_state(dump_state(state)) == state
    assert dump_state(state).startswith(b'{"format":1')
    assert load_state(None) == ClusterState()
