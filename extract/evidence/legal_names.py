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
_FORMS = (
    r"(?:Inc\.?|Incorporated|L\.?L\.?C\.?|Ltd\.?|Limited|Corp\.?|Corporation|Co\.|plc"
    r"|L\.?P\.?|GmbH|AG|S\.A\.?|N\.V\.?|B\.V\.?|Pty\.? Ltd\.?|S\.?\s?[àa]\.?\s?r\.?\s?l\.?)"
    r"(?![\w])"
)
LEGAL_FORM = r",?\s+" + _FORMS
_ENDS_WITH_FORM = re.compile(LEGAL_FORM + r"\s*$", re.IGNORECASE)

# Up to eight words of a name before its legal form, each capitalised or a joining word,
# on one line: "HPS MEZZANINE PARTNERS II OFFSHORE GP, L.P."; the form capitalised too, so
# "a Delaware limited liability company" is no name.
_WORD = r"[A-Z0-9][\w&.'’-]*"
_JOIN = r"(?:of|and|the|for|de|du|des|&|-)"
_NAME = re.compile(
    rf"(?<![\w]){_WORD}(?:[ \t]+(?:{_JOIN}[ \t]+)?{_WORD}){{0,7}},?\s+(?=[A-Z])(?i:{_FORMS})"
    r"(?:[ \t]+[IVX]{1,4}(?![\w]))?"  # a fund's number after it: "LUX S.À R.L II"
)


def full_name(name: str, text: str) -> str:
    """A name as a party list wants it: the name a defined short form stands for ("VMU"),
    with the legal form the text prints after it ("ANADIGICS" -> "ANADIGICS, Inc.")."""
    return with_legal_form(defined_name(name, text) or name, text)


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


# Capitalised words printed right before a definition, when no legal form is: "First Bank
# of Beverly Hills (the “Bank”)", "Joseph W. Kiley, III (the “Employee”)".
_PLAIN_NAME = re.compile(rf"{_WORD}(?:,?[ \t]+(?:{_JOIN}[ \t]+)?{_WORD}){{0,7}}[\s,]*$")
_BEFORE = 300  # how far before a definition its name may be printed
_ANOTHER_PARTY = re.compile(r"\b(?:and|or|between|with)\b")


def defined_name(term: str, text: str) -> str | None:
    """The name `text` defines `term` as short for: 'Virgin Mobile USA, LLC, a Delaware
    limited liability company ("VMU")' -> "Virgin Mobile USA, LLC" for "VMU". The last
    legal name before the definition, in its clause (after any earlier definition's
    bracket, with no "and" between: that starts another party); else the capitalised
    words right before it. None when `term` is defined nowhere, or no name precedes
    its definition."""
    term = " ".join(term.split())
    if not term or len(term) > 40:
        return None
    quoted = r"\s+".join(re.escape(w) for w in term.split())
    definition = re.search(rf"\(\s*(?:the\s+)?[\"“”']\s*{quoted}\s*[\"“”']\s*\)", text)
    if definition is None:
        return None
    before = text[max(0, definition.start() - _BEFORE) : definition.start()]
    before = before[before.rfind(")") + 1 :]
    names = list(_NAME.finditer(before))
    if names:
        if _ANOTHER_PARTY.search(before[names[-1].end() :]):  # '..., Inc., and the entity
            return None  # identified on the cover page ("Franchisee")': not that name's
        return " ".join(names[-1].group(0).split())
    plain = _PLAIN_NAME.search(before)
    found = " ".join(plain.group(0).strip(" \t\n,").split()) if plain else ""
    return found if found and found.casefold() != term.casefold() else None
