"""Real lines as users' images differ from the corpora's flat scans: CER of the shipped line model on its held-apart
test writers, read clean, with the light falling off across the line, under a shadow, binarised (Otsu), with
pieces of the neighbouring lines above and below, turned 3 degrees off level, on ruled paper, and in a dark frame
(greedy decoding).

    python bench/image_conditions.py [--card CARD] [--lines 200]

The changes are made on the image files' pixels before LinePredictor reads them (tests/line_variants.py, the same
changes the tests make): half the light at one end or under a soft shadow, and the bottom 30 % of the next test
line's image above the line and the top 30 % of the one after below it; every other line turned 3 degrees up, the
others 3 degrees down; grey rules (level 120, 2 pixels) at the baseline and 0.9 of the line's height above it; a
frame of grey 40 a tenth of the line's height thick.
"""

import argparse
import sys
from pathlib import Path

import cv2

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root, for tests/line_variants.py

from tests.line_variants import (
    falling_off,
    in_dark_frame,
    on_ruled_paper,
    shadow,
    thresholded,
    turned,
    with_pieces_of_neighbours,
)
from text_recognizer.cards import load_card
from text_recognizer.datasets.handwriting_lines import HandwritingLinesDataset
from text_recognizer.line_predictor import DEFAULT_CARD, LinePredictor
from text_recognizer.metrics import character_error_rate

CONDITIONS = {
    "clean": lambda images: images,
    "falling off": lambda images: [falling_off(image) for image in images],
    "shadow": lambda images: [shadow(image) for image in images],
    "binarised": lambda images: [thresholded(image) for image in images],
    "neighbours": lambda images: [with_pieces_of_neighbours(images, index) for index in range(len(images))],
    "askew": lambda images: [turned(image, 3 if index % 2 else -3) for index, image in enumerate(images)],
    "ruled": lambda images: [on_ruled_paper(image) for image in images],
    "dark frame": lambda images: [in_dark_frame(image) for image in images],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--card", default=DEFAULT_CARD)
    parser.add_argument("--lines", type=int, default=200, help="test lines per corpus")
    args = parser.parse_args()
    card = load_card(args.card)
    splits = HandwritingLinesDataset(**card["data"]["args"]).corpus_splits(train_only_corpora=False)
    predictor = LinePredictor(args.card, decoder="greedy")
    print(f"card {args.card} (run {card['run_id']}), greedy, first {args.lines} test lines per corpus")
    print("corpus      " + "".join(f"{name:>13s}" for name in CONDITIONS))
    for corpus, part in splits.items():
        lines = part["test"][: args.lines]
        images = [cv2.imread(str(line.image), cv2.IMREAD_GRAYSCALE) for line in lines]
        references = [line.text for line in lines]
        rates = []
        for change in CONDITIONS.values():
            readings = [text for text, _ in predictor.predict_batch(change(images))]
            rates.append(character_error_rate(readings, references))
        print(f"{corpus:11s} " + "".join(f"{rate:13.3f}" for rate in rates))


if __name__ == "__main__":
    main()
