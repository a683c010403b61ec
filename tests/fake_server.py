"""A real HTTP fake of an OpenAI-compatible endpoint, for tests and benchmarks.

It listens on 127.0.0.1 (an ephemeral port), answers `GET /v1/models`,
`POST /v1/chat/completions` and, when given `props`, llama.cpp's `GET /props`,
records every request, and replies from a script (a queue) or a responder
function, so the real `openai` client is exercised end to end, sockets,
keep-alive and connection pool included. Faults (429 with Retry-After, 5xx,
hangs, truncated bodies, dropped connections) are replies like any other:

    with FakeOpenAI(schema_responder()) as fake:
        fake.script(Error(429, headers={"Retry-After": "1"}), Reply(content="{}"))
        client = openai.OpenAI(base_url=fake.base_url, api_key="x", max_retries=0)

Standard library only.
"""

from __future__ import annotations

import base64
import contextlib
import json
import math
import random
import re
import socket
import struct
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

DEFAULT_MODELS: list[dict[str, Any]] = [
    {
        "id": "mistral/mistral-small-2503",
        "object": "model",
        "owned_by": "mistral",
        "supports_json_schema": True,
        "context_window": 32768,
    }
]

CHAT_PATH = "/v1/chat/completions"
MODELS_PATH = "/v1/models"
PROPS_PATH = "/props"
STATS_PATH = "/_fake/stats"


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]  # lower-cased keys
    body: Any  # parsed JSON, or None when empty or not JSON
    raw: bytes
    time: float  # time.monotonic() on arrival


@dataclass
class Reply:
    """A 200 chat completion; `tool_arguments` answers as a tool call (content null)."""

    content: str | None = None
    _: KW_ONLY
    tool_arguments: str | None = None
    finish_reason: str = "stop"
    prompt_tokens: int | None = None  # default: len(raw request body) // 4
    completion_tokens: int = 7
    model: str | None = None  # default: the request's model
    delay: float = 0.0
    # log-probability of each content token, sent when the request asks for logprobs:
    # a number for every token, or a function of the token's text
    logprob: float | Callable[[str], float] = -0.01
    usage: bool = True  # False: a body without `usage`, as some servers send


@dataclass
class Error:
    """An HTTP error; the default body is Requesty's `{"error": {"origin", "message"}}`."""

    status: int
    body: dict[str, Any] | str | None = None
    _: KW_ONLY
    headers: dict[str, str] | None = None
    delay: float = 0.0


@dataclass
class Hang:
    """Wait this long, then answer 200 with the responder's reply (past a client timeout)."""

    seconds: float


@dataclass
class Truncated:
    """Send headers promising a longer body than is written, then close the connection."""


@dataclass
class Disconnect:
    """Close the connection without any response."""


Responder = Callable[[RecordedRequest], Any]


# --- schemas ---------------------------------------------------------------------------


