"""ParagraphTextRecognizer: an image of handwritten paragraphs -> its text, line by line (line detector + line model).

from text_recognizer.paragraph_text_recognizer import ParagraphTextRecognizer
print(ParagraphTextRecognizer().predict("page.png"))   # the text; .lines, .boxes, .crops per line
"""

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from text_recognizer.image_utils import INK_THRESHOLD, read_image
from text_recognizer.line_detection import Box
from text_recognizer.line_detector import DEFAULT_CARD as DETECTOR_CARD
from text_recognizer.line_detector import LineDetector
from text_recognizer.line_predictor import DEFAULT_CARD as LINE_CARD
from text_recognizer.line_predictor import LinePredictor
from text_recognizer.line_skew import box_back, level_page

ImageLike = str | Path | np.ndarray


@dataclass
class ParagraphPrediction:
    """The recognised text (lines joined by newlines), and per line its text, confidence, box and crop."""

    text: str
    lines: list[str]
    confidences: list[float]
    boxes: list[Box]
    crops: list[np.ndarray]

    def __str__(self) -> str:
        return self.text


class ParagraphTextRecognizer:
    """Finds the lines of a page with the line detector and reads each with the line predictor (`decoder`: greedy,
    beam or lm, as LinePredictor's)."""

    def __init__(
        self,
        detector_card: str | Path = DETECTOR_CARD,
        line_card: str | Path = LINE_CARD,
        beam_width: int = 0,
        decoder: str | None = None,
    ):
        self.detector = LineDetector(detector_card)
        self.line_predictor = LinePredictor(line_card, beam_width=beam_width, decoder=decoder)

    def predict(self, image: ImageLike) -> ParagraphPrediction:
        """The page's text; a page whose lines run askew is turned level first (its boxes are the original's)."""
        page = read_image(image)
        levelled, turn = level_page(page, INK_THRESHOLD)
        boxes, crops = self.detector.lines(levelled)
        if turn is not None:
            boxes = [box_back(turn, box, (page.shape[1], page.shape[0])) for box in boxes]
        read = self.line_predictor.predict_batch(crops) if crops else []
        lines = [text for text, _ in read]
        return ParagraphPrediction("\n".join(lines), lines, [confidence for _, confidence in read], boxes, crops)
