"""The command line, end to end: real files, a real HTTP server, tables read back."""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from mistral_common.protocol.instruct.messages import (
    AssistantMessage,
    SystemMessage,
    UserMessage,
)
from mistral_common.protocol.instruct.request import ChatCompletionRequest
from mistral_common.tokens.tokenizers.mistral import MistralTokenizer

from extract.cli import main
from extract.ingest.tokenizer import TEKKEN_FILE
from tests.cli_args import run_args
from tests.conftest import ROOT
from tests.fake_server import FakeOpenAI, document_text, schema_responder

SAMPLES = ROOT / "sample_docs"


def invoice_fill(request) -> dict:
    """Answer like a model would for the two sample invoices."""
    text = document_text(request)
    if "NW-5531" in text:
        return {
            "invoice_number": "NW-5531",
            "total": 534.67,
            "vendor": {"name": "NORTHWIND TRADERS INC.", "address": None, "tax_id": "94-3217765"},
            "line_items": [
                {
                    "description": "Arabica coffee beans 5 lb",
                    "quantity": 6,
                    "unit_price": 42,
                    "amount": 252,
                },
                {"description": "Delivery", "quantity": 1, "unit_price": 15, "amount": 15},
            ],
        }
    if "ACME-2024-017" in text:
        return {"invoice_number": "ACME-2024-017", "currency": "GBP"}
    return {}


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    shutil.copytree(SAMPLES, folder)
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7\n%%garbage, not a real PDF")
    return folder


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "extract", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "HOME": str(ROOT)},
    )


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_run_writes_main_and_child_tables(docs: Path, tmp_path: Path, suffix: str):
    out = tmp_path / "out" / f"invoices{suffix}"
    with FakeOpenAI(schema_responder(invoice_fill)) as fake:
        result = run_cli(*run_args(docs, "invoice", out, fake.base_url))
    assert result.returncode == 1, result.stderr  # the broken PDF failed, the rest did not
    read = pd.read_parquet if suffix == ".parquet" else pd.read_csv
    main_table = read(out)
    items = read(out.with_name(f"invoices.line_items{suffix}"))

    inputs = sorted(p.name for p in docs.iterdir())
    assert sorted(Path(s).name for s in main_table["source"]) == inputs
    assert main_table["doc_id"].is_unique
    by_name = main_table.set_index(main_table["source"].map(lambda s: Path(s).name))
    assert by_name.loc["broken.pdf", "status"] == "error"
    assert "corrupt PDF" in by_name.loc["broken.pdf", "error"]
    assert (by_name.drop("broken.pdf")["status"] == "ok").all()
    assert by_name.loc["invoice-northwind-5531.txt", "total"] == 534.67
    assert by_name.loc["invoice-northwind-5531.txt", "vendor.tax_id"] == "94-3217765"
    assert by_name.loc["master-services-agreement-long.txt", "n_chunks"] >= 2
    assert by_name.loc["invoice-acme-2024-017.pdf", "pages"] == 2
    assert list(items["description"]) == ["Arabica coffee beans 5 lb", "Delivery"]
    assert set(items["doc_id"]) == {by_name.loc["invoice-northwind-5531.txt", "doc_id"]}
    assert list(items["item"]) == [0, 1]
    assert "backend openai" in result.stderr and "mode json_schema" in result.stderr


@functools.cache
def mistral_tokenizer() -> MistralTokenizer:
    return MistralTokenizer.from_file(str(TEKKEN_FILE))


def mistral_prompt_tokens(messages: list[dict]) -> int:
    """The prompt as Mistral's own library encodes a chat (template tokens included), not as
    the pipeline estimates it."""
    kinds = {"system": SystemMessage, "user": UserMessage, "assistant": AssistantMessage}
    chat = [kinds[m["role"]](content=m["content"]) for m in messages]
    return len(
        mistral_tokenizer().encode_chat_completion(ChatCompletionRequest(messages=chat)).tokens
    )


def test_long_document_is_split_and_no_request_exceeds_the_window(tmp_path: Path):
    long_doc = SAMPLES / "master-services-agreement-long.txt"
    window, max_tokens = 32_768, 2048
    with FakeOpenAI() as fake:
        code = main(
            run_args(long_doc, "contract", tmp_path / "c.parquet", fake.base_url, "--quiet")
        )
        requests = fake.chat_requests()
    assert code == 0
    assert len(requests) >= 2
    for request in requests:
        body = request.body
        prompt = mistral_prompt_tokens(body["messages"])
        prompt += len(
            mistral_tokenizer().instruct_tokenizer.tokenizer.encode(
                json.dumps(body["response_format"]["json_schema"]["schema"]), bos=False, eos=False
            )
        )
        assert prompt + body["max_tokens"] <= window
        assert body["max_tokens"] == max_tokens
    full = long_doc.read_text()
    texts = sorted((document_text(r) for r in requests), key=full.index)  # arrival order varies
    assert "".join(texts) == full


def test_configuration_errors_exit_2_before_any_request(tmp_path: Path, docs: Path):
    with FakeOpenAI() as fake:
        url, out = fake.base_url, tmp_path / "o.parquet"
        assert main(run_args(docs, "invoice", out, url, api_key="")) == 2  # empty key
        assert main(run_args(docs, "no_such_schema", out, url)) == 2
        assert main(run_args(docs, "invoice", tmp_path / "o.xlsx", url)) == 2
        assert main(run_args(docs, "invoice", out, url, "--max-tokens", "30000")) == 2
        assert main(run_args(tmp_path / "missing", "invoice", "o.csv", url)) == 2
        assert fake.chat_requests() == []


def test_users_own_schema_from_a_file(tmp_path: Path):
    (tmp_path / "my_schema.py").write_text(
        "from pydantic import BaseModel, Field\n"
        "class Memo(BaseModel):\n"
        "    '''An office memo.'''\n"
        "    subject: str | None = Field(None, description='The memo subject line')\n"
    )
    (tmp_path / "memo.txt").write_text("Subject: parking\nPlease park elsewhere.")
    with FakeOpenAI(schema_responder(lambda r: {"subject": "parking"})) as fake:
        schema = f"{tmp_path / 'my_schema.py'}:Memo"
        code = main(
            run_args(tmp_path / "memo.txt", schema, tmp_path / "memos.csv", fake.base_url, "-q")
        )
        system = fake.chat_requests()[0].body["messages"][0]["content"]
    assert code == 0
    assert pd.read_csv(tmp_path / "memos.csv")["subject"].tolist() == ["parking"]
    assert "The memo subject line" in system


def test_schemas_command_lists_bundled_schemas(capsys):
    assert main(["schemas"]) == 0
    listed = capsys.readouterr().out
    for name in ("invoice", "receipt", "nda", "charity_report", "contract"):
        assert name in listed


def test_help_shows_examples_and_exit_codes():
    result = run_cli("run", "--help")
    assert result.returncode == 0
    assert "examples:" in result.stdout and "exit codes" in result.stdout
