"""Command line: `python -m extract run ...`, `python -m extract schemas`.

Exit codes: 0 every document ok; 1 tables written but some documents failed;
2 usage or configuration error, reported before any request is sent; 3 the
tables could not be written at the end (the answers are cached: rerun); 130
stopped by Ctrl-C (tables of what finished written; the rerun resumes).
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from extract.cli_options import (
    add_backend_options,
    add_engine_options,
    add_run_control_options,
    add_second_pass_option,
)
from extract.config import Config
from extract.errors import ConfigError, OutputError, ProviderError, RunStopped
from extract.llm.redact import redact, redact_argv
from extract.review_commands import add_review_commands

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, EXIT_NOT_WRITTEN, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
_ON_OFF = {"on": True, "off": False}
RUN_EPILOG = """\
examples:
  python -m extract run sample_docs --schema invoice --out out/invoices.parquet
  python -m extract run a.pdf b.txt --schema nda --out nda.csv --concurrency 16
  python -m extract run docs/ --schema my_schemas.py:Order --out orders.parquet \\
      --base-url http://127.0.0.1:8080/v1 --api-key x

environment:
  REQUESTY_API_KEY   use the Requesty router (default model mistral/mistral-small-2503);
                     sent to requesty.ai only, never to another --base-url
  EXTRACT_BASE_URL   any OpenAI-compatible endpoint; EXTRACT_API_KEY its key (an
                     endpoint with no key of its own gets no Authorization header)
  EXTRACT_MODEL      the model to ask for; EXTRACT_BACKEND auto|requesty|openai|local
With no key and no URL, the embedded local model runs in-process.

