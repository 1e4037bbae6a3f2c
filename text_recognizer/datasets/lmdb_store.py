"""An LMDB store of grayscale images keyed by file name: one memory-mapped file instead of thousands of image files.

Values are raw uint8 pixels behind a small shape header (fastest to read, largest) or PNG bytes (smaller, decoded on
read); the encoding is recorded in the store. Neither can run code when read: stores of pickled arrays, which could
(a store shipped in someone's data folder would run what it holds), are refused with how to rebuild them.
After the IAM loader seed's create_lmdb.py.
"""

import os
import shutil
import struct
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import cv2
import lmdb
import numpy as np

from text_recognizer.errors import DataError

ENCODINGS = ("raw", "png")
ENCODING_KEY = b"__encoding__"
RAW_HEADER = struct.Struct("<4sII")  # magic, height, width; then height * width grayscale bytes, row by row
RAW_MAGIC = b"TRG1"
MAP_SIZE = 1 << 40  # address space only: the file grows with what is written


class LmdbImageStore:
    """Read images from a store written by `write_store`."""

    def __init__(self, path: str | Path):
        self.path = Path(path).resolve()
        if not (self.path / "data.mdb").is_file():
            raise DataError(
                f"No LMDB image store at {self.path}. Create it with: "
                f"python training/create_lmdb.py --data_dir {self.path.parent}"
            )
        self.env = _open_readonly(self.path)
        with self.env.begin() as txn:
            encoding = txn.get(ENCODING_KEY)
        if encoding is None:
            raise DataError(f"{self.path} is not an image store written by create_lmdb.py (no encoding recorded).")
        self.encoding = bytes(encoding).decode(errors="replace")
        if self.encoding not in ENCODINGS:
            why = "pickled arrays, which can run code when read" if self.encoding == "pickle" else "an unknown encoding"
            raise DataError(
                f"{self.path} holds {why} ({self.encoding!r}); it is not read. Rebuild it: "
                f"rm -r {self.path} && python training/create_lmdb.py --data_dir {self.path.parent}"
            )

    def __len__(self) -> int:
        return self.env.stat()["entries"] - 1

    def __contains__(self, name: str) -> bool:
        with self.env.begin() as txn:
            return txn.get(name.encode()) is not None

    def read(self, name: str) -> np.ndarray:
        """The grayscale image stored under a file name (e.g. "a01-000u-00.png")."""
        with self.env.begin(buffers=True) as txn:
            value = txn.get(name.encode())
            if value is None:
                raise DataError(f"{name} is not in the LMDB store {self.path}; rebuild it with create_lmdb.py.")
            return decode(value, self.encoding, name)


@cache
def _open_readonly(path: Path) -> lmdb.Environment:
    """One environment per store and process (LMDB refuses to open the same one twice in a process)."""
    return lmdb.open(str(path), readonly=True, lock=False, readahead=False, max_readers=256)


def encode(image: np.ndarray, encoding: str) -> bytes:
    """A 2-D uint8 image as a store value."""
    if image.ndim != 2 or image.dtype != np.uint8:
        raise DataError(f"The store holds 2-D grayscale uint8 images, not {image.dtype} arrays of shape {image.shape}.")
    if encoding == "raw":
        return RAW_HEADER.pack(RAW_MAGIC, *image.shape) + np.ascontiguousarray(image).tobytes()
    ok, data = cv2.imencode(".png", image)
    if not ok:
        raise DataError(f"Could not PNG-encode an image of shape {image.shape}.")
    return data.tobytes()


def decode(value, encoding: str, name: str = "a value") -> np.ndarray:
    """The image in a store value; a value that is not what the encoding says is a DataError, never executed."""
    if encoding == "raw":
        if len(value) >= RAW_HEADER.size:
            magic, height, width = RAW_HEADER.unpack_from(value)
            if magic == RAW_MAGIC and len(value) == RAW_HEADER.size + height * width:
                pixels = np.frombuffer(value, np.uint8, offset=RAW_HEADER.size)
                return pixels.reshape(height, width).copy()  # the value's memory is only valid in its transaction
        raise DataError(f"{name} in the LMDB store is not a raw image value; rebuild the store with create_lmdb.py.")
    image = cv2.imdecode(np.frombuffer(value, np.uint8), cv2.IMREAD_GRAYSCALE)
    if image is None:
        raise DataError(f"{name} in the LMDB store is not a PNG image; rebuild the store with create_lmdb.py.")
    return image


def write_store(path: str | Path, images: Iterable[tuple[str, np.ndarray]], encoding: str = "raw") -> int:
    """Write (file name, grayscale image) pairs to a new store at `path`; returns how many. Never overwrites."""
    path = Path(path)
    if encoding not in ENCODINGS:
        raise DataError(f"Unknown encoding {encoding!r}; choose one of {', '.join(ENCODINGS)}.")
    if path.exists():
        raise DataError(f"{path} already exists; remove it first if you mean to rebuild the store.")
    partial = path.with_name(path.name + ".part")
    if partial.exists():
        raise DataError(f"{partial} exists: another create_lmdb.py is writing it, or one was killed; remove it if so.")
    env = lmdb.open(str(partial), map_size=MAP_SIZE)
    count, seen = 0, set()
    try:
        with env.begin(write=True) as txn:
            txn.put(ENCODING_KEY, encoding.encode())
            for name, image in images:
                if name in seen:
                    raise DataError(
                        f"Two images are named {name}; the store is keyed by file name, so they must differ."
                    )
                seen.add(name)
                txn.put(name.encode(), encode(image, encoding))
                count += 1
    except BaseException:
        env.close()
        shutil.rmtree(partial, ignore_errors=True)
        raise
    env.close()
    os.replace(partial, path)
    return count