def _text_of(content: Any) -> str:
    """A message's text, whether a string or a list of content parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return ""


def request_schema(body: dict[str, Any] | None) -> tuple[dict[str, Any] | None, bool]:
    """The JSON schema a chat request asks for, and whether it wants a tool call.

    Looked for in `response_format.json_schema.schema`, `response_format.schema`,
    `tools[0].function.parameters`, then between `<schema>` and `</schema>` in a
    system message. `(None, False)` when there is none.
    """
    body = body or {}
    fmt = body.get("response_format") or {}
    if fmt.get("type") == "json_schema":
        return (fmt.get("json_schema") or {}).get("schema"), False
    if isinstance(fmt.get("schema"), dict):
        return fmt["schema"], False
    tools = body.get("tools") or []
    if tools:
        return (tools[0].get("function") or {}).get("parameters"), True
    for message in body.get("messages") or []:
        if message.get("role") != "system":
            continue
        text = _text_of(message.get("content"))
        if "<schema>" in text and "</schema>" in text:
            inner = text.split("<schema>", 1)[1].split("</schema>", 1)[0]
            with contextlib.suppress(ValueError):
                return json.loads(inner), False
    return None, False


def _resolve_ref(root: dict[str, Any], ref: str) -> dict[str, Any]:
    if not ref.startswith("#"):
        return {}
    node: Any = root
    for part in ref.lstrip("#").strip("/").split("/"):
        if not part:
            continue
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


_STRING_FORMATS = {
    "date": "1970-01-01",
    "date-time": "1970-01-01T00:00:00Z",
    "time": "00:00:00",
    "email": "a@example.com",
    "uri": "http://example.com",
    "uuid": "00000000-0000-0000-0000-000000000000",
}


def minimal_instance(
    schema: dict[str, Any], root: dict[str, Any] | None = None, depth: int = 0
) -> Any:
    """A small value valid against `schema`: null where nullable, "" / 0 / false / [], objects
    recursively. Follows `$ref`, `allOf`, `anyOf`/`oneOf`, `enum`, `const`, and the common
    bounds (minimum, minLength, minItems) and string formats (date, date-time, ...)."""
    root = schema if root is None else root
    if depth > 64 or not isinstance(schema, dict):
        return None
    if "$ref" in schema:
        target = _resolve_ref(root, schema["$ref"])
        rest = {k: v for k, v in schema.items() if k != "$ref"}
        return minimal_instance({**target, **rest}, root, depth + 1)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return None if None in schema["enum"] else schema["enum"][0]
    options = schema.get("anyOf") or schema.get("oneOf")
    if options:
        if any(isinstance(o, dict) and o.get("type") == "null" for o in options):
            return None
        return minimal_instance(options[0], root, depth + 1)
    if schema.get("allOf"):
        merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
        for part in schema["allOf"]:
            if isinstance(part, dict) and "$ref" in part:
                part = _resolve_ref(root, part["$ref"])
            for key, value in part.items():
                if isinstance(value, dict) and isinstance(merged.get(key), dict):
                    merged[key] = {**merged[key], **value}
                else:
                    merged.setdefault(key, value)
        return minimal_instance(merged, root, depth + 1)
    kind = schema.get("type")
    if isinstance(kind, list):
        if "null" in kind:
            return None
        kind = kind[0] if kind else None
    if kind is None:
        kind = "object" if "properties" in schema else "array" if "items" in schema else None
    if kind == "object":
        props = schema.get("properties") or {}
        value = {k: minimal_instance(v, root, depth + 1) for k, v in props.items()}
        for name in schema.get("required") or []:
            value.setdefault(name, None)
        return value
    if kind == "array":
        count = int(schema.get("minItems") or 0)
        prefix = schema.get("prefixItems") or []
        items = [minimal_instance(p, root, depth + 1) for p in prefix[:count]]
        while len(items) < count:
            items.append(minimal_instance(schema.get("items") or {}, root, depth + 1))
        return items
    if kind == "string":
        if schema.get("format") in _STRING_FORMATS:
            return _STRING_FORMATS[schema["format"]]
        return "x" * int(schema.get("minLength") or 0)
    if kind in ("number", "integer"):
        return _minimal_number(schema, integer=kind == "integer")
    if kind == "boolean":
        return False
    return None


def _minimal_number(schema: dict[str, Any], *, integer: bool) -> int | float:
    value: float = 0
    low, high = schema.get("minimum"), schema.get("maximum")
    ex_low, ex_high = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
    if isinstance(low, int | float) and value < low:
        value = low
    if isinstance(ex_low, int | float) and value <= ex_low:
        value = math.floor(ex_low) + 1 if integer else ex_low + 1
    if isinstance(high, int | float) and value > high:
        value = high
    if isinstance(ex_high, int | float) and value >= ex_high:
        value = math.ceil(ex_high) - 1 if integer else ex_high - 1
    if integer:
        return math.ceil(value)
    return int(value) if float(value).is_integer() else value


@dataclass(frozen=True)
class ImagePart:
    """An `image_url` content part of a request, decoded far enough to check it."""

    mime: str
    width: int
    height: int
    n_bytes: int  # the data URL's length, as sent
    data: bytes


def image_parts(request: RecordedRequest) -> list[ImagePart]:
    """Every image part in the request's messages, in order (data URLs only)."""
    found = []
    for message in (request.body or {}).get("messages", []):
        content = message.get("content")
        if not isinstance(content, list):
            continue
        for part in content:
            if not isinstance(part, dict) or part.get("type") != "image_url":
                continue
            url = part.get("image_url")
            url = url.get("url", "") if isinstance(url, dict) else str(url)
            header, _, payload = url.partition(",")
            data = base64.b64decode(payload)
            width, height = image_size(data)
            mime = header.removeprefix("data:").split(";")[0]
            found.append(ImagePart(mime, width, height, len(url), data))
    return found