exit codes: 0 all documents ok, 1 some documents failed (tables still written),
2 usage or configuration error (nothing sent), 3 tables could not be written
(answers cached: the rerun is free), 130 Ctrl-C (no new requests, those in
flight finish, tables of what finished written; Ctrl-C twice abandons them)."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m extract",
        description="Turn folders of documents (PDF, text, scans and photos) into validated tables.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser(
        "run",
        help="extract documents into CSV or Parquet tables",
        description="Extract every document under PATH... into one table row each, "
        "plus a child table for each list field.",
        epilog=RUN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument("paths", nargs="+", metavar="PATH", help="files or folders (recursive)")
    run.add_argument(
        "--schema",
        required=True,
        help="bundled schema name (see `schemas`), module:Class or path/file.py:Class",
    )
    run.add_argument(
        "--out",
        required=True,
        help="output table, .parquet or .csv; child tables are written beside it as "
        "<stem>.<field>.<ext>, the evidence table as <stem>.evidence.<ext> and the "
        "documents' text as <stem>.texts.jsonl.gz. DIR/ (a trailing slash; s3://bucket/dir/ "
        "too) writes a Parquet dataset instead: DIR/documents/, DIR/<field>/, DIR/evidence/ "
        "and the texts in DIR/texts/",
    )
    run.add_argument(
        "--evidence",
        choices=["flag", "require", "off"],
        help="find each value's quote in the text (default flag: mark values the text does "
        "not support; require: empty them; off: skip, no evidence table)",
    )
    add_backend_options(run)
    add_second_pass_option(run)
    add_run_control_options(run)
    add_engine_options(run)
    run.add_argument(
        "--dry-run",
        action="store_true",
        help="count tokens and print the estimated requests and cost; send nothing",
    )
    run.add_argument("-q", "--quiet", action="store_true", help="no progress bars or summary")
    run.set_defaults(handler=cmd_run)

    ev = sub.add_parser(
        "eval",
        help="score the pipeline on gold-labelled datasets, beside a naive baseline",
        description="Run the real pipeline over evaluation datasets (../shared/evaldata, or "
        "EXTRACT_EVALDATA), score it with each dataset's official metric, run a naive "
        "one-request baseline on the same backend, and write a report under reports/.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="datasets: kleister_nda, sroie, kleister_charity, cuad (default: all four, each "
        "on a fixed subset; about an hour with the embedded model on 2 cores:\n"
        "  kleister_nda dev-0 first 10, sroie first 25, kleister_charity 2 shortest,\n"
        "  cuad 10 shortest with PDFs + 1 over 33K tokens)\n"
        "scans (named only): sroie-scans (the 100 real receipt scans; default first 10) and\n"
        "  kleister-nda-scans (dev-0 PDFs rasterised at 150 dpi; default first 5), each run\n"
        "  beside the same documents read as text",
    )
    ev.add_argument("datasets", nargs="*", metavar="DATASET", help="datasets to run (default all)")
    ev.add_argument("--split", help="dataset split (Kleister NDA: dev-0 or train)")
    ev.add_argument("--limit", type=int, help="first N documents of the split")
    ev.add_argument("--all", action="store_true", dest="everything", help="the whole split")
    ev.add_argument("--no-naive", action="store_true", help="skip the naive baseline")
    ev.add_argument(
        "--labelled-examples",
        action="store_true",
        help="send with each chunk the dataset's labelled documents most like it (kleister_nda "
        "dev-0: from train; sroie: receipts 100-625), never the ones evaluated",
    )
    ev.add_argument(
        "--ceiling",
        action="store_true",
        help="only print what the gold itself scores through grounding and validation (no model)",
    )
    ev.add_argument("--reports", type=Path, default=Path("reports"), help="report folder")
    add_backend_options(ev)
    add_second_pass_option(ev)
    add_run_control_options(ev)
    ev.add_argument("-q", "--quiet", action="store_true", help="no progress bars or summary")
    ev.set_defaults(handler=cmd_eval)

    schemas = sub.add_parser("schemas", help="list the bundled schemas")
    schemas.set_defaults(handler=cmd_schemas)
    add_review_commands(sub)
    return parser


def config_from_args(args: argparse.Namespace) -> Config:
    extra = {}
    if hasattr(args, "requests_per_minute"):
        out = getattr(args, "out", None)
        from extract.output.dataset import default_audit_path

        default_audit = default_audit_path(out) if out else None
        extra = {
            "requests_per_minute": args.requests_per_minute,
            "tokens_per_minute": args.tokens_per_minute,
            "max_cost": args.max_cost,
            "max_tokens_per_doc": args.max_tokens_per_doc,
            "cache": False if args.no_cache else None,
            "refresh": args.refresh or None,
            "cache_path": args.cache_path,
            "audit_log": args.audit_log or default_audit,
        }
    return Config.resolve(
        **extra,
        backend=args.backend,
        model=args.model,
        base_url=args.base_url,
        api_key=args.api_key,
        mode=args.mode,
        concurrency=args.concurrency,
        max_tokens=args.max_tokens,
        context_window=args.context_window,
        temperature=args.temperature,
        timeout_s=args.timeout_s,
        max_retries=args.max_retries,
        local_model=args.local_model,
        local_threads=args.local_threads,
        vision=args.vision,
        ocr_threads=args.ocr_threads,
        evidence=getattr(args, "evidence", None),
        second_pass=_ON_OFF.get(getattr(args, "second_pass", None) or ""),
        logprobs=args.logprobs,
        recheck=args.recheck,
        examples=args.examples,
        examples_from=args.examples_from,
        nearest_examples=args.nearest_examples,
        quiet=getattr(args, "quiet", False) or None,
        engine=getattr(args, "engine", None),
        scheduler=getattr(args, "scheduler", None),
        workers=getattr(args, "workers", None),
    )


def cmd_run(args: argparse.Namespace) -> int:
    from extract.api import extract_paths, resolve_schema
    from extract.llm.backends.registry import open_backend
    from extract.output.dataset import dataset_root
    from extract.output.writers import check_output_path

    config = config_from_args(args)
    if dataset_root(args.out) is None:  # again in extract_paths; here before a model starts
        check_output_path(Path(args.out))  # a paid run must have somewhere to go
    missing = [p for p in args.paths if "://" not in p and not Path(p).exists()]
    if missing:
        raise ConfigError(f"no such file or folder: {', '.join(missing)}")
    resolve_schema(args.schema)  # fail on a bad schema before starting a model
    if args.dry_run:
        return dry_run(args, config)
    say = (lambda msg: None) if config.quiet else (lambda msg: print(msg, file=sys.stderr))
    try:
        if config.engine == "dask":  # the workers build the backend, each once
            say(
                f"extract: backend {config.backend}, model {config.model}, "
                f"concurrency {config.concurrency} across the cluster"
            )
            report = extract_paths(args.paths, args.schema, config, out=args.out, on_cluster=say)
        else:
            with open_backend(config) as backend:
                say(
                    f"extract: backend {backend.name}, model {backend.model}, "
                    f"mode {backend.mode}, context {backend.context_window} tokens, "
                    f"concurrency {config.concurrency}"
                )
                report = extract_paths(
                    args.paths, args.schema, config, out=args.out, backend=backend
                )
    except OutputError as exc:
        print(
            f"extract: error: {exc}\nextract: the answers are cached: rerun with a writable "
            "--out and nothing is paid for twice",
            file=sys.stderr,
        )
        return EXIT_NOT_WRITTEN
    say("extract: " + report.summary())
    for path in report.written:
        print(path)
    for r in report.results:
        if r.status != "ok":
            say(f"  {r.status}: {r.source}: {r.error}")
    if report.abandoned:
        exit_without_joining()
    if report.interrupted:
        return EXIT_INTERRUPTED
    return EXIT_OK if report.all_ok else EXIT_SOME_FAILED


def dry_run(args: argparse.Namespace, config: Config) -> int:
    from extract.api import own_files, resolve_schema
    from extract.llm.backends.registry import open_backend
    from extract.output.dataset import dataset_root
    from extract.run.estimate import estimate
    from extract.run.task import Task

    name, model = resolve_schema(args.schema)
    task = Task.build(model, name, config)
    with open_backend(config, probe=False) as backend:
        skip = own_files(config, task, None if dataset_root(args.out) else Path(args.out))
        result = estimate([Path(p) for p in args.paths], task, backend, skip=skip)
    print(f"dry run ({backend.name}, {backend.model}): {result.describe()}")
    return EXIT_OK


def cmd_eval(args: argparse.Namespace) -> int:
    from extract.evaluation import DATASETS, evaluate
    from extract.evaluation.datasets import DEFAULT_DATASETS
    from extract.llm.backends.registry import open_backend

    names = args.datasets or list(DEFAULT_DATASETS)
    unknown = [n for n in names if n not in DATASETS]
    if unknown:
        raise ConfigError(f"unknown dataset {', '.join(unknown)}: use {', '.join(DATASETS)}")
    if args.ceiling:
        from extract.evaluation.ceiling import describe_ceiling

        for name in names:
            print(describe_ceiling(name, args.split, args.limit, args.everything))
        return EXIT_OK
    config = config_from_args(args)
    failed = False
    with open_backend(config) as backend:
        for name in names:
            result = evaluate(
                name,
                config,
                split=args.split,
                limit=args.limit,
                everything=args.everything,
                naive=not args.no_naive,
                labelled_examples=args.labelled_examples,
                backend=backend,
                out_root=args.reports,
                command="python -m extract " + shlex.join(redact_argv(args.argv)),
            )
            failed |= any(s != "ok" for s in result.pipeline.statuses)
    return EXIT_SOME_FAILED if failed else EXIT_OK


def cmd_schemas(args: argparse.Namespace) -> int:
    from extract.schema_registry import bundled

    for name, model in sorted(bundled().items()):
        doc = (model.__doc__ or "").strip().splitlines()
        print(f"{name:16} {doc[0] if doc else ''}")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)
    args.argv = argv
    try:
        return args.handler(args)
    except ConfigError as exc:
        print(f"extract: error: {redact(str(exc))}", file=sys.stderr)
        return EXIT_USAGE
    except ProviderError as exc:
        print(f"extract: error: {redact(str(exc))}", file=sys.stderr)
        return EXIT_SOME_FAILED
    except KeyboardInterrupt as exc:
        print("extract: interrupted", file=sys.stderr)
        if isinstance(exc, RunStopped) and exc.abandoned:
            exit_without_joining()
        return EXIT_INTERRUPTED


def exit_without_joining() -> NoReturn:
    """Exit 130 now: worker threads still wait on the abandoned requests, and a normal
    exit would join them."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(EXIT_INTERRUPTED)
