"""Reading images from files vs from an LMDB store (raw pixels and PNG bytes): images/s, random order.

    python bench/lmdb_reading.py [--folder data/raw/handwritten_names/validation_v2] [--repeats 3]

Also times LinesFolderDataset.prepare() (read + normalise + encode) on the 1,500 handwritten names, both ways.
"""

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from text_recognizer.datasets.lines_folder import LinesFolderDataset
from text_recognizer.datasets.lmdb_store import LmdbImageStore, write_store
from text_recognizer.image_utils import list_images, read_image

NAMES = Path("data/raw/handwritten_names")


def images_per_second(read, names: list, repeats: int) -> float:
    """Best of `repeats` timings, each over at least 300 reads of the names in a shuffled order."""
    order = [names[i] for i in np.random.default_rng(0).permutation(len(names))]
    order *= -(-300 // len(order))
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        for name in order:
            read(name)
        best = min(best, time.perf_counter() - started)
    return len(order) / best


def bench_folder(folder: Path, repeats: int) -> None:
    paths = list_images(folder)
    size = sum(path.stat().st_size for path in paths) / len(paths) / 1024
    print(f"{folder}: {len(paths):,} images, {size:.0f} KiB per file on average")
    print(f"  files (OpenCV decode):  {images_per_second(read_image, paths, repeats):9,.0f} images/s")
    with tempfile.TemporaryDirectory() as scratch:
        for encoding in ("raw", "png"):
            store_path = Path(scratch) / encoding
            write_store(store_path, ((path.name, read_image(path)) for path in paths), encoding)
            megabytes = (store_path / "data.mdb").stat().st_size / 2**20
            store = LmdbImageStore(store_path)
            rate = images_per_second(store.read, [path.name for path in paths], repeats)
            print(f"  LMDB {encoding:<6} ({megabytes:5.1f} MiB): {rate:9,.0f} images/s")


def bench_prepare(names: Path) -> None:
    """Whole dataset preparation (checks, read, normalise, encode) from files vs from a raw store."""
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        images = list_images(names / "validation_v2")
        for path in images:
            (folder / path.name).symlink_to(path.resolve())
        write_store(folder / "lmdb", ((path.name, read_image(path)) for path in images), "raw")
        for fast in (False, True):
            started = time.perf_counter()
            LinesFolderDataset(path=scratch, labels=str(names / "written_name_validation_v2.csv"), fast=fast).prepare()
            print(f"LinesFolderDataset.prepare(fast={fast}) on the names: {time.perf_counter() - started:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folder", type=Path, action="append", help="image folder(s); default: names and IAM samples")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    folders = args.folder or [
        NAMES / "validation_v2",
        Path("data/raw/iam/lines_sample"),
        Path("data/raw/iam/paragraphs_sample"),
    ]
    for folder in folders:
        bench_folder(folder, args.repeats)
    bench_prepare(NAMES)


if __name__ == "__main__":
    main()
