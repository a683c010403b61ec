"""Meeting OpenAI-compatible servers as they are: what they state about their context
window, how they reject a mode or a long prompt, Retry-After dates, unpriced models.

The error bodies are the ones llama-cpp-python's server sends (tests/test_llama_server.py
checks them against the real thing).
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pandas as pd
import pytest

from extract.cli import main
from extract.errors import ProviderError
from extract.ingest.tokenizer import count_tekken_tokens
from extract.llm.retry import RetryPolicy
from tests.cli_args import run_args
from tests.conftest import ROOT
from tests.fake_server import Error, FakeOpenAI, Reply, document_text, schema_responder

LONG_DOC = ROOT / "sample_docs" / "master-services-agreement-long.txt"
MODEL = "mistral/mistral-small-2503"

# What llama-cpp-python's server answers to `response_format: json_schema`.
JSON_SCHEMA_REJECTED = {
    "error": {
        "message": "1 validation error:\n  {'type': 'literal_error', 'loc': ('body', "
        "'response_format', 'type'), 'msg': \"Input should be 'text' or 'json_object'\", "
        "'input': 'json_schema', 'ctx': {'expected': \"'text' or 'json_object'\"}}\n",
        "type": "internal_server_error",
        "param": None,
        "code": None,
    }
}


def context_exceeded(window: int, asked: int) -> dict:
    """llama-cpp-python's (and OpenAI's) answer to a prompt over the context window."""
    return {
        "error": {
            "message": f"This model's maximum context length is {window} tokens. However, you "
            f"requested {asked} tokens ({asked - 256} in the messages, 256 in the completion). "
            "Please reduce the length of the messages or completion.",
            "type": "invalid_request_error",
            "param": "messages",
            "code": "context_length_exceeded",
        }
    }


def receipt(folder: Path, name: str, n: int) -> Path:
    path = folder / name
    path.write_text(f"SHOP {n} SDN BHD\nDATE: 0{n}/01/2019\nGRAND TOTAL {n}.50\n")
    return path


def run(paths: list[Path], out: Path, url: str, *extra: str, schema: str = "receipt") -> int:
    return main(run_args(paths, schema, out, url, "--rpm", "0", "--no-cache", *extra))


def prompt_tokens(body: dict) -> int:
    """Tokens of a request as Mistral counts them: messages plus the schema."""
    tokens = sum(count_tekken_tokens(m["content"]) + 8 for m in body["messages"])
    if "response_format" in body:
        tokens += count_tekken_tokens(json.dumps(body["response_format"]["json_schema"]["schema"]))
    return tokens


# --- 12: Retry-After -------------------------------------------------------------------


def test_a_malformed_retry_after_date_is_ignored_and_the_request_retried(tmp_path: Path):
    doc = receipt(tmp_path, "r.txt", 1)
    with FakeOpenAI() as fake:
        fake.script(Error(429, headers={"Retry-After": "Wed, 31 Foo 2026 25:61:00 GMT"}))
        code = run([doc], tmp_path / "r.csv", fake.base_url, "-q")
        sent = len(fake.chat_requests())
    table = pd.read_csv(tmp_path / "r.csv")
    assert code == 0 and sent == 2
    assert table.loc[0, "status"] == "ok" and table.loc[0, "retries"] == 1


def test_workers_told_the_same_retry_after_do_not_wake_together():
    policy = RetryPolicy(rng=random.Random(1))
    busy = ProviderError("busy", provider="p", status=429, retryable=True, retry_after=10)
    waits = [policy.delay(1, busy) for _ in range(16)]
    assert all(10 <= w <= 11 for w in waits)  # the server's wait, plus at most a tenth
    assert len({round(w, 3) for w in waits}) == 16


# --- 15: a model the price table does not know ---------------------------------------------


def test_an_unpriced_model_reports_unknown_cost_and_exits_by_the_readme(tmp_path: Path, capsys):
    docs = [receipt(tmp_path, "a.txt", 1), receipt(tmp_path, "b.txt", 2)]
    models = [{"id": "my-own-model", "object": "model"}]
    with FakeOpenAI(models=models) as fake:
        code = run(docs, tmp_path / "r.parquet", fake.base_url, "--model", "my-own-model")
    err = capsys.readouterr().err
    assert code == 0  # every document ok
    assert "cost unknown" in err
    assert pd.read_parquet(tmp_path / "r.parquet")["cost_usd"].isna().all()


# --- 16: the context window the server states -------------------------------------------


def _fits(requests: list, window: int) -> None:
    assert requests
    for request in requests:
        assert prompt_tokens(request.body) + request.body["max_tokens"] <= window


@pytest.mark.parametrize(
    "where",
    [
        {"models": [{"id": MODEL, "supports_json_schema": True, "context_length": 6000}]},
        {"models": [{"id": MODEL, "supports_json_schema": True, "max_model_len": 6000}]},
        {
            "models": [{"id": MODEL, "supports_json_schema": True}],
            "props": {"default_generation_settings": {"n_ctx": 6000}},
        },
    ],
    ids=["context_length", "max_model_len", "llama.cpp /props"],
)
def test_chunks_fit_the_context_window_the_server_states(tmp_path: Path, capsys, where: dict):
    with FakeOpenAI(**where) as fake:
        code = run([LONG_DOC], tmp_path / "c.csv", fake.base_url, "--max-tokens", "1024")
        requests = fake.chat_requests()
    assert code == 0
    assert "context 6000 tokens" in capsys.readouterr().err
    _fits(requests, 6000)
    full = LONG_DOC.read_text()
    texts = sorted((document_text(r) for r in requests), key=full.index)
    assert "".join(texts) == full  # every word sent, once


def test_a_stated_window_too_small_for_max_tokens_is_a_configuration_error(tmp_path: Path):
    models = [{"id": MODEL, "supports_json_schema": True, "context_length": 2048}]
    with FakeOpenAI(models=models) as fake:
        code = run([receipt(tmp_path, "a.txt", 1)], tmp_path / "r.csv", fake.base_url)
        assert fake.chat_requests() == []
    assert code == 2


def test_a_context_length_error_splits_the_chunk_instead_of_failing(tmp_path: Path):
    """A server that states nothing, holds 6000 tokens and says so only when overrun."""

    def respond(request):
        asked = prompt_tokens(request.body) + request.body["max_tokens"]
        if asked > 6000:
            return Error(400, context_exceeded(6000, asked))
        return schema_responder()(request)

    models = [{"id": MODEL, "supports_json_schema": True}]
    with FakeOpenAI(respond, models=models) as fake:
        code = run([LONG_DOC], tmp_path / "c.csv", fake.base_url, "--max-tokens", "1024")
        requests = fake.chat_requests()
    table = pd.read_csv(tmp_path / "c.csv")
    assert code == 0 and table.loc[0, "status"] == "ok"
    answered = [r for r in requests if prompt_tokens(r.body) + 1024 <= 6000]
    assert len(answered) == table.loc[0, "n_chunks"] >= 4
    full = LONG_DOC.read_text()
    texts = sorted((document_text(r) for r in answered), key=full.index)
    assert "".join(texts) == full
    # Once the server has said how much it holds, pieces are cut to fit it.
    assert len(requests) - len(answered) <= 2


# --- 17: a structured-output mode the server rejects -------------------------------------


def _rejects_json_schema(request):
    fmt = (request.body or {}).get("response_format") or {}
    if fmt.get("type") == "json_schema":
        return Error(500, JSON_SCHEMA_REJECTED)
    return schema_responder(lambda r: {"total": "1.50"})(request)


def test_auto_mode_falls_back_once_when_the_server_rejects_json_schema(tmp_path: Path, capsys):
    docs = [receipt(tmp_path, f"r{i}.txt", 1) for i in range(6)]
    with FakeOpenAI(_rejects_json_schema) as fake:
        code = run(docs, tmp_path / "r.csv", fake.base_url, "--concurrency", "3")
        kinds = [
            "json_schema" if "response_format" in r.body else "tools" for r in fake.chat_requests()
        ]
    err = capsys.readouterr().err
    assert code == 0
    assert (pd.read_csv(tmp_path / "r.csv")["status"] == "ok").all()
    assert err.count("rejected structured-output mode json_schema") == 1
    assert "using tools for the rest of this run" in err
    assert kinds.count("tools") == 6 and kinds.count("json_schema") <= 3
    assert "tools" not in kinds[: kinds.index("tools")]  # no going back


def test_an_explicit_mode_is_not_changed_behind_the_users_back(tmp_path: Path, capsys):
    doc = receipt(tmp_path, "r.txt", 1)
    with FakeOpenAI(_rejects_json_schema) as fake:
        args = ("--mode", "json_schema", "--max-retries", "0")
        code = run([doc], tmp_path / "r.csv", fake.base_url, *args)
        assert all("response_format" in r.body for r in fake.chat_requests())
    table = pd.read_csv(tmp_path / "r.csv")
    assert code == 1 and "Input should be 'text' or 'json_object'" in table.loc[0, "error"]


def test_every_mode_rejected_is_an_error_row_not_a_loop(tmp_path: Path):
    doc = receipt(tmp_path, "r.txt", 1)
    with FakeOpenAI(lambda r: Error(400, {"error": {"message": "tools are not supported"}})) as f:
        code = run([doc], tmp_path / "r.csv", f.base_url, "--max-retries", "0")
        assert len(f.chat_requests()) == 3  # json_schema, tools, json_object: each once
    assert code == 1


def test_the_reply_in_the_new_mode_is_read_from_where_that_mode_puts_it(tmp_path: Path):
    doc = receipt(tmp_path, "r.txt", 1)

    def respond(request):
        if "response_format" in request.body:
            return Error(500, JSON_SCHEMA_REJECTED)
        return Reply(tool_arguments=json.dumps({"total": "1.50"}))

    with FakeOpenAI(respond) as fake:
        assert run([doc], tmp_path / "r.csv", fake.base_url, "-q") == 0
    assert pd.read_csv(tmp_path / "r.csv").loc[0, "total"] == 1.5
