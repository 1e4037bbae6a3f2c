"""Benchmark the shipped line models: EmnistLines test CER/WER (greedy and beam), LinePredictor throughput, and
CER on 1,500 real handwritten names (case-insensitive; never trained on).

    python bench/line_models.py [--cards CARD ...] [--names data/raw/handwritten_names] [--beam-width 10]
"""

import argparse
import csv
import os
import time
from pathlib import Path

from text_recognizer.cards import load_card
from text_recognizer.datasets.emnist_lines import EmnistLinesDataset
from text_recognizer.line_predictor import LinePredictor
from text_recognizer.metrics import character_error_rate, word_error_rate

CTC_CARD = "LineModelCtc_EmnistLinesDataset_line_crnn"
CNN_CARD = "LineModel_EmnistLinesDataset_line_cnn_all_conv"
UNUSABLE_NAMES = {"", "UNREADABLE", "EMPTY"}


def handwritten_names(folder: Path) -> tuple[list[Path], list[str]]:
    """The 1,500 name images that have a usable label."""
    paths, labels = [], []
    with open(folder / "written_name_validation_v2.csv") as file:
        for row in csv.DictReader(file):
            image = folder / "validation_v2" / row["FILENAME"]
            if image.exists() and (row["IDENTITY"] or "").strip() not in UNUSABLE_NAMES:
                paths.append(image)
                labels.append(row["IDENTITY"].strip())
    return paths, labels


def texts(predictor: LinePredictor, images) -> list[str]:
    return [text for text, _ in predictor.predict_batch(list(images))]


def bench_card(card_name: str, beam_width: int, names_folder: Path) -> None:
    card = load_card(card_name)
    dataset = EmnistLinesDataset(**card["data"]["args"]).prepare()
    references = ["".join(dataset.mapping[label] for label in row if label) for row in dataset.test.y]
    greedy = LinePredictor(card_name)
    start = time.perf_counter()
    predictions = texts(greedy, dataset.test.x)
    rate = len(references) / (time.perf_counter() - start)
    print(f"{card_name} ({card['data']['args']})")
    print(
        f"  EmnistLines test ({len(references)} lines) greedy: CER {character_error_rate(predictions, references):.4f}"
        f"  WER {word_error_rate(predictions, references):.4f}"
    )
    if card["model"] == "LineModelCtc":
        beam = texts(LinePredictor(card_name, beam_width=beam_width), dataset.test.x)
        print(
            f"  EmnistLines test beam (width {beam_width}): CER {character_error_rate(beam, references):.4f}"
            f"  WER {word_error_rate(beam, references):.4f}"
        )
    print(f"  LinePredictor.predict_batch: {rate:.0f} lines/s (28x{dataset.input_shape[1]}, batches of 64, greedy)")
    paths, labels = handwritten_names(names_folder)
    names = [text.upper().strip() for text in texts(greedy, paths)]
    print(
        f"  Real handwritten names ({len(labels)} images, case-insensitive): "
        f"CER {character_error_rate(names, labels):.4f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cards", nargs="+", default=[CTC_CARD, CNN_CARD])
    parser.add_argument("--names", type=Path, default=Path("data/raw/handwritten_names"))
    parser.add_argument("--beam-width", type=int, default=10)
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    for card in args.cards:
        bench_card(card, args.beam_width, args.names)


if __name__ == "__main__":
    main()
