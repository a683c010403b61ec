"""The evaluation report: `reports/<dataset>-<UTC time>/` with report.md, per_document.csv,
f1.png and, where values had confidences, calibration.png.

report.md is what one reads (pipeline beside the naive baseline, field by field,
and what each cost); per_document.csv is for error analysis (gold beside each
system's values, with match flags); f1.png is the same F1 figures as bars, drawn
only when matplotlib is installed (the optional `eval` extra).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from extract.evaluation.data import EvalResult, SystemRun
from extract.evaluation.datasets import DATASETS
from extract.evaluation.scoring import PRF
from extract.evaluation.trust import plot_calibration, trust_section
from extract.llm.redact import redact

VALUE_SEPARATOR = " | "


def write_report(
    result: EvalResult, out_root: Path, *, secrets: tuple[str, ...] = ()
) -> tuple[Path, list[Path]]:
    """Write the three files into a new folder under `out_root`; return it and the files.

    Both texts pass through `redact`: the command line and error messages are copied in.
    """
    folder = _new_folder(out_root, result.dataset)
    written = [folder / "report.md", folder / "per_document.csv"]
    written[0].write_text(redact(markdown(result), secrets), encoding="utf-8")
    table = per_document(result).to_csv(index=False)
    written[1].write_text(redact(table, secrets), encoding="utf-8")
    png = folder / "f1.png"
    if plot_f1(result, png):
        written.append(png)
    calibration = folder / "calibration.png"
    title = f"{result.dataset}: confidence vs accuracy\n{result.model}"
    if plot_calibration(result.trust, title, calibration):
        written.append(calibration)
    return folder, written


def _new_folder(out_root: Path, dataset: str) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    for n in range(1, 1000):
        folder = out_root / (f"{dataset}-{stamp}" + (f"-{n}" if n > 1 else ""))
        try:
            folder.mkdir(parents=True)
            return folder
        except FileExistsError:
            continue
    raise FileExistsError(f"no free report folder for {dataset}-{stamp} under {out_root}")


# --- report.md --------------------------------------------------------------------------


def _num(x: float) -> str:
    return f"{x:.3f}"


def _ratio(pipeline: float, naive: float) -> str:
    return f"{pipeline / naive:.2f}×" if naive else ("=" if pipeline == naive else "∞")


def _row(name: str, p: PRF, n: PRF | None) -> str:
    cells = [name, _num(p.precision), _num(p.recall), _num(p.f1)]
    if n is not None:
        cells += [_num(n.precision), _num(n.recall), _num(n.f1), _ratio(p.f1, n.f1)]
    return "| " + " | ".join(cells) + " |"


def score_table(result: EvalResult) -> list[str]:
    """Overall, per field, then the named variants (loose, exact, long documents)."""
    other = result.naive or result.reference
    pipe, naive = result.pipeline.scores, other.scores if other else None
    head = ["", "pipeline P", "pipeline R", "pipeline F1"]
    if other is not None:
        name = other.label
        head += [f"{name} P", f"{name} R", f"{name} F1", f"pipeline ÷ {name} F1"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines.append(_row("**overall**", pipe.overall, naive.overall if naive else None))
    for name, figures in pipe.fields.items():
        lines.append(_row(name, figures, naive.fields.get(name) if naive else None))
    for name, figures in pipe.extra.items():
        lines.append(_row(f"*{name}*", figures, naive.extra.get(name) if naive else None))
    return lines


def _cost(run: SystemRun) -> str:
    return "unknown" if run.cost_usd is None else f"${run.cost_usd:.4f}"


def cost_table(result: EvalResult) -> list[str]:
    lines = [
        "| | documents | ok | requests | seconds | s/doc | prompt tokens | completion tokens | cost |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for run in filter(None, (result.pipeline, result.naive, result.reference)):
        ok = sum(s == "ok" for s in run.statuses)
        lines.append(
            f"| {run.label} | {run.documents} | {ok} | {run.requests} | {run.seconds:.1f} | "
            f"{run.seconds_per_doc:.2f} | {run.prompt_tokens} | {run.completion_tokens} | "
            f"{_cost(run)} |"
        )
    return lines


def facts(result: EvalResult) -> list[str]:
    """What was run, on what, and how: enough to run it again."""
    long_docs = sum(bool(e.tokens_over_33k) for e in result.examples)
    lines = [
        f"- split `{result.split}`, {result.selection}: {len(result.examples)} documents "
        f"({long_docs} over 33K tokens)",
        f"- backend `{result.backend}`, model `{result.model}`, mode `{result.mode}`",
        f"- command: `{result.command}`",
        f"- estimate before the run: {result.estimate.describe()}",
        f"- pipeline chunks answered from the cache (not sent again): {result.cached_chunks}",
    ]
    if result.naive is not None:
        cut = result.naive.inputs_cut
        lines.append(
            f"- naive baseline: {cut} documents cut to fit the context window, "
            f"{result.naive.cached} answered from the cache"
        )
    if result.cached_chunks or (result.naive is not None and result.naive.cached):
        lines.append("- seconds count cache hits as near-zero: compare them only between cold runs")
    return lines


def confidence(result: EvalResult) -> list[str]:
    """The F1 intervals over documents, and whether the gain over the baseline is clear."""
    boot = result.bootstrap
    if boot is None:
        return []
    lines = [
        "## Confidence",
        "",
        f"95% percentile bootstrap over documents ({boot.resamples} resamples, the same "
        "draws for both systems):",
        "",
    ]
    lines += [f"- {label} F1 {interval.describe()}" for label, interval in boot.systems.items()]
    if boot.difference is not None:
        clear = "clear of zero" if boot.difference.excludes_zero else "not clear of zero"
        other = "text" if result.reference is not None else "naive"
        lines.append(f"- pipeline - {other} F1 {boot.difference.describe(signed=True)}: {clear}")
    return [*lines, ""]


def ceiling(result: EvalResult) -> list[str]:
    """The gold through the pipeline's own grounding and validation: what is the model's to win."""
    if result.ceiling is None:
        return []
    lines = [
        "## Ceiling",
        "",
        "The gold itself, answered as a perfect model would: grounded in each document's text "
        "and validated by the schema like any answer, then scored by the same metric. The "
        "pipeline's gap to it is the model's; its gap to 1.000 is where the keys differ from "
        "what the text prints, or the grounding misses.",
        "",
        "| | ceiling F1 | pipeline F1 |",
        "|---|---|---|",
        f"| **overall** | {_num(result.ceiling.overall.f1)} | "
        f"{_num(result.pipeline.scores.overall.f1)} |",
    ]
    for name, figures in result.ceiling.fields.items():
        pipe = result.pipeline.scores.fields.get(name)
        lines.append(f"| {name} | {_num(figures.f1)} | {_num(pipe.f1) if pipe else '-'} |")
    return [*lines, ""]


def markdown(result: EvalResult) -> str:
    return "\n".join([
        f"# {result.dataset}: pipeline vs "
        + ("the same documents as text" if result.reference else "naive baseline"),
        "",
        *facts(result),
        "",
        "## Scores",
        "",
        *score_table(result),
        "",
        *confidence(result),
        *ceiling(result),
        *trust_section(result.trust),
        "## Cost",
        "",
        *cost_table(result),
        "",
    ])  # fmt: skip


# --- per_document.csv -------------------------------------------------------------------


def per_document(result: EvalResult) -> pd.DataFrame:
    """One row per document: status and error of each system, then per field the gold, each
    system's values (joined with ' | ') and whether the field is entirely right."""
    dataset = DATASETS[result.dataset]
    rows = []
    for i, example in enumerate(result.examples):
        row: dict[str, object] = {
            "doc_id": example.doc_id,
            "source": str(example.path),
            "tokens_over_33k": example.tokens_over_33k,
            "status": result.pipeline.statuses[i],
            "error": result.pipeline.errors[i],
        }
        if result.naive is not None:
            row["naive_status"], row["naive_error"] = (
                result.naive.statuses[i],
                result.naive.errors[i],
            )
        for f in dataset.fields:
            gold = example.gold.get(f, [])
            row[f"{f}.gold"] = VALUE_SEPARATOR.join(gold)
            for run in filter(None, (result.pipeline, result.naive, result.reference)):
                pred = run.preds[i].get(f, [])
                row[f"{f}.{run.label}"] = VALUE_SEPARATOR.join(pred)
                row[f"{f}.{run.label}_match"] = dataset.match(f, gold, pred)
        rows.append(row)
    return pd.DataFrame(rows)


