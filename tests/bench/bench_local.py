"""Benchmark: the embedded model's speed through the pipeline vs llama.cpp's own counters.

    make bench-local        # or: python -m tests.bench.bench_local --threads 2

For each sample document, one extraction through the real pipeline (cache off):
the wall time seen by the pipeline beside llama.cpp's own prompt-eval and
generation timings for the very same calls (llama_perf_context). The ratio is
what the pipeline adds: prompting, grammar sampling in Python, validation.
"""

from __future__ import annotations

import argparse
import time

import llama_cpp

from extract import Config, extract_document
from extract.llm.backends.local import LocalBackend
from tests.conftest import ROOT

DOCS = ("receipt-kopi-tiam.txt", "nda-mutual-bluefin.pdf", "invoice-northwind-5531.txt")
SCHEMAS = {"receipt-kopi-tiam.txt": "receipt", "nda-mutual-bluefin.pdf": "nda"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=None, help="CPU threads (default: all)")
    args = parser.parse_args()
    config = Config.resolve(backend="local", local_threads=args.threads, cache=False, quiet=True)
    backend = LocalBackend(config)
    ctx = backend._llm._ctx.ctx  # llama.cpp's own counters for this context
    threads = backend._llm.n_threads
    print(f"model {backend.model}, {threads} threads, context {backend.context_window}")
    header = f"{'document':28} {'prompt':>6} {'gen':>5} | {'llama.cpp p/s':>13} {'gen/s':>6} | {'pipeline wall':>13} {'llama.cpp':>9} {'share':>6}"
    print(header)
    totals = [0.0, 0.0, 0, 0, 0.0]
    for name in DOCS:
        llama_cpp.llama_perf_context_reset(ctx)
        start = time.perf_counter()
        result = extract_document(
            ROOT / "sample_docs" / name,
            SCHEMAS.get(name, "invoice"),
            config=config,
            backend=backend,
        )
        wall = time.perf_counter() - start
        perf = llama_cpp.llama_perf_context(ctx)
        inside = (perf.t_p_eval_ms + perf.t_eval_ms) / 1000
        print(
            f"{name:28} {perf.n_p_eval:6} {perf.n_eval:5} | "
            f"{1000 * perf.n_p_eval / max(perf.t_p_eval_ms, 1e-9):13.1f} "
            f"{1000 * perf.n_eval / max(perf.t_eval_ms, 1e-9):6.1f} | "
            f"{wall:12.2f}s {inside:8.2f}s {100 * inside / wall:5.1f}%  ({result.status})"
        )
        totals = [
            totals[0] + wall,
            totals[1] + inside,
            totals[2] + perf.n_p_eval,
            totals[3] + perf.n_eval,
            totals[4],
        ]
    wall, inside, n_prompt, n_gen, _ = totals
    print(
        f"all: {n_prompt} prompt + {n_gen} generated tokens; pipeline {(n_prompt + n_gen) / wall:.1f} "
        f"tok/s end to end; llama.cpp busy {inside:.2f} of {wall:.2f} s "
        f"({100 * inside / wall:.1f}%): pipeline overhead x{wall / inside:.2f}"
    )
    backend.close()


if __name__ == "__main__":
    main()
