"""The evaluation datasets: which documents, which gold, which schema, which metric.

Every input reaches the real pipeline as a file: PDFs where the dataset has
them, else the dataset's text written once to the user cache. The default
subsets (what `make eval` runs) are fixed so that runs compare over time.

    from extract.evaluation import DATASETS
    examples = DATASETS["sroie"].examples(split=None, limit=5, everything=False)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from extract.errors import ConfigError
from extract.evaluation import cuad, labelled, scoring
from extract.evaluation.loaders import load_module, rasterised, text_input
from extract.ingest.tokenizer import count_tekken_tokens

LONG_TOKENS = 33_000  # "over 33K tokens": more than one request's worth, so chunked
Row = tuple[str, str, dict[str, list[str]]]  # (doc_id, text, gold), as every load.py yields

# The CUAD contract over 33K Tekken tokens (in CUAD's text and in the PDF's text layer alike)
# with the fewest tokens in the PDF: 33,577 / 34,622. On 2 cores the embedded model reads it
# in about 5 minutes; CUAD's median contract is 120K characters, so the short ones are few.
CUAD_LONG_DEFAULT = (
    "PfHospitalityGroupInc_20150923_10-12G_EX-10.1_9266710_EX-10.1_Franchise Agreement1",
)
CUAD_SHORT_DEFAULT = 10  # the shortest contracts with a PDF (1,700 to 12,400 characters)


@dataclass(frozen=True)
class Example:
    """One document to extract, with its gold values in the dataset's own format."""

    doc_id: str
    path: Path
    gold: dict[str, list[str]]
    tokens_over_33k: bool | None
    reference: Path | None = None  # scan datasets: the same document as text, for comparison


@dataclass(frozen=True)
class EvalDataset:
    """A dataset bound to a bundled schema, a mapping of our records and a scorer."""

    name: str
    schema: str  # bundled schema name
    fields: tuple[str, ...]  # gold field names, in report order
    splits: tuple[str, ...]  # first = default
    rows: Callable[[str], Iterator[Row]]
    default: Callable[[list[Row]], list[Row]]
    input_path: Callable[[str, str], Path]  # (doc_id, text) -> the file the pipeline reads
    to_gold: Callable[[scoring.Record], dict[str, list[str]]]
    score: scoring.Scorer
    match: scoring.Matcher  # (field, gold, pred) -> one document's field entirely right
    # Scan datasets: the text input of the same document, run beside the scan (no naive run).
    reference_path: Callable[[str, str], Path] | None = None
    # Labelled examples (`--labelled-examples`): documents of another split (split evaluated
    # -> rows), the evaluated ones always left out, and gold -> the schema's answer.
    labelled_rows: Callable[[str], Iterator[Row]] | None = None
    to_answer: Callable[[dict[str, list[str]]], dict] | None = None

    def examples(
        self, split: str | None = None, limit: int | None = None, everything: bool = False
    ) -> list[Example]:
        """The default subset; or the first `limit` of the split; or all of it (`everything`)."""
        split = self.check_split(split)
        if limit is not None and limit < 1:
            raise ConfigError(f"--limit must be at least 1, got {limit}")
        rows = list(self.rows(split))
        if limit is not None:
            rows = rows[:limit]
        elif not everything:
            rows = self.default(rows)
        reference = self.reference_path
        return [
            Example(
                doc_id,
                self.input_path(doc_id, text),
                gold,
                _long(text),
                reference(doc_id, text) if reference else None,
            )
            for doc_id, text, gold in rows
        ]

    def check_split(self, split: str | None) -> str:
        """The split to use; a ConfigError for the held-out or an unknown one."""
        if split is None:
            return self.splits[0]
        if self.name.startswith(("kleister_nda", "kleister-nda")) and split == "test-A":
            raise ConfigError(
                "kleister_nda split 'test-A' is held out (no text or gold is shipped): "
                "tune and compare on 'dev-0' or 'train'"
            )
        if split not in self.splits:
            raise ConfigError(f"{self.name} has no split {split!r}: use {', '.join(self.splits)}")
        return split


def _long(text: str) -> bool:
    return count_tekken_tokens(text) > LONG_TOKENS


def _first(n: int) -> Callable[[list[Row]], list[Row]]:
    return lambda rows: rows[:n]


# --- Kleister NDA -----------------------------------------------------------------------


def _nda_rows(split: str) -> Iterator[Row]:
    return load_module("kleister_nda").iter_docs(split)


def _nda_path(doc_id: str, _text: str) -> Path:
    return Path(load_module("kleister_nda").pdf_path(doc_id))


def _nda_other_split(split: str) -> Iterator[Row]:
    return _nda_rows("train" if split == "dev-0" else "dev-0")


# --- SROIE ------------------------------------------------------------------------------


def _sroie_rows(_split: str) -> Iterator[Row]:
    return load_module("sroie").iter_docs()


def _sroie_path(doc_id: str, text: str) -> Path:
    return text_input("sroie", doc_id, text)


def _sroie_unscanned(_split: str) -> Iterator[Row]:
    """The receipts with no scan shipped (100-625): never in a default or scan subset."""
    module = load_module("sroie")
    return (row for row in module.iter_docs() if not module.image_path(row[0]))


# --- Kleister Charity (sample) ----------------------------------------------------------


def _charity_rows(_split: str) -> Iterator[Row]:
    return load_module("kleister_charity_sample").iter_docs()


