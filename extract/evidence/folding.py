"""A text folded to lower-case letters and digits, with each one's offset in the text.

Grounding and quote placement search the folded text, so "Acme  Corp." finds
"ACME CORP" and a hit maps back to exact offsets. Folding runs over every
character of every document, so it is vectorised: ASCII characters through a
lookup table in numpy, only the few others one by one in Python (their lower
case can be longer: "İ" lower-cases to two characters, both kept at its offset).
"""

from __future__ import annotations

import numpy as np

_KEEP = np.array([chr(c).isalnum() for c in range(128)] + [False])  # index 128: not ASCII
_LOWER = np.array([ord(chr(c).lower()) for c in range(128)], dtype=np.uint32)


def fold(text: str) -> tuple[str, list[int]]:
    """(folded characters, the offset in `text` of each one)."""
    if not text:
        return "", []
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    kept = np.flatnonzero(_KEEP[np.minimum(codes, 128)])
    lowered = _LOWER[codes[kept]]
    others = np.flatnonzero(codes >= 128)
    if others.size:
        extra = [(i, ord(low)) for i in others.tolist() for low in text[i].lower() if low.isalnum()]
        if extra:
            positions = np.concatenate([kept, np.array([i for i, _ in extra], dtype=np.int64)])
            chars = np.concatenate([lowered, np.array([c for _, c in extra], dtype=np.uint32)])
            order = np.argsort(positions, kind="stable")
            kept, lowered = positions[order], chars[order]
    return lowered.astype("<u4").tobytes().decode("utf-32-le"), kept.tolist()