def image_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG or JPEG from its header (standard library only)."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return struct.unpack(">II", data[16:24])
    if data.startswith(b"\xff\xd8"):
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                i += 1
                continue
            marker, length = data[i + 1], struct.unpack(">H", data[i + 2 : i + 4])[0]
            if marker in (
                0xC0,
                0xC1,
                0xC2,
                0xC3,
                0xC5,
                0xC6,
                0xC7,
                0xC9,
                0xCA,
                0xCB,
                0xCD,
                0xCE,
                0xCF,
            ):
                height, width = struct.unpack(">HH", data[i + 5 : i + 9])
                return width, height
            i += 2 + length
    raise ValueError("not a PNG or JPEG image")


def mistral_image_tokens(width: int, height: int) -> int:
    """Mistral Small 3.1's image tokens: (columns + 1) x rows of 28-px tiles after scaling the
    long side to 1540 px (the formula from Mistral's tokenizer, without mistral-common)."""
    ratio = max(width, height) / 1540
    if ratio > 1:
        width, height = max(round(width / ratio), 1), max(round(height / ratio), 1)
    return ((width - 1) // 28 + 2) * ((height - 1) // 28 + 1)


def refusing_images(
    responder: Responder, message: str = "Image input is not supported for this model"
) -> Responder:
    """Answer 400 (as a text-only model behind Requesty does) to any request with an image part."""

    def respond(request: RecordedRequest) -> Any:
        if image_parts(request):
            return Error(400, {"error": {"origin": "provider", "message": message}})
        return responder(request)

    return respond


def document_text(request: RecordedRequest) -> str:
    """The text between <document> tags in the request's last user message."""
    for message in reversed((request.body or {}).get("messages", [])):
        content = _text_of(message.get("content"))
        if message.get("role") == "user" and "<document>" in content:
            inner = content.split("<document>", 1)[1].rsplit("</document>", 1)[0]
            return inner.removeprefix("\n").removesuffix("\n")
    return ""


# --- responders ------------------------------------------------------------------------


def schema_responder(
    fill: Callable[[RecordedRequest], dict[str, Any]] | None = None,
    *,
    logprob: float | Callable[[str], float] = -0.01,
) -> Responder:
    """Answer every request with a minimal valid instance of the schema it carries (as tool
    arguments in tools mode, else as content; `{}` when it carries none). `fill(request)`
    returns top-level keys that override the minimal values; `logprob` scores the tokens
    when the request asks for log-probabilities."""

    def respond(request: RecordedRequest) -> Reply:
        schema, as_tool = request_schema(request.body)
        data = minimal_instance(schema) if schema else {}
        if fill is not None and isinstance(data, dict):
            data.update(fill(request))
        text = json.dumps(data)
        return Reply(tool_arguments=text) if as_tool else Reply(content=text, logprob=logprob)

    return respond


def faulty(
    responder: Responder,
    *,
    rate_429: float = 0.3,
    rate_500: float = 0.0,
    rate_hang: float = 0.0,
    rate_truncated: float = 0.0,
    rate_invalid_json: float = 0.0,
    rate_length: float = 0.0,
    burst_500: int = 1,
    hang_seconds: float = 2.0,
    retry_after_ms: int = 10,
    seed: int = 0,
) -> Responder:
    """Wrap a responder with faults drawn from `random.Random(seed)` (one draw per request,
    under a lock, so the sequence of faults is deterministic in arrival order).

    - 429: `retry-after-ms: <retry_after_ms>` plus the standard `Retry-After` in whole
      seconds (clients that know the former, like the openai SDK, prefer it);
    - 500: the drawn 500 and the next `burst_500 - 1` requests are 500s;
    - hang: `Hang(hang_seconds)`, then the wrapped responder's reply;
    - truncated: `Truncated()`;
    - invalid_json: content `'{"total": '`;
    - length: a cut-off answer with `finish_reason="length"`.
    """
    rng = random.Random(seed)
    lock = threading.Lock()
    burst_left = 0
    retry_after_s = str(max(1, math.ceil(retry_after_ms / 1000)))

    def respond(request: RecordedRequest) -> Any:
        nonlocal burst_left
        with lock:
            if burst_left > 0:
                burst_left -= 1
                return Error(500)
            roll = rng.random()
            if rate_429 <= roll < rate_429 + rate_500:
                burst_left = max(0, burst_500 - 1)
        edges = [
            (
                rate_429,
                lambda: Error(
                    429,
                    headers={"Retry-After": retry_after_s, "retry-after-ms": str(retry_after_ms)},
                ),
            ),
            (rate_500, lambda: Error(500)),
            (rate_hang, lambda: Hang(hang_seconds)),
            (rate_truncated, Truncated),
            (rate_invalid_json, lambda: Reply(content='{"total": ')),
            (rate_length, lambda: Reply(content='{"inv', finish_reason="length")),
        ]
        for rate, make in edges:
            if roll < rate:
                return make()
            roll -= rate
        return responder(request)

    return respond


# --- the server ------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # read by server_activate(): must be a class attribute
    allow_reuse_address = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Quiet about clients that went away (timeouts, pools closing); loud otherwise."""
        exc = sys.exc_info()[1]
        if isinstance(exc, OSError | TimeoutError):
            return
        super().handle_error(request, client_address)


class FakeOpenAI:
    """`with FakeOpenAI(responder) as fake: OpenAI(base_url=fake.base_url, ...)`.

    Replies come from the `script()` queue first, then from `responder(request)`
    (default: `schema_responder()`). `latency` seconds are added to every chat reply.
    `connections` counts accepted TCP connections (keep-alive reuses them);
    `max_in_flight` is the most chat requests it was answering at once (also at
    `GET /_fake/stats`, for a server in another process).
    """

    def __init__(
        self,
        responder: Responder | None = None,
        *,
        models: list[dict[str, Any]] | None = None,
        latency: float = 0.0,
        props: dict[str, Any] | None = None,
    ) -> None:
        self.responder = responder or schema_responder()
        self.models = DEFAULT_MODELS if models is None else models
        self.props = props  # served at GET /props (llama.cpp's server settings) when given
        self.latency = latency
        self.requests: list[RecordedRequest] = []
        self.connections = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self._script: deque[Any] = deque()
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start the server with `with FakeOpenAI() as fake:`"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def script(self, *replies: Any) -> None:
        """Queue replies used, one per chat request, before falling back to the responder."""
        with self._lock:
            self._script.extend(replies)

    def chat_requests(self) -> list[RecordedRequest]:
        """The recorded `POST /v1/chat/completions` requests, in arrival order."""
        with self._lock:
            return [r for r in self.requests if r.method == "POST" and r.path == CHAT_PATH]

    def __enter__(self) -> FakeOpenAI:
        fake = self

        class Handler(_Handler):
            owner = fake

        self._server = _Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        with self._lock:  # end idle keep-alive connections so their threads exit
            sockets, self._sockets = list(self._sockets), set()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def _next_reply(self, request: RecordedRequest) -> Any:
        with self._lock:
            if self._script:
                return self._script.popleft()
        return self.responder(request)


class _Handler(BaseHTTPRequestHandler):
    owner: FakeOpenAI
    protocol_version = "HTTP/1.1"  # keep-alive; every reply carries a Content-Length

    def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
        pass

    def setup(self) -> None:
        super().setup()
        with self.owner._lock:
            self.owner.connections += 1
            self.owner._sockets.add(self.connection)

    def finish(self) -> None:
        with self.owner._lock:
            self.owner._sockets.discard(self.connection)
        with contextlib.suppress(OSError):
            super().finish()

    def _route(self) -> str:
        return self.path.split("?", 1)[0].rstrip("/")

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _not_found(self) -> None:
        message = f"no route for {self.command} {self.path}"
        self._json(404, {"error": {"origin": "router", "message": message}})

    def do_GET(self) -> None:
        self._record(self._read_body())
        if self._route() == MODELS_PATH:
            self._json(200, {"object": "list", "data": self.owner.models})
        elif self._route() == PROPS_PATH and self.owner.props is not None:
            self._json(200, self.owner.props)
        elif self._route() == STATS_PATH:
            owner = self.owner
            chats = len(owner.chat_requests())
            self._json(200, {"chat_requests": chats, "max_in_flight": owner.max_in_flight})
        else:
            self._not_found()

    def do_POST(self) -> None:
        request = self._record(self._read_body())
        if self._route() != CHAT_PATH:
            self._not_found()
            return
        owner = self.owner
        with owner._lock:
            owner.in_flight += 1
            owner.max_in_flight = max(owner.max_in_flight, owner.in_flight)
        try:
            self._reply_to(request)
        finally:
            with owner._lock:
                owner.in_flight -= 1

    def _reply_to(self, request: RecordedRequest) -> None:
        try:
            reply = self.owner._next_reply(request)
            if self.owner.latency:
                time.sleep(self.owner.latency)
            for _ in range(16):  # a Hang answers with the responder's reply
                if not isinstance(reply, Hang):
                    break
                time.sleep(reply.seconds)
                reply = self.owner.responder(request)
        except Exception:
            message = "fake server responder failed:\n" + traceback.format_exc()
            self._json(500, {"error": {"origin": "fake_server", "message": message}})
            return
        self._answer(request, reply)

    def do_PUT(self) -> None:
        self._record(self._read_body())
        self._not_found()

    do_PATCH = do_DELETE = do_PUT

    def _answer(self, request: RecordedRequest, reply: Any) -> None:
        if isinstance(reply, Disconnect):
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        if isinstance(reply, Truncated):
            partial = b'{"id": "chatcmpl-cut", "object": "chat.completion", "choices": ['
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(partial) + 1000))
            self.end_headers()
            self.wfile.write(partial)
            self.wfile.flush()
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        if isinstance(reply, Error):
            time.sleep(reply.delay)
            body = reply.body
            if body is None:
                message = f"fake error {reply.status}"
                body = {"error": {"origin": "provider", "message": message}}
            self._json(reply.status, body, reply.headers)
            return
        if isinstance(reply, Reply):
            time.sleep(reply.delay)
            self._json(200, _completion(request, reply))
            return
        message = f"responder returned {reply!r}, not a Reply, Error, Hang, Truncated or Disconnect"
        self._json(500, {"error": {"origin": "fake_server", "message": message}})

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


_ids = iter(range(1, 1 << 62))
_ids_lock = threading.Lock()


def _completion(request: RecordedRequest, reply: Reply) -> dict[str, Any]:
    body = request.body if isinstance(request.body, dict) else {}
    message: dict[str, Any] = {"role": "assistant", "content": reply.content}
    if reply.tool_arguments is not None:
        tools = body.get("tools") or [{}]
        name = (tools[0].get("function") or {}).get("name") or "extract"
        with _ids_lock:
            call_id = f"call_{next(_ids)}"
        message = {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": call_id,
                    "type": "function",
                    "function": {"name": name, "arguments": reply.tool_arguments},
                }
            ],
        }
    if reply.prompt_tokens is not None:
        prompt = reply.prompt_tokens
    else:  # text at about 4 bytes a token; images as Mistral counts them
        images = image_parts(request)
        text_bytes = len(request.raw) - sum(i.n_bytes for i in images)
        prompt = text_bytes // 4 + sum(mistral_image_tokens(i.width, i.height) for i in images)
    with _ids_lock:
        completion_id = f"chatcmpl-fake{next(_ids)}"
    completion = {
        "id": completion_id,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": reply.model or body.get("model") or "unknown",
        "choices": [
            {
                "index": 0,
                "message": message,
                "finish_reason": reply.finish_reason,
                "logprobs": _logprobs(reply) if body.get("logprobs") else None,
            }
        ],
        "usage": {
            "prompt_tokens": prompt,
            "completion_tokens": reply.completion_tokens,
            "total_tokens": prompt + reply.completion_tokens,
        },
    }
    if not reply.usage:
        del completion["usage"]
    return completion


def _logprobs(reply: Reply) -> dict[str, Any] | None:
    """OpenAI's `logprobs` of a reply's content: words, spaces and signs as tokens."""
    if reply.content is None:
        return None
    tokens = re.findall(r"\w+|\s+|[^\w\s]", reply.content)
    score = reply.logprob if callable(reply.logprob) else (lambda _token: reply.logprob)
    return {
        "content": [
            {"token": t, "logprob": score(t), "bytes": list(t.encode()), "top_logprobs": []}
            for t in tokens
        ]
    }


def main() -> None:
    """`python -m tests.fake_server --latency 0.5`: serve until killed; print the base URL."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to each reply")
    parser.add_argument(
        "--responder", metavar="MODULE:FUNCTION", help="answer with this responder (a benchmark's)"
    )
    args = parser.parse_args()
    responder = None
    if args.responder:
        import importlib

        # run as __main__: the responder's `tests.fake_server` must be this very module,
        # or its Reply is another class than the one the server checks for
        sys.modules.setdefault("tests.fake_server", sys.modules[__name__])
        module, _, name = args.responder.partition(":")
        responder = getattr(importlib.import_module(module), name)
    with FakeOpenAI(responder, latency=args.latency) as fake:
        print(fake.base_url, flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            sys.stdin.read()  # run until the parent closes our stdin


if __name__ == "__main__":
    main()
