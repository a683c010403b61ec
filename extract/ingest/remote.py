"""Inputs on object storage (s3://, gs://, az://, ...) through fsspec.

A URL in the input list is expanded like a local folder (every file under it,
hidden ones skipped, in a stable order) into `RemoteFile`s. A remote file is
read where it is processed, on a Dask worker or in the local pool: fetched to
a temporary file and read by the same reader as a local one, so it becomes the
same `Document`, with the URL as its source.

Credentials and endpoints come from fsspec's usual sources (for S3: the AWS
environment variables, `~/.aws`, or `AWS_ENDPOINT_URL_S3` for an S3-compatible
store). s3fs is the `s3` extra; other stores need their fsspec backend.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any

from extract.errors import ConfigError, DocumentError
from extract.ingest.documents import (
    MAX_FILE_BYTES,
    Document,
    Refused,
    find_inputs,
    read_document,
)


def is_url(path: str | Path) -> bool:
    return "://" in str(path)


@dataclass(frozen=True)
class RemoteFile:
    """A document on object storage, named by its URL."""

    url: str

    def read(self) -> Document:
        """The document, read as a local file would be; `DocumentError` if it cannot be."""
        fs, path = _fs(self.url)
        try:
            size = fs.size(path)
            if size is not None and size > MAX_FILE_BYTES:
                raise DocumentError(
                    f"file too large ({size // 2**20} MiB > {MAX_FILE_BYTES // 2**20} MiB)"
                )
            data = fs.cat_file(path)
        except FileNotFoundError:
            raise DocumentError("file not found") from None
        except OSError as exc:
            raise DocumentError(f"cannot read {self.url}: {exc}") from exc
        suffix = PurePosixPath(path).suffix
        fd, tmp = tempfile.mkstemp(prefix="extract-", suffix=suffix)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            return replace(read_document(Path(tmp)), source=self.url)
        finally:
            os.unlink(tmp)


Source = Path | Refused | RemoteFile


def source_name(source: Source) -> str:
    """How a source is named in the tables' `source` column."""
    if isinstance(source, RemoteFile):
        return source.url
    return str(source.path if isinstance(source, Refused) else source)


def find_sources(paths: Iterable[str | Path], *, skip: Iterable[Path] = ()) -> list[Source]:
    """Local paths as `find_inputs` finds them, and every file under each URL, in order."""
    found: list[Source] = []
    local: list[str | Path] = []
    for raw in paths:
        if is_url(raw):
            found.extend(find_inputs(local, skip=skip))
            local = []
            found.extend(remote_inputs(str(raw)))
        else:
            local.append(raw)
    found.extend(find_inputs(local, skip=skip))
    return found


def remote_inputs(url: str) -> list[RemoteFile]:
    """The files under `url` (a folder-like prefix or one object)."""
    fs, path = _fs(url)
    protocol = url.split("://", 1)[0]
    if fs.isdir(path):
        names = sorted(fs.find(path))
        base = path.rstrip("/")
        names = [n for n in names if not any(p.startswith(".") for p in n[len(base) :].split("/"))]
    elif fs.exists(path):
        names = [path]
    else:
        raise ConfigError(f"no such file or folder: {url}")
    return [RemoteFile(f"{protocol}://{name}") for name in names]


def _fs(url: str) -> tuple[Any, str]:
    try:
        import fsspec
    except ImportError:
        raise ConfigError(f"{url}: URLs need fsspec: pip install 'extract[s3]'") from None
    try:
        return fsspec.core.url_to_fs(url)
    except (ImportError, ValueError) as exc:
        raise ConfigError(f"{url}: {exc}") from None
