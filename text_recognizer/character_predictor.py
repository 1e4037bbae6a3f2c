"""CharacterPredictor: any image of one handwritten character -> (character, confidence)."""

from pathlib import Path

import numpy as np

from text_recognizer.cards import load_card
from text_recognizer.image_utils import normalize_character
from text_recognizer.runtime import load_runner

DEFAULT_CARD = "CharacterModel_EmnistDataset_vgg_bn"
ImageLike = str | Path | np.ndarray


class CharacterPredictor:
    """Loads the shipped character model once (ONNX Runtime when exported, else TensorFlow); normalises any image
    (size, colour, polarity) before predicting."""

    def __init__(self, card: str | Path = DEFAULT_CARD, backend: str | None = None):
        self.card = load_card(card)
        self.mapping = self.card["mapping"]
        self.size = self.card["input_shape"][0]
        self.run = load_runner(self.card, backend)

    def predict(self, image: ImageLike) -> tuple[str, float]:
        return self.predict_batch([image])[0]

    def predict_batch(self, images: list[ImageLike]) -> list[tuple[str, float]]:
        batch = np.stack([normalize_character(image, self.size) for image in images]).astype(np.float32)
        probabilities = self.run(batch)
        best = probabilities.argmax(axis=1)
        return [(self.mapping[i], float(probabilities[row, i])) for row, i in enumerate(best)]
