"""Approximate search: where a pattern sits in a text with the fewest character edits.

edlib's infix ("HW") alignment does in C what a pure-Python bit-parallel loop
did before (0.145 s per value on a 190,000-character contract; see `make bench`).
"""

from __future__ import annotations

import edlib

_ALPHABET = 256  # edlib aligns sequences of at most this many distinct symbols
_OTHER = "\x00"  # stands in for every text character the pattern does not use


def fuzzy_find(pattern: str, text: str, allowed: int) -> tuple[int, int] | None:
    """The first slice of `text` within `allowed` edits of `pattern`, fewest edits first.

    Returns (start, end), end exclusive, or None when no slice is close enough.
    """
    allowed = min(allowed, len(pattern) - 1)  # as many edits as characters is no match
    if not pattern or not text or allowed < 0:
        return None
    if len(set(pattern)) >= _ALPHABET:
        return None  # cannot be aligned by edlib; such a value is not searched approximately
    if len(set(text) | set(pattern)) > _ALPHABET:
        # Only equality with the pattern's characters matters: fold all others into one.
        keep = set(pattern)
        text = "".join(c if c in keep else _OTHER for c in text)
    found = edlib.align(pattern, text, mode="HW", task="locations", k=allowed)
    if found["editDistance"] < 0 or not found["locations"]:
        return None
    best = found["editDistance"]
    end = found["locations"][0][1] + 1
    # The shortest slice ending there with as few edits: align backwards, anchored at `end`.
    window = text[max(0, end - len(pattern) - best) : end][::-1]
    back = edlib.align(pattern[::-1], window, mode="SHW", task="locations", k=best)
    length = min(last for _, last in back["locations"]) + 1
    return end - length, end
