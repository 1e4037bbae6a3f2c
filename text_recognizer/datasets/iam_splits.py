"""Writer-independent train/val/test splits of IAM lines: the RWTH lists when present, else a seeded split by writer.

The RWTH "Large Writer Independent Text Line Recognition Task" lists (trainset.txt, validationset1.txt,
validationset2.txt, testset.txt) name line ids, or form ids in some redistributions; both are accepted. Its two
validation sets are merged, and lines in no list are left out, as in that task.
"""

from pathlib import Path

import numpy as np

from text_recognizer.datasets.iam_text import IamLine
from text_recognizer.errors import DataError

RWTH_LISTS = {"train": ("trainset.txt",), "val": ("validationset1.txt", "validationset2.txt"), "test": ("testset.txt",)}
SPLITS = ("train", "val", "test")


def rwth_lists(folder: Path) -> dict[str, set[str]] | None:
    """Ids in each RWTH list of `folder`, or None when none of the lists is there."""
    names = [name for names in RWTH_LISTS.values() for name in names]
    present = [name for name in names if (folder / name).is_file()]
    if not present:
        return None
    if len(present) < len(names):
        missing = ", ".join(name for name in names if name not in present)
        raise DataError(f"{folder} holds only part of the RWTH split lists: {missing} missing. Add them or remove all.")
    return {
        split: {row.strip() for name in files for row in (folder / name).read_text().splitlines() if row.strip()}
        for split, files in RWTH_LISTS.items()
    }


def split_by_lists(lines: list[IamLine], lists: dict[str, set[str]]) -> dict[str, list[IamLine]]:
    """Lines whose id (or form id) is in each list."""
    return {split: [line for line in lines if line.id in ids or line.form in ids] for split, ids in lists.items()}


def split_by_writer(
    lines: list[IamLine], writers: dict[str, str], validation_fraction: float, test_fraction: float, seed: int
) -> dict[str, list[IamLine]]:
    """Writers in a seeded order fill test, then val, up to their fractions of the lines; the rest is train."""
    unknown = sorted({line.form for line in lines} - writers.keys())
    if unknown:
        raise DataError(f"forms.txt names no writer for {len(unknown)} forms of lines.txt (e.g. {unknown[0]}).")
    by_writer: dict[str, list[IamLine]] = {}
    for line in lines:
        by_writer.setdefault(writers[line.form], []).append(line)
    order = sorted(by_writer)
    order = [order[i] for i in np.random.default_rng(seed).permutation(len(order))]
    targets = {"test": test_fraction * len(lines), "val": validation_fraction * len(lines)}
    split = {name: [] for name in SPLITS}
    current = iter(("test", "val", "train"))
    name = next(current)
    for writer in order:
        while name != "train" and len(split[name]) >= targets[name]:
            name = next(current)
        split[name] += by_writer[writer]
    return {name: sorted(split[name], key=lambda line: line.id) for name in SPLITS}
