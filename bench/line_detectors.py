"""Line detectors on the test pages of both page datasets: pages whose line count is right, and pixel accuracy.

    python bench/line_detectors.py [CARD ...]     # default: the detector shipped now and the synthetic-page one

Test pages as the shipped cards were trained with them: 200 synthetic EMNIST-glyph paragraphs and 200 pages of real
lines of test writers (both 256 x 256, seed 42); each is drawn and cached on first use. Inference through the
predictors' runner (ONNX Runtime when exported).
"""

import argparse

import numpy as np

from text_recognizer.datasets.real_line_pages import RealLinePagesDataset
from text_recognizer.datasets.synthetic_paragraphs import SyntheticParagraphsDataset
from text_recognizer.line_detection import line_boxes
from text_recognizer.line_detector import DEFAULT_CARD, LineDetector

SYNTHETIC_CARD = "LineDetectorModel_SyntheticParagraphsDataset_fcn"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("cards", nargs="*", default=[DEFAULT_CARD, SYNTHETIC_CARD])
    args = parser.parse_args()
    tests = {  # the test split depends on num_test and the seed only, so the synthetic train split is kept tiny
        "synthetic paragraphs": SyntheticParagraphsDataset(num_train=1, num_val=1, num_test=200, size=256),
        "pages of real lines": RealLinePagesDataset(corpora={"iam_lines": 2, "hooker": 1, "copiste_fr": 1}),
    }
    splits = {name: dataset.prepare().test for name, dataset in tests.items()}
    print(f"{'card':52s} {'test pages':22s} line count right  pixel accuracy")
    for card in args.cards:
        detector = LineDetector(card)
        for name, split in splits.items():
            batches = [split.x[i : i + 16].astype(np.float32) for i in range(0, len(split.x), 16)]
            labels = np.concatenate([detector.run(batch).argmax(axis=-1) for batch in batches]).astype(np.uint8)
            right = np.mean([len(line_boxes(p)) == len(line_boxes(t)) for p, t in zip(labels, split.y, strict=True)])
            print(f"{str(card)[-52:]:52s} {name:22s} {right:16.3f}  {np.mean(labels == split.y):14.3f}")


if __name__ == "__main__":
    main()
