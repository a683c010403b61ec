"""Output: chunk answers merged into one per document, tables built, files written atomically."""
