"""LinePredictor: an image of one handwritten line -> (text, confidence)."""

from pathlib import Path

import numpy as np

from text_recognizer.cards import load_card
from text_recognizer.ctc import decode
from text_recognizer.image_utils import fit_line_to_height, normalize_line
from text_recognizer.line_batches import predict_by_width
from text_recognizer.runtime import load_runner

DEFAULT_CARD = "LineModelCtc_EmnistLinesDataset_line_crnn"
ImageLike = str | Path | np.ndarray


class LinePredictor:
    """Loads a line model once (ONNX Runtime when exported, else TensorFlow). Any width, colour or polarity: images
    are scaled to the height the card gives; a network of variable width reads each line at its own width (lines of
    similar width batched together), a fixed-width one reads it left-aligned on its width (wider lines squeezed)."""

    def __init__(self, card: str | Path = DEFAULT_CARD, beam_width: int = 0, backend: str | None = None):
        self.card = load_card(card)
        self.mapping = self.card["mapping"]
        self.height, self.width = self.card["input_shape"]
        self.max_width = self.card.get("data", {}).get("format", {}).get("max_width", 2048)
        self.ctc = self.card["model"] == "LineModelCtc"
        self.beam_width = beam_width
        self.run = load_runner(self.card, backend)

    def predict(self, image: ImageLike) -> tuple[str, float]:
        return self.predict_batch([image])[0]

    def predict_batch(self, images: list[ImageLike], batch_size: int = 64) -> list[tuple[str, float]]:
        if self.width is None:
            lines = [fit_line_to_height(image, self.height, self.max_width) for image in images]
            outputs = predict_by_width(self.run, lines, batch_size) if lines else []
            return [decode(output, self.mapping, self.ctc, self.beam_width) for output in outputs]
        results = []
        for start in range(0, len(images), batch_size):
            lines = [normalize_line(image, self.height, self.width) for image in images[start : start + batch_size]]
            outputs = self.run(np.stack(lines).astype(np.float32))
            results += [decode(output, self.mapping, self.ctc, self.beam_width) for output in outputs]
        return results
