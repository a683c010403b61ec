"""The evaluation harness end to end: real dataset files, the real pipeline, a real HTTP fake.

The fake answers from the gold (looked up by the document text it is sent). The
naive baseline copies those answers and must score F1 1.0; the pipeline grounds each
value in the printed text, so it scores 1.0 except where the annotators corrected
the print (each such miss is named in its test); wrong answers must score lower.
The tests that read dataset files skip when the evaluation data folder is absent
(and fail instead under EXTRACT_REQUIRE_LOCAL_MODEL=1, as in `make test`); the
scorers and mappings are tested on literal values and always run.
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from extract.config import Config
from extract.errors import ConfigError
from extract.evaluation import DATASETS, Example, evaluate
from extract.evaluation.ceiling import ceiling_scores
from extract.evaluation.cuad import contract_to_gold, cuad_scores, token_set_ratio
from extract.evaluation.loaders import evaldata_root
from extract.evaluation.naive import bare_schema, fit_text
from extract.evaluation.scoring import charity_to_gold, nda_to_gold, receipt_to_gold
from extract.ingest.documents import read_document
from extract.ingest.ocr import ocr_installed
from extract.schema_registry import load_schema
from schemas import Invoice
from tests.conftest import ROOT, require_evaldata
from tests.fake_server import (
    DEFAULT_MODELS,
    FakeOpenAI,
    RecordedRequest,
    document_text,
    schema_responder,
)


@pytest.fixture
def evaldata() -> Path:
    return require_evaldata(evaldata_root())


NAIVE_PREFIX = "Extract these fields"


def squash(text: str) -> str:
    return " ".join(text.split())


def sent_text(request: RecordedRequest) -> str:
    """The document text of a pipeline request (inside <document>) or a naive one (all of it)."""
    inside = document_text(request)
    if inside:
        return inside
    messages = (request.body or {}).get("messages", [])
    return next((m["content"] for m in reversed(messages) if m.get("role") == "user"), "")


def is_naive(request: RecordedRequest) -> bool:
    return request.body["messages"][0]["content"].startswith(NAIVE_PREFIX)


def gold_fill(
    examples: list[Example], answer: Callable[[dict[str, list[str]]], dict[str, Any]]
) -> Callable[[RecordedRequest], dict[str, Any]]:
    """Answer each request from the gold of the example whose text it carries."""
    keys = [(squash(read_document(e.path).text)[:300], e.gold) for e in examples]

    def fill(request: RecordedRequest) -> dict[str, Any]:
        text = squash(sent_text(request))
        return next((answer(gold) for key, gold in keys if key in text), {})

    return fill


def receipt_answer(gold: dict[str, list[str]]) -> dict[str, Any]:
    return {k: (v[0] if v else None) for k, v in gold.items()}


def nda_answer(gold: dict[str, list[str]]) -> dict[str, Any]:
    def plain(values: list[str]) -> str | None:
        return values[0].replace("_", " ") if values else None

    return {
        "parties": [p.replace("_", " ") for p in gold["party"]],
        "effective_date": plain(gold["effective_date"]),
        "jurisdiction": plain(gold["jurisdiction"]),
        "term": plain(gold["term"]),
    }


def config_for(fake: FakeOpenAI) -> Config:
    return Config.resolve(env={}, base_url=fake.base_url, api_key="x", quiet=True)


@pytest.mark.usefixtures("evaldata")
def test_sroie_gold_answers_score_as_printed_and_the_report_reads_back(tmp_path: Path):
    examples = DATASETS["sroie"].examples(limit=3)
    fill = gold_fill(examples, receipt_answer)
    with FakeOpenAI(schema_responder(fill)) as fake:
        result = evaluate("sroie", config_for(fake), limit=3, out_root=tmp_path, command="test")
        requests = fake.chat_requests()
    # Grounding returns values as printed; in three of these twelve the annotators corrected
    # the print ("SDN BND" -> "SDN BHD", "D.T.Y." -> "D.I.Y.", "27,JALAN" -> "27, JALAN").
    assert result.pipeline.scores.overall.f1 == 9 / 12
    assert result.naive is not None and result.naive.scores.overall.f1 == 1.0
    # A perfect reader reaches the ceiling, which names the keys the text does not print.
    assert result.ceiling is not None and result.ceiling.overall.f1 == 9 / 12
    assert result.ceiling.fields["date"].f1 == 1.0 and result.ceiling.fields["company"].f1 == 1 / 3
    naive = [r for r in requests if is_naive(r)]
    assert len(naive) == 3 == len({sent_text(r) for r in naive})  # one request per document
    for request in naive:
        schema = request.body["response_format"]["json_schema"]["schema"]
        assert '"description": "' not in json.dumps(schema)  # no field descriptions
        assert request.body["messages"][0]["content"].count("\n") == 0  # a one-line prompt
    assert result.report_dir is not None and result.report_dir.parent == tmp_path
    report = (result.report_dir / "report.md").read_text()
    assert "pipeline ÷ naive F1" in report and "`test`" in report
    assert "## Confidence" in report
    assert "| **overall** | 0.750 | 0.750 |" in report.split("## Ceiling")[1]
    assert "- naive F1 1.000 [1.000, 1.000]" in report  # every draw of perfect answers is perfect
    table = pd.read_csv(result.report_dir / "per_document.csv", dtype={"doc_id": str})
    assert list(table["doc_id"]) == ["000", "001", "002"]
    assert table["company.pipeline"][0] == "BOOK TA .K(TAMAN DAYA) SDN BND"
    assert list(table["company.pipeline_match"]) == [False, True, False]
    assert list(table["address.pipeline_match"]) == [True, False, True]
    assert table["date.pipeline_match"].all() and table["total.pipeline_match"].all()
    assert table["company.naive_match"].all() and table["address.naive_match"].all()
    assert (table["status"] == "ok").all()


@pytest.mark.usefixtures("evaldata")
def test_wrong_answers_score_lower(tmp_path: Path):
    examples = DATASETS["sroie"].examples(limit=2)

    def wrong(gold: dict[str, list[str]]) -> dict[str, Any]:
        return {**receipt_answer(gold), "company": "NOT THE SHOP", "total": "0.01"}

    with FakeOpenAI(schema_responder(gold_fill(examples, wrong))) as fake:
        result = evaluate("sroie", config_for(fake), limit=2, naive=False, out_root=tmp_path)
    scores = result.pipeline.scores
    assert result.naive is None
    assert scores.overall.f1 < 1.0
    assert scores.fields["company"].f1 == 0.0 and scores.fields["total"].f1 == 0.0
    assert scores.fields["date"].f1 == 1.0
    assert (
        result.ceiling is not None and result.ceiling.fields["total"].f1 == 1.0
    )  # not the model's


@pytest.mark.usefixtures("evaldata")
def test_kleister_nda_pdfs_through_the_pipeline(tmp_path: Path):
    examples = DATASETS["kleister_nda"].examples(limit=2)
    assert all(e.path.suffix == ".pdf" for e in examples)
    with FakeOpenAI(schema_responder(gold_fill(examples, nda_answer))) as fake:
        result = evaluate("kleister_nda", config_for(fake), limit=2, out_root=tmp_path)
        requests = fake.chat_requests()
    assert result.pipeline.scores.overall.f1 == 1.0
    assert result.naive is not None and result.naive.scores.overall.f1 == 1.0
    assert sum(is_naive(r) for r in requests) == 2
    assert result.pipeline.prompt_tokens > 0 and result.pipeline.cost_usd is not None


@pytest.mark.usefixtures("evaldata")
def test_held_out_split_is_refused_before_any_request(tmp_path: Path):
    with pytest.raises(ConfigError, match="held out"):
        DATASETS["kleister_nda"].examples(split="test-A")
    with FakeOpenAI(schema_responder()) as fake:
        with pytest.raises(ConfigError, match="held out"):
            evaluate("kleister_nda", config_for(fake), split="test-A", out_root=tmp_path)
        assert fake.chat_requests() == []
    with pytest.raises(ConfigError, match="unknown dataset"):
        evaluate("nope", Config.resolve(env={}, base_url="http://127.0.0.1:9/v1", api_key="x"))


@pytest.mark.usefixtures("evaldata")
def test_default_subsets_are_fixed():
    assert len(DATASETS["kleister_nda"].examples()) == 10
    assert len(DATASETS["sroie"].examples()) == 25
    charity = DATASETS["kleister_charity"].examples()
    assert len(charity) == 2 and all(e.path.suffix == ".pdf" for e in charity)
    cuad = DATASETS["cuad"].examples()
    assert len(cuad) == 11 and all(e.path.suffix.lower() == ".pdf" for e in cuad)
    assert sum(bool(e.tokens_over_33k) for e in cuad) == 1


@pytest.mark.usefixtures("evaldata")  # the Kleister value normaliser ships with the data
def test_mappings_follow_the_gold_formats():
    nda = nda_to_gold({"parties": ["Nike, Inc."], "term": "2 years", "jurisdiction": None})
    assert nda == {
        "effective_date": [],
        "jurisdiction": [],
        "party": ["Nike_Inc."],
        "term": ["2_years"],
    }
    forms = ["II-VI Incorporated", "Heidrick & Struggles, Inc.", "Trace Pty Limited", "Z L.L.C."]
    forms += ["PhotoWorks, Inc", "Acme Corp"]  # printed without the full stop
    assert nda_to_gold({"parties": forms})["party"] == [
        "II-VI_Inc.",
        "Heidrick_and_Struggles_Inc.",
        "Trace_Pty_Ltd.",
        "Z_LLC",
        "PhotoWorks_Inc.",
        "Acme_Corp.",
    ]
    charity = charity_to_gold(
        {"address_post_town": "BOURNE END", "income_annually_in_british_pounds": 41721}
    )
    assert charity["address__post_town"] == ["BOURNE_END"]
    assert charity["income_annually_in_british_pounds"] == ["41721.00"]
    # SROIE transcribes every receipt in upper case; a scan read as printed is written so
    receipt = receipt_to_gold({"company": "Gerbang Alaf Restaurants Sdn Bhd", "total": 26.6})
    assert receipt["company"] == ["GERBANG ALAF RESTAURANTS SDN BHD"]
    assert receipt["total"] == ["26.6"]


@pytest.mark.usefixtures("evaldata")
@pytest.mark.parametrize("name", ["kleister_nda", "sroie", "kleister_charity", "cuad"])
def test_a_perfect_reader_of_the_gold_scores_the_ceiling_and_no_more(name: str):
    """Each dataset's gold, answered back through its schema, is what the ceiling scores; the
    first documents' ceiling is high but honest about the keys the text does not print."""
    dataset = DATASETS[name]
    examples = dataset.examples(limit=3)
    schema = load_schema(dataset.schema)[1]
    ceiling = ceiling_scores(dataset, examples, schema)
    assert ceiling is not None and 0.7 <= ceiling.overall.f1 <= 1.0
    assert dataset.to_answer is not None
    for example in examples:  # the answer validates: no field name or format is lost on the way
        answer = dataset.to_answer(example.gold)
        assert set(answer) <= set(schema.model_fields)
        schema.model_validate(answer)


