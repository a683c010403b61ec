"""How sure the model was of each value: the probability of the tokens that wrote it.

A backend that returns token log-probabilities gives the answer as tokens; the
answer's JSON is parsed here with the position of every value, and a value's
probability is the product of the probabilities of the tokens that overlap it
(for a string, its characters between the quotes). Values are keyed by their
path in the answer (`vendor.name`, `line_items[2].amount`), with the value as
the model wrote it, so the evidence step can find them again after merging.
"""

from __future__ import annotations

import bisect
import json
import math
import re
from collections.abc import Sequence
from json.decoder import scanstring
from typing import Any

TokenLogprobs = Sequence[tuple[str, float]]  # (token text, natural log of its probability)
Confidences = dict[str, tuple[Any, float]]  # answer path -> (value as written, probability)

_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")
_SPACE = re.compile(r"[ \t\n\r]*")
_LITERALS = {"true": True, "false": False, "null": None}


def value_confidences(text: str | None, tokens: TokenLogprobs | None) -> Confidences:
    """Each leaf value's path -> (the value as written, its probability); empty when the
    tokens do not spell the answer (then nothing can be attributed honestly)."""
    if not text or not tokens or "".join(t for t, _ in tokens) != text:
        return {}
    starts, pos = [], 0
    for token, _ in tokens:
        starts.append(pos)
        pos += len(token)
    spans: list[tuple[str, Any, int, int]] = []
    try:
        end = _value(text, _skip(text, 0), "", spans)
    except (ValueError, IndexError):
        return {}
    if _skip(text, end) != len(text):
        return {}
    out: Confidences = {}
    for path, value, start, stop in spans:
        if stop <= start:
            continue
        first = bisect.bisect_right(starts, start) - 1
        last = bisect.bisect_left(starts, stop)
        logprob = sum(lp for _, lp in tokens[first:last])
        out[path] = (value, math.exp(logprob))
    return out


def _skip(text: str, i: int) -> int:
    match = _SPACE.match(text, i)
    return match.end() if match else i


def _value(text: str, i: int, path: str, spans: list[tuple[str, Any, int, int]]) -> int:
    """Parse the JSON value at `i`, recording (path, value, start, end) of every leaf;
    return the index after it."""
    char = text[i]
    if char == "{":
        i = _skip(text, i + 1)
        if text[i] == "}":
            return i + 1
        while True:
            key, i = scanstring(text, i + 1)
            i = _skip(text, i)
            if text[i] != ":":
                raise ValueError("':' expected")
            i = _value(text, _skip(text, i + 1), f"{path}.{key}" if path else key, spans)
            i = _skip(text, i)
            if text[i] == "}":
                return i + 1
            if text[i] != ",":
                raise ValueError("',' expected")
            i = _skip(text, i + 1)
    if char == "[":
        i = _skip(text, i + 1)
        if text[i] == "]":
            return i + 1
        index = 0
        while True:
            i = _skip(text, _value(text, i, f"{path}[{index}]", spans))
            index += 1
            if text[i] == "]":
                return i + 1
            if text[i] != ",":
                raise ValueError("',' expected")
            i = _skip(text, i + 1)
    if char == '"':
        value, end = scanstring(text, i + 1)
        spans.append((path, value, i + 1, end - 1))  # the characters between the quotes
        return end
    for word, literal in _LITERALS.items():
        if text.startswith(word, i):
            if literal is not None:
                spans.append((path, literal, i, i + len(word)))
            return i + len(word)
    match = _NUMBER.match(text, i)
    if not match:
        raise ValueError(f"unexpected {char!r}")
    spans.append((path, json.loads(match.group(0)), i, match.end()))
    return match.end()
