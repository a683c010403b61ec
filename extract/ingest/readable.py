"""Text that every writer can store: a file name's undecodable bytes made visible.

On POSIX a file name is bytes; Python turns bytes that are not UTF-8 into lone
surrogates, which neither Parquet, CSV, JSON requests nor prompts can carry.
They are shown as `\\xNN` instead, wherever a name leaves the program.
"""

from __future__ import annotations


def readable_text(text: str) -> str:
    """`text` as valid UTF-8: undecodable bytes (surrogate escapes) become \\xNN."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a lone surrogate from elsewhere (a JSON escape)
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return raw.decode("utf-8", "backslashreplace")
