"""The clusterer's state as JSON: named fields, a format version, no pickled classes.

The state used to be stored as a pickle of ``cluster.ClusterState``: renaming or moving that
class (or ``_Cluster``) made every store written before unreadable. The JSON names each field;
reading fills a field it does not find with the class's default and ignores one it does not
know, so a class change never breaks an old store. A store that still holds a pickle is read
once more that way (``load_state``) and written back as JSON on the next clustering run.
Dict order is kept (JSON objects keep it), and floats round-trip exactly, so a state read
back clusters the next batch exactly as the state in memory would.
"""

from __future__ import annotations

import io
import json
import pickle
from collections import Counter
from dataclasses import fields
from typing import Any

from storyline.cluster.state import ClusterState, _Cluster

FORMAT = 1
_COUNTERS = frozenset({"df", "caps", "seen", "names"})
_CLUSTER_MAPS = ("storylines", "events")
_PICKLE_START = b"\x80"  # every pickle protocol >= 2 starts with the PROTO opcode


def _plain(value: Any) -> Any:  # noqa: ANN401 - a field's value
    return dict(value) if isinstance(value, Counter) else value


def _cluster_json(cluster: _Cluster) -> dict[str, Any]:
    return {
        f.name: _plain(getattr(cluster, f.name))
        for f in fields(cluster)
        if hasattr(cluster, f.name)
    }


def state_to_json(state: ClusterState) -> str:
    """Return the state as a JSON document (see the module docstring)."""
    doc: dict[str, Any] = {"format": FORMAT}
    for f in fields(state):
        value = getattr(state, f.name)
        if f.name in _CLUSTER_MAPS:
            doc[f.name] = [_cluster_json(c) for c in value.values()]
        else:
            doc[f.name] = _plain(value)
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))


def _known(cls: type, values: dict[str, Any]) -> dict[str, Any]:
    names = {f.name for f in fields(cls)}
    return {k: Counter(v) if k in _COUNTERS else v for k, v in values.items() if k in names}


def state_from_json(text: str | bytes) -> ClusterState:
    """Return the state a ``state_to_json`` document holds; unknown fields are ignored."""
    doc = json.loads(text)
    values = _known(ClusterState, {k: v for k, v in doc.items() if k not in _CLUSTER_MAPS})
    for name in _CLUSTER_MAPS:
        values[name] = {c["id"]: _Cluster(**_known(_Cluster, c)) for c in doc.get(name, [])}
    return ClusterState(**values)


class _StateUnpickler(pickle.Unpickler):
    """Finds the classes of a state pickled when they lived in the one module storyline.cluster."""

    def find_class(self, module: str, name: str) -> Any:  # noqa: ANN401 - what pickle finds
        if module == "storyline.cluster" and name in _MOVED:
            module = "storyline.cluster.state"
        return super().find_class(module, name)


# the classes a pre-JSON pickle names under storyline.cluster (before cluster/ was a package)
_MOVED = frozenset({"ClusterState", "_Cluster"})


def load_state(saved: bytes | None) -> ClusterState:
    """Return the stored state: JSON, or a pickle written before the JSON format; or a new one."""
    if not saved:
        return ClusterState()
    if saved.startswith(_PICKLE_START):
        # our own state, written by storyline's clustering into the user's own database
        state: ClusterState = _StateUnpickler(io.BytesIO(saved)).load()
        return state
    return state_from_json(saved)


def dump_state(state: ClusterState) -> bytes:
    """Return the state as the bytes to store (UTF-8 JSON)."""
    return state_to_json(state).encode()
