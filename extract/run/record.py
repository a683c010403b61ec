"""A document's chunk answers as one record, with its amounts read as the text means them.

Called by `finish_document` and the second pass, so a single document, the pool
and a cluster merge alike.
"""

from __future__ import annotations

from typing import Any

from extract.evidence.labels import PrintedAfter, prefer_labelled
from extract.evidence.locating import TextIndex
from extract.evidence.row_total import row_totals_in
from extract.evidence.scale import as_meant_in
from extract.evidence.step import page_starts
from extract.ingest.documents import Document
from extract.output.merge import Merged, merge_answers
from extract.run.task import Task


def merge_parts(
    doc: Document, parts: list[tuple[str, dict[str, Any]]], task: Task
) -> tuple[Merged, PrintedAfter]:
    """The chunks' answers as one record: merged, a labelled field's value taken from the
    part that prints it after its label, amounts as their pages mean them ("£'000")."""
    labels = PrintedAfter.find(doc.text, task.labelled, page_starts(doc.pages))
    merged = prefer_labelled(merge_answers(parts, task.last_wins), parts, labels)
    return amounts_as_meant(merged, task, labels.index), labels


def amounts_as_meant(merged: Merged, task: Task, index: TextIndex) -> Merged:
    """`merged` with its amounts as the text means them: a fund's column as its row's total
    (`row_total`), a figure under a "£'000" header in thousands (`scaled_by_header`)."""
    return as_meant_in(row_totals_in(merged, task.row_totals, index), task.scaled, index)
