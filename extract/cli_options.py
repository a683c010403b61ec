"""The command line's option groups: which model and endpoint, how scans are read, limits,
cache and audit, and the engine. `cli.py` builds the commands from them."""

from __future__ import annotations

import argparse
from pathlib import Path

from extract.llm.backends import BACKEND_NAMES, MODE_NAMES

LOGPROBS_HELP = """token log-probabilities for the evidence table's confidence (default auto: where
the endpoint's model listing offers them; the embedded model always gives them)"""


def add_backend_options(parser: argparse.ArgumentParser) -> None:
    """Options that choose and tune the model; shared by every command that calls one."""
    g = parser.add_argument_group("model and endpoint")
    g.add_argument(
        "--backend",
        choices=["auto", *BACKEND_NAMES],
        default="auto",
        help="where the model runs (default auto: --base-url/EXTRACT_BASE_URL if given, "
        "else Requesty if REQUESTY_API_KEY is set, else the embedded local model)",
    )
    g.add_argument("--model", help="model name (default mistral/mistral-small-2503)")
    g.add_argument("--base-url", help="OpenAI-compatible base URL, e.g. http://127.0.0.1:8080/v1")
    g.add_argument(
        "--api-key",
        help="the key of this command's endpoint (prefer the environment variables; "
        "it is masked in reports and logs)",
    )
    g.add_argument(
        "--mode",
        choices=MODE_NAMES,
        help="structured-output mode (default auto: json_schema where the endpoint reports "
        "support, else tools)",
    )
    g.add_argument("--concurrency", type=int, help="requests in flight (default 8)")
    g.add_argument("--max-tokens", type=int, help="answer tokens per request (default 2048)")
    g.add_argument(
        "--context-window", type=int, help="model context in tokens (default 32768; local 8192)"
    )
    g.add_argument("--temperature", type=float, help="sampling temperature (default 0)")
    g.add_argument("--timeout", type=float, dest="timeout_s", help="seconds per request (120)")
    g.add_argument("--max-retries", type=int, help="retries of a failed request (default 6)")
    g.add_argument(
        "--local-model",
        metavar="GGUF|NAME",
        help="model for --backend local: a .gguf file, or a bundled one: qwen2.5-coder-1.5b "
        "(default), qwen2.5-coder-0.5b (about 2.7x faster, less accurate)",
    )
    g.add_argument("--threads", type=int, dest="local_threads", help="CPU threads, local model")
    g.add_argument("--logprobs", choices=["auto", "on", "off"], help=LOGPROBS_HELP)
    g.add_argument(
        "--recheck",
        choices=["auto", "on", "off"],
        help="ask once more when an answer's values contradict each other (a schema's "
        "checks, e.g. subtotal + tax = total); default auto: hosted models only",
    )
    g.add_argument(
        "--examples",
        choices=["auto", "on", "off"],
        help="send a schema's worked examples (EXAMPLES) with each request; default auto: "
        "the embedded model only (its KV cache keeps them; a hosted model bills them every time)",
    )
    g.add_argument(
        "--examples-from",
        metavar="JSONL",
        help='labelled documents, one {"text": ..., "answer": {...}} per line: each chunk '
        "goes with the ones most like it (TF-IDF) as worked examples, after the schema's "
        "EXAMPLES where those are sent (none with --examples off)",
    )
    g.add_argument(
        "--nearest-examples",
        type=int,
        metavar="N",
        help="how many labelled examples go with each chunk (default 2)",
    )
    s = parser.add_argument_group("scans and photos")
    s.add_argument(
        "--vision",
        choices=["auto", "always", "never"],
        help="page images to the model (default auto: scanned pages and image files go as "
        "images to a hosted model, through OCR for the embedded one; always: every page as "
        "an image too, its text alongside (hosted only); never: OCR only)",
    )
    s.add_argument(
        "--ocr-threads",
        type=int,
        help="CPU threads for OCR (the `ocr` extra; default all, up to 4)",
    )


def add_run_control_options(parser: argparse.ArgumentParser) -> None:
    """Limits, cache and audit: what makes long paid runs safe to leave alone."""
    g = parser.add_argument_group("limits, cache and audit")
    g.add_argument(
        "--rpm",
        type=int,
        dest="requests_per_minute",
        help="requests per minute (120; 0 = no limit)",
    )
    g.add_argument(
        "--tpm",
        type=int,
        dest="tokens_per_minute",
        help="prompt tokens per minute (500000; 0 = no limit)",
    )
    g.add_argument(
        "--max-cost",
        type=float,
        metavar="USD",
        help="a cap on spend: each request reserves its worst-case cost before it is sent, "
        "so the run ends less than one request over it",
    )
    g.add_argument(
        "--max-tokens-per-doc",
        type=int,
        metavar="N",
        help="a document with more tokens is an error row, nothing sent "
        "(default 1000000; 0 = no limit)",
    )
    g.add_argument(
        "--no-cache", action="store_true", help="neither read nor write the answer cache"
    )
    g.add_argument("--refresh", action="store_true", help="ask again even for cached chunks")
    g.add_argument(
        "--cache-path",
        help="answer cache file (default ~/.cache/extract/answers.sqlite), or a URL for one "
        "object per answer (s3://bucket/cache/), which many machines can share",
    )
    g.add_argument(
        "--audit-log", type=Path, help="JSONL log of every request (default <out>.audit.jsonl)"
    )


def add_second_pass_option(parser: argparse.ArgumentParser) -> None:
    """The evidence-driven second pass (extract.run.second_pass)."""
    parser.add_argument(
        "--second-pass",
        choices=["on", "off"],
        help="after a document's chunks: ask once more, with passages found in the text, for "
        "the values the text does not support and important fields left empty; a new value "
        "is kept only if the text has it (default off)",
    )


def add_engine_options(parser: argparse.ArgumentParser) -> None:
    """Where the documents run: this process, or a Dask cluster."""
    g = parser.add_argument_group("engine (past one machine)")
    g.add_argument(
        "--engine",
        choices=["local", "dask"],
        help="local: one process (default); dask: a Dask cluster (pip install 'extract[dask]'), "
        "with --concurrency, --rpm, --tpm and --max-cost holding for the whole cluster",
    )
    g.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="an existing cluster's scheduler, e.g. tcp://10.0.0.5:8786 (or EXTRACT_SCHEDULER "
        "with --engine dask); implies --engine dask",
    )
    g.add_argument(
        "--workers",
        type=int,
        help="start a Dask LocalCluster of this many worker processes; implies --engine dask",
    )
