"""The embedded model: llama.cpp in-process (llama-cpp-python), grammar-constrained JSON.

The GGUF is `config.local_model` (a path or a bundled model's name), else the
bundled Qwen2.5-Coder-1.5B assembled by `extract.llm.weights.fetch.ensure_model()`. Every
answer is sampled under a GBNF grammar converted from the request's strict schema, so it always parses and has
exactly the schema's keys and types (descriptions only reach the model through
the field guide of the system prompt; the raw schema is not put in the prompt).

The grammar is built with llama.cpp's converter (`extract.llm.backends.gbnf`),
not by passing `response_format={"type": "json_object", "schema": ...}`: on a
schema its converter cannot handle, llama-cpp-python's chat handler silently
falls back to a generic-JSON grammar, which would let unconstrained answers
through. Here such a schema is an error instead. Lists a schema expects to be
short are capped, and lists of flat objects are answered as tuples (`wire`, see
`extract.llm.wire`): fewer tokens to generate.

Speed: the fixed start of every prompt (system prompt, field guide, worked
examples) comes before the document, so llama-cpp-python's prefix match keeps
it in the KV cache from one request of a schema to the next and evaluates only
the rest. Threads default to the physical cores (`physical_cores`).

Weights are loaded without llama.cpp's "extra buffer types" (`use_extra_bufts`
off): on CPUs with AMX (Intel Sapphire Rapids and later) the weights would be
repacked into an AMX buffer, and llama.cpp's AMX matmul segfaults on the first
decode with this Q4_K_M model (ggml-org/llama.cpp#20824; reproduced here with
llama-cpp-python 0.3.36 built natively). A segfault would kill the whole run,
so the plain CPU kernels are used; building llama-cpp-python with
`CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON"`
avoids the AMX code altogether.

llama.cpp contexts are not thread-safe: one lock serializes the calls of one
backend (the pipeline may call from several threads; on a CPU they would only
compete for the same cores anyway).
"""

from __future__ import annotations

import codecs
import hashlib
import json
import math
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from extract.config import Config
from extract.errors import ConfigError, ContextLengthError, ProviderError
from extract.llm.backends.base import Answer, StructuredRequest, Timings
from extract.llm.backends.gbnf import GRAMMAR_VERSION, capped, schema_gbnf
from extract.llm.backends.grammar_first import GrammarFirstLlama
from extract.llm.wire import Wire, tuple_wire

try:
    import llama_cpp
    from llama_cpp.llama_grammar import LlamaGrammar
except ImportError:  # pragma: no cover - depends on the optional extra
    llama_cpp = None  # type: ignore[assignment]

PROVIDER = "local"
_loading = threading.Lock()  # model params are patched while a model loads


