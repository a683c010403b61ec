"""Benchmark: what worked examples buy, on one backend, side by side in one run.

    make bench-prompt ARGS="--limit 25"
    python -m tests.bench.bench_prompt --dataset sroie --limit 25 --cache-path /tmp/a.sqlite
    python -m tests.bench.bench_prompt --variants on,nearest   # made-up vs labelled

The first N documents of an evaluation dataset (SROIE by default: the receipt
schema is the bundled one with EXAMPLES) through the real pipeline twice on one
loaded backend: with the worked examples (`--examples on`) and without
(`--examples off`); with `--variants`, also the schema's examples followed by the
labelled documents nearest each chunk (`nearest`: the dataset's documents that are
never evaluated, as `eval --labelled-examples` sends them). Prints F1 with 95%
bootstrap intervals over documents
(paired: the same draws for both), the difference, and per document: requests,
prompt tokens sent, prompt tokens the model computed (llama.cpp's counter: fewer
than sent when its KV cache held the prefix) and seconds. A hosted model is
billed for every prompt token sent; the embedded one spends time only on those
it computes. Default backend: the embedded model (no key, no network).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from extract.api import extract_paths
from extract.config import Config
from extract.evaluation.bootstrap import bootstrap_f1
from extract.evaluation.datasets import DATASETS
from extract.evaluation.run import with_labelled_examples
from extract.llm.backends.registry import open_backend

VARIANTS = {"on": "made-up examples", "off": "no examples", "nearest": "+ nearest labelled"}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="sroie", choices=sorted(DATASETS))
    parser.add_argument("--limit", type=int, default=25, help="first N documents")
    parser.add_argument("--cache-path", help="answer cache (default: the user cache)")
    parser.add_argument(
        "--base-url", help="an OpenAI-compatible endpoint instead of the embedded model"
    )
    parser.add_argument(
        "--variants", default="on,off", help=f"two or more of {', '.join(VARIANTS)} (on,off)"
    )
    parser.add_argument(
        "--nearest-examples", type=int, default=2, help="labelled examples per chunk (nearest)"
    )
    args = parser.parse_args(argv)
    variants = args.variants.split(",")
    if len(variants) < 2 or set(variants) - set(VARIANTS):
        parser.error(f"--variants: two or more of {', '.join(VARIANTS)}")
    dataset = DATASETS[args.dataset]
    examples = dataset.examples(None, args.limit)
    paths = [e.path for e in examples]
    base = Config.resolve(cache_path=args.cache_path, base_url=args.base_url, quiet=True)
    preds, rows = {}, []
    logs = Path(tempfile.mkdtemp(prefix="bench-prompt-"))
    with open_backend(base, None) as backend:
        for variant in variants:
            label, audit = VARIANTS[variant], logs / f"{variant}.jsonl"
            setting = "off" if variant == "off" else "on"
            update = {"examples": setting, "audit_log": audit}
            config = base.model_copy(update={**update, "nearest_examples": args.nearest_examples})
            if variant == "nearest":
                split = dataset.check_split(None)
                config = with_labelled_examples(dataset, split, examples, config)
            start = time.monotonic()
            report = extract_paths(paths, dataset.schema, config, backend=backend)
            seconds = time.monotonic() - start
            by_source = {str(Path(r.source).resolve()): r for r in report.results}
            results = [by_source.get(str(p.resolve())) for p in paths]
            preds[label] = [dataset.to_gold(r.data if r else None) for r in results]
            done = [r for r in results if r]
            n = max(1, len(done))
            rows.append(
                (
                    label,
                    sum(r.usage.requests for r in done) / n,
                    sum(r.usage.prompt_tokens for r in done) / n,
                    computed_tokens(audit) / n,
                    seconds / n,
                    report.cached_chunks,
                )
            )
            print(f"{label}: {seconds:.0f} s ({report.cached_chunks} chunks from the cache)")
    golds = [e.gold for e in examples]
    boot = bootstrap_f1(dataset.score, golds, preds)
    print(f"\n{args.dataset}, first {len(examples)}, {backend.name} {backend.model}")
    print("| variant | F1 [95% CI] | requests/doc | prompt tokens/doc sent | computed | s/doc |")
    print("|---|---|---|---|---|---|")
    for label, requests, sent, computed, per_doc, cached in rows:
        f1 = boot.systems[label].describe() if boot else "-"
        note = f" ({cached} cached)" if cached else ""
        print(
            f"| {label} | {f1} | {requests:.2f} | {sent:.0f} | {computed:.0f} | {per_doc:.1f}{note} |"
        )
    if boot and boot.difference:
        first, second = (VARIANTS[v] for v in variants[:2])
        print(f"\n{first} - {second}: {boot.difference.describe(signed=True)}")


def computed_tokens(audit: Path) -> int:
    """Prompt tokens the model computed, from llama.cpp's counters in the audit log (for a
    server that reports none, the tokens sent)."""
    total = 0
    if not audit.exists():  # every answer came from the cache
        return 0
    for line in audit.read_text().splitlines():
        record = json.loads(line)
        timings = record.get("timings")
        total += timings["prompt_evaluated"] if timings else int(record.get("prompt_tokens") or 0)
    return total


if __name__ == "__main__":
    main()
