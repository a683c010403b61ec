"""The answer cache never costs a run: corrupt files and rows are misses, a failed write
keeps the paid answer, and answers are keyed by the endpoint (and a local model's weights)."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pandas as pd

from extract.cli import main
from extract.llm.backends.base import StructuredRequest
from extract.llm.backends.local import weights_identity
from extract.llm.prompting import PROMPT_VERSION
from extract.run.cache import cache_key
from tests.cli_args import run_args
from tests.fake_server import FakeOpenAI, document_text, schema_responder


def receipt_fill(request) -> dict:
    text = document_text(request)
    return {"total": text.rsplit("GRAND TOTAL ", 1)[1].split()[0]} if "GRAND TOTAL" in text else {}


def receipts(folder: Path, n: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (folder / f"r{i}.txt").write_text(f"SHOP {i} SDN BHD\nGRAND TOTAL {i}.50\n")
    return folder


def run(docs: Path, out: Path, url: str, cache: Path) -> int:
    return main(run_args(docs, "receipt", out, url, "--rpm", "0", "-q", "--cache-path", str(cache)))


def test_a_cache_file_that_is_not_a_database_is_moved_aside(tmp_path: Path, capsys):
    docs = receipts(tmp_path / "docs", 2)
    cache = tmp_path / "answers.sqlite"
    cache.write_bytes(b"this is not an SQLite database, " * 200)
    with FakeOpenAI(schema_responder(receipt_fill)) as fake:
        assert run(docs, tmp_path / "r.csv", fake.base_url, cache) == 0
        assert run(docs, tmp_path / "r.csv", fake.base_url, cache) == 0
        assert len(fake.chat_requests()) == 2  # the fresh cache served the rerun
    err = capsys.readouterr().err
    assert "was unreadable" in err and "Traceback" not in err
    (aside,) = tmp_path.glob("answers.sqlite.corrupt-*")
    assert aside.read_bytes().startswith(b"this is not an SQLite database")
    assert (pd.read_csv(tmp_path / "r.csv")["status"] == "ok").all()


def test_a_corrupt_row_is_a_warning_and_a_miss(tmp_path: Path, capsys):
    docs = receipts(tmp_path / "docs", 3)
    cache = tmp_path / "answers.sqlite"
    with FakeOpenAI(schema_responder(receipt_fill)) as fake:
        assert run(docs, tmp_path / "r.csv", fake.base_url, cache) == 0
        with sqlite3.connect(cache) as db:
            (key,) = db.execute("SELECT key FROM answers LIMIT 1").fetchone()
            db.execute("UPDATE answers SET data = '{\"total\": ' WHERE key = ?", (key,))
            (other,) = db.execute(
                "SELECT key FROM answers WHERE key != ? LIMIT 1", (key,)
            ).fetchone()
            db.execute("UPDATE answers SET usage = '[1, 2]' WHERE key = ?", (other,))
        db.close()
        assert run(docs, tmp_path / "r.csv", fake.base_url, cache) == 0
        assert len(fake.chat_requests()) == 3 + 2  # only the two broken rows asked again
    assert "corrupt entry in the answer cache" in capsys.readouterr().err
    assert (pd.read_csv(tmp_path / "r.csv")["status"] == "ok").all()


def test_a_failed_cache_write_keeps_the_answer_already_paid_for(tmp_path: Path, capsys):
    docs = receipts(tmp_path / "docs", 2)
    cache = tmp_path / "answers.sqlite"
    with sqlite3.connect(cache) as db:  # a real SQLite failure on every insert
        db.execute(
            "CREATE TABLE answers (key TEXT PRIMARY KEY, data TEXT NOT NULL, usage TEXT NOT "
            "NULL, models TEXT NOT NULL, created REAL NOT NULL)"
        )
        db.execute(
            "CREATE TRIGGER full BEFORE INSERT ON answers "
            "BEGIN SELECT RAISE(FAIL, 'database or disk is full'); END"
        )
    db.close()
    with FakeOpenAI(schema_responder(receipt_fill)) as fake:
        assert run(docs, tmp_path / "r.csv", fake.base_url, cache) == 0
        assert len(fake.chat_requests()) == 2
    err = capsys.readouterr().err
    assert err.count("cannot write to the answer cache") == 1 and "disk is full" in err
    table = pd.read_csv(tmp_path / "r.csv").sort_values("source")
    assert list(table["status"]) == ["ok", "ok"] and list(table["total"]) == [0.5, 1.5]


def test_two_endpoints_serving_the_same_model_name_never_share_answers(tmp_path: Path):
    docs = receipts(tmp_path / "docs", 1)
    cache = tmp_path / "answers.sqlite"
    with FakeOpenAI(schema_responder(receipt_fill)) as one, FakeOpenAI() as other:
        assert run(docs, tmp_path / "a.csv", one.base_url, cache) == 0
        assert run(docs, tmp_path / "b.csv", other.base_url, cache) == 0
        assert run(docs, tmp_path / "c.csv", one.base_url + "/", cache) == 0  # same endpoint
        assert (len(one.chat_requests()), len(other.chat_requests())) == (1, 1)
    assert pd.read_csv(tmp_path / "a.csv").loc[0, "total"] == 0.5
    assert pd.isna(pd.read_csv(tmp_path / "b.csv").loc[0, "total"])  # the other server's answer


def test_keys_of_requesty_answers_cached_before_stay_the_same():
    """Answers cached from Requesty before the endpoint joined the key are still found."""
    request = StructuredRequest(
        messages=({"role": "user", "content": "x"},), schema={"type": "object"}, schema_name="s",
        max_tokens=10,
    )  # fmt: skip
    material = {
        "backend": "requesty",
        "model": "mistral/mistral-small-2503",
        "mode": "json_schema",
        "prompt_version": PROMPT_VERSION,
        "stored": "raw-object",
        "schema": {"type": "object"},
        "schema_name": "s",
        "messages": [{"role": "user", "content": "x"}],
        "max_tokens": 10,
        "temperature": 0.0,
    }
    blob = json.dumps(material, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    before = hashlib.sha256(blob.encode()).hexdigest()
    assert cache_key("requesty", "mistral/mistral-small-2503", "json_schema", request) == before
    moved = cache_key("openai", "m", "json_schema", request, identity="http://a:1/v1")
    assert moved != cache_key("openai", "m", "json_schema", request, identity="http://b:1/v1")


def test_local_models_with_the_same_file_name_are_told_apart_by_their_bytes(tmp_path: Path):
    for folder, data in (("a", b"GGUF one"), ("b", b"GGUF two"), ("c", b"GGUF one")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "model.gguf").write_bytes(data)
    a, b, c = (weights_identity(tmp_path / f / "model.gguf") for f in "abc")
    assert a != b and a == c  # same bytes share answers, same name alone does not
    assert a == "sha256:" + hashlib.sha256(b"GGUF one").hexdigest()


def test_a_key_computed_before_the_package_was_regrouped_is_still_the_key():
    """Pinned from the code before the wings (commit 92f9734): a cache filled then still answers."""
    request = StructuredRequest(
        messages=(
            {"role": "system", "content": "Extract."},
            {"role": "user", "content": "Total 15.30"},
        ),
        schema={"type": "object", "properties": {"total": {"type": "string"}}},
        schema_name="receipt",
        max_tokens=512,
        tags={"doc_id": "d", "chunk": "0", "attempt": "0"},  # tags are not part of the key
    )
    key = cache_key("requesty", "mistral/mistral-small-2503", "json_schema", request)
    assert key == "d6bafb1db18803742003d29a668b6030809fe2e68f95408ecca0686d556c9eda"
