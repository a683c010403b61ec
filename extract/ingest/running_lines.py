"""Running headers and footers: a line printed on most pages is read once.

SEC exhibits carry "Source: PF HOSPITALITY GROUP INC., 10-12G, 9/23/2015" at the
foot of every page. Every part of a long contract then showed the embedded model
a company and a date that are not the contract's, and it answered them as the
parties and the agreement date, part after part, with the text to ground them.
A line that stands identical on at least half of a document's pages (three or
more) is kept where it is first printed and dropped from the pages after, so
nothing is lost and evidence for it points at its first page.

Only identical lines count (spaces collapsed): "Page 3 of 39" differs page to
page and stays, as does a carried-forward "Subtotal 100.00", which is data. A
line needs some letters (MIN_LETTERS): a lone number may be a table's quantity.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection

MIN_PAGES = 3  # fewer pages: a repeated line is as likely content as furniture
SHARE = 0.5  # of the pages with text
MIN_LETTERS = 4


def _key(line: str) -> str | None:
    key = " ".join(line.split())
    return key if sum(c.isalpha() for c in key) >= MIN_LETTERS else None


def drop_running_lines(pages: list[str], skip: Collection[int] = ()) -> list[str]:
    """The pages with each running line kept only where it first appears.

    `skip`: 0-based pages left as they are and not counted (scanned pages, whose thin
    text layer is not what will be read)."""
    counted = [i for i, page in enumerate(pages) if i not in skip and page.strip()]
    if len(counted) < MIN_PAGES:
        return pages
    seen_on = Counter[str]()
    for i in counted:
        seen_on.update({k for line in pages[i].splitlines() if (k := _key(line))})
    running = {k for k, n in seen_on.items() if n >= max(MIN_PAGES, SHARE * len(counted))}
    if not running:
        return pages
    printed: set[str] = set()
    out = list(pages)
    for i in counted:
        kept = []
        for line in pages[i].splitlines(keepends=True):
            key = _key(line)
            if key in running:
                if key in printed:
                    continue
                printed.add(key)
            kept.append(line)
        out[i] = "".join(kept)
    return out
