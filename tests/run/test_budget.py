"""--max-cost under concurrency, answers without usage, the price of the model that answered,
and the per-document token cap: the real command line against the real fake HTTP server."""

from __future__ import annotations

import random
from pathlib import Path

import pandas as pd
import pytest

from extract.cli import main
from extract.llm.pricing import Price
from tests.cli_args import run_args
from tests.fake_server import (
    FakeOpenAI,
    RecordedRequest,
    Reply,
    image_parts,
    mistral_image_tokens,
    schema_responder,
)
from tests.scanned import scanned_page

# Published list prices per million tokens (input, output), written out, not read from the code.
SMALL = Price(0.10, 0.30)  # mistral-small-2503
LARGE = Price(2.00, 6.00)  # mistral-large-2411


def receipts(folder: Path, n: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        lines = "\n".join(f"{j} x item number {j} of receipt {i}   {j}.00" for j in range(20))
        (folder / f"r{i:03d}.txt").write_text(f"SHOP {i} SDN BHD\n{lines}\nTOTAL {i}.50\n")
    return folder


def run(docs: Path, out: Path, url: str, *extra: str) -> int:
    return main(run_args(docs, "receipt", out, url, "--quiet", "--rpm", "0", "--no-cache", *extra))


def test_max_cost_at_concurrency_16_overshoots_by_at_most_one_request(tmp_path: Path):
    docs = receipts(tmp_path / "docs", 48)
    per_answer = SMALL.cost(2000, 100)  # what the fake bills for every answer
    cap = 10 * per_answer
    reply = lambda r: Reply(content="{}", prompt_tokens=2000, completion_tokens=100)  # noqa: E731
    with FakeOpenAI(reply, latency=0.1) as fake:  # slow enough for 16 to be in flight together
        code = run(docs, tmp_path / "r.csv", fake.base_url, "--concurrency", "16",
                   "--max-cost", f"{cap}")  # fmt: skip
        sent = len(fake.chat_requests())
    table = pd.read_csv(tmp_path / "r.csv")
    spent = table["cost_usd"].sum()
    assert code == 1 and len(table) == 48
    assert spent <= cap + per_answer + 1e-12  # never more than one request over the cap
    assert spent >= cap / 2  # and the budget is used, not refused wholesale
    assert sent == (table["status"] == "ok").sum() == round(spent / per_answer)
    refused = table[table["status"] == "error"]
    assert len(refused) > 0 and refused["error"].str.contains("max-cost").all()


def test_the_first_answer_calibrates_the_reservations(tmp_path: Path):
    """A provider that bills far more prompt tokens than we count: spend still stops near the
    cap after the first answer, instead of every request in flight being sent on a guess."""
    docs = receipts(tmp_path / "docs", 20)
    dear = lambda r: Reply(content="{}", prompt_tokens=1_000_000, completion_tokens=0)  # noqa: E731
    with FakeOpenAI(dear, latency=0.2) as fake:  # each answer bills $0.10
        run(docs, tmp_path / "r.csv", fake.base_url, "--concurrency", "16", "--max-cost", "0.25")
        assert len(fake.chat_requests()) <= 4
    spent = pd.read_csv(tmp_path / "r.csv")["cost_usd"].sum()
    assert spent <= 0.25 + 0.10 + 1e-9


def test_an_answer_without_usage_is_counted_not_free(tmp_path: Path):
    docs = receipts(tmp_path / "docs", 30)
    with FakeOpenAI(lambda r: Reply(content="{}", usage=False), latency=0.05) as fake:
        run(docs, tmp_path / "free.csv", fake.base_url, "--concurrency", "4")
        table = pd.read_csv(tmp_path / "free.csv")
        assert (table["prompt_tokens"] > 300).all() and (table["completion_tokens"] > 0).all()
        one = table["cost_usd"].iloc[0]
        assert one == pytest.approx(
            SMALL.cost(table["prompt_tokens"][0], table["completion_tokens"][0])
        )
        before = len(fake.chat_requests())
        code = run(docs, tmp_path / "capped.csv", fake.base_url, "--concurrency", "4",
                   "--max-cost", f"{5 * one}")  # fmt: skip
        capped = pd.read_csv(tmp_path / "capped.csv")
        assert len(fake.chat_requests()) - before <= 6  # stopped: not 30 "free" requests
    assert code == 1 and capped["error"].str.contains("max-cost").sum() >= 24


def test_the_model_that_answered_is_priced(tmp_path: Path):
    docs = receipts(tmp_path / "docs", 3)
    switched = lambda r: Reply(  # noqa: E731 - a router fell back to a dearer model
        content="{}", model="mistral-large-2411", prompt_tokens=1000, completion_tokens=100
    )
    with FakeOpenAI(switched) as fake:
        assert run(docs, tmp_path / "r.csv", fake.base_url) == 0
        table = pd.read_csv(tmp_path / "r.csv")
        assert table["cost_usd"].tolist() == pytest.approx([LARGE.cost(1000, 100)] * 3)
        assert set(table["model"]) == {"mistral-large-2411"}
        # Under a cap, the dearer answers count at their own price.
        cap = 1.5 * LARGE.cost(1000, 100)  # at the small model's price, all three would fit
        run(docs, tmp_path / "c.csv", fake.base_url, "--concurrency", "1", "--max-cost", f"{cap}")
        capped = pd.read_csv(tmp_path / "c.csv")
    assert (capped["status"] == "ok").sum() == 2  # the second starts under the cap, ends over it
    assert capped["cost_usd"].sum() < cap + LARGE.cost(1000, 100)


def test_an_answer_from_a_model_without_a_price_stops_a_capped_run(tmp_path: Path):
    docs = receipts(tmp_path / "docs", 5)
    unknown = lambda r: Reply(content="{}", model="vendor/secret-model-9", prompt_tokens=10)  # noqa: E731
    with FakeOpenAI(unknown) as fake:
        code = run(docs, tmp_path / "r.csv", fake.base_url, "--concurrency", "1",
                   "--max-cost", "5")  # fmt: skip
        assert len(fake.chat_requests()) == 1
    table = pd.read_csv(tmp_path / "r.csv")
    assert code == 1 and (table["status"] == "ok").sum() == 1
    assert table["error"].dropna().str.contains("price is unknown").all()
    assert table["cost_usd"].isna().sum() == 1  # the unpriced answer's cost is unknown, not 0


def big_text(path: Path, megabytes: float) -> Path:
    """Random letter-and-number words: BPE cannot merge them away (well over 0.5 tokens/byte)."""
    rng = random.Random(1)
    words = [f"{rng.choice('bcdfghjklmnpqrstvwz')}{rng.randrange(10**6)}" for _ in range(5000)]
    chunk = " ".join(words) + "\n"
    path.write_text(chunk * int(megabytes * 1e6 / len(chunk)))
    return path


def test_a_runaway_document_is_an_error_row_unless_the_cap_is_raised(tmp_path: Path):
    docs = tmp_path / "docs"
    docs.mkdir()
    big_text(docs / "huge.txt", 3.0)  # 3 MB: over the default cap of 1M tokens
    (docs / "ok.txt").write_text("SHOP 1 SDN BHD\nTOTAL 1.50\n")
    with FakeOpenAI(schema_responder()) as fake:
        code = run(docs, tmp_path / "r.csv", fake.base_url)
        assert len(fake.chat_requests()) == 1  # only the small document was sent
        table = pd.read_csv(tmp_path / "r.csv").set_index("source")
        huge = table.loc[str(docs / "huge.txt")]
        assert code == 1 and huge["status"] == "error" and huge["requests"] == 0
        assert "--max-tokens-per-doc" in huge["error"]
        assert run(docs, tmp_path / "d.csv", fake.base_url, "--dry-run") == 0
        # A small cap catches a small document; raising it lets the document through.
        small = docs / "ok.txt"
        assert run(small, tmp_path / "s.csv", fake.base_url, "--max-tokens-per-doc", "5") == 1
        assert len(fake.chat_requests()) == 1
        assert run(small, tmp_path / "s.csv", fake.base_url, "--max-tokens-per-doc", "50") == 0
        assert len(fake.chat_requests()) == 2


def test_a_run_with_an_unpriced_answer_reports_its_cost_as_unknown(tmp_path: Path, capsys):
    docs = receipts(tmp_path / "docs", 2)
    (docs / "empty.txt").write_text("")  # an error row: nothing spent on it, cost 0
    unknown = lambda r: Reply(content="{}", model="vendor/secret-model-9")  # noqa: E731
    with FakeOpenAI(unknown) as fake:
        main(["run", str(docs), "--schema", "receipt", "--out", str(tmp_path / "r.csv"),
              "--base-url", fake.base_url, "--api-key", "x", "--rpm", "0"])  # fmt: skip
    assert "cost unknown;" in capsys.readouterr().err  # not the $0.0000 of the empty file
    table = pd.read_csv(tmp_path / "r.csv")
    assert table.loc[table["status"] == "ok", "cost_usd"].isna().all()


def billed_like_mistral(request: RecordedRequest) -> Reply:
    """A provider that bills each page image at its image tokens, plus 600 for the text."""
    images = sum(mistral_image_tokens(p.width, p.height) for p in image_parts(request))
    return Reply(content="{}", prompt_tokens=600 + images, completion_tokens=20)


def test_max_cost_counts_page_images_at_their_image_tokens(tmp_path: Path, capsys):
    """Image-only PDFs on a hosted vision model: each request reserves its image tokens (not
    the base64 of the picture, 200x more), so a cap that allows 5 requests sends 6 at most,
    several at a time, and the other documents are rows that say why they were not sent."""
    docs = tmp_path / "scans"
    docs.mkdir()
    page = scanned_page(["SHOP 1 SDN BHD", "TOTAL 1.50"], (480, 640), noise=0.02)
    # one page image (OCR'd once: its cache is by content), 12 files; their requests are the
    # same (no file name in a prompt), so the answer cache is off: each is a request
    for i in range(12):
        page.save(docs / f"scan{i:02d}.pdf", "PDF", resolution=150.0, title=f"scan {i}")
    image = mistral_image_tokens(640, 853)  # the page rendered at 200 dpi: 744 tokens
    per_request = SMALL.cost(600 + image, 20)
    cap = 5.5 * per_request
    with FakeOpenAI(billed_like_mistral, latency=1.0) as fake:
        assert run(docs, tmp_path / "dry.csv", fake.base_url, "--dry-run") == 0
        said = capsys.readouterr().out
        code = main(["run", str(docs), "--schema", "receipt", "--out", str(tmp_path / "r.csv"),
                     "--base-url", fake.base_url, "--api-key", "x", "--quiet", "--rpm", "0",
                     "--concurrency", "8", "--max-tokens", "256", "--max-cost", f"{cap}",
                     "--no-cache"])  # fmt: skip
        sent = fake.chat_requests()
        in_flight = fake.max_in_flight
    assert f"of which {12 * image} image tokens" in said
    at_most = float(said.split("at most $")[1].split(")")[0])
    assert at_most >= 12 * per_request  # the dry run's bound holds the images too
    table = pd.read_csv(tmp_path / "r.csv")
    assert code == 1 and len(table) == 12
    assert all(len(image_parts(r)) == 1 for r in sent)
    assert len(sent) == 6  # 5 fit under the cap, the 6th starts under it and ends over it
    assert table["cost_usd"].sum() <= cap + per_request
    assert in_flight >= 2  # reservations near the real cost: the cap does not serialise the run
    assert (table["image_tokens"] == image).sum() == 6
    refused = table[table["status"] == "error"]
    assert len(refused) == 6 and refused["error"].str.contains("not sent: the run reached").all()
