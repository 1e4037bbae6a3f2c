"""LineDetector: an image of a handwritten page or paragraph -> boxes and crops of its lines, top to bottom."""

from pathlib import Path

import numpy as np

from text_recognizer.cards import load_card
from text_recognizer.image_utils import read_image
from text_recognizer.line_detection import Box, crop_boxes, crop_lines, fit_to_canvas, line_boxes, to_page
from text_recognizer.runtime import load_runner

DEFAULT_CARD = "LineDetectorModel_RealLinePagesDataset_fcn"  # trained on pages of real lines (README)
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
        """Boxes (x0, y0, x1, y1) of the lines on the page, top to bottom, with room for ascenders and descenders."""
        page = read_image(image)
        bands, scale = self._bands(page)
        return crop_boxes(bands, scale, page.shape)

    def lines(self, image: ImageLike) -> tuple[list[Box], list[np.ndarray]]:
        """The line boxes and their crops (light on dark, with the strokes of neighbouring lines erased)."""
        page = read_image(image)
        bands, scale = self._bands(page)
        boxes = crop_boxes(bands, scale, page.shape)
        return boxes, crop_lines(page, boxes, to_page(bands, scale))

    def _bands(self, page: np.ndarray) -> tuple[list[Box], float]:
        labels, scale = self.class_map(page)
        return line_boxes(labels), scale
