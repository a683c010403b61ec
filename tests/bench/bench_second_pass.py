"""Benchmark: the evidence-driven second pass against the same run without it, in one run.

    make bench-second-pass ARGS="--limit 10"
    python -m tests.bench.bench_second_pass --limit 10 --cache-path /tmp/answers.sqlite

Kleister NDA dev-0, the first N documents, through the real pipeline twice on
one loaded backend and one answer cache: first with the second pass off (the
baseline: today's results), then on, so the chunk answers of the second run
come from the cache and only the second-pass requests are new. Prints F1 per
field and overall with 95% bootstrap intervals over documents (paired: the same
draws for both runs), the difference, and what the second pass cost (requests,
prompt and completion tokens, seconds), plus each document's asked and changed
fields. Default backend: the embedded model (no key, no network).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from pathlib import Path

from extract.api import extract_paths
from extract.config import Config
from extract.evaluation.bootstrap import bootstrap_f1
from extract.evaluation.datasets import DATASETS
from extract.evaluation.scoring import Gold, Scores
from extract.llm.backends.registry import open_backend

FIELDS = ("effective_date", "jurisdiction", "party", "term")


def only(field: str, score):
    """The dataset's metric on one field: the others removed from gold and predictions."""

    def scored(golds: list[Gold], preds: list[Gold]) -> Scores:
        keep = [{field: g.get(field, [])} for g in golds]
        return score(keep, [{field: p.get(field, [])} for p in preds])

    return scored


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=10, help="first N dev-0 documents")
    parser.add_argument("--split", default="dev-0")
    parser.add_argument("--cache-path", help="answer cache (default: the user cache)")
    parser.add_argument(
        "--base-url", help="an OpenAI-compatible endpoint instead of the embedded model"
    )
    args = parser.parse_args(argv)
    dataset = DATASETS["kleister_nda"]
    examples = dataset.examples(args.split, args.limit)
    paths = [e.path for e in examples]
    base = Config.resolve(cache_path=args.cache_path, base_url=args.base_url, quiet=True)
    runs, spent = {}, {}
    with open_backend(base, None) as backend:
        for label, on in (("before", False), ("after", True)):
            config = base.model_copy(update={"second_pass": on})
            start = time.monotonic()
            report = extract_paths(paths, "nda", config, backend=backend)
            seconds = time.monotonic() - start
            by_source = {str(Path(r.source).resolve()): r for r in report.results}
            results = [by_source.get(str(p.resolve())) for p in paths]
            runs[label] = results
            spent[label] = (
                sum(r.usage.requests for r in results if r),
                sum(r.usage.prompt_tokens for r in results if r),
                sum(r.usage.completion_tokens for r in results if r),
                seconds,
            )
            print(f"{label}: {seconds:.0f} s ({report.cached_chunks} chunks from the cache)")
    golds = [e.gold for e in examples]
    preds = {k: [dataset.to_gold(r.data if r else None) for r in v] for k, v in runs.items()}
    print(f"\nKleister NDA {args.split}, first {len(examples)}; 95% bootstrap intervals")
    print("| field | before | after | after - before |\n|---|---|---|---|")
    for name, score in [("overall", dataset.score), *((f, only(f, dataset.score)) for f in FIELDS)]:
        boot = bootstrap_f1(score, golds, {"after": preds["after"], "before": preds["before"]})
        if boot is None or boot.difference is None:
            continue
        after, before = boot.systems["after"], boot.systems["before"]
        diff = boot.difference.describe(signed=True)
        print(f"| {name} | {before.describe()} | {after.describe()} | {diff} |")
    (rb, pb, cb, sb), (ra, pa, ca, sa) = spent["before"], spent["after"]
    print(
        f"\nsecond pass cost: {ra - rb} requests ({ra} vs {rb}), {pa - pb} prompt tokens "
        f"({pa} vs {pb}), {ca - cb} completion tokens ({ca} vs {cb}); "
        f"wall time {sa:.0f} s with chunks from the cache, {sb:.0f} s for the run before"
    )
    for example, result in zip(examples, runs["after"], strict=True):
        record = result.second_pass if result else None
        print(f"  {example.path.name[:12]}: {record or 'nothing asked'}")


if __name__ == "__main__":
    main()
