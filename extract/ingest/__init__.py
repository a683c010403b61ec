"""Ingest: files in, text out. Reading files and PDF pages, the tokenizer, cutting text into chunks."""
