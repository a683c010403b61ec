"""The fake endpoint, driven by the real `openai` client over a real socket."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Literal

import jsonschema
import openai
import pytest
from pydantic import BaseModel, Field

from tests.fake_server import (
    Disconnect,
    Error,
    FakeOpenAI,
    Hang,
    RecordedRequest,
    Reply,
    Truncated,
    faulty,
    minimal_instance,
    schema_responder,
)

MODEL = "mistral/mistral-small-2503"
MESSAGES = [{"role": "user", "content": "hi"}]


def client(fake: FakeOpenAI, **kwargs) -> openai.OpenAI:
    return openai.OpenAI(base_url=fake.base_url, api_key="x", max_retries=0, **kwargs)


class Line(BaseModel):
    description: str
    quantity: int = Field(ge=1)
    unit_price: float | None


class Invoice(BaseModel):
    number: str
    issued: date
    currency: Literal["EUR", "USD"]
    paid: bool
    total: float
    lines: list[Line]
    vendor: Line | None = None
    notes: list[str] = Field(min_length=1)


SCHEMA = Invoice.model_json_schema()


def test_scripted_reply_comes_back_with_usage():
    with FakeOpenAI() as fake:
        fake.script(Reply('{"a": 1}', prompt_tokens=100, completion_tokens=20))
        reply = client(fake).chat.completions.create(model=MODEL, messages=MESSAGES)
        # the script is used up: the default responder answers `{}` to a schema-less request
        second = client(fake).chat.completions.create(model="other/model", messages=MESSAGES)
        (_, second_request) = fake.chat_requests()
    assert reply.choices[0].message.content == '{"a": 1}'
    assert reply.choices[0].finish_reason == "stop" and reply.choices[0].index == 0
    assert reply.object == "chat.completion" and reply.id and reply.created > 0
    assert reply.model == MODEL
    assert (reply.usage.prompt_tokens, reply.usage.completion_tokens) == (100, 20)
    assert reply.usage.total_tokens == 120
    assert second.choices[0].message.content == "{}" and second.model == "other/model"
    assert second.usage.prompt_tokens == len(second_request.raw) // 4 > 0
    assert second.usage.completion_tokens == 7


def test_requests_are_recorded_with_body_and_headers():
    with FakeOpenAI() as fake:
        api = client(fake)
        api.models.list()
        api.chat.completions.create(model=MODEL, messages=MESSAGES, temperature=0)
        api.chat.completions.create(model=MODEL, messages=MESSAGES, seed=3)
    assert [(r.method, r.path) for r in fake.requests] == [
        ("GET", "/v1/models"),
        ("POST", "/v1/chat/completions"),
        ("POST", "/v1/chat/completions"),
    ]
    chat = fake.chat_requests()
    assert chat == fake.requests[1:]
    first, second = chat
    assert isinstance(first, RecordedRequest)
    assert first.body == {"model": MODEL, "messages": MESSAGES, "temperature": 0}
    assert json.loads(first.raw) == first.body
    assert first.headers["authorization"] == "Bearer x"
    assert first.headers["content-type"] == "application/json"
    assert second.body["seed"] == 3
    assert fake.requests[0].time <= first.time <= second.time
    assert fake.requests[0].body is None
    # keep-alive: the client's pool reused one connection for all three requests
    assert fake.connections == 1


def test_tool_call_reply_parses():
    tools = [{"type": "function", "function": {"name": "invoice", "parameters": SCHEMA}}]
    with FakeOpenAI() as fake:
        fake.script(Reply(tool_arguments='{"x": 1}'), Reply(tool_arguments="{}"))
        api = client(fake)
        reply = api.chat.completions.create(model=MODEL, messages=MESSAGES, tools=tools)
        no_tools = api.chat.completions.create(model=MODEL, messages=MESSAGES)
    message = reply.choices[0].message
    assert message.content is None
    (call,) = message.tool_calls
    assert call.type == "function" and call.id
    assert call.function.name == "invoice"
    assert call.function.arguments == '{"x": 1}'
    assert no_tools.choices[0].message.tool_calls[0].function.name == "extract"


def _answer(reply) -> str:
    message = reply.choices[0].message
    return message.tool_calls[0].function.arguments if message.tool_calls else message.content


@pytest.mark.parametrize(
    "shape",
    [
        {
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "i", "schema": SCHEMA},
            }
        },
        {"response_format": {"type": "json_object", "schema": SCHEMA}},
        {"tools": [{"type": "function", "function": {"name": "i", "parameters": SCHEMA}}]},
        {
            "response_format": {"type": "json_object"},
            "messages": [
                {
                    "role": "system",
                    "content": f"Extract.\n<schema>\n{json.dumps(SCHEMA)}\n</schema>",
                },
                {"role": "user", "content": "<document>\nInvoice 7\n</document>"},
            ],
        },
    ],
    ids=["json_schema", "json_object+schema", "tools", "json_object+prompt"],
)
def test_schema_responder_answers_a_valid_instance(shape):
    kwargs = {"model": MODEL, "messages": MESSAGES, **shape}
    with FakeOpenAI(schema_responder()) as fake:
        reply = client(fake).chat.completions.create(**kwargs)
    message = reply.choices[0].message
    assert (message.tool_calls is not None) == ("tools" in shape)
    invoice = Invoice.model_validate_json(_answer(reply))
    assert invoice.vendor is None and invoice.lines == [] and len(invoice.notes) == 1
    jsonschema.validate(json.loads(_answer(reply)), SCHEMA)


def test_schema_responder_fill_overrides_top_level_values():
    def fill(request: RecordedRequest) -> dict:
        return {"number": request.body["messages"][0]["content"].upper(), "total": 12.5}

    fmt = {"type": "json_schema", "json_schema": {"name": "i", "schema": SCHEMA}}
    with FakeOpenAI(schema_responder(fill)) as fake:
        api = client(fake)
        reply = api.chat.completions.create(model=MODEL, messages=MESSAGES, response_format=fmt)
        plain = api.chat.completions.create(
            model=MODEL, messages=MESSAGES, response_format={"type": "json_object"}
        )
    invoice = Invoice.model_validate_json(reply.choices[0].message.content)
    assert (invoice.number, invoice.total) == ("HI", 12.5)
    assert json.loads(plain.choices[0].message.content) == {"number": "HI", "total": 12.5}


def test_minimal_instance_handles_nullable_refs_and_bounds():
    schema = {
        "type": "object",
        "properties": {
            "a": {"type": ["string", "null"]},
            "b": {"anyOf": [{"$ref": "#/$defs/B"}, {"type": "null"}]},
            "c": {"$ref": "#/$defs/B"},
            "n": {"type": "integer", "exclusiveMinimum": 2},
            "s": {"type": "string", "minLength": 2},
            "e": {"enum": ["x", "y"]},
        },
        "required": ["a", "b", "c", "n", "s", "e", "z"],
        "$defs": {"B": {"type": "object", "properties": {"ok": {"type": "boolean"}}}},
    }
    assert minimal_instance(schema) == {
        "a": None,
        "b": None,
        "c": {"ok": False},
        "n": 3,
        "s": "xx",
        "e": "x",
        "z": None,
    }


def test_rate_limit_raises_with_retry_after_visible():
    with FakeOpenAI() as fake:
        fake.script(Error(429, headers={"Retry-After": "1"}))
        with pytest.raises(openai.RateLimitError) as caught:
            client(fake).chat.completions.create(model=MODEL, messages=MESSAGES)
    exc = caught.value
    assert exc.status_code == 429
    assert exc.response.headers["retry-after"] == "1"
    assert exc.response.json() == {"error": {"origin": "provider", "message": "fake error 429"}}


def test_errors_keep_their_status_and_body():
    with FakeOpenAI() as fake:
        fake.script(
            Error(400, {"error": {"origin": "router", "message": "bad"}}),
            Error(503, "upstream down"),
            Reply("ok"),
        )
        api = client(fake)
        with pytest.raises(openai.BadRequestError) as bad:
            api.chat.completions.create(model=MODEL, messages=MESSAGES)
        with pytest.raises(openai.InternalServerError) as down:
            api.chat.completions.create(model=MODEL, messages=MESSAGES)
        assert (
            api.chat.completions.create(model=MODEL, messages=MESSAGES).choices[0].message.content
            == "ok"
        )
        assert fake.connections == 1  # errors keep the connection alive too
    assert bad.value.response.json()["error"]["message"] == "bad"
    assert down.value.status_code == 503 and down.value.response.text == "upstream down"


def test_hang_times_the_client_out():
    with FakeOpenAI(lambda r: Reply("late")) as fake:
        fake.script(Hang(1.0))
        with pytest.raises(openai.APITimeoutError):
            client(fake, timeout=0.2).chat.completions.create(model=MODEL, messages=MESSAGES)
        assert len(fake.chat_requests()) == 1  # it arrived, and was not answered in time


def test_hang_then_answers_with_the_responder():
    with FakeOpenAI(lambda r: Reply("late")) as fake:
        fake.script(Hang(0.1))
        reply = client(fake).chat.completions.create(model=MODEL, messages=MESSAGES)
    assert reply.choices[0].message.content == "late"


@pytest.mark.parametrize("fault", [Truncated(), Disconnect()], ids=["truncated", "disconnect"])
def test_cut_connections_raise_connection_errors(fault):
    with FakeOpenAI(lambda r: Reply("ok")) as fake:
        fake.script(fault)
        api = client(fake)
        with pytest.raises(openai.APIConnectionError) as caught:
            api.chat.completions.create(model=MODEL, messages=MESSAGES)
        # a connection error, not a timeout (APITimeoutError subclasses APIConnectionError)
        assert type(caught.value) is openai.APIConnectionError
        # httpx2.RemoteProtocolError: "peer closed connection without sending complete message
        # body" (truncated) or "Server disconnected without sending a response." (disconnect)
        assert type(caught.value.__cause__).__name__ == "RemoteProtocolError"
        # the client recovers on a fresh connection
        assert (
            api.chat.completions.create(model=MODEL, messages=MESSAGES).choices[0].message.content
            == "ok"
        )
    assert len(fake.chat_requests()) == 2


def test_models_are_listed():
    with FakeOpenAI() as fake:
        (model,) = client(fake).models.list().data
    assert model.id == MODEL and model.owned_by == "mistral"
    assert model.model_extra["supports_json_schema"] is True
    assert model.model_extra["context_window"] == 32768
    custom = [{"id": "a/b", "object": "model", "owned_by": "a", "created": 0}]
    with FakeOpenAI(models=custom) as fake:
        assert [m.id for m in client(fake).models.list()] == ["a/b"]


def test_unknown_paths_are_404():
    with FakeOpenAI() as fake:
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(fake.base_url + "/embeddings", data=b"{}", timeout=5)
        assert caught.value.code == 404
        assert "error" in json.loads(caught.value.read())
        with pytest.raises(openai.NotFoundError):
            client(fake).embeddings.create(model=MODEL, input="x")
        assert fake.chat_requests() == []


def test_fifty_concurrent_requests_all_succeed():
    """Served concurrently: no reply is sent until all fifty requests are inside the server
    (a server taking one at a time would break the barrier, and the requests would fail)."""
    everyone = threading.Barrier(50, timeout=60)

    def together(request):
        everyone.wait()
        return Reply(request.body["messages"][0]["content"])

    with FakeOpenAI(together) as fake:
        api = client(fake)

        def ask(i: int) -> str:
            messages = [{"role": "user", "content": str(i)}]
            return (
                api.chat.completions.create(model=MODEL, messages=messages)
                .choices[0]
                .message.content
            )

        with ThreadPoolExecutor(max_workers=50) as pool:
            answers = list(pool.map(ask, range(50)))
    assert answers == [str(i) for i in range(50)]
    assert len(fake.chat_requests()) == 50
    assert not everyone.broken


def test_faulty_is_deterministic_and_injects_each_kind():
    def kinds(seed: int, **rates) -> list[str]:
        respond = faulty(lambda r: Reply("{}"), seed=seed, **rates)
        out = []
        for _ in range(200):
            reply = respond(None)
            if isinstance(reply, Reply):
                out.append("length" if reply.finish_reason == "length" else reply.content)
            else:
                out.append(type(reply).__name__ + str(getattr(reply, "status", "")))
        return out

    rates = {
        "rate_429": 0.2,
        "rate_500": 0.1,
        "rate_hang": 0.05,
        "rate_truncated": 0.05,
        "rate_invalid_json": 0.05,
        "rate_length": 0.05,
    }
    first = kinds(1, **rates)
    assert first == kinds(1, **rates)
    assert first != kinds(2, **rates)
    assert set(first) == {"Error429", "Error500", "Hang", "Truncated", '{"total": ', "length", "{}"}
    assert set(kinds(0)) == {"Error429", "{}"}  # only 429s by default
    bursts = "".join(
        "5" if k == "Error500" else "." for k in kinds(3, rate_429=0, rate_500=0.05, burst_500=3)
    )
    assert "555" in bursts and all(len(run) % 3 == 0 for run in bursts.split(".") if run)

    respond = faulty(lambda r: Reply("{}"), rate_429=1.0, retry_after_ms=1500)
    error = respond(None)
    assert error.status == 429 and error.headers["Retry-After"] == "2"
    assert error.headers["retry-after-ms"] == "1500"


def test_faulty_429_is_honoured_by_the_sdk_retry():
    with FakeOpenAI(faulty(lambda r: Reply("ok"), rate_429=0.5, seed=0)) as fake:
        api = openai.OpenAI(base_url=fake.base_url, api_key="x", max_retries=10)
        for _ in range(5):
            assert (
                api.chat.completions.create(model=MODEL, messages=MESSAGES)
                .choices[0]
                .message.content
                == "ok"
            )
        assert len(fake.chat_requests()) > 5
