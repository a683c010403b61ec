"""How far the evidence can be trusted: value by value, right or wrong against the gold.

Every value the pipeline put in the tables has an evidence row (`match`, and
`confidence` where the backend gave log-probabilities). Each value is scored
alone against the document's gold for its field, with the dataset's own
metric: right when it is one of the gold values. The report then says, per
field, how often a grounded value is right beside an ungrounded one (whether
`--evidence require` is worth it), and how often values are right by
confidence band (where to start reviewing), with a calibration plot.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from extract.evaluation.datasets import EvalDataset, Example
from extract.output.results import DocumentResult

BANDS = ((0.0, 0.5), (0.5, 0.8), (0.8, 0.95), (0.95, 0.99), (0.99, 1.0))


@dataclass
class Tally:
    values: int = 0
    right: int = 0

    def add(self, right: bool) -> None:
        self.values += 1
        self.right += right

    @property
    def precision(self) -> float | None:
        return self.right / self.values if self.values else None


@dataclass
class Trust:
    """Per gold field: grounded and ungrounded values; per confidence band: all values."""

    grounded: dict[str, Tally] = field(default_factory=dict)
    ungrounded: dict[str, Tally] = field(default_factory=dict)
    bands: list[tuple[float, float, Tally, float]] = field(default_factory=list)  # lo, hi, n, mean


def measure_trust(
    dataset: EvalDataset, examples: list[Example], results: list[DocumentResult | None]
) -> Trust | None:
    """Score each value of each document's evidence; None when the run kept no evidence."""
    scored: list[tuple[str, bool, str, float | None]] = []  # gold field, right, match, conf
    for example, result in zip(examples, results, strict=True):
        if result is None or result.evidence is None or result.data is None:
            continue
        for row in result.evidence.rows:
            value = _value(result.data, row.field) if row.in_table else row.value
            top = row.field.split("[")[0].split(".")[0]
            item = row.field[len(top) :].startswith("[")  # one item of a list field
            record: dict[str, Any] = {top: [value] if item else value}
            pred = {k: v for k, v in dataset.to_gold(record).items() if v}
            if len(pred) != 1:
                continue  # a field the dataset does not score
            ((gold_field, pred_values),) = pred.items()
            gold = example.gold.get(gold_field, [])
            scores = dataset.score([{gold_field: gold}], [{gold_field: pred_values}])
            right = scores.fields[gold_field].precision == 1.0
            scored.append((gold_field, right, row.match, row.confidence))
    if not scored:
        return None
    trust = Trust()
    for gold_field, right, match, _ in scored:
        side = trust.ungrounded if match == "none" else trust.grounded
        side.setdefault(gold_field, Tally()).add(right)
        side.setdefault("all", Tally()).add(right)
    for lo, hi in BANDS:
        inside = [(r, c) for _, r, _, c in scored if c is not None and lo <= c < hi + (hi == 1.0)]
        tally = Tally()
        for right, _ in inside:
            tally.add(right)
        mean = sum(c for _, c in inside) / len(inside) if inside else 0.0
        trust.bands.append((lo, hi, tally, mean))
    return trust


def _value(data: dict[str, Any], path: str) -> Any:
    """The value at an evidence row's path (`parties[1]`, `vendor.name`) in a record."""
    current: Any = data
    for part in path.replace("]", "").replace("[", ".").split("."):
        if isinstance(current, list):
            current = current[int(part)] if part.isdigit() and int(part) < len(current) else None
        elif isinstance(current, dict):
            current = current.get(part)
        else:
            return None
    return current


def trust_section(trust: Trust | None) -> list[str]:
    """The report's "Evidence" section (markdown lines)."""
    if trust is None:
        return []
    lines = [
        "## Evidence: is a grounded value more often right?",
        "",
        "Each value in the tables scored alone against the document's gold for its field "
        "(right = one of the gold values, by the dataset's metric); grounded = the text "
        "supports it (`match` other than `none` in the evidence table).",
        "",
        "| field | grounded values | right | precision | ungrounded values | right | precision |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    names = sorted(set(trust.grounded) | set(trust.ungrounded), key=lambda n: (n == "all", n))
    for name in names:
        g, u = trust.grounded.get(name, Tally()), trust.ungrounded.get(name, Tally())
        lines.append(
            f"| {'**all**' if name == 'all' else name} | {g.values} | {g.right} | {_pct(g)} "
            f"| {u.values} | {u.right} | {_pct(u)} |"
        )
    with_confidence = sum(t.values for _, _, t, _ in trust.bands)
    lines.append("")
    if not with_confidence:
        lines += ["No confidences: the backend gave no token log-probabilities.", ""]
        return lines
    lines += [
        f"Accuracy by confidence band ({with_confidence} values with a confidence; "
        "calibration.png plots it):",
        "",
        "| confidence | values | right | accuracy | mean confidence |",
        "|---|---:|---:|---:|---:|",
    ]
    for lo, hi, tally, mean in trust.bands:
        if tally.values:
            lines.append(
                f"| {lo:.2f}-{hi:.2f} | {tally.values} | {tally.right} | {_pct(tally)} | {mean:.3f} |"
            )
    return [*lines, ""]


def _pct(tally: Tally) -> str:
    return "-" if tally.precision is None else f"{tally.precision:.3f}"


def plot_calibration(trust: Trust | None, title: str, path: Path) -> bool:
    """Accuracy against mean confidence per band (a reliability diagram); False without
    matplotlib or without confidences."""
    if trust is None or not any(t.values for _, _, t, _ in trust.bands):
        return False
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    points = [(mean, t.precision or 0.0, t.values) for _, _, t, mean in trust.bands if t.values]
    fig, ax = plt.subplots(figsize=(5.0, 5.0))
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfectly calibrated")
    ax.plot([p[0] for p in points], [p[1] for p in points], marker="o", label="values")
    for x, y, n in points:
        ax.annotate(f"n={n}", (x, y), textcoords="offset points", xytext=(4, -12), fontsize=8)
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("mean confidence in band")
    ax.set_ylabel("share of values right")
    ax.set_title(title, fontsize=10)
    ax.legend(loc="upper left", frameon=False)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return True
