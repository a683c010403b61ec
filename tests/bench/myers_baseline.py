"""The pure-Python fuzzy search grounding used before edlib: the baseline `make bench` measures.

Myers' bit-parallel algorithm: one pass finds the best end, a second pass over
the reversed text before that end, anchored there, finds the start.
"""

from __future__ import annotations


def fuzzy_find(pattern: str, text: str, allowed: int) -> tuple[int, int] | None:
    """The text slice closest to the pattern in edit distance, if within `allowed` edits.

    Myers' bit-parallel algorithm: one pass finds the best end, a second pass
    over the reversed text before that end, anchored there, finds the start.
    """
    scores = _edit_scores(pattern, text, anchored=False)
    best = min(scores)
    if best > allowed:
        return None
    end = scores.index(best) + 1
    window = text[max(0, end - len(pattern) - best) : end][::-1]
    back = _edit_scores(pattern[::-1], window, anchored=True)
    length = back.index(min(back)) + 1
    return end - length, end


def _edit_scores(pattern: str, text: str, *, anchored: bool) -> list[int]:
    """For each text position j, the edit distance of the pattern to the best text slice
    ending at j; a slice that may start anywhere, or (anchored) only at position 0."""
    m = len(pattern)
    mask = (1 << m) - 1
    high = 1 << (m - 1)
    peq: dict[str, int] = {}
    for i, c in enumerate(pattern):
        peq[c] = peq.get(c, 0) | (1 << i)
    pv, mv, score = mask, 0, m
    scores = []
    for c in text:
        eq = peq.get(c, 0)
        xv = eq | mv
        xh = (((eq & pv) + pv) ^ pv) | eq
        ph = mv | (~(xh | pv) & mask)
        mh = pv & xh
        if ph & high:
            score += 1
        elif mh & high:
            score -= 1
        ph = ((ph << 1) | anchored) & mask
        mh = (mh << 1) & mask
        pv = mh | (~(xv | ph) & mask)
        mv = ph & xv
        scores.append(score)
    return scores
