"""Reading a PDF's text in a separate process, bounded in time and memory.

pypdf runs in pure Python, and a hostile or broken PDF can keep it busy for
minutes or make it allocate gigabytes while opening, decrypting or reading a
single page. Only a separate process can be stopped in the middle of that: one
long-lived worker (started on the first PDF, reused) reads each PDF under an
address-space limit, and is killed and replaced when a PDF runs past the time
limit, runs out of memory or crashes it. The run goes on; that PDF gets an
error row.

This file is also the worker's program (`python -I pdf_reader.py MAX_BYTES`):
it imports nothing from `extract`, only the standard library and pypdf.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import select
import struct
import subprocess
import sys
import threading
import time

_HEADER = struct.Struct(">QQ")  # request: PDF length, page limit
_LENGTH = struct.Struct(">Q")  # reply: JSON length
_READY = b"R"  # the worker's first byte: pypdf is imported, requests may come
START_SECONDS = 60.0


class PdfFailure(Exception):
    """The PDF cannot be read; the message says why, in words for the error column."""


class PdfProcess:
    """The worker process. `pages()` is thread-safe (one PDF at a time)."""

    def __init__(self, max_memory: int) -> None:
        self.max_memory = max_memory
        self.cpu_seconds = 0.0  # the worker's CPU time, for benchmarks
        self._cpu_at_start = 0.0
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None

    def pages(self, data: bytes, *, max_pages: int, timeout: float) -> list[str]:
        """The text of each page; raises PdfFailure with the reason when it cannot be read."""
        with self._lock:
            proc = self._started()
            deadline = time.monotonic() + max(0.0, timeout)
            try:
                assert proc.stdin is not None
                proc.stdin.write(_HEADER.pack(len(data), max_pages) + data)
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
            return [str(page) for page in reply["pages"]]

    def close(self) -> None:
        with self._lock:
            self._stop()

    def _started(self) -> subprocess.Popen[bytes]:
        if self._proc is None or self._proc.poll() is not None:
            # -I: no user site, no PYTHONPATH, not even this file's folder on the path:
            # the worker imports only the standard library and the installed pypdf.
            self._proc = subprocess.Popen(
                [sys.executable, "-I", os.path.abspath(__file__), str(self.max_memory)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                bufsize=0,
            )
            self._cpu_at_start = 0.0
            # Starting is not the PDF's time: wait for the worker to have pypdf loaded.
            assert self._proc.stdout is not None
            fd = self._proc.stdout.fileno()
            if not select.select([fd], [], [], START_SECONDS)[0] or os.read(fd, 1) != _READY:
                self._stop()
                raise PdfFailure("the PDF reader process could not be started")
        return self._proc

    def _reply(self, proc: subprocess.Popen[bytes], deadline: float, timeout: float) -> dict:
        assert proc.stdout is not None
        fd = proc.stdout.fileno()
        buffer = bytearray()
        need = _LENGTH.size
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
            if need == _LENGTH.size and len(buffer) >= need:
                need += _LENGTH.unpack(buffer[: _LENGTH.size])[0]
        return json.loads(bytes(buffer[_LENGTH.size : need]))

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


def pdf_pages(data: bytes, *, max_pages: int, timeout: float, max_memory: int) -> list[str]:
    """The pages of a PDF, read by the shared worker process."""
    global _worker
    with _worker_lock:
        if _worker is None or _worker.max_memory != max_memory:
            if _worker is not None:
                _worker.close()
            _worker = PdfProcess(max_memory)
        worker = _worker
    return worker.pages(data, max_pages=max_pages, timeout=timeout)


def worker_cpu_seconds() -> float:
    """CPU seconds the PDF worker has spent in this process's lifetime (for benchmarks)."""
    return _worker.cpu_seconds if _worker is not None else 0.0


@atexit.register
def _close_worker() -> None:
    if _worker is not None:
        _worker.close()


# --- the worker's side ------------------------------------------------------------------


def _read_pages(data: bytes, max_pages: int) -> list[str]:
    """Parse one PDF; raise PdfFailure with a reason a person can act on."""
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise PdfFailure("not a PDF file (no %PDF header)")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except Exception as exc:  # pypdf raises several types for unsupported crypto
                raise PdfFailure(f"encrypted PDF cannot be opened: {exc}") from exc
            if not ok:
                raise PdfFailure("encrypted PDF (password required)")
        n = len(reader.pages)
        if n == 0:
            raise PdfFailure("PDF has no pages")
        if n > max_pages:
            raise PdfFailure(f"PDF has {n} pages, over the limit of {max_pages}")
        return [(page.extract_text() or "").replace("\r\n", "\n") for page in reader.pages]
    except PdfFailure:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        raise PdfFailure(f"corrupt PDF: {type(exc).__name__}: {exc}") from exc


def _serve(max_memory: int) -> None:
    """Answer PDFs on stdin until it closes: one JSON reply per request on stdout."""
    import logging
    import resource
    import warnings

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    warnings.simplefilter("ignore")
    if max_memory > 0:
        resource.setrlimit(resource.RLIMIT_AS, (max_memory, max_memory))
    import pypdf  # noqa: F401 - loaded before saying ready: its import is not a PDF's time

    replies = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # a stray print must not corrupt the replies
    replies.write(_READY)
    replies.flush()
    requests = sys.stdin.buffer
    while header := requests.read(_HEADER.size):
        size, max_pages = _HEADER.unpack(header)
        data = requests.read(size)
        reply: dict = {}
        try:
            reply["pages"] = _read_pages(data, max_pages)
        except PdfFailure as exc:
            reply = {"error": str(exc)}
        except MemoryError:
            reply = {
                "error": f"PDF needs more than {max_memory // 2**20} MiB of memory to read",
                "restart": True,
            }
        except Exception as exc:  # a parser bug: this PDF fails, the worker goes on
            reply = {"error": f"cannot read PDF: {type(exc).__name__}: {exc}"}
        del data
        usage = resource.getrusage(resource.RUSAGE_SELF)
        reply["cpu"] = usage.ru_utime + usage.ru_stime
        try:
            body = json.dumps(reply).encode()
        except MemoryError:
            body = json.dumps({"error": "PDF text too large to pass on", "restart": True}).encode()
        replies.write(_LENGTH.pack(len(body)) + body)
        replies.flush()


if __name__ == "__main__":
    _serve(int(sys.argv[1]))
