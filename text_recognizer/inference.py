"""Inference CLI: recognise every image in a folder, in alphabetical order.

python -m text_recognizer.inference --input DIR            # characters: `<ASCII code>, <POSIX path>` per image
python -m text_recognizer.inference --input DIR --lines    # text lines: `<POSIX path>\t<text>` per image
python -m text_recognizer.inference --input DIR --json     # either mode: one JSON object per image
python -m text_recognizer.inference --input DIR --lines --decoder lm   # greedy | beam | lm (language model)
python -m text_recognizer.inference --input DIR --pages    # pages: `<path>\t<text>` per line of each page
python -m text_recognizer.inference --input DIR --pages --format alto --output OUT   # OUT/<stem>.xml; also page, json

With --lines --json, each object also holds per-character and per-word confidences ("characters", "words").
With --pages --json, one object per page: its lines with box, polygon, baseline, text, confidence and words (box,
text, confidence), in the original image's pixels. The predictors come from one table (predictor_table.py), shared
with the web API.

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

from text_recognizer.documents import FORMATS, SUFFIXES
from text_recognizer.errors import DataError, UserError
from text_recognizer.escaping import is_undecodable, printable
from text_recognizer.image_reading import max_pixels
from text_recognizer.image_utils import list_images, read_image, why_illegible
from text_recognizer.line_decoder import DECODERS
from text_recognizer.predictor_table import BATCH_SIZE
from text_recognizer.predictor_table import load_predictor as load_from_table

SIGPIPE_STATUS = 141  # what a shell reports for a process stopped by a closed pipe (128 + SIGPIPE)
PROGRESS_MIN_IMAGES = 256  # folders smaller than this finish before a progress bar would help


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Recognise the handwritten character (or, with --lines, text line) in every image of a folder."
    )
    parser.add_argument("--input", required=True, type=Path, help="folder of .png/.jpg/.jpeg images")
    parser.add_argument("--lines", action="store_true", help="images are text lines: print `<path>\\t<text>`")
    parser.add_argument(
        "--pages", action="store_true", help="images are pages: find their lines and read them (see --format)"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object per image: text, confidence, time")
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help="with --pages: text (default; `<path>\\t<text>` per line), json, alto (ALTO v4) or page (PAGE XML 2019)",
    )
    parser.add_argument(
        "--output", type=Path, help="with --pages: write <stem>.txt/.json/.xml per image into this folder"
    )
    parser.add_argument(
        "--card",
        default=None,
        help="weights card to use (default: the shipped model for the mode; pages: the line model)",
    )
    parser.add_argument("--detector-card", default=None, help="with --pages: the line detector's card")
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, help=f"images per batch (default {BATCH_SIZE})")
    parser.add_argument(
        "--decoder",
        choices=DECODERS,
        default=None,
        help="with --lines or --pages: greedy, beam search, or beam search with the card's language model (lm); "
        "default: the card's (lm where its language model entry says so, else greedy)",
    )
    parser.add_argument("--lexicon", type=Path, help="with --decoder lm: a file of allowed words, one per line")
    parser.add_argument("--hot-word", action="append", help="with --decoder lm: a word to favour (repeatable)")
    args = parser.parse_args(argv)
    if args.batch_size < 1:
        parser.error("--batch-size must be at least 1")
    if args.lines and args.pages:
        parser.error("--lines and --pages exclude each other")
    if args.decoder and not (args.lines or args.pages):
        parser.error("--decoder applies to text lines (--lines) and pages (--pages)")
    if (args.lexicon or args.hot_word) and (args.decoder not in (None, "lm") or not (args.lines or args.pages)):
        parser.error("--lexicon and --hot-word need --lines or --pages and the lm decoder")
    if (args.format or args.output or args.detector_card) and not args.pages:
        parser.error("--format, --output and --detector-card apply to pages (--pages)")
    if args.json and args.format not in (None, "json"):
        parser.error(f"--json and --format {args.format} exclude each other")
    args.format = "json" if args.json else (args.format or "text")
    if args.pages and args.format in ("alto", "page") and args.output is None:
        parser.error(f"--format {args.format} writes one XML document per image: give --output DIR")
    return args


def mode(args: argparse.Namespace) -> str:
    """The kind of predictor the arguments ask for (a name of predictor_table.KINDS)."""
    return "page" if args.pages else "line" if args.lines else "character"


def load_predictor(kind: str, args: argparse.Namespace, lexicon=None):
    """The predictor of that kind from the shared table, with the command line's card, decoder and batch size."""
    return load_from_table(kind, args.card, args.decoder, lexicon, args.hot_word, args.batch_size, args.detector_card)


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
        predictor = load_predictor(mode(args), args, lexicon)
        if args.output is not None:
            args.output.mkdir(parents=True, exist_ok=True)
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        shown = printable(str(args.output))
        print(f"error: cannot create the output folder {shown}: {error.strerror}.", file=sys.stderr)
        return 2
    paths = list_images(args.input)
    if not paths:
        print(f"warning: no .png/.jpg/.jpeg images in {printable(str(args.input))}.", file=sys.stderr)
    recognised, failed = 0, 0
    names = output_names(paths) if args.output is not None else {}
    with tqdm(total=len(paths), unit="image", file=sys.stderr, disable=len(paths) < PROGRESS_MIN_IMAGES) as progress:
        for batch, images in batches(paths, args.batch_size, pixel_budget, progress):
            started = time.perf_counter()
            results = predictor.predict_batch(images)
            seconds = (time.perf_counter() - started) / len(images)  # the batch's time, shared equally
            for path, result in zip(batch, results, strict=True):
                if args.pages:
                    if not write_page(path, result, seconds, args, names):
                        failed += 1
                    continue
                details = result.details() if hasattr(result, "details") else None
                tqdm.write(format_result(path, result[0], result[1], seconds, args, details), file=sys.stdout)
            sys.stdout.flush()  # a closed pipe shows here, not at exit
            recognised += len(images)
    if args.output is not None and recognised:
        written = recognised - failed
        print(f"wrote {written} {args.format} document(s) to {printable(str(args.output))}", file=sys.stderr)
    return 0 if recognised == len(paths) and not failed else 1


def output_names(paths: list[Path]) -> dict[Path, str]:
    """Each image's document name: its stem, or its whole name where two images share a stem (a.png, a.jpg)."""
    stems: dict[str, int] = {}
    for path in paths:
        stems[path.stem] = stems.get(path.stem, 0) + 1
    return {path: path.stem if stems[path.stem] == 1 else path.name for path in paths}


def write_page(path: Path, page, seconds: float, args: argparse.Namespace, names: dict[Path, str]) -> bool:
    """A page's reading on stdout (text or JSON) or as a document in the output folder; False when it could not be
    written (reported on stderr)."""
    if args.output is None:
        if args.format == "json":
            record = {"path": path.as_posix(), **page.to_json(), "time_ms": round(seconds * 1000, 3)}
            tqdm.write(json.dumps(record), file=sys.stdout)
        else:
            shown = printable(path.as_posix())
            for line in page.lines:
                tqdm.write(f"{shown}\t{printable(line.text)}", file=sys.stdout)
        return True
    from text_recognizer.documents.formats import render  # lxml: loaded for pages only

    target = args.output / (names[path] + SUFFIXES[args.format])
    partial = target.with_name(f".{target.name}.part")
    try:
        partial.write_bytes(render(page, args.format, path.name))
        os.replace(partial, target)
    except OSError as error:
        tqdm.write(f"failed: cannot write {printable(str(target))}: {error.strerror or error}.", file=sys.stderr)
        return False
    return True


if __name__ == "__main__":
    sys.exit(main())
