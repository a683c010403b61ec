"""`evaluate()`: one dataset through the real pipeline and the naive baseline, scored, reported.

    from extract.config import Config
    from extract.evaluation import evaluate
    result = evaluate("sroie", Config.resolve(), limit=10)
    print(result.summary(), result.report_dir)

The pipeline runs unchanged (`extract_paths`, its cache included), so the
figures are those a user gets; the estimate is printed before anything is sent.
"""

from __future__ import annotations

import shlex
import sys
from dataclasses import replace
from pathlib import Path

from extract.api import RunReport, extract_paths
from extract.config import Config
from extract.errors import ConfigError, RunStopped
from extract.evaluation.bootstrap import bootstrap_f1
from extract.evaluation.ceiling import ceiling_scores
from extract.evaluation.data import EvalResult, SystemRun
from extract.evaluation.datasets import DATASETS, EvalDataset, Example
from extract.evaluation.labelled import write_pool
from extract.evaluation.naive import NaiveRun, run_naive
from extract.evaluation.report import write_report
from extract.evaluation.scoring import Gold, Scores
from extract.evaluation.trust import measure_trust
from extract.llm.backends import Backend
from extract.llm.backends.registry import open_backend
from extract.llm.redact import redact_argv
from extract.output.results import DocumentResult
from extract.run.estimate import estimate
from extract.run.task import Task
from extract.schema_registry import load_schema


def get_dataset(name: str) -> EvalDataset:
    if name not in DATASETS:
        raise ConfigError(f"unknown dataset {name!r}: use one of {', '.join(DATASETS)}")
    return DATASETS[name]


def evaluate(
    dataset_name: str,
    config: Config,
    *,
    split: str | None = None,
    limit: int | None = None,
    everything: bool = False,
    naive: bool = True,
    labelled_examples: bool = False,
    backend: Backend | None = None,
    out_root: Path = Path("reports"),
    command: str | None = None,
) -> EvalResult:
    """Extract the dataset's examples with the pipeline (and the naive baseline), score, report.

    Raises ConfigError (before any request) for an unknown dataset, a held-out or unknown
    split, a bad limit or missing evaluation data. `labelled_examples`: the dataset's
    other documents (never those evaluated) as the nearest worked examples.
    """
    dataset = get_dataset(dataset_name)
    split_used = dataset.check_split(split)
    examples = dataset.examples(split, limit, everything)
    if labelled_examples:
        config = with_labelled_examples(dataset, split_used, examples, config)
    schema_name, model = load_schema(dataset.schema)
    paths = [e.path for e in examples]
    with open_backend(config, backend) as backend:
        est = estimate(paths, Task.build(model, schema_name, config), backend)
        _say(config, f"{dataset.name}, estimate for the pipeline: {est.describe()}")
        report = _finished(extract_paths(paths, schema_name, config, backend=backend))
        pipeline = _pipeline_run(dataset, examples, report)
        trust = measure_trust(dataset, examples, _aligned(examples, report))
        baseline = reference = None
        if dataset.reference_path is not None:
            _say(config, f"{dataset.name}: the same documents read as text, for comparison")
            as_text = [replace(e, path=e.reference or e.path) for e in examples]
            text_report = _finished(
                extract_paths([e.path for e in as_text], schema_name, config, backend=backend)
            )
            reference = _pipeline_run(dataset, as_text, text_report, label="text")
        elif naive:
            _say(config, f"{dataset.name}: naive baseline, one request per document")
            baseline = _naive_run(
                dataset, examples, run_naive(paths, model, schema_name, config, backend)
            )
    result = EvalResult(
        dataset=dataset.name,
        split=split_used,
        selection=_selection(limit, everything),
        examples=examples,
        pipeline=pipeline,
        naive=baseline,
        backend=report.backend,
        model=report.model,
        mode=report.mode,
        command=command or default_command(),
        estimate=est,
        cached_chunks=report.cached_chunks,
        trust=trust,
        bootstrap=bootstrap_f1(
            dataset.score,
            [e.gold for e in examples],
            {run.label: run.preds for run in filter(None, (pipeline, baseline, reference))},
        ),
        reference=reference,
        ceiling=ceiling_scores(dataset, examples, model),
    )
    result.report_dir, result.written = write_report(result, out_root, secrets=config.secrets)
    _say(config, result.summary())
    return result


