"""Where the evaluation data lives, its `load.py` modules, and the text inputs we write once.

The datasets ship their own standard-library `load.py` (loaders and official
metrics); they are imported by file path, never copied, so a fix there is a fix
here. Text-only documents (SROIE receipts, a Charity report without its PDF)
are written to the user cache so that they reach the real pipeline as files.
"""

from __future__ import annotations

import functools
import importlib.util
import os
from pathlib import Path
from types import ModuleType

from extract.config import cache_root
from extract.errors import ConfigError

REPO = Path(__file__).resolve().parents[2]


def evaldata_root() -> Path:
    """`$EXTRACT_EVALDATA`, else `<repo>/../shared/evaldata`."""
    env = os.environ.get("EXTRACT_EVALDATA")
    return Path(env) if env else REPO.parent / "shared" / "evaldata"


def require_evaldata() -> Path:
    """The data folder, or a ConfigError naming it (raised before anything is sent)."""
    root = evaldata_root()
    if not root.is_dir():
        raise ConfigError(f"evaluation data not found at {root}; set EXTRACT_EVALDATA")
    return root


@functools.cache
def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"evaldata_{path.parent.name}", path)
    if spec is None or spec.loader is None:
        raise ConfigError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_module(folder: str) -> ModuleType:
    """The dataset's own `load.py` (cached per path, so it is executed once)."""
    path = require_evaldata() / folder / "load.py"
    if not path.is_file():
        raise ConfigError(f"missing loader {path}")
    return _load(path)


def inputs_dir(dataset: str) -> Path:
    """`$XDG_CACHE_HOME/extract/eval_inputs/<dataset>/` (default `~/.cache`)."""
    return cache_root() / "eval_inputs" / dataset


def text_input(dataset: str, stem: str, text: str) -> Path:
    """`<stem>.txt` holding exactly `text` (UTF-8); rewritten only when it differs.

    Same text, same bytes, same doc_id: the pipeline's answer cache keeps working.
    """
    path = inputs_dir(dataset) / f"{stem}.txt"
    data = text.encode("utf-8")
    if path.is_file() and path.read_bytes() == data:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return path


RASTER_DPI = 150


def rasterised(pdf: Path, dataset: str, dpi: int = RASTER_DPI) -> Path:
    """An image-only copy of `pdf`: every page rendered at `dpi` (grayscale), no text layer.

    Written once to the user cache; the same file is read again on later runs, so the
    pipeline's caches keep working.
    """
    from extract.ingest.images import pdf_page_image

    path = inputs_dir(dataset) / f"{pdf.stem}.pdf"
    if path.is_file():
        return path
    data = pdf.read_bytes()
    from pypdf import PdfReader

    n = len(PdfReader(pdf).pages)
    pages = [pdf_page_image(data, i, dpi=dpi) for i in range(n)]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    pages[0].save(tmp, "PDF", resolution=float(dpi), save_all=True, append_images=pages[1:])
    tmp.replace(path)
    return path
