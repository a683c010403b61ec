"""Assembling the review page: the template, its CSS and JS, and the data, in one file.

The data goes into `<script type="application/json">` blocks: one small index
read at load, and one block per document parsed only when it is opened. JSON
there is escaped so that no document text can close the block (`</script>`)
or open a comment; it is never evaluated as script.
"""

from __future__ import annotations

import html
import json
import re
from importlib.resources import files
from typing import Any

_MARKER = re.compile(r"\{\{([A-Z]+)\}\}")
_UNSAFE = (
    ("<", "\\u003c"),
    (">", "\\u003e"),
    ("&", "\\u0026"),
    ("\u2028", "\\u2028"),
    ("\u2029", "\\u2029"),
)


def script_json(value: Any) -> str:
    """JSON that is safe inside `<script type="application/json">` and parses to `value`."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for char, escaped in _UNSAFE:  # str.replace is many times faster than str.translate here
        text = text.replace(char, escaped)
    return text


SCRIPTS = ("base.js", "list.js", "document.js", "review.js")  # in this order, one scope


def asset(name: str) -> str:
    return files("extract.output.review").joinpath(name).read_text(encoding="utf-8")


def script() -> str:
    """The page's code: its parts joined inside one function, nothing global but a test hook."""
    body = "\n".join(asset(name) for name in SCRIPTS)
    return f"(function () {{\n  'use strict';\n{body}}})();"


def render_page(
    title: str, meta: dict[str, Any], index: list[dict[str, Any]], details: list[dict[str, Any]]
) -> str:
    """The whole page as one string, nothing fetched at open time."""
    blocks = "\n".join(
        f'<script type="application/json" id="d-{i}">{script_json(d)}</script>'
        for i, d in enumerate(details)
    )
    parts = {
        "TITLE": html.escape(title),
        "CSS": asset("review.css"),
        "JS": script(),
        "INDEX": script_json({"meta": meta, "docs": index}),
        "DOCS": blocks,
    }
    # One pass: text put in is never scanned again for markers.
    return _MARKER.sub(lambda m: parts[m.group(1)], asset("page.html"))
