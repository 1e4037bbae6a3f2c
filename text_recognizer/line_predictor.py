"""LinePredictor: an image of one handwritten line -> (text, confidence), with per-character and per-word confidences
(`.characters`, `.words` of each result) and a choice of decoder (greedy, beam, or beam with a language model)."""

from collections.abc import Iterable
from pathlib import Path

import numpy as np

from text_recognizer.cards import load_card
from text_recognizer.confidences import Reading
from text_recognizer.image_utils import normalize_line
from text_recognizer.line_batches import predict_by_width
from text_recognizer.line_decoder import LineDecoder
from text_recognizer.line_fitting import fit_line_to_height
from text_recognizer.runtime import load_runner

DEFAULT_CARD = "LineModelCtc_HandwritingLinesDataset_handwriting_crnn"  # real handwriting (README)
ImageLike = str | Path | np.ndarray


class LinePredictor:
    """Loads a line model once (ONNX Runtime when exported, else TensorFlow). Any width, colour or polarity: images
    are scaled to the height the card gives; a network of variable width reads each line at its own width (lines of
    similar width batched together), a fixed-width one reads it left-aligned on its width (wider lines squeezed).

    decoder: "greedy", "beam", or "lm" (beam search with the language model named in the card; `lexicon` limits
    words to those given, `hot_words` favours some); by default "beam" when beam_width > 1, else the card's ("lm" where
    its language model entry says so, else "greedy"). See line_decoder.py."""

    def __init__(
        self,
        card: str | Path = DEFAULT_CARD,
        beam_width: int = 0,
        backend: str | None = None,
        decoder: str | None = None,
        lexicon: Iterable[str] | None = None,
        hot_words: Iterable[str] | None = None,
    ):
        self.card = load_card(card)
        self.mapping = self.card["mapping"]
        self.height, self.width = self.card["input_shape"]
        self.max_width = self.card.get("data", {}).get("format", {}).get("max_width", 2048)
        self.ctc = self.card["model"] == "LineModelCtc"
        self.beam_width = beam_width
        self.decode = LineDecoder(self.card, decoder, beam_width, lexicon=lexicon, hot_words=hot_words)
        self._decoders = {self.decode.name: self.decode}
        self.run = load_runner(self.card, backend)

    def decoder(self, name: str | None = None) -> LineDecoder:
        """The decoder chosen at construction, or another by name (built once, with the same beam width)."""
        if name is None:
            return self.decode
        if name not in self._decoders:
            self._decoders[name] = LineDecoder(self.card, name, self.beam_width)
        return self._decoders[name]

    def predict(self, image: ImageLike, decoder: str | None = None) -> Reading:
        return self.predict_batch([image], decoder=decoder)[0]

    def predict_batch(self, images: list[ImageLike], batch_size: int = 64, decoder: str | None = None) -> list[Reading]:
        """(text, confidence) of each line; each also has `.characters` and `.words`: (text, confidence) lists.
        `decoder` overrides the predictor's own for this call."""
        decode = self.decoder(decoder)
        return [decode(output) for output in self.outputs(images, batch_size)]

    def outputs(self, images: list[ImageLike], batch_size: int = 64) -> list[np.ndarray]:
        """The network's per-step class probabilities (T, C) of each line, before decoding."""
        if self.width is None:
            return self.network(self.inputs(images), batch_size)
        results = []
        for start in range(0, len(images), batch_size):
            results += self.network(self.inputs(images[start : start + batch_size]), batch_size)
        return results

    def inputs(self, images: list[ImageLike]) -> list[np.ndarray]:
        """The lines as the network takes them: at the card's height, and its width or each line's own."""
        if self.width is None:
            return [fit_line_to_height(image, self.height, self.max_width) for image in images]
        return [normalize_line(image, self.height, self.width) for image in images]

    def network(self, lines: list[np.ndarray], batch_size: int = 64) -> list[np.ndarray]:
        """The network's outputs (T, C) for lines made by `inputs`."""
        if not lines:
            return []
        if self.width is None:
            return predict_by_width(self.run, lines, batch_size)
        results = []
        for start in range(0, len(lines), batch_size):
            results += list(self.run(np.stack(lines[start : start + batch_size]).astype(np.float32)))
        return results
