"""Benchmark: the embedded model through the pipeline, side by side with its baseline and with llama.cpp.

    make bench-local                      # everything below, in one run (~10 min on 2 idle cores)
    python -m tests.bench.bench_local --skip-baseline --skip-levers

1. llama.cpp alone, same model and threads: prompt-eval and decode tokens/s on
   the ACME invoice's prompt, plain, with prompt-lookup decoding (the Python
   `LlamaPromptLookupDecoding`, which needs `logits_all`), and with the
   context levers (n_batch/n_ubatch, flash attention).
2. `make demo`'s work with an empty answer cache, twice on the same loaded
   model: the baseline profile (objects on the wire, llama-cpp-python's own
   grammar from the schema, a fixed max_tokens of 1,024: what the pipeline did
   before) and the current one. Per request, llama.cpp's own
   counters: prompt tokens sent, prompt tokens evaluated (fewer when the KV
   cache already holds the prefix), prompt-eval ms, generated tokens,
   generation ms, finish reason; per profile, the wall time and how much of it
   llama.cpp was busy.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import llama_cpp
from llama_cpp.llama_grammar import LlamaGrammar

from extract.config import Config
from extract.demo import SAMPLES, run_jobs
from extract.llm.backends.base import Answer, BackendWrapper, StructuredRequest
from extract.llm.backends.grammar_first import GrammarFirstLlama
from extract.llm.backends.local import LocalBackend, _without_extra_buffers
from extract.llm.wire import Wire, plain_wire

BASELINE_MAX_TOKENS = 1024  # the local backend's fixed max_tokens before answer_bound


class Traced(BackendWrapper):
    """Records llama.cpp's own counters around every request."""

    def __init__(self, inner: LocalBackend) -> None:
        super().__init__(inner)
        self.rows: list[dict[str, Any]] = []

    def complete(self, request: StructuredRequest) -> Answer:
        start = time.perf_counter()
        answer = self.inner.complete(request)
        wall = time.perf_counter() - start  # includes waiting for the model's lock
        perf = answer.timings  # read by the backend under its lock: this request's alone
        assert perf is not None
        self.rows.append(
            {
                "doc": request.tags.get("doc_id", "")[:8],
                "chunk": request.tags.get("chunk"),
                "attempt": request.tags.get("attempt"),
                "max_tokens": request.max_tokens,
                "prompt": answer.prompt_tokens,
                "evaluated": perf.prompt_evaluated,
                "prompt_ms": perf.prompt_ms,
                "generated": perf.generated,
                "gen_ms": perf.generation_ms,
                "wall_s": wall,
                "finish": answer.finish_reason,
            }
        )
        return answer


class Baseline(LocalBackend):
    """The pipeline's local backend as it was: objects, its own grammar, max_tokens 1,024,
    and llama-cpp-python's own sampler chain (the grammar checks every candidate)."""

    def wire(self, schema: dict[str, Any]) -> Wire:
        return plain_wire(schema)

    def complete(self, request: StructuredRequest) -> Answer:
        return super().complete(dataclasses.replace(request, max_tokens=BASELINE_MAX_TOKENS))

    def _grammar(self, schema: dict[str, Any], schema_name: str) -> LlamaGrammar:
        key = "spaced:" + json.dumps(schema)
        if key not in self._grammars:
            self._grammars[key] = LlamaGrammar.from_json_schema(json.dumps(schema), verbose=False)
        return self._grammars[key]


class ChainLlama(GrammarFirstLlama):
    """The loaded model sampling with llama-cpp-python's own chain (the baseline's sampler);
    the one loaded model is switched to it for the baseline's profile, and back."""

    _init_sampler = llama_cpp.Llama._init_sampler


def demo_profile(name: str, backend: LocalBackend, config: Config) -> dict[str, Any]:
    traced = Traced(backend)
    llm = backend._llm
    if isinstance(backend, Baseline):  # before: the grammar checked every candidate token
        llm.__class__ = ChainLlama
    try:
        with tempfile.TemporaryDirectory() as out:
            start = time.perf_counter()
            run_jobs(config, traced, Path(out))
            wall = time.perf_counter() - start
    finally:
        llm.__class__ = GrammarFirstLlama
    rows = traced.rows
    busy = sum(r["prompt_ms"] + r["gen_ms"] for r in rows) / 1000
    gen_s = sum(r["gen_ms"] for r in rows) / 1000
    return {
        "profile": name,
        "wall_s": wall,
        "requests": len(rows),
        "prompt": sum(r["prompt"] for r in rows),
        "evaluated": sum(r["evaluated"] for r in rows),
        "generated": sum(r["generated"] for r in rows),
        "busy_s": busy,
        "gen_tok_s": sum(r["generated"] for r in rows) / max(gen_s, 1e-9),
        "rows": rows,
    }


def raw_speed(llm: llama_cpp.Llama, prompt: list[int], n_gen: int) -> tuple[float, float]:
    """llama.cpp alone: prompt-eval and greedy decode tokens/s for `prompt`, no grammar."""
    llm.reset()
    llama_cpp.llama_perf_context_reset(llm._ctx.ctx)
    for n, _ in enumerate(llm.generate(prompt, temp=0.0, top_k=1), start=1):
        if n >= n_gen:
            break
    perf = llama_cpp.llama_perf_context(llm._ctx.ctx)
    return (
        1000 * perf.n_p_eval / max(perf.t_p_eval_ms, 1e-9),
        1000 * perf.n_eval / max(perf.t_eval_ms, 1e-9),
    )