# --- f1.png -----------------------------------------------------------------------------


def plot_f1(result: EvalResult, path: Path) -> bool:
    """Per-field F1 bars, pipeline beside naive; False (with a note) without matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("f1.png skipped: matplotlib is not installed (pip install -e '.[eval]')")
        return False
    names = ["overall", *result.pipeline.scores.fields]
    runs = [r for r in (result.pipeline, result.naive, result.reference) if r is not None]
    width = 0.8 / len(runs)
    fig, ax = plt.subplots(figsize=(max(6.0, 1.1 * len(names)), 4.0))
    for k, run in enumerate(runs):
        f1 = [run.scores.overall.f1] + [run.scores.fields[n].f1 for n in names[1:]]
        ax.bar([i + k * width for i in range(len(names))], f1, width, label=run.label)
    ax.set_xticks([i + width * (len(runs) - 1) / 2 for i in range(len(names))])
    ax.set_xticklabels(names, rotation=30, ha="right")
    ax.set_ylim(0, 1.2)  # headroom for the legend
    ax.set_yticks([0.0, 0.2, 0.4, 0.6, 0.8, 1.0])
    ax.set_ylabel("F1")
    ax.set_title(
        f"{result.dataset}: per-field F1 ({len(result.examples)} documents, {result.model})"
    )
    ax.legend(loc="upper center", ncols=len(runs), frameon=False)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return True
