"""The command line every end-to-end test types: `extract run` against one endpoint.

    with FakeOpenAI(schema_responder(fill)) as fake:
        assert main(run_args(docs, "receipt", out, fake.base_url, "--quiet")) == 0

The options a test is about follow as `extra`; the ones it is not about are left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


def run_args(
    inputs: Path | str | Sequence[Path | str],
    schema: str,
    out: Path | str,
    base_url: str,
    *extra: str,
    api_key: str = "x",
) -> list[str]:
    """`run INPUTS --schema SCHEMA --out OUT --base-url URL --api-key KEY EXTRA...`."""
    paths = [inputs] if isinstance(inputs, (Path, str)) else inputs
    return [
        *("run", *map(str, paths), "--schema", schema, "--out", str(out)),
        *("--base-url", base_url, "--api-key", api_key, *extra),
    ]