def load(path: Path, threads: int, **params: Any) -> llama_cpp.Llama:
    with _without_extra_buffers():
        return llama_cpp.Llama(
            model_path=str(path),
            n_ctx=8192,
            n_threads=threads,
            n_threads_batch=threads,
            verbose=False,
            **params,
        )


LEVERS: dict[str, tuple[str, dict[str, Any]]] = {
    "default": ("default (n_batch 512, n_ubatch 512)", {}),
    "batch2048": ("n_batch 2048, n_ubatch 512", {"n_batch": 2048}),
    "ubatch2048": ("n_batch 2048, n_ubatch 2048", {"n_batch": 2048, "n_ubatch": 2048}),
    "batch256": ("n_batch 256, n_ubatch 256", {"n_batch": 256, "n_ubatch": 256}),
    "flash": ("flash attention", {"flash_attn": True}),
    "lookup": ("prompt lookup (logits_all, 4-token drafts)", {}),  # filled in levers()
}


def levers(
    path: Path, threads: int, prompt: list[int], n_gen: int, names: list[str]
) -> list[tuple[str, float, float]]:
    """Raw prompt-eval and decode speed under each context setting worth trying on a CPU."""
    out = []
    for name in names:
        label, params = LEVERS[name]
        if name == "lookup":
            params = {
                "logits_all": True,  # the Python draft loop reads every position's logits
                "draft_model": llama_cpp.llama_speculative.LlamaPromptLookupDecoding(
                    num_pred_tokens=4
                ),
            }
        llm = load(path, threads, **params)
        try:
            out.append((label, *raw_speed(llm, prompt, n_gen)))
        finally:
            llm.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=None, help="CPU threads (default: cores)")
    parser.add_argument("--skip-baseline", action="store_true", help="only the current profile")
    parser.add_argument("--skip-levers", action="store_true", help="no llama.cpp-only section")
    parser.add_argument("--only-levers", action="store_true", help="only the llama.cpp section")
    parser.add_argument("--json", type=Path, help="also write every figure here")
    parser.add_argument(
        "--levers-doc",
        type=Path,
        default=SAMPLES / "invoice-acme-2024-017.pdf",
        help="the document whose text is the levers' prompt (default: the ACME invoice; an "
        "NDA PDF measures the 5,000-token prompts of make eval)",
    )
    parser.add_argument(
        "--levers", default=",".join(LEVERS), help=f"which, comma-separated: {', '.join(LEVERS)}"
    )
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="bench-local-"))  # no answers kept, no pace recorded
    config = Config.resolve(
        backend="local",
        local_threads=args.threads,
        cache=False,
        cache_path=scratch / "answers.sqlite",
        quiet=True,
    )
    current = LocalBackend(config)
    threads = current._llm.n_threads
    path = Path(current._llm.model_path)
    print(f"model {current.model}, {threads} threads, context {current.context_window}")
    figures: dict[str, Any] = {"threads": threads, "model": current.model}

    if not args.skip_levers:
        from extract.ingest.documents import read_document

        text = read_document(args.levers_doc).text
        prompt = current._llm.tokenize(text.encode())[: config.context_window - 100]
        rows = levers(path, threads, prompt, 64, args.levers.split(","))
        figures["levers"] = rows
        name = args.levers_doc.name
        print(f"\nllama.cpp alone, the text of {name} as prompt ({len(prompt)} tokens), 64 tokens")
        print(f"{'setting':44} {'prompt tok/s':>12} {'decode tok/s':>12}")
        for label, p, g in rows:
            print(f"{label:44} {p:12.1f} {g:12.1f}")

    if args.only_levers:
        current.close()
        return
    profiles = []
    if not args.skip_baseline:
        baseline = Baseline(config, llm=current._llm)
        profiles.append(demo_profile("baseline", baseline, config))
    profiles.append(demo_profile("current", current, config))
    figures["demo"] = profiles
    print("\nmake demo's documents, empty answer cache (per request: llama.cpp's counters)")
    for prof in profiles:
        print(f"-- {prof['profile']}")
        print(
            f"   {'doc':8} {'chunk':5} {'try':3} {'max':>5} {'prompt':>6} {'eval':>5} "
            f"{'p ms':>7} {'gen':>5} {'g ms':>7} {'wall s':>7} finish"
        )
        for r in prof["rows"]:
            print(
                f"   {r['doc']:8} {r['chunk']:5} {r['attempt']:3} {r['max_tokens']:5} "
                f"{r['prompt']:6} {r['evaluated']:5} {r['prompt_ms']:7.0f} {r['generated']:5} "
                f"{r['gen_ms']:7.0f} {r['wall_s']:7.1f} {r['finish']}"
            )
    print(
        f"\n{'profile':9} {'wall s':>7} {'requests':>8} {'prompt':>7} {'evaluated':>9} "
        f"{'generated':>9} {'llama busy s':>12} {'overhead':>8} {'gen tok/s':>9}"
    )
    for prof in profiles:
        overhead = 100 * (prof["wall_s"] - prof["busy_s"]) / max(prof["busy_s"], 1e-9)
        print(
            f"{prof['profile']:9} {prof['wall_s']:7.1f} {prof['requests']:8} {prof['prompt']:7} "
            f"{prof['evaluated']:9} {prof['generated']:9} {prof['busy_s']:12.1f} "
            f"{overhead:7.1f}% {prof['gen_tok_s']:9.1f}"
        )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1, default=str))
    current.close()


if __name__ == "__main__":
    main()
