"""The per-document token cap: a runaway input becomes an error row, not thousands of requests.

Counting a 200 MB text in full would itself take minutes, so the text is
counted slice by slice and counting stops as soon as the cap is passed. Texts
too short to reach the cap are not counted at all: a byte-level BPE token is at
least one UTF-8 byte, and a character is at most four.
"""

from __future__ import annotations

from collections.abc import Callable

from extract.errors import DocumentError
from extract.ingest.documents import Document

SLICE_CHARS = 200_000  # counted at a time; the cut between slices moves a count by a token or two


def tokens_up_to(pages: tuple[str, ...], count: Callable[[str], int], cap: int) -> int:
    """The token count of `pages`, or a number over `cap` as soon as it is certain."""
    total = 0
    for page in pages:
        for start in range(0, len(page), SLICE_CHARS):
            total += count(page[start : start + SLICE_CHARS])
            if total > cap:
                return total
    return total


def check_document_size(doc: Document, cap: int, count: Callable[[str], int]) -> None:
    """Raise `DocumentError` when `doc` runs past `cap` tokens (0: no cap)."""
    if not cap or 4 * sum(len(p) for p in doc.pages) <= cap:
        return
    n = tokens_up_to(doc.pages, count, cap)
    if n > cap:
        raise DocumentError(
            f"document has over {cap} tokens (--max-tokens-per-doc): nothing was sent; "
            "raise the limit to extract it"
        )
