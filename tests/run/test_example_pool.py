"""Labelled documents as worked examples: the nearest go with each chunk, checked first."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extract import Config, ConfigError, extract_document
from extract.evaluation.datasets import DATASETS
from extract.evaluation.labelled import nda_answer, write_pool
from extract.evaluation.loaders import load_module
from extract.ingest.documents import Document
from extract.run.example_pool import EXCERPT_CHARS, GAP, ExamplePool
from schemas.nda import NDA
from schemas.receipt import Receipt
from tests.fake_server import FakeOpenAI, Reply

KOPI = (
    "KOPI TIAM SDN BHD\nNO 3, JALAN BESAR,\n81100 JOHOR BAHRU\nDATE: 14/05/2018\n"
    "KOPI O 2 3.00\nTOTAL 3.00",
    {
        "company": "KOPI TIAM SDN BHD",
        "date": "14/05/2018",
        "address": "NO 3, JALAN BESAR, 81100 JOHOR BAHRU",
        "total": "3.00",
    },
)
HARDWARE = (
    "SYARIKAT PERKAKASAN MAJU\nLOT 9, JALAN INDUSTRI 2,\n43300 SERI KEMBANGAN\n"
    "DATE 02/03/2018\nPAKU 1KG 1 4.50\nCAT PUTIH 5L 1 45.00\nTOTAL RM 49.50",
    {
        "company": "SYARIKAT PERKAKASAN MAJU",
        "date": "02/03/2018",
        "address": "LOT 9, JALAN INDUSTRI 2, 43300 SERI KEMBANGAN",
        "total": "49.50",
    },
)


def write_jsonl(path: Path, examples: list[tuple[str, dict]]) -> Path:
    path.write_text("".join(json.dumps({"text": t, "answer": a}) + "\n" for t, a in examples))
    return path


def test_the_nearest_labelled_receipt_is_the_same_shops():
    """Receipt 002 (MR D.I.Y.) of SROIE gets MR. D.I.Y. receipts from the labelled ones
    (100-625), which show how that shop's name and address are written."""
    sroie = DATASETS["sroie"]
    rows = list(sroie.labelled_rows("train"))
    pool = ExamplePool.build([(text, sroie.to_answer(gold)) for _, text, gold in rows], Receipt)
    _, text, _ = next(r for r in sroie.rows("train") if r[0] == "002")
    nearest = pool.nearest(text, 2)
    assert [answer["company"] for _, answer in nearest] == ["MR. D.I.Y. (M) SDN BHD"] * 2
    assert nearest[0][1]["address"].startswith("LOT 1851-A & 1851-B, JALAN KPB 6")


def test_a_long_labelled_document_is_cut_to_the_passages_that_hold_its_values():
    module = load_module("kleister_nda")
    _, text, gold = next(module.iter_docs("train"))
    pool = ExamplePool.build([(text, nda_answer(gold))], NDA)
    ((excerpt, answer),) = pool.examples
    assert len(text) > 5 * EXCERPT_CHARS and len(excerpt) <= EXCERPT_CHARS and GAP in excerpt
    assert answer["jurisdiction"] == "Oregon" and answer["effective_date"] == "2001-04-18"
    assert (
        "Oregon" in excerpt
        and answer["parties"]
        and all(p.split()[0].lower() in excerpt.lower() for p in answer["parties"])
    )


def test_an_example_whose_value_is_not_in_its_text_is_left_out_and_counted():
    made_up = (KOPI[0], {**KOPI[1], "total": "999.99"})
    pool = ExamplePool.build([made_up, HARDWARE], Receipt)
    assert pool.left_out == 1 and [a["total"] for _, a in pool.examples] == ["49.50"]
    with pytest.raises(ConfigError, match="no usable labelled example"):
        ExamplePool.build([made_up], Receipt)


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ("{not json", "labelled.jsonl:2: not JSON"),
        ('{"answer": {}}', 'labelled.jsonl:2: expected {"text"'),
        ('{"text": "x", "answer": {"shop": "x"}}', "Receipt has no field shop"),
        ('{"text": "x", "answer": {"total": [1]}}', "the answer is invalid for Receipt"),
    ],
)
def test_a_bad_labelled_file_fails_before_any_request_naming_its_line(
    tmp_path: Path, line: str, error: str
):
    path = write_jsonl(tmp_path / "labelled.jsonl", [KOPI])
    path.write_text(path.read_text() + line + "\n")
    config = Config.resolve(backend="local", examples_from=path)
    with pytest.raises(ConfigError, match=error.replace("{", r"\{")):
        extract_document(Document("d", "d.txt", ("TOTAL 1.00",)), "receipt", config=config)


def test_a_missing_labelled_file_is_a_configuration_error(tmp_path: Path):
    with pytest.raises(ConfigError, match="examples_from: no such file"):
        Config.resolve(backend="local", examples_from=tmp_path / "none.jsonl")


@pytest.mark.parametrize(("examples", "turns"), [("auto", 2), ("on", 8), ("off", 0)])
def test_the_request_carries_the_nearest_labelled_documents_before_the_chunk(
    tmp_path: Path, examples: str, turns: int
):
    """With --examples-from, a hosted model gets the labelled document most like the chunk
    as earlier turns, after the schema's made-up ones (sent only with --examples on);
    --examples off sends neither."""
    path = write_jsonl(tmp_path / "labelled.jsonl", [KOPI, HARDWARE])
    receipt = Document(
        "r", "r.txt", ("SYARIKAT PERKAKASAN MAJU\nLOT 9, JALAN INDUSTRI 2\nTOTAL RM 12.00",)
    )
    answer = {"company": "SYARIKAT PERKAKASAN MAJU", "date": None, "address": None}
    with FakeOpenAI() as fake:
        fake.script(Reply(content=json.dumps({**answer, "total": "12.00"})))
        config = Config.resolve(
            base_url=fake.base_url,
            api_key="x",
            examples=examples,
            examples_from=path,
            nearest_examples=1,
        )
        result = extract_document(receipt, "receipt", config=config)
        messages = fake.chat_requests()[0].body["messages"]
    assert result.status == "ok" and result.data["total"] == "12.00"
    assert [m["role"] for m in messages[1:-1]] == ["user", "assistant"] * (turns // 2)
    if turns:
        labelled_text, labelled_answer = messages[-3]["content"], messages[-2]["content"]
        assert "PAKU 1KG" in labelled_text and "KOPI" not in labelled_text
        assert json.loads(labelled_answer)["total"] == "49.50"


def test_the_evaluation_pool_never_holds_an_evaluated_document():
    sroie = DATASETS["sroie"]
    evaluated = {e.doc_id for e in sroie.examples(None, 100)}
    labelled = {doc_id for doc_id, _, _ in sroie.labelled_rows("train")}
    assert len(evaluated) == 100 and len(labelled) == 526 and not evaluated & labelled
    nda = DATASETS["kleister_nda"]
    dev = [e.doc_id for e in nda.examples("dev-0", 3)]
    path, n = write_pool("test-nda", nda.labelled_rows("dev-0"), nda_answer, set(dev))
    ids = {json.loads(line)["id"] for line in path.read_text().splitlines()}
    assert n == len(ids) == 254 and not ids & set(dev)
    path.unlink()
