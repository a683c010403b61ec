"""Configuration: resolved from flags and environment, validated before anything runs."""

from __future__ import annotations

import pytest

from extract.config import DEFAULT_MODEL, REQUESTY_BASE_URL, Config
from extract.errors import ConfigError


def test_requesty_key_selects_requesty_with_the_default_model():
    cfg = Config.resolve(env={"REQUESTY_API_KEY": "rq-secret"})
    assert (cfg.backend, cfg.base_url, cfg.model) == ("requesty", REQUESTY_BASE_URL, DEFAULT_MODEL)
    assert cfg.api_key.get_secret_value() == "rq-secret"
    assert "rq-secret" not in repr(cfg) and "rq-secret" not in str(cfg)


def test_extract_environment_overrides():
    env = {
        "EXTRACT_BASE_URL": "http://10.0.0.1:8080/v1",
        "EXTRACT_API_KEY": "k",
        "EXTRACT_MODEL": "qwen",
    }
    cfg = Config.resolve(env=env)
    assert (cfg.backend, cfg.base_url, cfg.model) == ("openai", "http://10.0.0.1:8080/v1", "qwen")


def test_flags_win_over_environment():
    cfg = Config.resolve(
        env={"REQUESTY_API_KEY": "a"}, base_url="http://h/v1", api_key="b", model="m"
    )
    assert (cfg.backend, cfg.base_url, cfg.model) == ("openai", "http://h/v1", "m")
    assert cfg.api_key.get_secret_value() == "b"


def test_a_gguf_file_means_the_local_model_even_with_a_key(tmp_path):
    gguf = tmp_path / "m.gguf"
    gguf.write_bytes(b"GGUF")
    cfg = Config.resolve(env={"REQUESTY_API_KEY": "k"}, local_model=str(gguf))
    assert cfg.backend == "local" and cfg.local_model == str(gguf)


def test_a_bundled_model_is_chosen_by_name_and_a_typo_fails_before_any_work():
    cfg = Config.resolve(env={}, local_model="qwen2.5-coder-0.5b")
    assert cfg.backend == "local" and cfg.local_model_is_bundled
    with pytest.raises(ConfigError, match="neither a file nor one of the bundled models"):
        Config.resolve(env={}, local_model="qwen-2.5-coder")


def test_nothing_set_means_the_local_model_with_its_own_context():
    cfg = Config.resolve(env={})
    assert cfg.backend == "local" and cfg.context_window == 8192


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"backend": "requesty"}, "no API key"),
        ({"base_url": "ftp://x", "api_key": "k"}, "http"),
        ({"base_url": "http://h/v1", "api_key": "k", "concurrency": 0}, "concurrency"),
        ({"base_url": "http://h/v1", "api_key": "k", "max_tokens": 20000}, "half the context"),
        ({"backend": "openai", "api_key": "k"}, "needs --base-url"),
        ({"backend": "nonsense"}, "unknown backend"),
    ],
)
def test_bad_settings_fail_fast_with_a_clear_message(settings, message):
    with pytest.raises(ConfigError, match=message):
        Config.resolve(env={}, **settings)


def test_config_is_frozen():
    cfg = Config.resolve(env={}, base_url="http://h/v1", api_key="k")
    with pytest.raises(Exception, match="frozen"):
        cfg.concurrency = 3


def test_backend_and_mode_names_are_read_from_the_backends_registry():
    from typing import get_args

    from extract.cli import build_parser
    from extract.config import BackendName, ModeName
    from extract.llm.backends import BACKEND_NAMES, MODE_NAMES
    from extract.llm.backends.modes import MODES
    from extract.llm.backends.registry import FACTORIES

    assert set(FACTORIES) == set(BACKEND_NAMES) == set(get_args(BackendName))
    assert set(MODE_NAMES) == {"auto", *MODES} == set(get_args(ModeName))
    run = build_parser()._subparsers._group_actions[0].choices["run"]
    choices = {a.dest: a.choices for a in run._actions if a.choices}
    assert choices["backend"] == ["auto", *BACKEND_NAMES] and list(choices["mode"]) == [*MODE_NAMES]
