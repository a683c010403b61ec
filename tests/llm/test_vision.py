"""Scans through the real openai SDK to a real HTTP fake: page images as image_url parts
within Mistral's limits, image tokens in the budget, the dry run and the cost, OCR for
`--vision never` and as the fallback when an endpoint refuses images."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from extract.cli import main
from extract.ingest.ocr import ocr_installed
from extract.llm.vision import MAX_IMAGES, MAX_REQUEST_BYTES, MAX_SIDE, image_tokens
from tests.cli_args import run_args
from tests.fake_server import (
    FakeOpenAI,
    Reply,
    image_parts,
    mistral_image_tokens,
    refusing_images,
    schema_responder,
)
from tests.scanned import image_pdf, mixed_pdf, scanned_page, text_pdf_bytes

needs_ocr = pytest.mark.skipif(not ocr_installed(), reason="the `ocr` extra is not installed")
RECEIPT = ["KEDAI KOPI MAJU SDN BHD", "DATE: 02/01/2019", "TOTAL 12.50"]


def receipt_fill(request) -> dict:
    """A 'model' that read the receipt: it answers only when it got an image or the text."""
    text = json.dumps(request.body)
    if image_parts(request) or "KEDAI" in text:
        return {"total": "12.50"}
    return {}


@pytest.fixture
def scans(tmp_path: Path) -> Path:
    """An image-only PDF (2 pages), a mixed PDF, a 3-frame TIFF and a JPEG photo."""
    folder = tmp_path / "scans"
    folder.mkdir()
    image_pdf(folder / "a-scan.pdf", [scanned_page(RECEIPT, seed=1), scanned_page(["p2"])])
    text = text_pdf_bytes([["KEDAI KOPI MAJU SDN BHD, cover letter. " * 3] * 30])
    mixed_pdf(folder / "b-mixed.pdf", text, [scanned_page(RECEIPT, seed=2)])
    frames = [scanned_page(RECEIPT, (1700, 2200), seed=i) for i in range(3)]
    frames[0].save(folder / "c-fax.tiff", save_all=True, append_images=frames[1:])
    scanned_page(RECEIPT, (3024, 4032), seed=4).convert("RGB").save(folder / "d-photo.jpg")
    return folder


def run(folder: Path, out: Path, url: str, *extra: str) -> int:
    options = ("--quiet", "--rpm", "0", "--no-cache", *extra)
    return main(run_args(folder, "receipt", out, url, *options, api_key="sk-test"))


def test_image_tokens_are_mistral_commons_count():
    for w, h in [(1700, 2200), (1240, 1754), (612, 792), (1540, 1540), (3024, 4032), (1, 1)]:
        assert image_tokens(w, h) == mistral_image_tokens(w, h)
    assert image_tokens(1700, 2200) == 2420 and image_tokens(1540, 1540) == 3080


@pytest.mark.parametrize("mode", ["json_schema", "tools", "json_object"])
def test_every_structured_output_mode_carries_the_images(tmp_path: Path, mode: str):
    folder = tmp_path / "one"
    folder.mkdir()
    scanned_page(RECEIPT, (700, 300), margin=20).save(folder / "receipt.png")
    with FakeOpenAI(schema_responder(receipt_fill)) as fake:
        assert run(folder, tmp_path / "out.csv", fake.base_url, "--mode", mode) == 0
        (request,) = fake.chat_requests()
    (part,) = image_parts(request)
    assert (part.mime, part.width, part.height) == ("image/png", 700, 300)
    assert pd.read_csv(tmp_path / "out.csv").loc[0, "total"] == 12.5  # the answer was parsed


def test_scanned_pages_and_image_files_go_as_image_parts(scans: Path, tmp_path: Path):
    with FakeOpenAI(schema_responder(receipt_fill)) as fake:
        # one request at a time, so they come in the files' order (the prompt has no file name)
        code = run(scans, tmp_path / "out.parquet", fake.base_url, "--concurrency", "1")
        requests = fake.chat_requests()
    assert code == 0
    per_doc = {}
    for name, request in zip(("a-scan", "b-mixed", "c-fax", "d-photo"), requests, strict=True):
        parts = image_parts(request)
        assert len(parts) <= MAX_IMAGES and sum(p.n_bytes for p in parts) <= MAX_REQUEST_BYTES
        for part in parts:
            assert max(part.width, part.height) <= MAX_SIDE
            assert part.mime in ("image/png", "image/jpeg")
        per_doc[name] = per_doc.get(name, 0) + len(parts)
    assert per_doc == {"a-scan": 2, "b-mixed": 1, "c-fax": 3, "d-photo": 1}
    table = pd.read_parquet(tmp_path / "out.parquet").set_index("source")
    table.index = [Path(s).stem for s in table.index]
    assert table.loc["a-scan", "text_source"] == "vision"
    assert table.loc["b-mixed", "text_source"] == "mixed"
    assert table.loc["b-mixed", "scanned_pages"] == "2"
    assert table.loc["c-fax", "scanned_pages"] == "1-3"
    assert (table["total"] == "12.50").all()
    # the tiff's frames are 1700x2200: scaled to 1190x1540, 2,420 tokens each
    assert table.loc["c-fax", "image_tokens"] == 3 * 2420
    assert (table["prompt_tokens"] > table["image_tokens"]).all()
    assert table["cost_usd"].notna().all()


def test_no_request_carries_more_than_8_images(tmp_path: Path):
    folder = tmp_path / "long"
    folder.mkdir()
    pages = [scanned_page([f"Page {i + 1}"], (400, 560), seed=i) for i in range(11)]
    image_pdf(folder / "eleven.pdf", pages)
    with FakeOpenAI(schema_responder(receipt_fill)) as fake:
        assert run(folder, tmp_path / "out.csv", fake.base_url) == 0
        counts = [len(image_parts(r)) for r in fake.chat_requests()]
    assert sum(counts) == 11 and max(counts) <= MAX_IMAGES and len(counts) == 2
    table = pd.read_csv(tmp_path / "out.csv")
    assert table.loc[0, "n_chunks"] == 2


def test_image_tokens_count_in_the_chunk_budget(tmp_path: Path):
    """Three Letter pages (2,420 tokens each) in a 6,000-token window cannot share a request."""
    folder = tmp_path / "budget"
    folder.mkdir()
    image_pdf(folder / "three.pdf", [scanned_page(RECEIPT, (1275, 1650), seed=i) for i in range(3)])
    with FakeOpenAI(schema_responder(receipt_fill)) as fake:
        args = ("--context-window", "7000", "--max-tokens", "512")
        assert run(folder, tmp_path / "out.csv", fake.base_url, *args) == 0
        counts = [len(image_parts(r)) for r in fake.chat_requests()]
    assert sorted(counts) == [1, 1, 1] or sorted(counts) == [1, 2]
    assert max(counts) * 2420 < 7000


def test_dry_run_counts_image_tokens(scans: Path, tmp_path: Path, capsys):
    with FakeOpenAI() as fake:
        assert run(scans, tmp_path / "out.csv", fake.base_url, "--dry-run") == 0
        assert fake.chat_requests() == []
    said = capsys.readouterr().out
    assert "image tokens" in said
    tokens = int(said.split(" image tokens")[0].split()[-1].replace(",", ""))
    # 2 + 1 A4 pages at 150 dpi (2,200 each), 3 tiff frames (2,420), a 3024x4032 photo (2,365)
    assert tokens == 3 * 2200 + 3 * 2420 + 2365


def test_vision_always_sends_text_pages_as_images_too(tmp_path: Path):
    folder = tmp_path / "text"
    folder.mkdir()
    (folder / "cover.pdf").write_bytes(
        text_pdf_bytes([["KEDAI KOPI MAJU SDN BHD TOTAL 12.50"] * 30])
    )
    with FakeOpenAI(schema_responder(receipt_fill)) as fake:
        assert run(folder, tmp_path / "out.csv", fake.base_url, "--vision", "always") == 0
        (request,) = fake.chat_requests()
    assert len(image_parts(request)) == 1
    assert "KEDAI KOPI MAJU SDN BHD TOTAL 12.50" in request.raw.decode()  # the text alongside
    assert pd.read_csv(tmp_path / "out.csv").loc[0, "text_source"] == "vision"


@needs_ocr
def test_vision_never_reads_scans_by_ocr(tmp_path: Path):
    folder = tmp_path / "one"
    folder.mkdir()
    image_pdf(folder / "scan.pdf", [scanned_page(RECEIPT)])
    with FakeOpenAI(schema_responder(receipt_fill)) as fake:
        assert run(folder, tmp_path / "out.csv", fake.base_url, "--vision", "never") == 0
        (request,) = fake.chat_requests()
    assert image_parts(request) == []
    assert "KEDAI KOPI MAJU SDN BHD" in request.raw.decode()
    row = pd.read_csv(tmp_path / "out.csv").loc[0]
    assert row["text_source"] == "ocr" and row["total"] == 12.5 and row["image_tokens"] == 0


@needs_ocr
def test_an_endpoint_refusing_images_falls_back_to_ocr_once(tmp_path: Path, capsys):
    scans = tmp_path / "small"
    scans.mkdir()
    for i in range(3):
        scanned_page(RECEIPT, (700, 300), margin=20, seed=i).save(scans / f"r{i}.png")
    text = text_pdf_bytes([["KEDAI KOPI MAJU SDN BHD, cover letter. " * 3] * 30])
    mixed_pdf(scans / "mixed.pdf", text, [scanned_page(RECEIPT, (700, 300), margin=20)])
    with FakeOpenAI(refusing_images(schema_responder(receipt_fill))) as fake:
        code = main(
            ["run", str(scans), "--schema", "receipt", "--out", str(tmp_path / "o.csv"),
             "--base-url", fake.base_url, "--api-key", "x", "--rpm", "0", "--no-cache",
             "--concurrency", "1"]
        )  # fmt: skip
        requests = fake.chat_requests()
    assert code == 0
    refused = [r for r in requests if image_parts(r)]
    assert len(refused) == 1  # detected once: later documents go straight to OCR
    assert capsys.readouterr().err.count("refused page images") == 1
    table = pd.read_csv(tmp_path / "o.csv")
    assert set(table["text_source"]) == {"ocr", "mixed"}
    assert table["notes"].str.contains("refused page images").all()
    assert table["status"].eq("ok").all()


def test_an_answer_without_usage_counts_the_image_as_tokens_not_base64(tmp_path: Path):
    """A server that sends no usage: the prompt is counted here, the photo at its image
    tokens (the JPEG's base64 alone would count as hundreds of thousands of tokens)."""
    folder = tmp_path / "one"
    folder.mkdir()
    photo = scanned_page(RECEIPT, (1200, 1600), noise=0.05, seed=3).convert("RGB")
    photo.save(folder / "photo.jpg", quality=95)
    with FakeOpenAI(lambda r: Reply(content='{"total": "12.50"}', usage=False)) as fake:
        assert run(folder, tmp_path / "out.csv", fake.base_url) == 0
        (request,) = fake.chat_requests()
    (part,) = image_parts(request)
    assert part.n_bytes > 500_000  # a noisy photo: its base64 is large
    row = pd.read_csv(tmp_path / "out.csv").loc[0]
    assert row["image_tokens"] == image_tokens(part.width, part.height)
    assert row["image_tokens"] < row["prompt_tokens"] < row["image_tokens"] + 3000
