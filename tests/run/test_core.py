"""One document through the real openai client: modes, re-asks, truncation, provider errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extract import Config, extract_document, extract_paths
from extract.ingest.documents import Document
from tests.fake_server import Error, FakeOpenAI, Reply, schema_responder

RECEIPT = Document(
    doc_id="r1",
    source="receipt.txt",
    pages=("KOPI TIAM SDN BHD\nDATE: 14/05/2018\nTOTAL 15.30",),
)
GOOD = json.dumps(
    {
        "company": "KOPI TIAM SDN BHD",
        "date": "14/05/2018",
        "address": None,
        "total": "15.30",
    }
)


def config(fake: FakeOpenAI, **kw) -> Config:
    return Config.resolve(
        base_url=fake.base_url, api_key="x", max_retries=kw.pop("max_retries", 2), **kw
    )


def test_json_schema_request_is_strict_and_carries_only_mistral_parameters():
    with FakeOpenAI() as fake:
        fake.script(Reply(content=GOOD, prompt_tokens=100, completion_tokens=20))
        result = extract_document(RECEIPT, "receipt", config=config(fake))
        (request,) = fake.chat_requests()
    body = request.body
    assert result.status == "ok" and result.data["total"] == "15.30"
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["strict"] is True
    assert set(body) == {"model", "messages", "max_tokens", "temperature", "response_format"}
    assert (
        "Grand total paid" in body["messages"][0]["content"]
    )  # field descriptions reach the model
    assert "<document>\nKOPI TIAM" in body["messages"][-1]["content"]
    assert (result.usage.prompt_tokens, result.usage.completion_tokens) == (100, 20)


def test_auto_mode_uses_tools_when_the_endpoint_does_not_report_json_schema_support():
    models = [{"id": "mistral/mistral-small-2503", "object": "model", "owned_by": "m"}]
    with FakeOpenAI(schema_responder(lambda r: {"total": "15.30"}), models=models) as fake:
        result = extract_document(RECEIPT, "receipt", config=config(fake))
        body = fake.chat_requests()[0].body
    assert "response_format" not in body
    assert body["tool_choice"] == {"type": "function", "function": {"name": "receipt"}}
    assert body["tools"][0]["function"]["parameters"]["additionalProperties"] is False
    assert result.status == "ok" and result.data["total"] == "15.30"


def test_json_object_mode_puts_the_schema_in_the_prompt():
    with FakeOpenAI() as fake:
        fake.script(Reply(content="```json\n" + GOOD + "\n```"))
        result = extract_document(RECEIPT, "receipt", config=config(fake, mode="json_object"))
        body = fake.chat_requests()[0].body
    assert body["response_format"] == {"type": "json_object"}
    assert "<schema>" in body["messages"][0]["content"]
    assert result.status == "ok"


@pytest.mark.parametrize("bad", ['{"total": ', '{"total": {"nested": true}}', "", "[1, 2]"])
def test_invalid_answer_is_reasked_with_the_error_and_every_attempt_is_counted(bad: str):
    with FakeOpenAI() as fake:
        fake.script(
            Reply(content=bad, completion_tokens=5), Reply(content=GOOD, completion_tokens=9)
        )
        result = extract_document(RECEIPT, "receipt", config=config(fake))
        first, second = fake.chat_requests()
    assert result.status == "ok"
    assert result.usage.requests == 2 and result.usage.completion_tokens == 14
    reask, asked = second.body["messages"], first.body["messages"]
    assert reask[: len(asked)] == asked
    assert [m["role"] for m in reask[len(asked) :]] == ["assistant", "user"]
    assert "rejected" in reask[-1]["content"]


def test_a_rerun_remembers_a_truncated_answer_and_asks_only_for_the_halves(tmp_path: Path):
    pages = tuple(f"ACME STORES\nPage {i}. " + "Line item text here. " * 30 for i in range(4))
    doc = Document(doc_id="long", source="long.txt", pages=pages)
    cache = tmp_path / "answers.sqlite"
    with FakeOpenAI(schema_responder(lambda r: {"company": "ACME STORES"})) as fake:
        fake.script(Reply(content='{"compa', finish_reason="length", completion_tokens=50))
        first = extract_document(doc, "receipt", config=config(fake, cache_path=cache))
        sent = len(fake.chat_requests())
        again = extract_document(doc, "receipt", config=config(fake, cache_path=cache))
        assert len(fake.chat_requests()) == sent  # nothing asked twice, the cut answer included
    assert first.status == again.status == "ok" and again.data == first.data
    assert again.n_chunks == first.n_chunks


def test_gives_up_after_two_reasks():
    with FakeOpenAI(lambda r: Reply(content="not json")) as fake:
        result = extract_document(RECEIPT, "receipt", config=config(fake))
        assert len(fake.chat_requests()) == 3
    assert result.status == "error"
    assert "invalid answer after 3 attempts" in result.error
    assert result.usage.requests == 3


@pytest.mark.parametrize("reason", ["length", "model_length", "error"])
def test_truncated_answer_splits_the_chunk_instead_of_reasking(reason: str):
    pages = tuple(f"ACME STORES\nPage {i}. " + "Line item text here. " * 30 for i in range(4))
    doc = Document(doc_id="long", source="long.txt", pages=pages)
    with FakeOpenAI(schema_responder(lambda r: {"company": "ACME STORES"})) as fake:
        fake.script(Reply(content='{"compa', finish_reason=reason, completion_tokens=50))
        result = extract_document(doc, "receipt", config=config(fake))
        requests = fake.chat_requests()
    assert result.status == "ok" and result.data["company"] == "ACME STORES"
    assert len(requests) >= 3  # the first, then the halves
    assert result.n_chunks == len(requests) - 1
    assert result.usage.completion_tokens >= 50  # the truncated answer was paid for


def test_truncated_tiny_chunk_is_recorded_as_failure():
    with FakeOpenAI(lambda r: Reply(content='{"co', finish_reason="length")) as fake:
        result = extract_document(RECEIPT, "receipt", config=config(fake))
        assert len(fake.chat_requests()) == 1
    assert result.status == "error"
    assert "truncated" in result.error and "cannot be split" in result.error


def test_client_error_fails_at_once_with_the_providers_message():
    with FakeOpenAI() as fake:
        fake.script(
            Error(422, {"error": {"origin": "provider", "message": "extra_forbidden: seed"}})
        )
        result = extract_document(RECEIPT, "receipt", config=config(fake))
        assert len(fake.chat_requests()) == 1
    assert result.status == "error"
    assert "HTTP 422" in result.error and "extra_forbidden" in result.error


def test_rate_limit_and_server_errors_are_retried():
    with FakeOpenAI() as fake:
        fake.script(
            Error(429, headers={"Retry-After": "0"}), Error(503), Error(424), Reply(content=GOOD)
        )
        result = extract_document(RECEIPT, "receipt", config=config(fake, max_retries=3))
        assert len(fake.chat_requests()) == 4
    assert result.status == "ok" and result.usage.retries == 3


def test_bad_file_gives_an_error_result_not_an_exception(tmp_path: Path):
    path = tmp_path / "x.pdf"
    path.write_bytes(b"%PDF-1.4 nope")
    with FakeOpenAI() as fake:
        result = extract_document(path, "receipt", config=config(fake))
    assert result.status == "error" and "PDF" in result.error and result.doc_id


def test_one_document_alone_or_in_a_folder_takes_the_same_path(tmp_path: Path):
    """`extract_document` is the pool with one item: same chunks, same requests, same data."""
    pages = tuple(f"ACME STORES\nPage {i}. " + "Line item text here. " * 30 for i in range(4))
    path = tmp_path / "long.txt"
    path.write_text("\f".join(pages))
    with FakeOpenAI(schema_responder(lambda r: {"company": "ACME STORES"})) as fake:
        fake.script(Reply(content='{"compa', finish_reason="length", completion_tokens=50))
        alone = extract_document(path, "receipt", config=config(fake, cache=False))
        sent_alone = sorted(r.body["messages"][-1]["content"] for r in fake.chat_requests())
        fake.script(Reply(content='{"compa', finish_reason="length", completion_tokens=50))
        report = extract_paths([tmp_path], "receipt", config(fake, cache=False), progress=False)
        sent_all = sorted(r.body["messages"][-1]["content"] for r in fake.chat_requests())
    (in_folder,) = report.results
    assert sent_all == sorted(sent_alone * 2)  # the same requests, split included
    assert (alone.status, alone.data, alone.n_chunks) == ("ok", in_folder.data, in_folder.n_chunks)
    assert alone.usage == in_folder.usage and alone.n_chunks > 1


def test_max_tokens_follows_the_schema_and_the_chunk_up_to_the_configured_cap():
    lines = "\n".join(f"{n} x Widget model {n}   {n}.00   {n * n}.00" for n in range(1, 400))
    invoice = Document(doc_id="i1", source="invoice.txt", pages=(f"INVOICE 7\n{lines}\nTOTAL 1",))
    with FakeOpenAI(schema_responder(lambda r: {})) as fake:
        extract_document(RECEIPT, "receipt", config=config(fake))
        extract_document(invoice, "invoice", config=config(fake))
        small, large = (r.body["max_tokens"] for r in fake.chat_requests())
    assert 256 <= small < 1024  # a receipt's fields need little; a looping model stops early
    assert large == 2048  # hundreds of lines to copy: the cap (--max-tokens)


def test_list_caps_reach_grammar_backends_only_never_a_hosted_schema():
    """The NDA's parties are capped for a grammar (a looping small model); the strict
    schema a provider gets carries no item counts (some reject them)."""
    nda = Document(doc_id="n1", source="nda.txt", pages=("This NDA is between A Inc. and B LLC.",))
    answer = {"parties": ["A Inc.", "B LLC"], "effective_date": None}
    with FakeOpenAI(
        schema_responder(lambda r: {**answer, "jurisdiction": None, "term": None})
    ) as fake:
        result = extract_document(nda, "nda", config=config(fake))
        body = fake.chat_requests()[0].body
    assert result.data["parties"] == ["A Inc.", "B LLC"]
    assert "maxItems" not in json.dumps(body)

    from extract.api import build_task

    assert build_task("nda", Config.resolve(backend="local")).max_items == {"parties": 8}


@pytest.mark.parametrize(("examples", "turns"), [("auto", 0), ("off", 0), ("on", 6)])
def test_worked_examples_go_to_a_hosted_model_only_when_asked(examples: str, turns: int):
    """The receipt schema's three worked examples are earlier turns (a document, its
    answer); a hosted model bills them on every request, so by default it gets none."""
    with FakeOpenAI() as fake:
        fake.script(Reply(content=GOOD))
        result = extract_document(RECEIPT, "receipt", config=config(fake, examples=examples))
        messages = fake.chat_requests()[0].body["messages"]
    assert result.status == "ok"
    assert [m["role"] for m in messages[1:-1]] == ["user", "assistant"] * (turns // 2)
    assert "KOPI TIAM" in messages[-1]["content"]
    assert Config.resolve(backend="local").sends_examples
