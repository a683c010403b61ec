"""Reading a PDF's text in a separate process, bounded in time and memory.

A hostile or broken PDF can keep a parser (PDFium in C, or pypdf in pure
Python after it) busy for minutes, make it allocate gigabytes, or crash it,
while opening, decrypting or reading a single page. Only a separate process
can be stopped in the middle of that: one long-lived worker (started on the
first PDF, reused) reads each PDF under an address-space limit, and is killed
and replaced when a PDF runs past the time limit, runs out of memory or
crashes it. The run goes on; that PDF gets an error row. (PDFium stops the
process when an allocation fails; such a PDF is not tried again with pypdf,
which would double the time a hostile PDF may take.)

The worker's program, and why it reads with PDFium first and pypdf after, is
`extract.ingest.pdf_text`.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import select
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import NamedTuple

from extract.ingest import pdf_text
from extract.ingest.pdf_text import HEADER, LENGTH, READERS, READY, PdfFailure

__all__ = ["PdfFailure", "PdfProcess", "PdfText", "pdf_pages", "worker_cpu_seconds"]
START_SECONDS = 60.0


class PdfText(NamedTuple):
    """A PDF's text: one string per page, the reader that read it, and, when that was not
    the first reader, why the ones before could not (for the documents table's notes)."""

    pages: list[str]
    reader: str
    note: str = ""


class PdfProcess:
    """The worker process. `pages()` is thread-safe (one PDF at a time)."""

    def __init__(self, max_memory: int, readers: tuple[str, ...] = READERS) -> None:
        self.max_memory = max_memory
        self.readers = readers  # benchmarks pass ("pypdf",) for the baseline
        self.cpu_seconds = 0.0  # the worker's CPU time, for benchmarks
        self._cpu_at_start = 0.0
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None

    def pages(self, data: bytes, *, max_pages: int, timeout: float) -> PdfText:
        """The text of each page; raises PdfFailure with the reason when it cannot be read."""
        with self._lock:
            proc = self._started()
            deadline = time.monotonic() + max(0.0, timeout)
            try:
                assert proc.stdin is not None
                proc.stdin.write(HEADER.pack(len(data), max_pages) + data)
                proc.stdin.flush()
            except OSError:  # the worker died before taking the PDF (BrokenPipeError)
                pass  # its exit is reported by _reply
            try:
                reply = self._reply(proc, deadline, timeout)
            except BaseException:
                self._stop()
                raise
            self.cpu_seconds += float(reply.get("cpu", 0.0)) - self._cpu_at_start
            self._cpu_at_start = float(reply.get("cpu", 0.0))
            if reply.get("restart"):
                self._stop()  # after a MemoryError the worker's state is not to be trusted
            if "error" in reply:
                raise PdfFailure(str(reply["error"]))
            reader, unread = str(reply.get("reader", "")), reply.get("unread") or []
            note = f"PDF text read by {reader}: {'; '.join(map(str, unread))}" if unread else ""
            return PdfText([str(page) for page in reply["pages"]], reader, note)

    def close(self) -> None:
        with self._lock:
            self._stop()

    def _started(self) -> subprocess.Popen[bytes]:
        if self._proc is None or self._proc.poll() is not None:
            # -I: no user site, no PYTHONPATH, not even this file's folder on the path:
            # the worker imports only the standard library and the installed readers.
            program = os.path.abspath(pdf_text.__file__)
            self._proc = subprocess.Popen(
                [sys.executable, "-I", program, str(self.max_memory), ",".join(self.readers)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                bufsize=0,
            )
            self._cpu_at_start = 0.0
            # Starting is not the PDF's time: wait for the worker to have its readers loaded.
            assert self._proc.stdout is not None
            fd = self._proc.stdout.fileno()
            if not select.select([fd], [], [], START_SECONDS)[0] or os.read(fd, 1) != READY:
                self._stop()
                raise PdfFailure("the PDF reader process could not be started")
        return self._proc

    def _reply(self, proc: subprocess.Popen[bytes], deadline: float, timeout: float) -> dict:
        assert proc.stdout is not None
        fd = proc.stdout.fileno()
        buffer = bytearray()
        need = LENGTH.size
        while len(buffer) < need:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                self._stop()
                raise PdfFailure(f"PDF too slow to read: over {timeout:.0f} s")
            block = os.read(fd, max(65536, need - len(buffer)))
            if not block:
                code = proc.wait()
                self._stop()
                raise PdfFailure(
                    f"the PDF reader process died (exit code {code}): the PDF needs more "
                    f"than {self.max_memory // 2**20} MiB or crashes the parser"
                )
            buffer += block
            if need == LENGTH.size and len(buffer) >= need:
                need += LENGTH.unpack(buffer[: LENGTH.size])[0]
        return json.loads(bytes(buffer[LENGTH.size : need]))

    def _stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        for stream in (proc.stdin, proc.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        if proc.poll() is None:
            proc.kill()
        proc.wait()


_worker: PdfProcess | None = None
_worker_lock = threading.Lock()
_readers = READERS
_retired_cpu = 0.0  # CPU seconds of workers replaced so far


def pdf_pages(data: bytes, *, max_pages: int, timeout: float, max_memory: int) -> PdfText:
    """The pages of a PDF, read by the shared worker process."""
    global _worker, _retired_cpu
    with _worker_lock:
        if _worker is None or (_worker.max_memory, _worker.readers) != (max_memory, _readers):
            if _worker is not None:
                _worker.close()
                _retired_cpu += _worker.cpu_seconds
            _worker = PdfProcess(max_memory, _readers)
        worker = _worker
    return worker.pages(data, max_pages=max_pages, timeout=timeout)


@contextlib.contextmanager
def reading_with(readers: tuple[str, ...]) -> Iterator[None]:
    """Within the block PDFs are read by `readers` only (benchmarks: the pypdf baseline)."""
    global _readers
    unknown = set(readers) - set(READERS)
    if not readers or unknown:
        raise ValueError(f"readers must be among {READERS}, not {readers}")
    before, _readers = _readers, readers
    try:
        yield
    finally:
        _readers = before


def worker_cpu_seconds() -> float:
    """CPU seconds the PDF workers have spent in this process's lifetime (for benchmarks)."""
    return _retired_cpu + (_worker.cpu_seconds if _worker is not None else 0.0)


@atexit.register
def _close_worker() -> None:
    if _worker is not None:
        _worker.close()
