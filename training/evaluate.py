"""Evaluate shipped weights on the test split of the data they were trained on, rebuilt from their card alone.

Example:
    python training/evaluate.py CharacterModel_EmnistDataset_vgg_bn
"""

import argparse
import json
import os
import sys

from text_recognizer.cards import load_card, weights_file
from text_recognizer.errors import UserError
from training import run_experiment
from training.config import validate

CONFIG_FIELDS = ("dataset", "dataset_args", "model", "network", "network_args", "train_args")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Evaluate shipped weights on their dataset's test split.")
    parser.add_argument("card", help="a weights card: its stem (in the weights folder) or its path")
    args = parser.parse_args(argv)
    try:
        card = load_card(args.card)
        config = validate({key: card[key] for key in CONFIG_FIELDS if key in card})
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        return run_experiment.EXIT_USAGE
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from training.train import build_model  # TensorFlow loads here

    try:
        model = build_model(config)
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        return run_experiment.EXIT_DATA
    model.compile(config.train_args, steps_per_epoch=1)  # the loss and metrics as trained; the optimizer is unused
    model.load_weights(weights_file(card))
    metrics = {f"test_{name}": float(value) for name, value in model.evaluate(model.dataset.test).items()}
    print(json.dumps({"card": card["card_path"], "test_size": len(model.dataset.test), **metrics}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
