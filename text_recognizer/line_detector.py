"""LineDetector: an image of a handwritten page or paragraph -> boxes and crops of its lines, top to bottom."""

from pathlib import Path

import numpy as np

from text_recognizer.cards import load_card
from text_recognizer.image_utils import read_image
from text_recognizer.line_detection import Box, crop_boxes, crop_lines, fit_to_canvas, line_boxes
from text_recognizer.runtime import load_runner

DEFAULT_CARD = "LineDetectorModel_SyntheticParagraphsDataset_fcn"
ImageLike = str | Path | np.ndarray


class LineDetector:
    """Loads the detector once; any page size, colour or polarity (it is fitted to the network's canvas)."""

    def __init__(self, card: str | Path = DEFAULT_CARD, backend: str | None = None):
        self.card = load_card(card)
        self.size = tuple(self.card["input_shape"])
        self.run = load_runner(self.card, backend)

    def class_map(self, image: ImageLike) -> tuple[np.ndarray, float]:
        """Per-pixel labels (0 background, 1 odd line, 2 even line) on the canvas, and the page -> canvas scale."""
        canvas, scale = fit_to_canvas(image, self.size)
        probabilities = self.run(canvas[None].astype(np.float32))[0]
        return probabilities.argmax(axis=-1).astype(np.uint8), scale

    def detect(self, image: ImageLike) -> list[Box]:
        """Boxes (x0, y0, x1, y1) of the lines on the page, with room for ascenders and descenders."""
        page = read_image(image)
        labels, scale = self.class_map(page)
        return crop_boxes(line_boxes(labels), scale, page.shape)

    def crops(self, image: ImageLike) -> list[np.ndarray]:
        """The page's line images, top to bottom."""
        page = read_image(image)
        return crop_lines(page, self.detect(page))
