"""Fine-tuning the shipped line model on real handwriting: the first 1,000 handwritten names (900 train, 100 val),
case-insensitive CER on the other 500 before and after.

    python bench/finetune_names.py [--card LineModelCtc_EmnistLinesDataset_line_crnn] [--epochs 12]

Trains with `"init_from": <card>` through training/run_experiment.py (run record and weights in a scratch folder).
Names labelled UNREADABLE, EMPTY or nothing are left out.
"""

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from text_recognizer.cards import load_card
from text_recognizer.line_predictor import LinePredictor
from text_recognizer.metrics import character_error_rate

NAMES = Path("data/raw/handwritten_names")
UNUSABLE = {"", "UNREADABLE", "EMPTY"}


def split_names(folder: Path) -> list[tuple[str, str, str]]:
    """(file name, label, split) of the usable names: images 1-1,000 train (every tenth val), 1,001-1,500 test."""
    rows = []
    with open(folder / "written_name_validation_v2.csv", newline="") as file:
        for number, row in enumerate(csv.DictReader(file), start=1):
            if number > 1500:
                break
            label = (row["IDENTITY"] or "").strip()
            if label not in UNUSABLE:
                split = "test" if number > 1000 else "val" if number % 10 == 0 else "train"
                rows.append((row["FILENAME"], label, split))
    return rows


def test_cer(card: str | Path, images: Path, rows: list[tuple[str, str, str]]) -> float:
    tests = [(name, label) for name, label, split in rows if split == "test"]
    predicted = LinePredictor(card).predict_batch([images / name for name, _ in tests])
    return character_error_rate([text.upper() for text, _ in predicted], [label.upper() for _, label in tests])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--card", default="LineModelCtc_EmnistLinesDataset_line_crnn", help="the shipped line model to start from"
    )
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    args = parser.parse_args()
    card = load_card(args.card)
    images = (NAMES / "validation_v2").resolve()
    rows = split_names(NAMES)
    counts = {split: sum(row[2] == split for row in rows) for split in ("train", "val", "test")}
    print(f"names: {counts}")
    before = test_cer(args.card, images, rows)
    print(f"CER on the {counts['test']} test names before fine-tuning: {before:.3f}")
    with tempfile.TemporaryDirectory() as scratch:
        labels = Path(scratch) / "labels.csv"
        with open(labels, "w", newline="") as file:
            csv.writer(file).writerows([("filename", "text", "split"), *rows])
        config = {
            "dataset": "LinesFolderDataset",
            "dataset_args": {"path": str(images), "labels": str(labels), "max_length": card["output_shape"][0]},
            "model": card["model"],
            "network": card["network"],
            "network_args": card["network_args"],
            "train_args": {
                "batch_size": 32,
                "epochs": args.epochs,
                "learning_rate": args.learning_rate,
                "lr_schedule": "cosine",
                "early_stopping_patience": 0,
            },
            "init_from": card["card_path"],
            "seed": 42,
        }
        env = {
            **os.environ,
            "TEXT_RECOGNIZER_WEIGHTS_DIR": f"{scratch}/weights",
            "TEXT_RECOGNIZER_RUNS_DIR": f"{scratch}/runs",
        }
        command = [sys.executable, "training/run_experiment.py", json.dumps(config), "--save", "--nowandb"]
        print(f"fine-tuning: python training/run_experiment.py '{command[2]}' --save --nowandb", flush=True)
        if subprocess.run(command, env=env).returncode != 0:
            return 1
        tuned = next(Path(scratch, "weights").glob("*.json"))
        after = test_cer(tuned, images, rows)
    print(f"CER on the {counts['test']} test names: before {before:.3f}, after fine-tuning {after:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
