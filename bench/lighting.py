"""Real lines under the light of a phone photo: CER of the shipped line model on its held-apart test writers, read
clean, with the light falling off across the line, under a shadow, and binarised (Otsu), greedy decoding.

    python bench/lighting.py [--card CARD] [--lines 200]

The light changes are made on the image files' pixels before LinePredictor reads them, as a user's camera would.
"""

import argparse

import cv2
import numpy as np

from text_recognizer.cards import load_card
from text_recognizer.datasets.handwriting_lines import HandwritingLinesDataset
from text_recognizer.line_predictor import DEFAULT_CARD, LinePredictor
from text_recognizer.metrics import character_error_rate


def falling_off(image: np.ndarray) -> np.ndarray:
    """Half the light at the left edge, all of it at the right."""
    return (image * np.linspace(0.5, 1.0, image.shape[1])).astype(np.uint8)


def shadow(image: np.ndarray) -> np.ndarray:
    """A soft vertical shadow a quarter of the line wide, half the light at its middle, a third of the way in."""
    width = image.shape[1]
    return (image * (1 - 0.5 * np.exp(-(((np.arange(width) - width / 3) / (width / 8)) ** 2)))).astype(np.uint8)


def binarised(image: np.ndarray) -> np.ndarray:
    return cv2.threshold(image, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)[1]


LIGHTS = {"clean": lambda image: image, "falling off": falling_off, "shadow": shadow, "binarised": binarised}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--card", default=DEFAULT_CARD)
    parser.add_argument("--lines", type=int, default=200, help="test lines per corpus")
    args = parser.parse_args()
    card = load_card(args.card)
    splits = HandwritingLinesDataset(**card["data"]["args"]).corpus_splits(train_only_corpora=False)
    predictor = LinePredictor(args.card, decoder="greedy")
    print(f"card {args.card} (run {card['run_id']}), greedy, first {args.lines} test lines per corpus")
    print("corpus      " + "".join(f"{name:>13s}" for name in LIGHTS))
    for corpus, part in splits.items():
        lines = part["test"][: args.lines]
        images = [cv2.imread(str(line.image), cv2.IMREAD_GRAYSCALE) for line in lines]
        references = [line.text for line in lines]
        rates = []
        for light in LIGHTS.values():
            readings = [text for text, _ in predictor.predict_batch([light(image) for image in images])]
            rates.append(character_error_rate(readings, references))
        print(f"{corpus:11s} " + "".join(f"{rate:13.3f}" for rate in rates))


if __name__ == "__main__":
    main()