def with_labelled_examples(
    dataset: EvalDataset, split: str, examples: list[Example], config: Config
) -> Config:
    """`config` sending, with each chunk, the labelled documents most like it, drawn from
    the dataset's documents that are not evaluated (`extract.evaluation.labelled`)."""
    if dataset.labelled_rows is None or dataset.to_answer is None:
        raise ConfigError(f"{dataset.name} has no labelled documents to draw examples from")
    evaluated = {e.doc_id for e in examples}
    path, n = write_pool(dataset.name, dataset.labelled_rows(split), dataset.to_answer, evaluated)
    _say(config, f"{dataset.name}: worked examples from {n} labelled documents never evaluated")
    return config.model_copy(update={"examples_from": path})


def _say(config: Config, text: str) -> None:
    if not config.quiet:
        print(text, flush=True)


def _selection(limit: int | None, everything: bool) -> str:
    if limit is not None:
        return f"first {limit}"
    return "all" if everything else "default subset"


def default_command() -> str:
    """The command line that started this process, as one would type it again (no keys)."""
    argv = sys.argv or [""]
    head = Path(argv[0])
    prog = f"python -m {head.parent.name}" if head.name == "__main__.py" else head.name
    return " ".join(filter(None, [prog, shlex.join(redact_argv(argv[1:]))]))


def score(dataset: EvalDataset, examples: list[Example], preds: list[Gold]) -> Scores:
    """The dataset's metric, plus the same on the documents over 33K tokens when mixed in."""
    golds = [e.gold for e in examples]
    scores = dataset.score(golds, preds)
    long = [i for i, e in enumerate(examples) if e.tokens_over_33k]
    if long and len(long) < len(examples):
        part = dataset.score([golds[i] for i in long], [preds[i] for i in long])
        scores.extra[f"documents over 33K tokens ({len(long)})"] = part.overall
    return scores


def _aligned(examples: list[Example], report: RunReport) -> list[DocumentResult | None]:
    """Each example's result (None if the run has none for its file)."""
    by_source = {str(Path(r.source).resolve()): r for r in report.results}
    return [by_source.get(str(e.path.resolve())) for e in examples]


def _pipeline_run(
    dataset: EvalDataset, examples: list[Example], report: RunReport, label: str = "pipeline"
) -> SystemRun:
    results = _aligned(examples, report)
    preds = [dataset.to_gold(r.data if r else None) for r in results]
    costs = report.tables.documents["cost_usd"]
    cost = float("nan") if costs.isna().any() else float(costs.sum())
    return SystemRun(
        label=label,
        preds=preds,
        statuses=[r.status if r else "error" for r in results],
        errors=[r.error if r else "no result for this file" for r in results],
        scores=score(dataset, examples, preds),
        seconds=report.seconds,
        requests=sum(r.usage.requests for r in report.results),
        prompt_tokens=sum(r.usage.prompt_tokens for r in report.results),
        completion_tokens=sum(r.usage.completion_tokens for r in report.results),
        cost_usd=None if cost != cost else float(cost),  # NaN: a price is unknown
    )


def _naive_run(dataset: EvalDataset, examples: list[Example], run: NaiveRun) -> SystemRun:
    preds = [dataset.to_gold(o.data) for o in run.outcomes]
    return SystemRun(
        label="naive",
        preds=preds,
        statuses=[o.status for o in run.outcomes],
        errors=[o.error for o in run.outcomes],
        scores=score(dataset, examples, preds),
        seconds=run.seconds,
        requests=run.total("requests"),
        prompt_tokens=run.total("prompt_tokens"),
        completion_tokens=run.total("completion_tokens"),
        cost_usd=run.cost_usd,
        inputs_cut=sum(o.truncated_input for o in run.outcomes),
        cached=sum(o.cached for o in run.outcomes),
    )


def _finished(report: RunReport) -> RunReport:
    """A run stopped by Ctrl-C or SIGTERM is not scored: its unfinished documents would
    count as wrong. The answers it got are cached, so the rerun resumes."""
    if report.interrupted:
        raise RunStopped(abandoned=report.abandoned)
    return report
