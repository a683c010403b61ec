"""Model backends behind one narrow interface (`base.Backend`), and their names.

The names here are the one list that the configuration and the command line
read: which backends exist (`registry.py` builds them) and which structured-output
modes a hosted endpoint can use (`modes.py` implements them).
"""

from extract.llm.backends.base import Answer, Backend, StructuredRequest
from extract.llm.backends.modes import MODES

BACKEND_NAMES = ("requesty", "openai", "local")  # the Requesty router, any endpoint, llama.cpp
MODE_NAMES = ("auto", *MODES)  # auto: json_schema where the endpoint reports support

__all__ = ["BACKEND_NAMES", "MODE_NAMES", "Answer", "Backend", "StructuredRequest"]