def test_cuad_scorer_matches_parties_fuzzily_and_dates_exactly():
    assert (
        token_set_ratio(
            "Birch First Global Investments Inc.", "BIRCH FIRST GLOBAL INVESTMENTS, INC"
        )
        == 1.0
    )
    assert (
        token_set_ratio("Mount Kowledge Holdings Inc.", "Birch First Global Investments Inc.") < 0.9
    )
    gold = {"parties": ["Conformis, Inc.", "Howmedica Osteonics Corp."], "agreement_date": ["2019-09-30"],
            "renewal_term": ["successive 1 year"], "governing_law": ["New York"]}  # fmt: skip
    pred = contract_to_gold({"parties": ["ConforMIS Inc", "Acme LLC"], "agreement_date": "2019-09-03",
                             "renewal_term": "1 years", "governing_law": "new york."})  # fmt: skip
    scores = cuad_scores([gold], [pred])
    assert scores.fields["parties"].tp == 1 and scores.fields["parties"].n_pred == 2
    assert scores.fields["agreement_date"].f1 == 0.0
    assert scores.fields["renewal_term"].f1 == 1.0 and scores.fields["governing_law"].f1 == 1.0


def test_naive_schema_and_truncation():
    schema = bare_schema(Invoice)  # a field named "description" stays; descriptions go
    assert "description" in schema["properties"]["line_items"]["items"]["properties"]
    assert '"description": "' not in json.dumps(schema)
    text, cut = fit_text("word " * 1000, 100, lambda s: len(s.split()))
    assert cut and len(text.split()) <= 100


