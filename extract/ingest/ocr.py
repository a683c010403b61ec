"""Offline OCR of page images with RapidOCR (PP-OCRv6 models inside the wheel, no downloads).

It is the optional extra `extract[ocr]` (rapidocr + onnxruntime, about 400 MB
installed); `make install` includes it. Without it, a scanned page that needs
OCR gets an error naming the extra. Text comes back in reading order: boxes are
grouped into lines top to bottom, each line left to right, and each recognised
box is kept with its span of the text (`extract.ingest.ocr_layout`), so evidence
can point at the page. Results, boxes included, are cached on disk by the
page's pixels, so a rerun never reads a page twice.

One engine per process, used by one thread at a time with all the cores it is
given: on a small machine two OCR runs side by side are slower than one after
the other.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PIL import Image

from extract.errors import DocumentError
from extract.ingest.ocr_layout import OcrText, reading_order

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

    # the last part is our layout's version: 2 since OCR text is NFKC-normalised
    return f"rapidocr-{version('rapidocr')}/onnxruntime-{version('onnxruntime')}/PP-OCRv6-small/2"


def lines_in_reading_order(boxes: Sequence[Any], texts: Sequence[str]) -> str:
    """OCR boxes (4 corner points each) as text: lines top to bottom, words left to right
    (`extract.ingest.ocr_layout.reading_order`, without the boxes)."""
    return reading_order(boxes, texts).text


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
        return self.read_text(img).text

    def read_text(self, img: Image.Image) -> OcrText:
        """The page's text and the box of each recognised piece, in `img`'s pixels."""
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
        if boxes is None or texts is None:
            read = OcrText("", img.size)
        else:
            read = reading_order(boxes, texts, img.size)
        self._store(key, read)
        return read

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
        return None if self.cache_dir is None else self.cache_dir / key[:2] / f"{key}.json"

    def _cached(self, key: str) -> OcrText | None:
        path = self._path(key)
        if path is None or not path.is_file():
            return None
        try:
            return OcrText.from_json(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):  # unreadable or damaged: read the page again
            return None

    def _store(self, key: str, read: OcrText) -> None:
        path = self._path(key)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
            tmp.write_text(read.to_json(), encoding="utf-8")
            tmp.replace(path)
        except OSError:
            pass  # a cache that cannot be written costs time, not correctness
