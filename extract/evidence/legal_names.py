"""Company names as contracts print them: a name followed by its legal form.

Grounding uses this to give a name the model shortened ("Anadigics") the legal form the
text prints after it ("ANADIGICS, Inc."); a run uses it to size a list of parties by
how many such names the text holds, so a grammar's cap never stops a list the document
really has (a joint filing agreement signed by ten funds).
"""

from __future__ import annotations

import re

from extract.evidence.folding import fold

# A company's legal form, printed after its name: "X, Inc.", "X LLC", "X Pty. Ltd.",
# "X S.À R.L" (Luxembourg), "X GmbH".
LEGAL_FORM = (
    r",?\s+(?:Inc\.?|Incorporated|L\.?L\.?C\.?|Ltd\.?|Limited|Corp\.?|Corporation|Co\.|plc"
    r"|L\.?P\.?|GmbH|AG|S\.A\.?|N\.V\.?|B\.V\.?|Pty\.? Ltd\.?|S\.?\s?[àa]\.?\s?r\.?\s?l\.?)"
    r"(?![\w])"
)
_ENDS_WITH_FORM = re.compile(LEGAL_FORM + r"\s*$", re.IGNORECASE)

# Up to eight words of a name before its legal form, each capitalised or a joining word,
# on one line: "HPS MEZZANINE PARTNERS II OFFSHORE GP, L.P.", "Bank of America, N.A."
_WORD = r"[A-Z0-9][\w&.'’-]*"
_JOIN = r"(?:of|and|the|for|de|du|des|&|-)"
_NAME = re.compile(
    rf"(?<![\w]){_WORD}(?:[ \t]+(?:{_JOIN}[ \t]+)?{_WORD}){{0,7}}(?i:{LEGAL_FORM})"
    r"(?:[ \t]+[IVX]{1,4}(?![\w]))?"  # a fund's number after it: "LUX S.À R.L II"
)


def with_legal_form(name: str, text: str) -> str:
    """`name`, or `name` with the legal form the text prints right after it somewhere (as
    printed there: "ANADIGICS, Inc."); unchanged when it has one or none is printed."""
    if _ENDS_WITH_FORM.search(" " + name) or not name.strip():
        return name
    words = r"\s+".join(re.escape(w) for w in name.split())
    found = re.search(rf"(?<![\w]){words}{LEGAL_FORM}", text, re.IGNORECASE)
    return " ".join(found.group(0).split()) if found else name


def legal_names(text: str) -> set[str]:
    """The distinct company names `text` prints with a legal form, folded (case, spaces and
    punctuation ignored), so "HPS Investment Partners, LLC" and its capitals count once."""
    return {fold(match.group(0))[0] for match in _NAME.finditer(text)}
