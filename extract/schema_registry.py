"""Finding the pydantic model a run extracts: bundled by name, or the user's own.

`--schema invoice` names a bundled schema; `--schema pkg.module:Class` imports
one; `--schema path/to/file.py:Class` loads one from a file.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path

from pydantic import BaseModel

from extract.errors import ConfigError


def bundled() -> dict[str, type[BaseModel]]:
    from schemas import BUNDLED

    return dict(BUNDLED)


def load_schema(spec: str) -> tuple[str, type[BaseModel]]:
    """(name, model class) for a schema spec; raise ConfigError if it cannot be used."""
    known = bundled()
    if spec in known:
        return spec, known[spec]
    if ":" not in spec:
        raise ConfigError(
            f"unknown schema {spec!r}: use one of {', '.join(sorted(known))}, "
            "or module:Class, or path/to/file.py:Class"
        )
    where, _, attr = spec.rpartition(":")
    module = _load_file(Path(where)) if where.endswith(".py") else _import(where)
    model = getattr(module, attr, None)
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        raise ConfigError(f"{spec!r}: {attr!r} is not a pydantic BaseModel class")
    return attr, model


def _import(name: str):
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        raise ConfigError(f"cannot import schema module {name!r}: {exc}") from None


def _load_file(path: Path):
    if not path.is_file():
        raise ConfigError(f"schema file not found: {path}")
    name = f"_extract_user_schema_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ConfigError(f"cannot load schema file {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        raise ConfigError(f"error in schema file {path}: {type(exc).__name__}: {exc}") from None
    return module
