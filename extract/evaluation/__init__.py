"""The evaluation harness: real datasets through the real pipeline, beside a naive baseline.

from extract.evaluation import DATASETS, evaluate
result = evaluate("kleister_nda", config, limit=5)   # prints the estimate, then runs
result.report_dir                                     # report.md, per_document.csv, f1.png
"""

from extract.evaluation.data import EvalResult, SystemRun
from extract.evaluation.datasets import DATASETS, EvalDataset, Example
from extract.evaluation.run import evaluate

__all__ = ["DATASETS", "EvalDataset", "EvalResult", "Example", "SystemRun", "evaluate"]
