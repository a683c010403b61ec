"""Keeping a document inside the prompt's <document> delimiters.

The document goes between `<document>` and `</document>`; a document that
writes one of those itself, in any spelling a model may read as one, could
close its own frame and speak as the prompt. `defuse` breaks every such
spelling up; text without one passes unchanged, so its prompt (and cache key)
stays as it always was.
"""

from __future__ import annotations

import re
import unicodedata


def defuse(text: str) -> str:
    """Keep a document from closing (or reopening) its own delimiter.

    Any spelling a model could read as `<document>` or `</document>` is broken
    up: upper case, spaces inside the tag, full-width or look-alike letters and
    brackets, zero-width characters, HTML entities. Such a tag is rewritten as
    `[document` / `[/document`; all other text is left exactly as it is (so a
    document without one is sent, and cached, as before).
    """
    if not _OPENERS.search(text):
        return text
    out: list[str] = []
    last = 0
    for match in _OPENERS.finditer(text):
        start = match.start()
        if start < last:
            continue
        end, closing = _tag_end(text, match.end())
        if end is None:
            continue
        out.append(text[last:start])
        out.append("[/document" if closing else "[document")
        last = end
    out.append(text[last:])
    return "".join(out)


# Characters that read as '<' or '/' and letters that read as those of "document".
_LT = "<\uff1c\ufe64\u2039\u3008\u2329\u27e8\u276e\u02c2\u1438\u16b2"
_OPENERS = re.compile(f"[{_LT}]|&(?:lt|#0*60|#x0*3c);?", re.IGNORECASE)
_SLASHES = frozenset("/\uff0f\u2215\u2044\u29f8\u2571\\")
_LOOKALIKES = str.maketrans(
    {
        "\u0501": "d",  # Cyrillic komi de
        "\u043e": "o",  # Cyrillic o
        "\u03bf": "o",  # Greek omicron
        "\u0585": "o",  # Armenian oh
        "\u0441": "c",  # Cyrillic es
        "\u03f2": "c",  # Greek lunate sigma
        "\u057d": "u",  # Armenian seh
        "\u028b": "u",
        "\u043c": "m",  # Cyrillic em
        "\u0435": "e",  # Cyrillic ie
        "\u0578": "n",  # Armenian vo
        "\u043f": "n",  # Cyrillic pe
        "\u0442": "t",  # Cyrillic te
        "\u03c4": "t",  # Greek tau
    }
)
_WORD = "document"
_LOOKAHEAD = 64  # characters examined after a '<' (spaces and invisibles may pad the tag)


def _tag_end(text: str, pos: int) -> tuple[int | None, bool]:
    """Where a delimiter-like tag starting before `pos` ends its word, and whether it closes.

    (None, False) when the text after `pos` does not spell "document".
    """
    closing = False
    limit = min(len(text), pos + _LOOKAHEAD)
    i = _skip_blank(text, pos, limit)
    if i < limit and text[i] in _SLASHES:
        closing = True
        i = _skip_blank(text, i + 1, limit)
    for letter in _WORD:
        if i >= limit:
            return None, False
        if _letter(text[i]) != letter:
            return None, False
        i = _skip_blank(text, i + 1, limit) if letter != _WORD[-1] else i + 1
    if i < len(text) and text[i].isalnum():
        return None, False  # a longer word ('<documentation>') is no delimiter
    return i, closing


def _skip_blank(text: str, i: int, limit: int) -> int:
    while i < limit and (text[i].isspace() or unicodedata.category(text[i]) == "Cf"):
        i += 1
    return i


def _letter(char: str) -> str:
    return unicodedata.normalize("NFKC", char).casefold().translate(_LOOKALIKES)
