"""extract: folders of documents in, clean validated tables out."""

from extract.api import RunReport, extract_document, extract_folder, extract_paths
from extract.config import Config
from extract.errors import ConfigError, DocumentError, ExtractError, ProviderError
from extract.output.tables import Tables

__all__ = [
    "Config",
    "ConfigError",
    "DocumentError",
    "ExtractError",
    "ProviderError",
    "RunReport",
    "Tables",
    "extract_document",
    "extract_folder",
    "extract_paths",
]
__version__ = "0.1.0"
