"""Keys go only where they belong and appear in nothing the project writes or prints.

Every test runs the real command line against the real fake HTTP server and then
reads back every file the run wrote.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from extract.cli import main
from extract.config import Config
from extract.llm.redact import MASK, redact, redact_argv
from tests.conftest import ROOT, require_evaldata
from tests.fake_server import Error, FakeOpenAI, schema_responder

SECRET = "sk-test-SECRET-0123456789abcdef"
REQUESTY_KEY = "rq-live-REQUESTY-9876543210"


def receipts(folder: Path, n: int = 2) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (folder / f"r{i}.txt").write_text(
            f"SHOP {i} SDN BHD\nDATE: 0{i + 1}/01/2019\nTOTAL {i}.50\n"
        )
    return folder


def written_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and "docs" not in p.parts]


def assert_nowhere(secret: str, root: Path, *texts: str) -> None:
    files = written_files(root)
    assert files, "the run wrote nothing to look in"
    for path in files:
        assert secret.encode() not in path.read_bytes(), path
    for text in texts:
        assert secret not in text


def authorizations(fake: FakeOpenAI) -> set[str | None]:
    return {r.headers.get("authorization") for r in fake.requests}


def test_eval_report_does_not_copy_the_key_from_the_command_line(tmp_path: Path):
    require_evaldata()
    reports = tmp_path / "reports"
    with FakeOpenAI(schema_responder()) as fake:
        for flag in (["--api-key", SECRET], [f"--api-key={SECRET}"]):
            done = subprocess.run(
                [sys.executable, "-m", "extract", "eval", "sroie", "--limit", "1", "--no-naive",
                 "--base-url", fake.base_url, *flag, "--reports", str(reports),
                 "--cache-path", str(tmp_path / "c.sqlite"), "--audit-log",
                 str(tmp_path / "audit.jsonl")],
                cwd=ROOT, capture_output=True, text=True, timeout=300,
            )  # fmt: skip
            assert done.returncode in (0, 1), done.stderr
        assert authorizations(fake) == {f"Bearer {SECRET}"}  # the key was used...
    assert_nowhere(SECRET, tmp_path, done.stdout, done.stderr)  # ...and written nowhere
    reports_md = [p.read_text() for p in reports.rglob("report.md")]
    assert len(reports_md) == 2
    assert "--api-key REDACTED " in "".join(reports_md)
    assert "--api-key=REDACTED " in "".join(reports_md)


def test_the_requesty_key_is_not_sent_to_another_base_url(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("REQUESTY_API_KEY", REQUESTY_KEY)
    docs = receipts(tmp_path / "docs")
    with FakeOpenAI(schema_responder()) as fake:
        code = main(["run", str(docs), "--schema", "receipt", "--out", str(tmp_path / "a.csv"),
                     "--base-url", fake.base_url, "-q"])  # fmt: skip
        assert code == 0
        assert len(fake.chat_requests()) == 2
        assert authorizations(fake) == {None}  # a keyless endpoint gets no key at all
        assert all(REQUESTY_KEY.encode() not in r.raw for r in fake.requests)


def test_the_requesty_key_is_not_sent_to_extract_base_url(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("REQUESTY_API_KEY", REQUESTY_KEY)
    docs = receipts(tmp_path / "docs")
    with FakeOpenAI(schema_responder()) as fake:
        monkeypatch.setenv("EXTRACT_BASE_URL", fake.base_url)
        code = main(["run", str(docs), "--schema", "receipt", "--out", str(tmp_path / "a.csv"),
                     "-q"])  # fmt: skip
        assert code == 0 and len(fake.chat_requests()) == 2
        assert authorizations(fake) == {None}


def test_backend_requesty_at_another_url_is_a_config_error_before_any_request(
    tmp_path: Path, monkeypatch, capsys
):
    monkeypatch.setenv("REQUESTY_API_KEY", REQUESTY_KEY)
    docs = receipts(tmp_path / "docs")
    with FakeOpenAI(schema_responder()) as fake:
        code = main(["run", str(docs), "--schema", "receipt", "--out", str(tmp_path / "a.csv"),
                     "--backend", "requesty", "--base-url", fake.base_url, "-q"])  # fmt: skip
        assert fake.requests == []
    assert code == 2
    assert "REQUESTY_API_KEY is sent only to Requesty" in capsys.readouterr().err


def test_extract_api_key_goes_to_extract_base_url_only(tmp_path: Path, monkeypatch):
    docs = receipts(tmp_path / "docs")
    with FakeOpenAI(schema_responder()) as own, FakeOpenAI(schema_responder()) as other:
        monkeypatch.setenv("EXTRACT_BASE_URL", own.base_url)
        monkeypatch.setenv("EXTRACT_API_KEY", SECRET)
        out = str(tmp_path / "a.csv")
        assert main(["run", str(docs), "--schema", "receipt", "--out", out, "-q"]) == 0
        assert authorizations(own) == {f"Bearer {SECRET}"}
        assert main(["run", str(docs), "--schema", "receipt", "--out", out, "-q",
                     "--base-url", other.base_url, "--no-cache"]) == 0  # fmt: skip
        assert len(other.chat_requests()) == 2 and authorizations(other) == {None}


def test_keys_follow_their_endpoints_in_the_configuration():
    requesty = {"REQUESTY_API_KEY": REQUESTY_KEY}
    assert Config.resolve(env=requesty).api_key.get_secret_value() == REQUESTY_KEY
    assert Config.resolve(env=requesty, base_url="http://10.0.0.9:8080/v1").api_key is None
    other = Config.resolve(env={**requesty, "EXTRACT_BASE_URL": "https://llm.example.com/v1"})
    assert (other.backend, other.api_key) == ("openai", None)
    eu = Config.resolve(env={**requesty, "EXTRACT_BASE_URL": "https://eu.router.requesty.ai/v1"})
    assert eu.api_key.get_secret_value() == REQUESTY_KEY
    # A look-alike host is not Requesty.
    fake = Config.resolve(env=requesty, base_url="https://router.requesty.ai.evil.example/v1")
    assert fake.api_key is None
    given = Config.resolve(env=requesty, base_url="http://h/v1", api_key="mine")
    assert given.api_key.get_secret_value() == "mine"  # typed for this endpoint: used


def test_provider_errors_and_urls_with_credentials_are_redacted(tmp_path: Path, capsys):
    docs = receipts(tmp_path / "docs", 3)
    echo = f"Incorrect API key provided: {SECRET}. Authorization: Bearer {SECRET}"
    with FakeOpenAI(schema_responder()) as fake:
        fake.script(
            Error(401, {"error": {"message": echo}}), Error(400, {"error": {"message": echo}})
        )
        url = fake.base_url.replace("http://", "http://admin:pa55w0rd-XYZ@")
        code = main(["run", str(docs), "--schema", "receipt", "--out", str(tmp_path / "out" / "r.csv"),
                     "--base-url", url, "--api-key", SECRET, "--concurrency", "1",
                     "--cache-path", str(tmp_path / "c.sqlite")])  # fmt: skip
    assert code == 1
    table = pd.read_csv(tmp_path / "out" / "r.csv")
    errors = " ".join(table["error"].dropna())
    assert "HTTP 401" in errors and "HTTP 400" in errors and MASK in errors
    streams = capsys.readouterr()
    for secret in (SECRET, "pa55w0rd-XYZ", "admin:"):
        assert_nowhere(secret, tmp_path, streams.out, streams.err)
    assert "HTTP 401" in (tmp_path / "out" / "r.audit.jsonl").read_text()


def test_redaction_rules():
    assert redact("https://u:p@h.example/v1 failed") == f"https://{MASK}@h.example/v1 failed"
    assert redact("GET /v1?api_key=abc123&x=1") == f"GET /v1?api_key={MASK}&x=1"
    assert redact("header Bearer abcdef123456") == f"header Bearer {MASK}"
    assert redact("key sk-proj-abcdefghijklmnop used") == f"key {MASK} used"
    assert redact("the word secret stays", ["hunter22"]) == "the word secret stays"
    assert redact("pw hunter22!", ["hunter22"]) == f"pw {MASK}!"
    assert redact_argv(["eval", "--api-key", "k-123", "--api-k=k-123", "--all"]) == [
        "eval", "--api-key", "REDACTED", "--api-k=REDACTED", "--all",
    ]  # fmt: skip


@pytest.mark.parametrize("value", ["", "   "])
def test_an_empty_key_is_a_config_error(value: str, tmp_path: Path):
    with FakeOpenAI() as fake:
        code = main(["run", str(receipts(tmp_path / "d")), "--schema", "receipt", "--out",
                     str(tmp_path / "a.csv"), "--base-url", fake.base_url, "--api-key", value])  # fmt: skip
        assert code == 2 and fake.requests == []
