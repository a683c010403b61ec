"""Token counting with Mistral's own Tekken tokenizer, shipped by mistral-common.

mistral-common bundles `tekken_240911.json`; its BPE ranks are identical to the
Tekken used by Mistral Small 3.1 (2503), so plain-text counts match. The v7 chat
template adds a few control tokens per message, counted in `MESSAGE_OVERHEAD`;
the rest of the gap is covered by the config's safety margin.
"""

from __future__ import annotations

import functools
from pathlib import Path

import mistral_common
from mistral_common.tokens.tokenizers.tekken import Tekkenizer

TEKKEN_FILE = Path(mistral_common.__file__).parent / "data" / "tekken_240911.json"
MESSAGE_OVERHEAD = 8  # [SYSTEM_PROMPT]/[INST] markers, BOS and role tokens per message


@functools.cache
def _tekken() -> Tekkenizer:
    return Tekkenizer.from_file(str(TEKKEN_FILE))


def count_tekken_tokens(text: str) -> int:
    """Tokens of `text` as Mistral Small 3.1 counts them (no BOS/EOS)."""
    return len(_tekken().encode(text, bos=False, eos=False))
