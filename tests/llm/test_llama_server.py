"""The pipeline against an OpenAI-compatible server we did not write: llama-cpp-python's own
(`python -m llama_cpp.server`, the `server` extra), serving the bundled GGUF on 127.0.0.1
with a 2,048-token context. The fake server (tests/fake_server.py) proves the contract;
this proves we meet a real one: it states no context window, rejects `json_schema`
with an HTTP 500, and answers a prompt over its window with a 400.

Started once per session; skipped with the reason (failed under
EXTRACT_REQUIRE_LOCAL_MODEL=1, which `make test` sets) without the extra or the weights.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from extract.api import resolve_schema
from extract.cli import main
from extract.config import Config
from extract.errors import ConfigError
from extract.llm.backends.openai_compat import OpenAICompatBackend
from extract.llm.weights import fetch
from extract.llm.weights.fetch import ensure_model
from extract.run.pool import Runner
from extract.run.services import RunServices
from extract.run.task import Task
from tests.cli_args import run_args

REAL_MODEL_DIR = fetch.default_cache_dir()  # read at import: tests get their own XDG cache
N_CTX = 2048
MODEL = "local-qwen"

SCHEMA = '''\
from pydantic import BaseModel, Field


class Notice(BaseModel):
    """A payment notice."""

    sender: str | None = Field(None, description="the company that sends the notice")
    amount_due: str | None = Field(None, description="the amount due, as printed")
'''

SHORT = (
    "NORTHWIND TRADERS INC.\nPayment notice\nAmount due: $1,234.50\nPlease pay by 30 June 2024.\n"
)


def long_notice(clauses: int = 22) -> str:
    """22 clauses: about 1,100 tokens, two chunks in 2,048 tokens with the prompt around
    them; 40: about 2,000 (in Qwen's tokens too), a prompt well over 2,048 as one chunk."""
    lines = [
        f"Clause {n}. The customer shall keep the delivered goods in a dry store, check "
        f"each pallet against delivery note {1000 + n} within five working days, and report "
        "any damage in writing to the account manager named on the order confirmation."
        for n in range(1, clauses + 1)
    ]
    return (
        "BLUEFIN LOGISTICS LTD.\nPayment notice and terms of delivery\n\n"
        + "\n\n".join(lines)
        + "\n\nAmount due: $9,870.00\n"
    )


def _unavailable(reason: str) -> None:
    if os.environ.get("EXTRACT_REQUIRE_LOCAL_MODEL"):
        pytest.fail(reason)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of a running llama-cpp-python server (started once, stopped after)."""
    try:
        import llama_cpp.server  # noqa: F401
    except ImportError as exc:
        _unavailable(f"llama-cpp-python's server is not installed ({exc}): pip install '.[server]'")
    try:
        model = ensure_model(REAL_MODEL_DIR)
    except ConfigError as exc:
        _unavailable(f"embedded model weights not in {REAL_MODEL_DIR} ({exc}): make weights")
    port = _free_port()
    log = tmp_path_factory.mktemp("llama_server") / "server.log"
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(model)]
    command += ["--n_ctx", str(N_CTX), "--host", "127.0.0.1", "--port", str(port)]
    command += ["--model_alias", MODEL, "--n_threads", "2"]
    with log.open("wb") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 180
        while True:
            if proc.poll() is not None:
                pytest.fail(f"llama_cpp.server exited ({proc.returncode}):\n{log.read_text()}")
            try:
                with urllib.request.urlopen(base_url + "/models", timeout=2) as reply:
                    if reply.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"llama_cpp.server did not answer in 180 s:\n{log.read_text()}")
            time.sleep(0.5)
        yield base_url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def notices(tmp_path: Path) -> tuple[Path, str]:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "short.txt").write_text(SHORT)
    (docs / "long.txt").write_text(long_notice())
    (tmp_path / "notice.py").write_text(SCHEMA)
    return docs, f"{tmp_path / 'notice.py'}:Notice"


def run(paths: list[Path], schema: str, out: Path, url: str, *extra: str) -> int:
    options = ("--model", MODEL, "--concurrency", "1", "--timeout", "900", "--rpm", "0", "-q")
    return main(run_args(paths, schema, out, url, *options, *extra))


def test_end_to_end_on_a_real_server_with_a_small_context(llama_server, notices, tmp_path):
    docs, schema = notices
    out = tmp_path / "notices.csv"
    window = ("--context-window", str(N_CTX), "--max-tokens", "200")
    assert run([docs], schema, out, llama_server, *window) == 0
    table = pd.read_csv(out).set_index(pd.read_csv(out)["source"].map(lambda s: Path(s).name))
    assert (table["status"] == "ok").all()
    assert table.loc["short.txt", "n_chunks"] == 1
    assert table.loc["long.txt", "n_chunks"] >= 2  # planned to fit the 2,048 tokens
    assert re.sub(r"\D", "", table.loc["short.txt", "amount_due"]) == "123450"  # $1,234.50
    assert "NORTHWIND" in table.loc["short.txt", "sender"].upper()
    audit = [json.loads(x) for x in (tmp_path / "notices.audit.jsonl").read_text().splitlines()]
    assert {a["outcome"] for a in audit} == {"answer"}  # nothing refused, nothing retried


def test_a_context_length_error_from_the_real_server_splits_the_chunk(
    llama_server, notices, tmp_path
):
    docs, schema = notices
    (docs / "longer.txt").write_text(long_notice(40))
    out = tmp_path / "long.csv"
    # We claim 8,192 tokens; the server holds 2,048 and says so only when a prompt is over.
    window = ("--context-window", "8192", "--max-tokens", "200")
    assert run([docs / "longer.txt"], schema, out, llama_server, *window) == 0
    row = pd.read_csv(out).iloc[0]
    assert row["status"] == "ok" and row["n_chunks"] >= 2
    audit = [json.loads(x) for x in (tmp_path / "long.audit.jsonl").read_text().splitlines()]
    refused = [a for a in audit if a["outcome"] == "error"]
    assert 1 <= len(refused) <= 2 and refused[0]["status"] == 400  # then pieces that fit
    assert "maximum context length is 2048" in refused[0]["error"]


def test_auto_mode_falls_back_when_the_real_server_rejects_json_schema(
    llama_server, notices, tmp_path
):
    docs, schema = notices
    config = Config.resolve(
        base_url=llama_server, api_key="x", model=MODEL, context_window=N_CTX, max_tokens=200,
        timeout_s=900,
    )  # fmt: skip
    said: list[str] = []
    backend = OpenAICompatBackend(config, probe=False, warn=said.append)  # assumes json_schema
    assert backend.mode == "json_schema"
    name, model = resolve_schema(schema)
    task = Task.build(model, name, config)
    with RunServices.open(config, backend) as services:
        (result,) = Runner(task, services, progress=False).run([docs / "short.txt"])
    assert result.status == "ok", result.error
    assert re.sub(r"\D", "", result.data["amount_due"]) == "123450"
    assert backend.mode == "tools"
    (warning,) = said
    assert "rejected structured-output mode json_schema" in warning
    assert "Input should be 'text' or 'json_object'" in warning
