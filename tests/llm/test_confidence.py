"""Confidence per value: the probability of the tokens that wrote it, where a backend
gives token log-probabilities (hosted endpoints that offer them; the embedded model
always, see test_local_backend.py)."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd
import pytest

from extract.cli import main
from extract.llm.confidence import value_confidences
from tests.cli_args import run_args
from tests.conftest import ROOT
from tests.fake_server import DEFAULT_MODELS, FakeOpenAI, schema_responder

INVOICE = ROOT / "sample_docs" / "invoice-northwind-5531.txt"


def tokens(text: str, unsure: str = "") -> list[tuple[str, float]]:
    return [(t, -1.0 if t == unsure else -0.01) for t in re.findall(r"\w+|\s+|[^\w\s]", text)]


def test_a_value_is_as_likely_as_the_tokens_that_wrote_it():
    text = (
        '{"vendor": {"name": "Northwind Traders"}, "total": 534.67, "tags": ["a", "b"], "x": null}'
    )
    found = value_confidences(text, tokens(text, unsure="Traders"))
    assert found["vendor.name"][0] == "Northwind Traders"
    assert found["vendor.name"][1] == pytest.approx(math.exp(-0.01 - 0.01 - 1.0))  # 3 tokens
    assert found["total"] == (534.67, pytest.approx(math.exp(-0.03)))  # 534 . 67
    assert set(found) == {"vendor.name", "total", "tags[0]", "tags[1]"}  # null is no value
    assert value_confidences(text, tokens(text)[:-1]) == {}  # tokens that do not spell it


def fill(_request) -> dict:
    return {"invoice_number": "NW-5531", "total": 534.67, "vendor": {"name": "Northwind Traders"}}


def run(tmp_path: Path, fake: FakeOpenAI, *extra: str) -> tuple[int, pd.DataFrame, list]:
    out = tmp_path / "inv.parquet"
    before = len(fake.chat_requests())
    code = main(run_args(INVOICE, "invoice", out, fake.base_url, *extra, "--quiet"))
    evidence = pd.read_parquet(tmp_path / "inv.evidence.parquet").set_index("field")
    return code, evidence, fake.chat_requests()[before:]


def endpoint(models: list[dict]) -> FakeOpenAI:
    responder = schema_responder(fill, logprob=lambda t: -1.0 if t == "Northwind" else -0.01)
    return FakeOpenAI(responder, models=models)


OFFERS = [{**DEFAULT_MODELS[0], "supported_parameters": ["logprobs", "response_format"]}]


def test_an_endpoint_that_offers_logprobs_is_asked_and_every_value_gets_one(tmp_path: Path):
    with endpoint(OFFERS) as fake:
        code, evidence, requests = run(tmp_path, fake)
        assert code == 0 and requests and all(r.body["logprobs"] is True for r in requests)
        # the tokens "Northwind", " " and "Traders"
        assert evidence.loc["vendor.name", "confidence"] == pytest.approx(math.exp(-1.02))
        assert evidence.loc["invoice_number", "confidence"] == pytest.approx(math.exp(-0.03))
        assert evidence["confidence"].notna().all()

        # a rerun answers from the cache, confidences included
        _, again, requests = run(tmp_path, fake)
        assert requests == [] and again["confidence"].equals(evidence["confidence"])


def test_an_endpoint_that_does_not_offer_them_is_not_asked(tmp_path: Path):
    with endpoint(DEFAULT_MODELS) as fake:
        code, evidence, requests = run(tmp_path, fake)
    assert code == 0 and requests and all("logprobs" not in r.body for r in requests)
    assert evidence["confidence"].isna().all()


def test_tool_calls_carry_no_token_probabilities(tmp_path: Path):
    with endpoint(OFFERS) as fake:
        code, evidence, _ = run(tmp_path, fake, "--mode", "tools")
    assert code == 0 and evidence["confidence"].isna().all()
