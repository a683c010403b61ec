"""A real HTTP fake of an OpenAI-compatible endpoint, for tests and benchmarks.

It listens on 127.0.0.1, answers `GET /v1/models` and `POST /v1/chat/completions`,
records every request, and replies from a script (a queue) or a responder
function, so the real `openai` client is exercised end to end, sockets included.
Faults (429 with Retry-After, 5xx, hangs, cut connections) are replies like
any other.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

DEFAULT_MODELS = [
    {
        "id": "mistral/mistral-small-2503",
        "object": "model",
        "owned_by": "mistral",
        "supports_json_schema": True,
        "context_window": 32768,
    }
]


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: Any
    raw: bytes
    time: float


@dataclass
class Reply:
    """A 200 chat completion; `tool_arguments` answers as a tool call."""

    content: str | None = None
    tool_arguments: str | None = None
    finish_reason: str = "stop"
    prompt_tokens: int | None = None
    completion_tokens: int = 7
    model: str | None = None
    delay: float = 0.0


@dataclass
class Error:
    """An HTTP error in Requesty's shape."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Hang:
    """Wait this long, then answer with the responder (past a client timeout)."""

    seconds: float


@dataclass
class Disconnect:
    """Close the connection without answering."""


@dataclass
class Truncated:
    """Promise a longer body than is sent, then close."""


Responder = Callable[[RecordedRequest], Any]


def request_schema(body: dict[str, Any]) -> tuple[dict[str, Any] | None, bool]:
    """The JSON schema a chat request asks for, and whether it wants a tool call."""
    fmt = body.get("response_format") or {}
    if fmt.get("type") == "json_schema":
        return fmt["json_schema"]["schema"], False
    if body.get("tools"):
        return body["tools"][0]["function"]["parameters"], True
    if fmt.get("schema"):
        return fmt["schema"], False
    for message in body.get("messages", []):
        content = message.get("content") or ""
        if isinstance(content, str) and "<schema>" in content:
            text = content.split("<schema>", 1)[1].split("</schema>", 1)[0]
            return json.loads(text), False
    return None, False


def minimal_instance(schema: dict[str, Any]) -> Any:
    """The smallest value valid against a strict schema (nulls, empty lists)."""
    options = schema.get("anyOf")
    if options:
        if any(o.get("type") == "null" for o in options):
            return None
        return minimal_instance(options[0])
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if isinstance(kind, list):
        if "null" in kind:
            return None
        kind = kind[0]
    if kind == "object":
        return {k: minimal_instance(v) for k, v in schema.get("properties", {}).items()}
    return {"array": [], "string": "", "number": 0, "integer": 0, "boolean": False}.get(kind)


def document_text(request: RecordedRequest) -> str:
    """The text between <document> tags in the request's last user message."""
    for message in reversed(request.body.get("messages", [])):
        content = message.get("content") or ""
        if message.get("role") == "user" and "<document>" in content:
            inner = content.split("<document>", 1)[1].rsplit("</document>", 1)[0]
            return inner.removeprefix("\n").removesuffix("\n")
    return ""


def schema_responder(fill: Callable[[RecordedRequest], dict[str, Any]] | None = None) -> Responder:
    """Answer every request with a valid instance of its schema; `fill` overrides fields."""

    def respond(request: RecordedRequest) -> Reply:
        schema, as_tool = request_schema(request.body)
        data = minimal_instance(schema) if schema else {}
        if fill is not None:
            data.update(fill(request))
        text = json.dumps(data)
        return Reply(tool_arguments=text) if as_tool else Reply(content=text)

    return respond


def faulty(
    responder: Responder,
    *,
    rate_429: float = 0.3,
    rate_500: float = 0.0,
    rate_hang: float = 0.0,
    hang_seconds: float = 2.0,
    rate_truncated: float = 0.0,
    rate_invalid_json: float = 0.0,
    rate_length: float = 0.0,
    retry_after_ms: int = 10,
    seed: int = 0,
) -> Responder:
    """Wrap a responder with faults drawn from a seeded generator."""
    rng = random.Random(seed)
    lock = threading.Lock()

    def respond(request: RecordedRequest) -> Any:
        with lock:
            roll = rng.random()
        edges = [
            (rate_429, lambda: Error(429, headers={"retry-after-ms": str(retry_after_ms)})),
            (rate_500, lambda: Error(500)),
            (rate_hang, lambda: Hang(hang_seconds)),
            (rate_truncated, lambda: Truncated()),
            (rate_invalid_json, lambda: Reply(content='{"total": ')),
            (rate_length, lambda: Reply(content='{"inv', finish_reason="length")),
        ]
        for rate, make in edges:
            if roll < rate:
                return make()
            roll -= rate
        return responder(request)

    return respond


