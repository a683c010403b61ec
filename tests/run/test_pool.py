"""The worker pool, with a fake at the backend interface: order, saturation, failures, re-asks."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from pydantic import BaseModel

from extract import Config, extract_document, extract_paths
from extract.llm.backends.base import StructuredRequest
from tests.fake_backend import FakeBackend, document_of


class Note(BaseModel):
    """A note with a title."""

    title: str | None = None


def config(**settings) -> Config:
    return Config.resolve(base_url="http://127.0.0.1:9/v1", api_key="x", cache=False, **settings)


def notes(folder: Path, n: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        path = folder / f"note-{i:02d}.txt"
        path.write_text(f"Title: note {i}\nSome words about it.")
        paths.append(path)
    return paths


def title_from_text(request: StructuredRequest) -> dict[str, str]:
    return {"title": document_of(request).splitlines()[0].removeprefix("Title: ")}


def test_results_come_back_in_input_order_though_later_documents_finish_first(tmp_path: Path):
    def slow_for_early_notes(request: StructuredRequest) -> dict[str, str]:
        answer = title_from_text(request)
        time.sleep(0.02 * (8 - int(answer["title"].split()[-1])))
        return answer

    backend = FakeBackend(slow_for_early_notes)
    report = extract_paths(notes(tmp_path, 8), Note, config(concurrency=8), backend=backend)
    assert [r.data["title"] for r in report.results] == [f"note {i}" for i in range(8)]
    assert list(report.tables.documents["title"]) == [f"note {i}" for i in range(8)]


def test_the_pool_keeps_the_configured_number_of_requests_in_flight(tmp_path: Path):
    four_at_once = threading.Barrier(4, timeout=10)  # a call returns only when 4 are waiting

    def together(request: StructuredRequest) -> dict[str, str]:
        four_at_once.wait()
        return title_from_text(request)

    backend = FakeBackend(together)
    report = extract_paths(notes(tmp_path, 12), Note, config(concurrency=4), backend=backend)
    assert report.all_ok and len(backend.requests) == 12  # three rounds of four
    assert backend.most_in_flight == 4


def test_a_crash_in_one_call_is_that_documents_error_row_and_the_run_goes_on(tmp_path: Path):
    def crash_on_note_3(request: StructuredRequest) -> dict[str, str]:
        answer = title_from_text(request)
        if answer["title"] == "note 3":
            raise RuntimeError("backend bug")
        return answer

    paths = notes(tmp_path, 5)
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    report = extract_paths([tmp_path], Note, config(), backend=FakeBackend(crash_on_note_3))
    by_name = {Path(r.source).name: r for r in report.results}
    assert len(report.results) == len(paths) + 1  # every input has a row
    assert by_name["note-03.txt"].status == "error"
    assert "internal error: RuntimeError: backend bug" in by_name["note-03.txt"].error
    assert by_name["broken.pdf"].status == "error"
    assert sum(r.status == "ok" for r in report.results) == 4


def test_an_invalid_answer_is_reasked_once_and_both_attempts_are_counted(tmp_path: Path):
    answers = iter(["this is not json", {"title": "note 0"}])
    backend = FakeBackend(lambda request: next(answers))
    result = extract_document(notes(tmp_path, 1)[0], Note, config=config(), backend=backend)
    assert result.status == "ok" and result.data == {"title": "note 0"}
    assert result.usage.requests == 2
    reask = backend.requests[1].messages
    assert "this is not json" in reask[-2]["content"]  # the rejected answer goes back


def test_a_backend_passed_in_is_left_open_for_its_owner(tmp_path: Path):
    backend = FakeBackend(title_from_text)
    extract_document(notes(tmp_path, 1)[0], Note, config=config(), backend=backend)
    extract_paths(notes(tmp_path, 2), Note, config(), backend=backend)
    assert backend.closed is False
