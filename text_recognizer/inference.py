"""Inference CLI: one line per image in a folder, `<ASCII code of the predicted character>, <POSIX path>`.

python -m text_recognizer.inference --input path/to/images/
"""

import argparse
import os
import sys
from pathlib import Path

from text_recognizer.errors import DataError
from text_recognizer.image_utils import list_images, read_image

BATCH_SIZE = 64


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Recognise the handwritten character in every image of a folder.")
    parser.add_argument("--input", required=True, type=Path, help="folder of .png/.jpg/.jpeg images")
    parser.add_argument("--card", default=None, help="weights card to use (default: the shipped character model)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not args.input.is_dir():
        print(f"error: {args.input} is not a folder.", file=sys.stderr)
        return 2
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    from text_recognizer.character_predictor import DEFAULT_CARD, CharacterPredictor

    try:
        predictor = CharacterPredictor(args.card or DEFAULT_CARD)
    except DataError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    paths = list_images(args.input)
    failures = 0
    for start in range(0, len(paths), BATCH_SIZE):
        images, readable = [], []
        for path in paths[start : start + BATCH_SIZE]:
            try:
                images.append(read_image(path))
                readable.append(path)
            except DataError as error:
                failures += 1
                print(f"skipped: {error}", file=sys.stderr)
        if images:
            for path, (character, _) in zip(readable, predictor.predict_batch(images), strict=True):
                print(f"{ord(character)}, {path.as_posix()}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