class FakeOpenAI:
    """`with FakeOpenAI(responder) as fake: OpenAI(base_url=fake.base_url, ...)`."""

    def __init__(
        self,
        responder: Responder | None = None,
        *,
        models: list[dict[str, Any]] | None = None,
        latency: float = 0.0,
    ) -> None:
        self.responder = responder or schema_responder()
        self.models = DEFAULT_MODELS if models is None else models
        self.latency = latency
        self.requests: list[RecordedRequest] = []
        self._script: deque[Any] = deque()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start the server with `with FakeOpenAI() as fake:`"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def script(self, *replies: Any) -> None:
        """Queue replies used, one per chat request, before the responder."""
        with self._lock:
            self._script.extend(replies)

    def chat_requests(self) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if r.path.endswith("/chat/completions")]

    def __enter__(self) -> FakeOpenAI:
        fake = self

        class Handler(_Handler):
            owner = fake

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        server.request_queue_size = 512
        self._server = server
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def _next_reply(self, request: RecordedRequest) -> Any:
        with self._lock:
            if self._script:
                return self._script.popleft()
        return self.responder(request)


class _Handler(BaseHTTPRequestHandler):
    owner: FakeOpenAI
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:
        self._record(b"")
        if self.path.rstrip("/").endswith("/models"):
            self._json(200, {"object": "list", "data": self.owner.models})
        else:
            self._json(404, {"error": {"origin": "router", "message": "not found"}})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        request = self._record(raw)
        if not self.path.rstrip("/").endswith("/chat/completions"):
            self._json(404, {"error": {"origin": "router", "message": "not found"}})
            return
        reply = self.owner._next_reply(request)
        if self.owner.latency:
            time.sleep(self.owner.latency)
        if isinstance(reply, Hang):
            time.sleep(reply.seconds)
            reply = self.owner.responder(request)
        if isinstance(reply, Disconnect):
            self.close_connection = True
            self.connection.shutdown(2)
            return
        if isinstance(reply, Truncated):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b'{"id": "chatcmpl-cut", "choices": [')
            self.close_connection = True
            return
        if isinstance(reply, Error):
            time.sleep(reply.delay)
            body = reply.body
            if body is None:
                origin = "provider" if reply.status in (429, 500, 502) else "router"
                body = {"error": {"origin": origin, "message": f"fake error {reply.status}"}}
            self._json(reply.status, body, reply.headers)
            return
        time.sleep(reply.delay)
        self._json(200, _completion(request, reply))

    def _record(self, raw: bytes) -> RecordedRequest:
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        request = RecordedRequest(
            method=self.command,
            path=self.path,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            raw=raw,
            time=time.monotonic(),
        )
        with self.owner._lock:
            self.owner.requests.append(request)
        return request

    def _json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)


def _completion(request: RecordedRequest, reply: Reply) -> dict[str, Any]:
    body = request.body or {}
    message: dict[str, Any] = {"role": "assistant", "content": reply.content}
    if reply.tool_arguments is not None:
        name = (body.get("tools") or [{}])[0].get("function", {}).get("name", "extract")
        message = {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call0",
                    "type": "function",
                    "function": {"name": name, "arguments": reply.tool_arguments},
                }
            ],
        }
    prompt = reply.prompt_tokens if reply.prompt_tokens is not None else len(request.raw) // 4
    return {
        "id": f"chatcmpl-{len(request.raw)}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": reply.model or body.get("model", "unknown"),
        "choices": [{"index": 0, "message": message, "finish_reason": reply.finish_reason}],
        "usage": {
            "prompt_tokens": prompt,
            "completion_tokens": reply.completion_tokens,
            "total_tokens": prompt + reply.completion_tokens,
        },
    }


def main() -> None:
    """`python -m tests.fake_server --latency 0.5`: serve until killed; print the base URL."""
    import argparse
    import contextlib
    import sys

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to each reply")
    args = parser.parse_args()
    with FakeOpenAI(latency=args.latency) as fake:
        print(fake.base_url, flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            sys.stdin.read()  # run until the parent closes our stdin


if __name__ == "__main__":
    main()
