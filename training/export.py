"""Export shipped weights to ONNX (and optionally a TensorFlow SavedModel) beside them, for TensorFlow-free inference.

Example:
    python training/export.py text_recognizer/weights/CharacterModel_EmnistDataset_vgg_bn.weights.h5
"""

import argparse
import os
import sys
from pathlib import Path

from text_recognizer.cards import load_card, weights_file
from training import cli


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Write <stem>.onnx beside a weights file and record it in its card.")
    parser.add_argument("weights", help="a .weights.h5 file, its JSON card, or a card's stem")
    parser.add_argument(
        "--saved-model", action="store_true", help="also write a TensorFlow SavedModel folder <stem>.saved_model/"
    )
    parser.add_argument(
        "--int8-lstm",
        action="store_true",
        help="store the LSTM layers' weights as int8: a smaller file that reads faster on CPUs (README, Export)",
    )
    return parser.parse_args(argv)


@cli.program
def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    card = load_card(args.weights)
    if not weights_file(card).exists():
        cli.fail(f"The card {card['card_path']} names weights {weights_file(card)}, which do not exist.")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    from text_recognizer.onnx_export import export_onnx, export_saved_model  # TensorFlow loads here
    from text_recognizer.runtime import build_network

    network = build_network(card)
    print(export_onnx(network, Path(card["card_path"]), int8_lstm=args.int8_lstm))
    if args.saved_model:
        folder = weights_file(card).with_name(weights_file(card).name.removesuffix(".weights.h5") + ".saved_model")
        print(export_saved_model(network, card, folder))
    return 0


if __name__ == "__main__":
    sys.exit(main())
