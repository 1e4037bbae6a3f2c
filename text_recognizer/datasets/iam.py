"""The IAM Handwriting Database as its owners distribute it: ground truth, writers, a writer-independent split, images.

IAM is free for non-commercial research after registration, so it cannot be downloaded for the user. Its archives go
into data/raw/iam/ (see data/metadata.toml); an archive found there is extracted on first use:

    ascii.tgz                             -> ascii/lines.txt, ascii/forms.txt, ...
    lines.tgz                             -> lines/a01/a01-000u/a01-000u-00.png, ...
    formsA-D.tgz formsE-H.tgz formsI-Z.tgz -> forms/a01-000u.png, ...
    RWTH task lists (optional)            -> trainset.txt validationset1.txt validationset2.txt testset.txt
"""

import os
import tarfile
from functools import cached_property
from pathlib import Path

from text_recognizer.datasets.base import check_held_out
from text_recognizer.datasets.iam_splits import rwth_lists, split_by_lists, split_by_writer
from text_recognizer.datasets.iam_text import IamLine, parse_forms, parse_lines
from text_recognizer.datasets.sources import existing, raw_dir, source_metadata
from text_recognizer.errors import DataError

SOURCE = "iam"
ARCHIVES = {"ascii": ("ascii.tgz",), "lines": ("lines.tgz",), "forms": ("formsA-D.tgz", "formsE-H.tgz", "formsI-Z.tgz")}
SPLIT_ARGUMENTS = ("validation_fraction", "test_fraction", "seed", "root")  # a card records the split by name
FORM_LETTERS = {"formsA-D.tgz": "abcd", "formsE-H.tgz": "efgh", "formsI-Z.tgz": "ijklmnopqrstuvwxyz"}


class IamDataset:
    """IAM metadata and files: every line's text and box, each form's writer, the split, and paths of images."""

    def __init__(
        self,
        root: str | Path | None = None,
        validation_fraction: float = 0.1,
        test_fraction: float = 0.1,
        seed: int = 42,
    ):
        check_held_out(validation_fraction, test_fraction)
        self.root = Path(root) if root is not None else raw_dir(SOURCE)
        self.validation_fraction, self.test_fraction, self.seed = validation_fraction, test_fraction, seed

    @cached_property
    def lines(self) -> list[IamLine]:
        """All lines of ascii/lines.txt (13,353 in the official release)."""
        return parse_lines(self.folder("ascii") / "lines.txt")

    @cached_property
    def writers(self) -> dict[str, str]:
        """Writer id of each form, from ascii/forms.txt (1,539 forms, 657 writers)."""
        return parse_forms(self.folder("ascii") / "forms.txt")

    @cached_property
    def split_name(self) -> str:
        """Which split `split` uses: the RWTH task lists, or a seeded split by writer."""
        if rwth_lists(self.root) is not None:
            return "rwth-writer-independent-lines"
        return f"by-writer(val={self.validation_fraction}, test={self.test_fraction}, seed={self.seed})"

    def split(self) -> dict[str, list[IamLine]]:
        """Train, val and test lines; no writer is in two of them."""
        lists = rwth_lists(self.root)
        if lists is not None:
            return split_by_lists(self.lines, lists)
        return split_by_writer(self.lines, self.writers, self.validation_fraction, self.test_fraction, self.seed)

    def require(self, *parts: str) -> None:
        """Make sure each part ("ascii", "lines", "forms") is there; one message names every archive missing."""
        missing = [name for part in parts for name in self._extract_found_archives(part)]
        if missing:
            names = ", ".join(missing)
            raise DataError(
                f"IAM data is missing: {names} not found in {self.root}. IAM needs registration, so it cannot be "
                f"downloaded for you: register at {source_metadata(SOURCE)['url']}, download {names} and put them "
                f"in {self.root} (each is extracted on first use), or extract them into its folder there "
                f"({', '.join(f'{part}/' for part in parts)})."
            )

    def folder(self, part: str) -> Path:
        """data/raw/iam/<part>/, extracted from its archives when only they are there."""
        self.require(part)
        return self.root / part

    def _extract_found_archives(self, part: str) -> list[str]:
        """Archives of `part` still missing after extracting those present; none when its folder is there."""
        folder = self.root / part
        if existing(folder) and folder.is_dir() and any(folder.iterdir()):
            return []
        present = [self.root / name for name in ARCHIVES[part] if (self.root / name).is_file()]
        if present:
            _extract(present, folder)
        return [name for name in ARCHIVES[part] if not (self.root / name).is_file()]

    def image_paths(self, part: str, names: list[str]) -> dict[str, Path]:
        """Path of each image file name under <part>/ (any depth); all must exist."""
        found = {path.name: path for path in self.folder(part).rglob("*.png")}
        missing = [name for name in names if name not in found]
        if missing:
            archives = ARCHIVES[part]
            if part == "forms":  # form ids start with the letter that names their archive
                archives = [name for name, letters in FORM_LETTERS.items() if any(n[0] in letters for n in missing)]
            raise DataError(
                f"{len(missing):,} of {len(names):,} images are missing from {self.root / part} (e.g. {missing[0]}): "
                f"extract all of {', '.join(archives)} there."
            )
        return {name: found[name] for name in names}


def _extract(archives: list[Path], folder: Path) -> None:
    """Extract archives into `folder` through a temporary folder, so a failed extraction leaves nothing half-done."""
    partial = folder.with_name(folder.name + ".part")
    partial.mkdir(parents=True, exist_ok=True)
    for archive in archives:
        try:
            with tarfile.open(archive) as tar:
                tar.extractall(partial, filter="data")
        except (tarfile.TarError, OSError) as error:
            raise DataError(
                f"{archive} is not a readable .tgz archive ({error}); replace it with a good copy."
            ) from None
    if folder.exists():
        folder.rmdir()  # an empty folder was there
    os.replace(partial, folder)