@pytest.mark.usefixtures("evaldata")
def test_a_rerun_pays_for_nothing_it_has_seen(tmp_path: Path):
    examples = DATASETS["sroie"].examples(limit=2)
    with FakeOpenAI(schema_responder(gold_fill(examples, receipt_answer))) as fake:
        first = evaluate("sroie", config_for(fake), limit=2, out_root=tmp_path, command="test")
        sent = len(fake.chat_requests())
        again = evaluate("sroie", config_for(fake), limit=2, out_root=tmp_path, command="test")
        assert len(fake.chat_requests()) == sent == 4  # pipeline and naive, once each
    assert again.naive is not None and again.naive.cached == 2 and again.cached_chunks == 2
    assert again.pipeline.preds == first.pipeline.preds
    assert first.naive is not None and again.naive.preds == first.naive.preds


@pytest.mark.usefixtures("evaldata")
def test_the_report_says_how_often_grounded_and_confident_values_are_right(tmp_path: Path):
    examples = DATASETS["sroie"].examples(limit=3)
    models = [{**DEFAULT_MODELS[0], "supported_parameters": ["logprobs"]}]
    responder = schema_responder(gold_fill(examples, receipt_answer), logprob=-0.001)
    with FakeOpenAI(responder, models=models) as fake:
        result = evaluate("sroie", config_for(fake), limit=3, naive=False, out_root=tmp_path)
    trust = result.trust
    assert trust is not None
    # the same 9 of 12 as the official score (three values grounded as printed, not as
    # the annotators corrected them); none ungrounded: the receipt schema drops those
    assert (trust.grounded["all"].values, trust.grounded["all"].right) == (12, 9)
    assert trust.grounded["company"].right == 1 and trust.grounded["date"].right == 3
    assert trust.ungrounded == {}
    banded = [(lo, tally.values, tally.right) for lo, _, tally, _ in trust.bands if tally.values]
    assert sum(n for _, n, _ in banded) == 12 and sum(r for _, _, r in banded) == 9
    report = (result.report_dir / "report.md").read_text()
    assert "## Evidence: is a grounded value more often right?" in report
    assert "| **all** | 12 | 9 | 0.750 | 0 | 0 | - |" in report
    assert "Accuracy by confidence band (12 values" in report
    plot = result.report_dir / "calibration.png"
    if importlib.util.find_spec("matplotlib"):  # the optional `eval` extra
        assert plot.stat().st_size > 10_000 and plot in result.written
    else:
        assert not plot.exists()