class LocalBackend:
    """A GGUF model run by llama.cpp on this machine."""

    name = "local"
    mode = "grammar"

    def __init__(self, config: Config, *, llm: Any = None) -> None:
        if llama_cpp is None:
            raise ConfigError(
                "the local backend needs llama-cpp-python: pip install 'llama-cpp-python==0.3.36'"
                " (or use a hosted model: set REQUESTY_API_KEY)"
            )
        if config.local_model is not None and not config.local_model_is_bundled:
            path = Path(config.local_model)
        else:
            from extract.llm.weights.catalogue import DEFAULT_MODEL, spec_named
            from extract.llm.weights.fetch import ensure_model

            spec = spec_named(config.local_model) if config.local_model else DEFAULT_MODEL
            path = ensure_model(spec=spec)
        self.model = path.stem
        self.cache_identity = f"{weights_identity(path) or path.stem}; grammar {GRAMMAR_VERSION}"
        self.context_window = config.context_window
        self._lock = threading.Lock()
        self._grammars: dict[str, LlamaGrammar] = {}
        self._logprobs = config.logprobs != "off"
        if llm is not None:  # tests may pass an already loaded model
            self._llm = llm
            return
        threads = config.local_threads or physical_cores()
        if not config.quiet:
            size = path.stat().st_size / 1e9
            print(
                f"extract: loading {path.name} ({size:.2f} GB) into llama.cpp, {threads} threads...",
                file=sys.stderr,
            )
        try:
            with _without_extra_buffers():
                self._llm = GrammarFirstLlama(
                    model_path=str(path),
                    n_ctx=config.context_window,
                    n_threads=threads,
                    n_threads_batch=threads,
                    verbose=False,
                )
        except (ValueError, RuntimeError, OSError) as exc:
            raise ConfigError(f"cannot load the local model {path}: {exc}") from exc

    def count_tokens(self, text: str) -> int:
        # Tokenizing reads only the vocabulary, never the context: no lock needed.
        return len(self._llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def schema_in_prompt(self) -> bool:
        # The grammar enforces the schema; its text is not sent (the field guide is).
        return False

    def wire(self, schema: dict[str, Any]) -> Wire:
        # Every generated token costs on a CPU: lists of flat objects travel as tuples.
        return tuple_wire(schema)

    def complete(self, request: StructuredRequest) -> Answer:
        grammar = self._grammar(capped(request.schema, request.max_items), request.schema_name)
        with self._lock:
            if self._llm is None:
                raise ProviderError("the local model was closed", provider=PROVIDER)
            recorder = _TokenRecorder() if self._logprobs else None
            ctx = self._llm._ctx.ctx
            llama_cpp.llama_perf_context_reset(ctx)
            try:
                result = self._llm.create_chat_completion(
                    messages=list(request.messages),
                    grammar=grammar,
                    max_tokens=request.max_tokens,
                    temperature=request.temperature,
                    logits_processor=llama_cpp.LogitsProcessorList([recorder])
                    if recorder
                    else None,
                )
            except ValueError as exc:  # "Requested tokens (N) exceed context window of M"
                raise ContextLengthError(
                    f"prompt does not fit the model's context window ({self.context_window} "
                    f"tokens): {exc}",
                    window=self.context_window,
                    provider=PROVIDER,
                    original=exc,
                ) from None
            except Exception as exc:  # llama_decode failures surface as RuntimeError
                raise ProviderError(
                    f"llama.cpp failed: {type(exc).__name__}: {exc}",
                    provider=PROVIDER,
                    original=exc,
                ) from None
            perf = llama_cpp.llama_perf_context(ctx)
        timings = Timings(perf.n_p_eval, perf.t_p_eval_ms, perf.n_eval, perf.t_eval_ms)
        try:
            choice = result["choices"][0]
            usage = result.get("usage") or {}
            return Answer(
                text=choice["message"].get("content"),
                finish_reason=choice.get("finish_reason") or "stop",
                prompt_tokens=int(usage.get("prompt_tokens", 0)),
                completion_tokens=int(usage.get("completion_tokens", 0)),
                model=self.model,
                request_id=result.get("id"),
                logprobs=recorder.tokens(self._llm) if recorder else None,
                timings=timings,
            )
        except (KeyError, IndexError, TypeError) as exc:
            raise ProviderError(
                f"unexpected llama.cpp result: {exc!r}", provider=PROVIDER, original=exc
            ) from None

    def _grammar(self, schema: dict[str, Any], schema_name: str) -> LlamaGrammar:
        """The GBNF grammar of `schema`, converted once per distinct schema."""
        key = json.dumps(schema)  # key order kept: it is the order the answer is written in
        grammar = self._grammars.get(key)
        if grammar is None:
            try:
                grammar = LlamaGrammar.from_string(schema_gbnf(schema), verbose=False)
            except Exception as exc:
                raise ProviderError(
                    f"llama.cpp cannot turn the {schema_name!r} schema into a grammar: "
                    f"{type(exc).__name__}: {exc}",
                    provider=PROVIDER,
                    original=exc,
                ) from None
            self._grammars[key] = grammar
        return grammar

    def close(self) -> None:
        with self._lock:
            llm, self._llm = self._llm, None
        if llm is not None and hasattr(llm, "close"):
            llm.close()


_identities: dict[tuple[str, int, int], str | None] = {}


def weights_identity(path: Path) -> str | None:
    """The GGUF's content, as part of the answer cache key: two models that share a
    file name never share answers.

    None for the bundled models' pinned weights (so their cached answers, keyed
    by name before, stay valid): the assembled file in the model cache is taken
    on its size, as `ensure_model` does after checking its sha256 once; any
    other file is hashed, once per process.
    """
    from extract.llm.weights.catalogue import MODELS
    from extract.llm.weights.fetch import default_cache_dir

    stat = path.stat()
    for spec in MODELS.values():
        if (
            path.name == spec.filename
            and stat.st_size == spec.size
            and path.resolve().parent == default_cache_dir().resolve()
        ):
            return None
    memo = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if memo not in _identities:
        digest = hashlib.sha256()
        with path.open("rb") as f:
            while block := f.read(1 << 20):
                digest.update(block)
        pinned = any(spec.sha256 == digest.hexdigest() for spec in MODELS.values())
        _identities[memo] = None if pinned else f"sha256:{digest.hexdigest()}"
    return _identities[memo]


class _TokenRecorder:
    """A llama.cpp logits processor that writes down each sampled token's log-probability.

    llama-cpp-python only returns log-probabilities from a model built with
    `logits_all` (the logits of every prompt position: gigabytes at an 8K
    context), so they are taken here instead: the processor is called before
    each token is sampled, with the tokens so far; the last of them was sampled
    from the logits kept at the previous call. Those are the model's own
    probabilities, before the grammar narrows the choice.
    """

    def __init__(self) -> None:
        self.steps: list[tuple[int, float]] = []
        self._logits: np.ndarray | None = None

    def __call__(self, input_ids: np.ndarray, logits: np.ndarray) -> np.ndarray:
        if self._logits is not None and len(input_ids):
            token, kept = int(input_ids[-1]), self._logits
            top = float(kept.max())
            self.steps.append(
                (token, float(kept[token]) - top - math.log(np.exp(kept - top).sum()))
            )
        self._logits = np.array(logits, dtype=np.float32, copy=True)
        return logits

    def tokens(self, llm: Any) -> tuple[tuple[str, float], ...]:
        """Each token's text (a character split over tokens goes with the one completing
        it) and log-probability."""
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        return tuple((decoder.decode(llm.detokenize([t])), lp) for t, lp in self.steps)


def physical_cores() -> int:
    """CPU cores this process may use, counting a core's hyperthreads once.

    llama.cpp's matrix kernels saturate a core's vector units with one thread;
    a second thread on the same core only competes for them.
    """
    usable = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    logical = len(usable) if usable else os.cpu_count() or 1
    cores: set[tuple[str, str]] = set()
    cpu = package = ""
    try:
        for line in [*Path("/proc/cpuinfo").read_text().splitlines(), ""]:
            key, _, value = line.partition(":")
            key, value = key.strip(), value.strip()
            if key == "processor":
                cpu = value
            elif key == "physical id":
                package = value
            elif key == "core id" and (usable is None or int(cpu) in usable):
                cores.add((package, value))
    except (OSError, ValueError):
        return logical
    return min(logical, len(cores)) if cores else logical


@contextmanager
def _without_extra_buffers() -> Iterator[None]:
    """Load models with `use_extra_bufts = False` (no AMX/repacked weights, see the module doc).

    `Llama()` takes no such argument: it fills its model params from
    `llama_model_default_params()`, so that function is wrapped while loading.
    """
    raw = llama_cpp.llama_cpp
    with _loading:
        original = raw.llama_model_default_params

        def defaults():
            params = original()
            if hasattr(params, "use_extra_bufts"):
                params.use_extra_bufts = False
            return params

        raw.llama_model_default_params = defaults
        try:
            yield
        finally:
            raw.llama_model_default_params = original
