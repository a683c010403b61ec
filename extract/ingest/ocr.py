"""Offline OCR of page images with RapidOCR (PP-OCRv6 models inside the wheel, no downloads).

It is the optional extra `extract[ocr]` (rapidocr + onnxruntime, about 400 MB
installed); `make install` includes it. Without it, a scanned page that needs
OCR gets an error naming the extra. Text comes back in reading order: boxes are
grouped into lines top to bottom, each line left to right. Results are cached
on disk by the page's pixels, so a rerun never reads a page twice.

One engine per process, used by one thread at a time with all the cores it is
given: on a small machine two OCR runs side by side are slower than one after
the other.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import statistics
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PIL import Image

from extract.errors import DocumentError

EXTRA = "ocr"
INSTALL_HINT = "pip install 'extract[ocr]'"
MISSING = (
    f"scanned page needs OCR, which is not installed: {INSTALL_HINT} "
    "(or use a hosted model that reads images)"
)


def ocr_installed() -> bool:
    """Whether the `ocr` extra is importable (checked without importing it)."""
    return all(importlib.util.find_spec(m) is not None for m in ("rapidocr", "onnxruntime"))


def engine_id() -> str:
    """What decides the OCR text besides the pixels: part of the cache key."""
    from importlib.metadata import version

    return f"rapidocr-{version('rapidocr')}/onnxruntime-{version('onnxruntime')}/PP-OCRv6-small/1"


def lines_in_reading_order(boxes: Sequence[Any], texts: Sequence[str]) -> str:
    """OCR boxes (4 corner points each) as text: lines top to bottom, words left to right.

    Two boxes share a line when their vertical centres are closer than half the
    typical box height, so a slightly tilted scan still reads line by line.
    """
    items = []
    for box, text in zip(boxes, texts, strict=False):
        text = str(text).strip()
        if not text:
            continue
        ys = [float(p[1]) for p in box]
        xs = [float(p[0]) for p in box]
        items.append(((min(ys) + max(ys)) / 2, max(ys) - min(ys), min(xs), text))
    if not items:
        return ""
    tolerance = max(2.0, statistics.median(i[1] for i in items) / 2)
    items.sort(key=lambda i: i[0])
    lines: list[list[tuple[float, float, float, str]]] = []
    for item in items:
        if lines and abs(item[0] - _centre(lines[-1])) <= tolerance:
            lines[-1].append(item)
        else:
            lines.append([item])
    return "\n".join(" ".join(i[3] for i in sorted(line, key=lambda i: i[2])) for line in lines)


def _centre(line: list[tuple[float, float, float, str]]) -> float:
    return sum(i[0] for i in line) / len(line)


class OcrReader:
    """Reads page images into text; thread-safe; `cache_dir=None` keeps no cache."""

    def __init__(self, cache_dir: Path | None = None, threads: int | None = None) -> None:
        if not ocr_installed():
            raise DocumentError(MISSING)
        self.cache_dir = cache_dir
        self.threads = threads or max(1, min(4, os.cpu_count() or 1))
        self.pages_read = 0
        self.seconds = 0.0
        self._engine: Any = None
        self._lock = threading.Lock()
        self._id = engine_id()

    def read(self, img: Image.Image) -> str:
        key = self._key(img)
        cached = self._cached(key)
        if cached is not None:
            return cached
        import time

        import numpy as np

        with self._lock:
            cached = self._cached(key)  # read by another thread while this one waited
            if cached is not None:
                return cached
            start = time.perf_counter()
            engine = self._load()
            rgb = np.asarray(img.convert("RGB"))[:, :, ::-1]  # RapidOCR wants BGR arrays
            try:
                result = engine(np.ascontiguousarray(rgb))
            except Exception as exc:  # the engine's own failures: an error row, not a crash
                raise DocumentError(f"OCR failed: {type(exc).__name__}: {exc}") from None
            self.seconds += time.perf_counter() - start
            self.pages_read += 1
        boxes = getattr(result, "boxes", None)
        texts = getattr(result, "txts", None)
        text = "" if boxes is None or texts is None else lines_in_reading_order(boxes, texts)
        self._store(key, text)
        return text

    def _load(self) -> Any:
        if self._engine is None:
            from rapidocr import RapidOCR

            self._engine = RapidOCR(
                params={
                    "Global.log_level": "error",
                    "EngineConfig.onnxruntime.intra_op_num_threads": self.threads,
                    "EngineConfig.onnxruntime.inter_op_num_threads": 1,
                }
            )
        return self._engine

    def _key(self, img: Image.Image) -> str:
        digest = hashlib.sha256(f"{self._id}|{img.mode}|{img.size}".encode())
        digest.update(img.tobytes())
        return digest.hexdigest()

    def _path(self, key: str) -> Path | None:
        return None if self.cache_dir is None else self.cache_dir / key[:2] / f"{key}.txt"

    def _cached(self, key: str) -> str | None:
        path = self._path(key)
        if path is None or not path.is_file():
            return None
        try:
            return path.read_text(encoding="utf-8")
        except OSError:
            return None

    def _store(self, key: str, text: str) -> None:
        path = self._path(key)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(path)
        except OSError:
            pass  # a cache that cannot be written costs time, not correctness
