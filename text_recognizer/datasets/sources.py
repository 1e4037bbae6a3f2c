"""Raw data sources pinned in data/metadata.toml: found locally, in a mirror folder, or downloaded, always verified."""

import hashlib
import os
import urllib.request
from collections.abc import Callable
from pathlib import Path

import toml
from tqdm import tqdm

from text_recognizer.errors import DataError
from text_recognizer.settings import MIRROR_ENV, REPO_DIR, data_dir, mirror_dirs

METADATA_FILE = REPO_DIR / "data" / "metadata.toml"


def raw_dir(source: str) -> Path:
    return data_dir() / "raw" / source


def processed_dir(source: str) -> Path:
    return data_dir() / "processed" / source


def existing(path: Path) -> bool:
    """Whether a data file or folder is there; DataError when it, or a folder above it, is a link to nothing (say a
    data/processed linked to a copy that has moved), which would otherwise look like data never downloaded."""
    if path.exists():
        return True
    for part in (path, *path.parents):
        if part.is_symlink() and not part.exists():
            target = Path(os.readlink(part))
            where = target if target.is_absolute() else f"{target} (that is, {part.parent / target})"
            raise DataError(
                f"{part} is a broken link: it points to {where}, which does not exist. Point it at the data "
                "(tasks/use_shared_data.sh links an offline copy), or remove it to fetch the data anew."
            )
    return False


def source_metadata(source: str) -> dict:
    """The metadata.toml entry of a source (filename, url, sha256)."""
    entries = toml.load(METADATA_FILE)
    if source not in entries:
        raise DataError(f"data/metadata.toml has no entry [{source}]; known sources: {', '.join(sorted(entries))}.")
    return entries[source]


def sha256_of(path: Path, chunk_size: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


def _verified(path: Path, expected_sha256: str) -> Path:
    actual = sha256_of(path)
    if actual != expected_sha256:
        raise DataError(
            f"{path} is corrupt or truncated: its sha256 is {actual}, expected {expected_sha256}. "
            "Delete it and run again to fetch it anew, or replace it with a good copy."
        )
    return path


def _mirror_candidates(source: str, filename: str) -> list[Path]:
    return [folder / name for folder in mirror_dirs() for name in (filename, f"{source}/{filename}")]


def fetch(source: str) -> Path:
    """Path of the verified raw file of `source`: the local raw folder first, then the mirror, then the url."""
    meta = source_metadata(source)
    local = raw_dir(source) / meta["filename"]
    if existing(local):
        return _verified(local, meta["sha256"])
    for candidate in _mirror_candidates(source, meta["filename"]):
        if candidate.exists():
            return _verified(candidate, meta["sha256"])
    return _download(meta["url"], local, meta["sha256"])


def cached_sentences(source: str, read: Callable[[Path], list[str]]) -> list[str]:
    """The sentences `read` takes from the source's verified raw file, cached one per line in
    data/processed/<source>/sentences.txt (written under a temporary name, then renamed)."""
    cache = processed_dir(source) / "sentences.txt"
    if not existing(cache):
        cache.parent.mkdir(parents=True, exist_ok=True)
        partial = cache.with_name(cache.name + ".part")
        partial.write_text("\n".join(read(fetch(source))), encoding="utf-8")
        partial.replace(cache)
    return cache.read_text(encoding="utf-8").splitlines()


def _download(url: str, destination: Path, expected_sha256: str) -> Path:
    """Download to a temporary name and rename only once the checksum matches."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + ".part")
    try:
        with urllib.request.urlopen(url, timeout=30) as response, open(partial, "wb") as out:
            total = int(response.headers.get("Content-Length") or 0) or None
            with tqdm(total=total, unit="B", unit_scale=True, desc=f"Downloading {destination.name}") as bar:
                while chunk := response.read(1 << 20):
                    out.write(chunk)
                    bar.update(len(chunk))
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise DataError(
            f"Could not download {url} ({error}). Place {destination.name} at {destination}, "
            f"or set {MIRROR_ENV} to a folder that holds it."
        ) from None
    try:
        _verified(partial, expected_sha256)
    except DataError:
        partial.unlink(missing_ok=True)
        raise DataError(f"The download of {url} did not match its sha256; nothing was kept. Try again.") from None
    os.replace(partial, destination)
    return destination
