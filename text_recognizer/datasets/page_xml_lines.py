"""PageXmlLinesDataset: the lines of page images and their ALTO or PAGE XML files (the ground truth that
transcription tools such as eScriptorium, Transkribus or kraken export, and what `--pages --format alto|page`
writes), as line crops and texts in the real-line format, to train or fine-tune a line model on.

    {"dataset": "PageXmlLinesDataset", "dataset_args": {"path": "my_pages/"}, "model": "LineModelCtc",
     "network": "handwriting_crnn", "init_from": "LineModelCtc_HandwritingLinesDataset_handwriting_crnn"}

Every .xml file of the folder (and its subfolders) that is ALTO or PAGE XML is paired with the image it names
(ALTO `sourceImageInformation/fileName`, PAGE `Page/@imageFilename`, relative to the XML file's folder), else with
the image of the same stem beside it. Each TextLine's box (its coordinates, or its polygon's bounding box) is cut out
of the image. Splits are page-disjoint (whole pages, in a seeded order, go to test, then validation; the rest
train); with fewer than three pages the lines themselves are split. The mapping is the given card's (so that
`init_from` fine-tuning keeps it), or else every character of the training texts after the CTC blank; lines with
other characters, empty or too long are counted and left out.
"""

import logging
from collections import Counter
from pathlib import Path
from typing import ClassVar

import numpy as np

from text_recognizer.datasets.base import Dataset, Split, check_held_out
from text_recognizer.datasets.formats import (
    BLANK,
    SPLITS,
    check_real_line_format,
    encode_texts,
    real_line_format,
    real_line_image,
)
from text_recognizer.errors import DataError
from text_recognizer.image_utils import IMAGE_SUFFIXES, read_image

log = logging.getLogger("text_recognizer")
DEFAULT_CARD = "LineModelCtc_HandwritingLinesDataset_handwriting_crnn"


def find_pages(folder: Path) -> tuple[list[tuple[Path, Path]], Counter]:
    """(image, document) of every ALTO or PAGE XML file below `folder`, and what was wrong with the others."""
    from text_recognizer.documents.formats import image_name_of

    pages, problems = [], Counter()
    for document in sorted(folder.rglob("*.xml")):
        try:
            named = image_name_of(document)
        except (DataError, OSError):
            problems["unreadable XML files"] += 1
            continue
        candidates = [document.parent / named, document.parent / Path(named).name] if named else []
        candidates += [document.with_suffix(suffix) for suffix in IMAGE_SUFFIXES]
        candidates += [document.with_suffix(suffix.upper()) for suffix in IMAGE_SUFFIXES]
        image = next((path for path in candidates if path.is_file()), None)
        if image is None:
            problems["XML files without their image"] += 1
            continue
        pages.append((image, document))
    return pages, problems


class PageXmlLinesDataset(Dataset):
    """Lines of page images with ALTO or PAGE XML ground truth, split by page."""

    card_omits = ("path",)  # where the pages are; the card's source names the folder
    attribute_of: ClassVar[dict[str, str]] = {"card": "card_name"}  # `card` is the method that writes the weights card

    def __init__(
        self,
        path: str,
        card: str | None = DEFAULT_CARD,
        height: int = 48,
        max_width: int = 2048,
        max_length: int = 128,
        validation_fraction: float = 0.1,
        test_fraction: float = 0.1,
        seed: int = 42,
    ):
        self.folder = Path(path)
        if not self.folder.is_dir():
            raise DataError(f"{self.folder} is not a folder of page images and their ALTO or PAGE XML files.")
        check_real_line_format(height, max_width)
        check_held_out(validation_fraction, test_fraction)
        self.card_name, self.height, self.max_width, self.max_length = card, height, max_width, max_length
        self.validation_fraction, self.test_fraction, self.seed = validation_fraction, test_fraction, seed
        self.input_shape = (height, None)

    @property
    def source(self) -> str:
        return f"page images with ALTO or PAGE XML in {self.folder}"

    def read_lines(self) -> list[tuple[str, np.ndarray, str]]:
        """(page, crop, text) of every line of every page, in page order."""
        from text_recognizer.documents.formats import line_crops

        pages, self.problems = find_pages(self.folder)
        if not pages:
            raise DataError(f"No ALTO or PAGE XML file with its image in {self.folder} ({dict(self.problems)}).")
        lines = []
        for image, document in pages:
            try:
                found = line_crops(image, document)
            except DataError as error:
                log.warning("%s: %s; the page is left out.", document, error)
                self.problems["unreadable pages"] += 1
                continue
            lines += [(document.relative_to(self.folder).as_posix(), crop, text) for crop, text in found]
        return lines

    def _split(self, lines: list) -> dict[str, list]:
        pages = sorted({page for page, _, _ in lines})
        rng = np.random.default_rng(self.seed)
        fractions = {"val": self.validation_fraction, "test": self.test_fraction}
        if len(pages) < 3:  # too few pages to hold any apart: split the lines
            order = rng.permutation(len(lines))
            counts = {name: max(1, round(len(lines) * fractions[name])) for name in ("test", "val")}
            parts = {
                "test": order[: counts["test"]],
                "val": order[counts["test"] : counts["test"] + counts["val"]],
                "train": order[counts["test"] + counts["val"] :],
            }
            return {name: [lines[i] for i in sorted(parts[name])] for name in SPLITS}
        order = [pages[i] for i in rng.permutation(len(pages))]
        counts = {name: max(1, round(len(pages) * fractions[name])) for name in ("test", "val")}
        chosen = {
            "test": set(order[: counts["test"]]),
            "val": set(order[counts["test"] : counts["test"] + counts["val"]]),
        }
        chosen["train"] = set(pages) - chosen["test"] - chosen["val"]
        return {name: [line for line in lines if line[0] in chosen[name]] for name in SPLITS}

    def prepare(self) -> "PageXmlLinesDataset":
        parts = self._split(self.read_lines())
        if self.card_name:
            from text_recognizer.cards import load_card

            self.mapping = list(load_card(self.card_name)["mapping"])
        else:
            self.mapping = [BLANK, *sorted({char for _, _, text in parts["train"] for char in text})]
        self.output_shape = (self.max_length, len(self.mapping))
        known = set(self.mapping[1:])
        self.left_out, self.pages, splits = Counter(), {}, {}
        for name in SPLITS:
            kept = []
            for page, crop, text in parts[name]:
                if not text.strip():
                    self.left_out["empty texts"] += 1
                elif any(char not in known for char in text):
                    self.left_out["texts with characters outside the mapping"] += 1
                elif len(text) > self.max_length:
                    self.left_out[f"texts longer than max_length={self.max_length}"] += 1
                else:
                    kept.append((page, crop, text))
            if not kept:
                raise DataError(f"No usable lines for the {name} split of {self.folder} (left out: {self.report()}).")
            self.pages[name] = sorted({page for page, _, _ in kept})
            images = [
                real_line_image(read_image(crop), len(text), self.height, self.max_width) for _, crop, text in kept
            ]
            splits[name] = Split(images, encode_texts([text for _, _, text in kept], self.mapping, self.max_length))
        self.set_splits(splits)
        if self.left_out or self.problems:
            log.info("%s: left out %s", self.folder, self.report())
        return self

    def report(self) -> dict:
        return {**dict(self.problems), **dict(self.left_out)}

    def card_details(self) -> dict:
        return {
            "format": real_line_format(self.height, self.max_width),
            "sizes": self.split_sizes(),
            "split_groups": self.pages,
            "left_out": self.report(),
        }
