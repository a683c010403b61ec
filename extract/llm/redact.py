"""Taking credentials out of text before it is stored or shown.

Error messages come from providers and SDKs we do not control: some echo the
key that was refused, a base URL may carry `user:password@`, a proxy may put a
token in a query string. Everything the project writes (error columns, audit
log, reports, terminal) passes through `redact` with the run's known secrets.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

MASK = "[redacted]"
ARG_MASK = "REDACTED"  # in a command line: nothing a shell would quote

_USERINFO = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)[^/\s@'\"<>]+@", re.IGNORECASE)
_BEARER = re.compile(r"\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=-]{6,}", re.IGNORECASE)
_QUERY = re.compile(
    r"([?&;](?:api[_-]?key|key|token|access[_-]?token|secret|password|sig|signature)=)[^&\s'\"#]+",
    re.IGNORECASE,
)
# Shapes of common provider keys (OpenAI/Requesty "sk-...", Anthropic "sk-ant-...").
_KEY_SHAPES = re.compile(r"\bsk-[A-Za-z0-9_-]{12,}")
SECRET_FLAGS = ("--api-key",)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with the given secrets and anything shaped like a credential masked."""
    for secret in sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True):
        text = text.replace(secret, MASK)
    text = _USERINFO.sub(lambda m: m.group("scheme") + MASK + "@", text)
    text = _BEARER.sub(lambda m: f"{m.group(1)} {MASK}", text)
    text = _QUERY.sub(lambda m: m.group(1) + MASK, text)
    return _KEY_SHAPES.sub(MASK, text)


def redact_optional(text: str | None, secrets: Iterable[str] = ()) -> str | None:
    return None if text is None else redact(text, secrets)


def redact_url(url: str) -> str:
    """A URL fit to print: no `user:password@`, no key in the query string."""
    return redact(url)


def redact_argv(argv: Sequence[str]) -> list[str]:
    """A command line with the values of secret-bearing flags masked (`--api-key K`, `=K`)."""
    out: list[str] = []
    hide_next = False
    for arg in argv:
        if hide_next:
            out.append(ARG_MASK)
            hide_next = False
        elif _secret_flag(arg):
            out.append(arg)
            hide_next = True
        elif "=" in arg and _secret_flag(arg.split("=", 1)[0]):
            out.append(arg.split("=", 1)[0] + "=" + ARG_MASK)
        else:
            out.append(redact(arg))
    return out


def _secret_flag(arg: str) -> bool:
    """`--api-key`, or an abbreviation argparse would accept for it (`--api-k`)."""
    return len(arg) >= 5 and any(flag.startswith(arg) for flag in SECRET_FLAGS)
