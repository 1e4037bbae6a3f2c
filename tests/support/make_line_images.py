"""Write tests/support/lines/: synthetic lines drawn only with EMNIST *test* glyphs, with labels.csv (re-run to
regenerate; needs the EMNIST cache and brown.zip in data/)."""

import csv
from pathlib import Path

import cv2

from text_recognizer.datasets.emnist_lines import EmnistLinesDataset

OUT = Path(__file__).parent / "lines"

if __name__ == "__main__":
    dataset = EmnistLinesDataset(num_train=1, num_val=1, num_test=12, seed=7).prepare()
    with open(OUT / "labels.csv", "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["filename", "text"])
        for index, (image, labels) in enumerate(zip(dataset.test.x, dataset.test.y, strict=True)):
            text = "".join(dataset.mapping[label] for label in labels if label)
            width = max(28, int((image > 0).any(axis=0).nonzero()[0].max()) + 8)  # trim the empty right side
            cv2.imwrite(str(OUT / f"line_{index:02d}.png"), image[:, :width])
            writer.writerow([f"line_{index:02d}.png", text])