@pytest.mark.usefixtures("evaldata")
def test_scan_datasets_are_the_same_documents_as_images():
    sroie = DATASETS["sroie-scans"].examples(limit=2)
    text = DATASETS["sroie"].examples(limit=2)
    assert [e.path.name for e in sroie] == ["000.jpg", "001.jpg"]
    assert [e.gold for e in sroie] == [e.gold for e in text]
    assert [e.reference for e in sroie] == [e.path for e in text]
    assert len(DATASETS["sroie-scans"].examples(everything=True)) == 100
    assert len(DATASETS["sroie-scans"].examples()) == 10
    (nda,) = DATASETS["kleister-nda-scans"].examples(limit=1)
    (original,) = DATASETS["kleister_nda"].examples(limit=1)
    assert nda.reference == original.path and nda.gold == original.gold
    scan = read_document(nda.path)
    assert scan.n_pages == read_document(original.path).n_pages
    assert scan.scanned == tuple(range(scan.n_pages)) and not scan.text.strip()


@pytest.mark.skipif(not ocr_installed(), reason="the `ocr` extra is not installed")
@pytest.mark.usefixtures("evaldata")
def test_sroie_scans_are_scored_beside_the_same_receipts_as_text(tmp_path: Path):
    (example,) = DATASETS["sroie-scans"].examples(limit=1)
    answer = receipt_answer(example.gold)
    config = Config.resolve(
        env={}, base_url="http://127.0.0.1:9/v1", api_key="x", quiet=True, vision="never"
    )
    with FakeOpenAI(schema_responder(lambda request: answer)) as fake:
        config = config.model_copy(update={"base_url": fake.base_url})
        result = evaluate("sroie-scans", config, limit=1, out_root=tmp_path, command="test")
        sent = [sent_text(r) for r in fake.chat_requests()]
    assert result.naive is None and result.reference is not None
    assert result.ceiling is None  # the scans' text is OCR's: no ceiling is claimed for it
    assert result.reference.label == "text"
    assert any("TAMAN DAYA" in s and "Total" in s for s in sent)  # the OCR text of the scan
    assert result.pipeline.scores.overall.f1 > 0 and result.reference.scores.overall.f1 > 0
    report = (result.report_dir / "report.md").read_text()
    assert "pipeline vs the same documents as text" in report and "pipeline ÷ text F1" in report


