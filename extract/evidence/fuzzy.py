"""Approximate search: where a pattern sits in a text with the fewest character edits.

edlib's infix ("HW") alignment does in C what a pure-Python bit-parallel loop
did before (see `make bench` for both, side by side). edlib is given bytes, one
per character: it converts a `str` symbol by symbol, which costs more than
the alignment itself.
"""

from __future__ import annotations

import re

import edlib

_ALPHABET = 255  # distinct symbols edlib can tell apart, the one for "any other" aside


def fuzzy_find(pattern: str, text: str, allowed: int) -> tuple[int, int] | None:
    """The first slice of `text` within `allowed` edits of `pattern`, fewest edits first.

    Returns (start, end), end exclusive, or None when no slice is close enough.
    """
    allowed = min(allowed, len(pattern) - 1)  # as many edits as characters is no match
    if not pattern or not text or allowed < 0:
        return None
    encoded = _one_byte_each(pattern, text)
    if encoded is None:
        return None  # a pattern of over 255 distinct characters is not searched approximately
    query, target = encoded
    found = edlib.align(query, target, mode="HW", task="locations", k=allowed)
    if found["editDistance"] < 0 or not found["locations"]:
        return None
    best = found["editDistance"]
    end = found["locations"][0][1] + 1
    # The shortest slice ending there with as few edits: align backwards, anchored at `end`.
    window = target[max(0, end - len(pattern) - best) : end][::-1]
    back = edlib.align(query[::-1], window, mode="SHW", task="locations", k=best)
    length = min(last for _, last in back["locations"]) + 1
    return end - length, end


def _one_byte_each(pattern: str, text: str) -> tuple[bytes, bytes] | None:
    """Pattern and text as bytes, one per character, so offsets stay character offsets.

    Only equality with the pattern's characters matters, so beyond ASCII every
    character the pattern does not use becomes the same byte.
    """
    if pattern.isascii() and "?" not in pattern:  # any other character reads as "?"
        return pattern.encode("ascii"), text.encode("ascii", errors="replace")
    symbols = sorted(set(pattern))
    if len(symbols) > _ALPHABET:
        return None
    other = "[^" + "".join(re.escape(c) for c in symbols) + "]"
    table = {ord(c): i + 1 for i, c in enumerate(symbols)}
    query = pattern.translate(table).encode("latin-1")
    target = re.sub(other, "\x00", text).translate(table).encode("latin-1")
    return query, target
