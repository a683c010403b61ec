"""The ceiling of a figure: what a perfect reader would score, through our own checks.

A dataset's keys are not always what its text prints (SROIE's "27, JALAN DEDAP 13" where
the receipt's text has "27,JALAN DEDAP 13"), and the pipeline keeps a value only as the
text prints it. Each document's gold is answered here as a perfect model would answer
it, grounded in the document's text and validated by the schema like any answer, then
scored by the dataset's metric. The gap between the pipeline and this ceiling is the
model's; the gap between the ceiling and 1.0 is the keys' and the grounding's.

Every eval report has it; alone, with no model, in seconds:

    python -m extract eval sroie --limit 100 --ceiling
"""

from __future__ import annotations

from pydantic import BaseModel

from extract.errors import DocumentError, InvalidAnswer
from extract.evaluation.datasets import EvalDataset, Example
from extract.evaluation.scoring import Gold, Scores
from extract.evidence.grounding import Grounding, evidence_fields, ground_answer
from extract.ingest.documents import read_document
from extract.llm.validation import validate_object
from extract.schema_registry import load_schema


def ceiling_scores(
    dataset: EvalDataset, examples: list[Example], schema: type[BaseModel]
) -> Scores | None:
    """The metric on the gold as the pipeline would keep it; None where the dataset cannot
    turn its gold into an answer, or its inputs are scans (their text is OCR's, not read here)."""
    if dataset.to_answer is None or dataset.reference_path is not None:
        return None
    fields = evidence_fields(schema)
    kept = [_kept(dataset, e, schema, fields) for e in examples]
    return dataset.score([e.gold for e in examples], kept)


def _kept(
    dataset: EvalDataset,
    example: Example,
    schema: type[BaseModel],
    fields: dict[str, Grounding],
) -> Gold:
    """One document's gold, grounded in its text and validated as a model's answer would be."""
    assert dataset.to_answer is not None
    try:
        text = read_document(example.path).text
    except DocumentError:
        return {}
    answer = ground_answer(dataset.to_answer(example.gold), fields, text)
    try:
        record = validate_object(answer, schema).model_dump(mode="json")
    except InvalidAnswer:
        return {}
    return dataset.to_gold(record)


def describe_ceiling(name: str, split: str | None, limit: int | None, everything: bool) -> str:
    """One line for `extract eval --ceiling`: the ceiling overall and per field."""
    from extract.evaluation.datasets import DATASETS

    dataset = DATASETS[name]
    examples = dataset.examples(split, limit, everything)
    scores = ceiling_scores(dataset, examples, load_schema(dataset.schema)[1])
    if scores is None:
        return f"{name}: no ceiling (no answer from its gold, or scanned inputs)"
    fields = ", ".join(f"{f} {p.f1:.3f}" for f, p in scores.fields.items())
    return f"{name} ceiling ({len(examples)} documents): F1 {scores.overall.f1:.3f}; {fields}"
