"""IAM paragraphs: the handwritten part of each form and its per-pixel line mask, for training the line detector.

A paragraph is the region spanned by its form's line boxes (ascii/lines.txt), fitted to a size x size canvas like
`line_detection.fit_to_canvas` fits any page. The mask labels the middle half of each line's box, odd lines 1 and even
lines 2 counted from the top (as SyntheticParagraphsDataset does), background 0. Needs the forms archives
(see iam.py); the processed arrays are cached in data/processed/iam_paragraphs/.
"""

from pathlib import Path

import cv2
import numpy as np
from tqdm import tqdm

from text_recognizer.datasets.base import Dataset
from text_recognizer.datasets.formats import MASK_CLASSES
from text_recognizer.datasets.iam import SPLIT_ARGUMENTS, IamDataset
from text_recognizer.datasets.iam_text import IamLine
from text_recognizer.datasets.real_lines import ImageReader
from text_recognizer.datasets.sources import processed_dir
from text_recognizer.datasets.split_cache import load_or_build, write_split
from text_recognizer.line_detection import fit_to_canvas

MARGIN = 20  # form pixels kept around the lines


def paragraph_and_mask(form: np.ndarray, lines: list[IamLine], size: int) -> tuple[np.ndarray, np.ndarray]:
    """The lines' region of a form on a size x size canvas, and its background/odd/even line mask."""
    x0 = max(0, min(line.box[0] for line in lines) - MARGIN)
    y0 = max(0, min(line.box[1] for line in lines) - MARGIN)
    x1 = min(form.shape[1], max(line.box[0] + line.box[2] for line in lines) + MARGIN)
    y1 = min(form.shape[0], max(line.box[1] + line.box[3] for line in lines) + MARGIN)
    canvas, scale = fit_to_canvas(form[y0:y1, x0:x1], (size, size))
    mask = np.zeros((size, size), np.uint8)
    for index, line in enumerate(sorted(lines, key=lambda line: line.box[1] + line.box[3] / 2)):
        x, y, w, h = line.box
        top, bottom = (round((y - y0 + h * edge) * scale) for edge in (0.25, 0.75))
        cv2.rectangle(mask, (round((x - x0) * scale), top), (round((x + w - x0) * scale), bottom), 1 + index % 2, -1)
    return canvas, mask


class IamParagraphsDataset(Dataset):
    """Paragraph images (N, size, size) uint8 and masks (N, size, size) uint8, split by writer like IamLinesDataset."""

    source = "IAM Handwriting Database forms (formsA-D/E-H/I-Z.tgz) with line boxes from ascii/lines.txt"
    card_omits = ("fast", *SPLIT_ARGUMENTS)

    def __init__(
        self,
        size: int = 256,
        fast: bool = False,
        validation_fraction: float = 0.1,
        test_fraction: float = 0.1,
        seed: int = 42,
        root: str | None = None,
    ):
        self.size, self.fast = size, fast
        self.iam = IamDataset(root, validation_fraction, test_fraction, seed)
        self.mapping = list(MASK_CLASSES)
        self.input_shape = (size, size)
        self.output_shape = (size, size, len(MASK_CLASSES))

    @property
    def cache_path(self) -> Path:
        name = "".join(c if c.isalnum() or c in "-=." else "_" for c in self.iam.split_name)
        return processed_dir("iam_paragraphs") / f"size{self.size}_{name}.h5"

    def prepare(self) -> "IamParagraphsDataset":
        load_or_build(self, self.cache_path, self._build)
        return self

    def _build(self, file) -> None:
        self.iam.require("ascii", "forms")  # say first what is missing
        every_line = _by_form(self.iam.lines)  # a form's paragraph shows all its lines, listed in a split or not
        forms = {name: {f: every_line[f] for f in _by_form(lines)} for name, lines in self.iam.split().items()}
        paths = self.iam.image_paths("forms", [f"{form}.png" for split in forms.values() for form in split])
        read = ImageReader(self.iam.root, self.fast)
        for split, by_form in forms.items():
            x = np.zeros((len(by_form), self.size, self.size), np.uint8)
            y = np.zeros_like(x)
            for row, (form, lines) in enumerate(tqdm(by_form.items(), desc=f"Cropping {split} paragraphs")):
                x[row], y[row] = paragraph_and_mask(read(paths[f"{form}.png"]), lines, self.size)
            write_split(file, split, x, y)

    def card_details(self) -> dict:
        return {"split": self.iam.split_name, "sizes": self.split_sizes()}


def _by_form(lines: list[IamLine]) -> dict[str, list[IamLine]]:
    forms: dict[str, list[IamLine]] = {}
    for line in lines:
        forms.setdefault(line.form, []).append(line)
    return forms
