"""Store every image under a data folder in an LMDB keyed by file name, for datasets' `fast: true` (IAM loader seed).

python training/create_lmdb.py --data_dir data/raw/iam [--encoding png]
"""

import argparse
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from tqdm import tqdm

from text_recognizer.datasets.lmdb_store import ENCODINGS, write_store
from text_recognizer.image_utils import IMAGE_SUFFIXES, read_image
from training import cli

STORE_NAME = "lmdb"


def image_files(data_dir: Path) -> list[Path]:
    """Image files anywhere under data_dir (linked folders followed), outside the store itself, in a stable order."""
    found = []
    for folder, subfolders, files in os.walk(data_dir, followlinks=True):
        if Path(folder) == data_dir:
            subfolders[:] = [name for name in subfolders if not name.startswith(STORE_NAME)]
        found += [Path(folder) / name for name in files if Path(name).suffix.lower() in IMAGE_SUFFIXES]
    return sorted(found)


def read_all(paths: list[Path]) -> Iterator[tuple[str, object]]:
    for path in tqdm(paths, desc="Storing images", unit="image", mininterval=1):
        yield path.name, read_image(path)


@cli.program
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Store every image of a data folder in <data_dir>/lmdb.")
    parser.add_argument("--data_dir", type=Path, required=True, help="folder whose images (any depth) are stored")
    parser.add_argument(
        "--encoding",
        choices=ENCODINGS,
        default="raw",
        help="raw: uint8 pixels with their shape, fastest to read (default); png: smaller, decoded on read",
    )
    args = parser.parse_args(argv)
    if not args.data_dir.is_dir():
        cli.fail(f"{args.data_dir} is not a folder.")
    paths = image_files(args.data_dir)
    if not paths:
        cli.fail(f"no .png/.jpg/.jpeg images under {args.data_dir}.")
    count = write_store(args.data_dir / STORE_NAME, read_all(paths), args.encoding)
    print(f"Stored {count:,} images in {args.data_dir / STORE_NAME} ({args.encoding}).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