def _charity_path(doc_id: str, text: str) -> Path:
    pdf = Path(load_module("kleister_charity_sample").HERE) / "documents" / doc_id
    return pdf if pdf.is_file() else text_input("kleister_charity", Path(doc_id).stem, text)


def _shortest(n: int) -> Callable[[list[Row]], list[Row]]:
    return lambda rows: sorted(rows, key=lambda r: (len(r[1]), r[0]))[:n]


# --- CUAD -------------------------------------------------------------------------------


def _cuad_rows(_split: str) -> Iterator[Row]:
    return load_module("cuad").iter_docs()


def _cuad_pdf(doc_id: str) -> Path | None:
    found = load_module("cuad").pdf_path(doc_id)
    return Path(found) if found else None


def _cuad_path(doc_id: str, text: str) -> Path:
    return _cuad_pdf(doc_id) or text_input("cuad", doc_id, text)


def _cuad_default(rows: list[Row]) -> list[Row]:
    """The ten shortest contracts with PDFs and the shortest long one, in CSV order."""
    missing = set(CUAD_LONG_DEFAULT) - {r[0] for r in rows}
    if missing:
        raise ConfigError(f"CUAD default subset: contracts not found: {sorted(missing)}")
    short = sorted((len(r[1]), r[0]) for r in rows if _cuad_pdf(r[0]))
    chosen = {doc_id for _, doc_id in short[:CUAD_SHORT_DEFAULT]} | set(CUAD_LONG_DEFAULT)
    return [r for r in rows if r[0] in chosen]


# --- scans: the same documents as images ------------------------------------------------


def _sroie_scan_rows(_split: str) -> Iterator[Row]:
    """The SROIE receipts whose original scan is shipped (000-099)."""
    module = load_module("sroie")
    return (row for row in module.iter_docs() if module.image_path(row[0]))


def _sroie_scan_path(doc_id: str, _text: str) -> Path:
    return Path(load_module("sroie").image_path(doc_id))


def _nda_scan_path(doc_id: str, _text: str) -> Path:
    return rasterised(_nda_path(doc_id, _text), "kleister_nda_scans")


DATASETS: dict[str, EvalDataset] = {
    "kleister_nda": EvalDataset(
        name="kleister_nda",
        schema="nda",
        fields=("effective_date", "jurisdiction", "party", "term"),
        splits=("dev-0", "train"),
        rows=_nda_rows,
        default=_first(10),
        input_path=_nda_path,
        to_gold=scoring.nda_to_gold,
        score=scoring.kleister_scorer(("effective_date", "jurisdiction", "party", "term")),
        match=scoring.kleister_match,
        labelled_rows=_nda_other_split,
        to_answer=labelled.nda_answer,
    ),
    "sroie": EvalDataset(
        name="sroie",
        schema="receipt",
        fields=scoring.SROIE_FIELDS,
        splits=("train",),
        rows=_sroie_rows,
        default=_first(25),
        input_path=_sroie_path,
        to_gold=scoring.receipt_to_gold,
        score=scoring.sroie_scores,
        match=scoring.sroie_match,
        labelled_rows=_sroie_unscanned,
        to_answer=labelled.receipt_answer,
    ),
    "kleister_charity": EvalDataset(
        name="kleister_charity",
        schema="charity_report",
        fields=tuple(scoring.CHARITY_NAMES.values()),
        splits=("dev-0",),
        rows=_charity_rows,
        default=_shortest(2),
        input_path=_charity_path,
        to_gold=scoring.charity_to_gold,
        score=scoring.kleister_scorer(tuple(scoring.CHARITY_NAMES.values())),
        match=scoring.kleister_match,
        to_answer=labelled.charity_answer,
    ),
    "cuad": EvalDataset(
        name="cuad",
        schema="contract",
        fields=cuad.CUAD_FIELDS,
        splits=("all",),
        rows=_cuad_rows,
        default=_cuad_default,
        input_path=_cuad_path,
        to_gold=cuad.contract_to_gold,
        score=cuad.cuad_scores,
        match=cuad.cuad_match,
        to_answer=labelled.contract_answer,
    ),
    "sroie-scans": EvalDataset(
        name="sroie-scans",
        schema="receipt",
        fields=scoring.SROIE_FIELDS,
        splits=("train",),
        rows=_sroie_scan_rows,
        default=_first(10),
        input_path=_sroie_scan_path,
        to_gold=scoring.receipt_to_gold,
        score=scoring.sroie_scores,
        match=scoring.sroie_match,
        reference_path=_sroie_path,
        labelled_rows=_sroie_unscanned,
        to_answer=labelled.receipt_answer,
    ),
    "kleister-nda-scans": EvalDataset(
        name="kleister-nda-scans",
        schema="nda",
        fields=("effective_date", "jurisdiction", "party", "term"),
        splits=("dev-0", "train"),
        rows=_nda_rows,
        default=_first(5),
        input_path=_nda_scan_path,
        to_gold=scoring.nda_to_gold,
        score=scoring.kleister_scorer(("effective_date", "jurisdiction", "party", "term")),
        match=scoring.kleister_match,
        reference_path=_nda_path,
        labelled_rows=_nda_other_split,
        to_answer=labelled.nda_answer,
    ),
}
# What `eval` runs with no dataset named (the scan sets read every page by OCR: opt in).
DEFAULT_DATASETS = ("kleister_nda", "sroie", "kleister_charity", "cuad")
