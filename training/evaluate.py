"""Evaluate shipped weights on the test split of the data they were trained on, rebuilt from their card alone.

Example:
    python training/evaluate.py CharacterModel_EmnistDataset_vgg_bn
"""

import argparse
import json
import os
import sys

from text_recognizer.cards import load_card, weights_file
from training import cli
from training.config import from_card


@cli.program
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Evaluate shipped weights on their dataset's test split.")
    parser.add_argument("card", help="a weights card: its stem (in the weights folder) or its path")
    args = parser.parse_args(argv)
    card = load_card(args.card)
    config = from_card(card)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from training.train import build_model, test_metrics  # TensorFlow loads here

    with cli.user_errors(cli.EXIT_DATA):
        model = build_model(config)
    model.compile(config.train_args, steps_per_epoch=1)  # the loss and metrics as trained; the optimizer is unused
    model.load_weights(weights_file(card))
    report = {"card": card["card_path"], "test_size": len(model.dataset.test), **test_metrics(model)}
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