def test_a_stopped_eval_scores_nothing(tmp_path: Path, evaldata: Path):
    """SIGTERM mid-run: unfinished receipts would count as wrong, so no report is written
    and the baseline is not started."""
    reports, cache = tmp_path / "reports", tmp_path / "cache.sqlite"
    with FakeOpenAI(schema_responder(), latency=300) as fake:
        args = [sys.executable, "-m", "extract", "eval", "sroie", "--limit", "4"]
        args += ["--base-url", fake.base_url, "--api-key", "x", "--concurrency", "2"]
        args += ["--reports", str(reports), "--cache-path", str(cache), "-q"]
        proc = subprocess.Popen(args, cwd=ROOT, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while len(fake.chat_requests()) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
        assert not any(is_naive(r) for r in fake.chat_requests())
    assert proc.returncode == 130, err.decode()
    assert not reports.exists() or not any(reports.rglob("*.md"))


@pytest.mark.usefixtures("evaldata")
def test_the_ceiling_alone_needs_no_model():
    """`eval --ceiling` prints what the gold scores through our own grounding, and sends
    nothing: no endpoint is set, and no model is loaded."""
    done = subprocess.run(
        [sys.executable, "-m", "extract", "eval", "sroie", "--limit", "3", "--ceiling"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "EXTRACT_BASE_URL": "http://127.0.0.1:9/v1"},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    # receipts 000-002: the keys correct two printed names and one address (see above)
    assert done.stdout.strip() == (
        "sroie ceiling (3 documents): F1 0.750; "
        "company 0.333, date 1.000, address 0.667, total 1.000"
    )
