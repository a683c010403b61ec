"""Checks across fields: rules a schema declares, re-asked once, flagged when they still fail."""

from __future__ import annotations

import json
from typing import ClassVar

import pytest
from pydantic import BaseModel

from extract import Config, extract_document, extract_paths
from extract.errors import ConfigError
from extract.ingest.documents import Document
from extract.llm.checks import (
    Check,
    adds_up,
    each_product,
    failed_checks,
    not_before,
    schema_checks,
    sums_to,
)
from tests.fake_server import FakeOpenAI, Reply

INVOICE_RULES = (
    adds_up(("subtotal", "tax"), "total"),
    sums_to("line_items", "amount", "subtotal"),
    each_product("line_items", "quantity", "unit_price", "amount"),
    not_before("due_date", "issue_date"),
)
GOOD = {
    "issue_date": "2024-06-03",
    "due_date": "2024-07-03",
    "subtotal": 506.80,
    "tax": 27.87,
    "total": 534.67,
    "line_items": [
        {"quantity": 6, "unit_price": 42.0, "amount": 252.0},
        {"quantity": 4, "unit_price": 27.5, "amount": 110.0},
        {"quantity": 2, "unit_price": 64.9, "amount": 129.8},
        {"quantity": 1, "unit_price": 15.0, "amount": 15.0},
    ],
}


def test_a_consistent_invoice_passes_every_rule():
    assert failed_checks(INVOICE_RULES, GOOD, whole=True) == {}


def test_each_broken_rule_is_named_with_the_numbers_that_disagree():
    bad = {
        **GOOD,
        "total": 641.58,  # the first line's amount, not the total
        "due_date": "2024-05-03",
        "line_items": [
            *GOOD["line_items"][:3],
            {"quantity": 2, "unit_price": 15.0, "amount": 15.0},
        ],
    }
    failed = failed_checks(INVOICE_RULES, bad, whole=True)
    assert failed == {
        "subtotal + tax = total": "subtotal (506.8) + tax (27.87) = 534.67, but total is 641.58",
        "line_items: quantity x unit_price = amount": "line_items[3]: 2 x 15 = 30.00, not 15",
        "due_date >= issue_date": "due_date (2024-05-03) is before issue_date (2024-06-03)",
    }


def test_missing_values_are_no_contradiction_and_rounding_is_forgiven():
    partial = {"subtotal": 506.80, "tax": None, "total": 534.67, "line_items": []}
    assert failed_checks(INVOICE_RULES, partial, whole=True) == {}
    rounded = {"subtotal": 10.0, "tax": 2.0, "total": 12.01, "line_items": []}
    assert failed_checks(INVOICE_RULES, rounded, whole=True) == {}


def test_a_sum_over_the_whole_list_waits_for_the_whole_document():
    first_part = {**GOOD, "line_items": GOOD["line_items"][:2]}
    assert failed_checks(INVOICE_RULES, first_part, whole=False) == {}
    assert "sum(line_items.amount) = subtotal" in failed_checks(
        INVOICE_RULES, first_part, whole=True
    )


def test_a_schema_with_something_else_in_checks_is_a_config_error():
    class Odd(BaseModel):
        total: float | None = None
        CHECKS: ClassVar[tuple] = ("total > 0",)

    with pytest.raises(ConfigError, match=r"Odd\.CHECKS"):
        schema_checks(Odd)


# --- through the pipeline, against the HTTP fake ------------------------------------------

DOC = Document(
    doc_id="inv1",
    source="invoice.txt",
    pages=("INVOICE 7\nWidget 2 x 5.00 = 10.00\nSubtotal 10.00\nVAT 2.00\nTotal 12.00",),
)


class Bill(BaseModel):
    """A bill."""

    subtotal: float | None = None
    tax: float | None = None
    total: float | None = None
    CHECKS: ClassVar[tuple[Check, ...]] = (adds_up(("subtotal", "tax"), "total"),)


def answer(**values: float) -> Reply:
    return Reply(content=json.dumps(values), prompt_tokens=50, completion_tokens=10)


def run(fake: FakeOpenAI):
    config = Config.resolve(base_url=fake.base_url, api_key="x", max_retries=0)
    return extract_document(DOC, Bill, config=config)


def test_a_broken_rule_is_asked_again_with_the_discrepancy_and_the_fix_is_kept():
    with FakeOpenAI() as fake:
        fake.script(
            answer(subtotal=10.0, tax=2.0, total=10.0), answer(subtotal=10.0, tax=2.0, total=12.0)
        )
        result = run(fake)
        second = fake.chat_requests()[1].body["messages"][-1]["content"]
    assert "subtotal (10.0) + tax (2.0) = 12.00, but total is 10.0" in second
    assert result.data["total"] == 12.0 and result.checks == {}
    assert result.usage.requests == 2


def test_a_rule_still_broken_after_the_reask_is_flagged_in_the_table(tmp_path):
    path = tmp_path / "invoice.txt"
    path.write_text(DOC.pages[0])
    with FakeOpenAI() as fake:
        fake.script(
            answer(subtotal=10.0, tax=2.0, total=10.0), answer(subtotal=10.0, tax=2.0, total=9.0)
        )
        config = Config.resolve(base_url=fake.base_url, api_key="x", max_retries=0)
        report = extract_paths([path], Bill, config)
        asked = len(fake.chat_requests())
    (row,) = report.tables.documents.to_dict("records")
    assert row["status"] == "ok"
    assert row["total"] == 10.0  # the re-ask did not help: the first answer is kept
    assert json.loads(row["checks"]) == [
        {
            "rule": "subtotal + tax = total",
            "problem": "subtotal (10.0) + tax (2.0) = 12.00, but total is 10.0",
        }
    ]
    assert asked == 2  # asked again once, not more


def test_with_recheck_off_a_broken_rule_is_flagged_without_asking_again():
    with FakeOpenAI() as fake:
        fake.script(answer(subtotal=10.0, tax=2.0, total=10.0))
        config = Config.resolve(base_url=fake.base_url, api_key="x", max_retries=0, recheck="off")
        result = extract_document(DOC, Bill, config=config)
        asked = len(fake.chat_requests())
    assert asked == 1
    assert result.data["total"] == 10.0
    assert list(result.checks) == ["subtotal + tax = total"]


def test_recheck_auto_asks_hosted_models_again_but_not_the_embedded_one():
    hosted = Config.resolve(base_url="http://127.0.0.1:9/v1", api_key="x")
    assert hosted.reasks_on_checks
    assert not Config(backend="local").reasks_on_checks
    assert Config(backend="local", recheck="on").reasks_on_checks
