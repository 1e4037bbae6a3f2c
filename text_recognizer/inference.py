"""Inference CLI: recognise every image in a folder, in alphabetical order.

python -m text_recognizer.inference --input DIR            # characters: `<ASCII code>, <POSIX path>` per image
python -m text_recognizer.inference --input DIR --lines    # text lines: `<POSIX path>\t<text>` per image
python -m text_recognizer.inference --input DIR --json     # either mode: one JSON object per image

Unreadable files are reported on stderr and skipped; the exit status is 0 only when every image was recognised.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

from boltons.iterutils import chunked
from tqdm import tqdm

from text_recognizer.errors import DataError
from text_recognizer.image_utils import list_images, read_image

BATCH_SIZE = 64
PROGRESS_MIN_IMAGES = 256  # folders smaller than this finish before a progress bar would help


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Recognise the handwritten character (or, with --lines, text line) in every image of a folder."
    )
    parser.add_argument("--input", required=True, type=Path, help="folder of .png/.jpg/.jpeg images")
    parser.add_argument("--lines", action="store_true", help="images are text lines: print `<path>\\t<text>`")
    parser.add_argument("--json", action="store_true", help="print one JSON object per image: text, confidence, time")
    parser.add_argument("--card", default=None, help="weights card to use (default: the shipped model for the mode)")
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, help=f"images per batch (default {BATCH_SIZE})")
    args = parser.parse_args(argv)
    if args.batch_size < 1:
        parser.error("--batch-size must be at least 1")
    return args


def load_predictor(lines: bool, card: str | None):
    """The character or line predictor, from the given card or the shipped one."""
    if lines:
        from text_recognizer.line_predictor import LinePredictor

        return LinePredictor(card=card) if card else LinePredictor()
    from text_recognizer.character_predictor import DEFAULT_CARD, CharacterPredictor

    return CharacterPredictor(card or DEFAULT_CARD)


def format_result(path: Path, text: str, confidence: float, seconds: float, args: argparse.Namespace) -> str:
    """One output line in the mode's format."""
    if args.json:
        result = {"path": path.as_posix(), "text": text, "confidence": round(confidence, 6)}
        return json.dumps({**result, "time_ms": round(seconds * 1000, 3)})
    return f"{path.as_posix()}\t{text}" if args.lines else f"{ord(text)}, {path.as_posix()}"


def read_readable(paths: list[Path]) -> tuple[list, list[Path]]:
    """The images that could be read and their paths; each unreadable file is reported on stderr."""
    images, readable = [], []
    for path in paths:
        try:
            images.append(read_image(path))
            readable.append(path)
        except DataError as error:
            tqdm.write(f"skipped: {error}", file=sys.stderr)
    return images, readable


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not args.input.is_dir():
        print(f"error: {args.input} is not a folder.", file=sys.stderr)
        return 2
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # only matters on the TensorFlow fallback
    try:
        predictor = load_predictor(args.lines, args.card)
    except DataError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    paths = list_images(args.input)
    if not paths:
        print(f"warning: no .png/.jpg/.jpeg images in {args.input}.", file=sys.stderr)
    recognised = 0
    with tqdm(total=len(paths), unit="image", file=sys.stderr, disable=len(paths) < PROGRESS_MIN_IMAGES) as progress:
        for batch in chunked(paths, args.batch_size):
            images, readable = read_readable(batch)
            if images:
                started = time.perf_counter()
                results = predictor.predict_batch(images)
                seconds = (time.perf_counter() - started) / len(images)  # the batch's time, shared equally
                for path, (text, confidence) in zip(readable, results, strict=True):
                    tqdm.write(format_result(path, text, confidence, seconds, args), file=sys.stdout)
                recognised += len(images)
            progress.update(len(batch))
    return 0 if recognised == len(paths) else 1


if __name__ == "__main__":
    sys.exit(main())
