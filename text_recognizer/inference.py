"""Inference CLI: recognise every image in a folder, in alphabetical order.

python -m text_recognizer.inference --input DIR            # characters: `<ASCII code>, <POSIX path>` per image
python -m text_recognizer.inference --input DIR --lines    # text lines: `<POSIX path>\t<text>` per image
python -m text_recognizer.inference --input DIR --json     # either mode: one JSON object per image
python -m text_recognizer.inference --input DIR --lines --decoder lm   # greedy (default) | beam | lm (language model)

With --lines --json, each object also holds per-character and per-word confidences ("characters", "words").

Unreadable, over-sized, blank and tiny images are reported on stderr and skipped; the exit status is 0 only when every
image was recognised (1 when some were skipped, 2 for a usage error, 141 when stdout is closed early, as by `| head`).
File names are printed with control characters, backslashes and bytes that are not UTF-8 escaped (`\\n`, `\\\\`,
`\\xff`), so that every image stays one record.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

import cv2
from tqdm import tqdm

from text_recognizer.errors import DataError, UserError
from text_recognizer.escaping import is_undecodable, printable
from text_recognizer.image_reading import max_pixels
from text_recognizer.image_utils import list_images, read_image, why_illegible
from text_recognizer.line_decoder import DECODERS

BATCH_SIZE = 64
SIGPIPE_STATUS = 141  # what a shell reports for a process stopped by a closed pipe (128 + SIGPIPE)
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
    parser.add_argument(
        "--decoder",
        choices=DECODERS,
        default=None,
        help="with --lines: greedy (default), beam search, or beam search with the card's language model (lm)",
    )
    parser.add_argument("--lexicon", type=Path, help="with --decoder lm: a file of allowed words, one per line")
    parser.add_argument("--hot-word", action="append", help="with --decoder lm: a word to favour (repeatable)")
    args = parser.parse_args(argv)
    if args.batch_size < 1:
        parser.error("--batch-size must be at least 1")
    if args.decoder and not args.lines:
        parser.error("--decoder applies to text lines (--lines)")
    if (args.lexicon or args.hot_word) and args.decoder != "lm":
        parser.error("--lexicon and --hot-word need --lines --decoder lm")
    return args


def load_predictor(lines: bool, card: str | None, decoder: str | None = None, lexicon=None, hot_words=None):
    """The character or line predictor, from the given card or the shipped one."""
    if lines:
        from text_recognizer.line_predictor import LinePredictor

        words = {"decoder": decoder, "lexicon": lexicon, "hot_words": hot_words}
        return LinePredictor(card=card, **words) if card else LinePredictor(**words)
    from text_recognizer.character_predictor import DEFAULT_CARD, CharacterPredictor

    return CharacterPredictor(card or DEFAULT_CARD)


def format_result(
    path: Path, text: str, confidence: float, seconds: float, args: argparse.Namespace, details: dict | None = None
) -> str:
    """One output line in the mode's format; the path escaped where it could split or forge a record. `details`:
    fields added to the JSON object (a line's per-character and per-word confidences)."""
    if args.json:
        result = {"path": path.as_posix(), "text": text, "confidence": round(confidence, 6)}
        return json.dumps({**result, "time_ms": round(seconds * 1000, 3), **(details or {})})
    shown = printable(path.as_posix())
    return f"{shown}\t{printable(text)}" if args.lines else f"{ord(text)}, {shown}"


def read_lexicon(path: Path) -> list[str]:
    """The words of a lexicon file (one or more per line, UTF-8)."""
    try:
        return path.read_text(encoding="utf-8").split()
    except (OSError, UnicodeDecodeError) as error:
        raise DataError(f"Cannot read the lexicon {printable(str(path))}: {error}") from None


def read_legible(path: Path):
    """The image at `path` as grayscale, or None when it cannot be read or holds no handwriting (reported on
    stderr)."""
    try:
        image = read_image(path)
    except DataError as error:
        tqdm.write(f"skipped: {error}", file=sys.stderr)
        return None
    if problem := why_illegible(image):
        tqdm.write(f"skipped: {printable(path.as_posix())} {problem}.", file=sys.stderr)
        return None
    if is_undecodable(str(path)):
        shown = printable(path.as_posix())
        tqdm.write(f"note: the name of {shown} is not valid UTF-8; its bytes are printed as \\xNN.", file=sys.stderr)
    return image


def batches(paths: list[Path], size: int, pixel_budget: int, progress: tqdm):
    """(paths, images) of at most `size` legible images and `pixel_budget` pixels together (a larger image goes
    alone), read one image at a time so that memory holds one batch, not the folder."""
    batch, images, pixels = [], [], 0
    for path in paths:
        image = read_legible(path)
        progress.update(1)
        if image is None:
            continue
        if batch and (len(batch) == size or pixels + image.size > pixel_budget):
            yield batch, images
            batch, images, pixels = [], [], 0
        batch.append(path)
        images.append(image)
        pixels += image.size
    if batch:
        yield batch, images


def main(argv: list[str] | None = None) -> int:
    try:
        return run(argv)
    except BrokenPipeError:
        # Whoever read stdout has gone (e.g. `| head -1`): stop quietly, and keep the interpreter from reporting the
        # same error again when it flushes stdout on exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return SIGPIPE_STATUS


def run(argv: list[str] | None) -> int:
    args = parse_args(argv)
    if not args.input.is_dir():
        print(f"error: {printable(str(args.input))} is not a folder.", file=sys.stderr)
        return 2
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # only matters on the TensorFlow fallback
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)  # each unreadable file gets our own message
    try:
        pixel_budget = max_pixels()
        lexicon = read_lexicon(args.lexicon) if args.lexicon else None
        predictor = load_predictor(args.lines, args.card, args.decoder, lexicon, args.hot_word)
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    paths = list_images(args.input)
    if not paths:
        print(f"warning: no .png/.jpg/.jpeg images in {printable(str(args.input))}.", file=sys.stderr)
    recognised = 0
    with tqdm(total=len(paths), unit="image", file=sys.stderr, disable=len(paths) < PROGRESS_MIN_IMAGES) as progress:
        for batch, images in batches(paths, args.batch_size, pixel_budget, progress):
            started = time.perf_counter()
            results = predictor.predict_batch(images)
            seconds = (time.perf_counter() - started) / len(images)  # the batch's time, shared equally
            for path, result in zip(batch, results, strict=True):
                details = result.details() if hasattr(result, "details") else None
                tqdm.write(format_result(path, result[0], result[1], seconds, args, details), file=sys.stdout)
            sys.stdout.flush()  # a closed pipe shows here, not at exit
            recognised += len(images)
    return 0 if recognised == len(paths) else 1


if __name__ == "__main__":
    sys.exit(main())
