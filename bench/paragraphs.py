"""Line detection and paragraph recognition on the four real IAM paragraphs: lines found vs true, time per page, CER.

    python bench/paragraphs.py [--detector CARD] [--line-model CARD] [--decoder greedy|beam|lm] [--beam-width 0]

CER is over the whole page text (lines joined by newlines), case-sensitive and case-insensitive; the default line
model never saw these pages' writers (RWTH training writers; it trained on IAM validation writers only). Lines are
also counted on each page changed as users' pages differ: at half size, inverted, with a 100-pixel border, and with
900 blank pixels on the right. Last, the lines are cut from the pages as another tool might, the detector's boxes
grown by a share of their height above and below (taking in pieces of the neighbouring lines), and read one by one
by the line model (LinePredictor, as `--lines` would); and the pages are read turned 1, 2 and 3 degrees.
"""

import argparse
import json
import sys
import time
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root, for tests/line_variants.py

from tests.line_variants import turned
from text_recognizer.image_utils import read_image
from text_recognizer.line_decoder import DECODERS
from text_recognizer.line_detector import DEFAULT_CARD as DETECTOR_CARD
from text_recognizer.line_predictor import DEFAULT_CARD as LINE_CARD
from text_recognizer.metrics import character_error_rate
from text_recognizer.paragraph_text_recognizer import ParagraphTextRecognizer

PARAGRAPHS = Path("data/raw/iam/paragraphs_sample")
VARIANTS = {
    "half size": lambda page: cv2.resize(page, (page.shape[1] // 2, page.shape[0] // 2), interpolation=cv2.INTER_AREA),
    "inverted": lambda page: 255 - page,
    "100-pixel border": lambda page: np.pad(page, 100),
    "900 blank pixels on the right": lambda page: np.pad(page, ((0, 0), (0, 900))),
}


LOOSE_MARGINS = (0.0, 0.25, 0.5)
TURNS = (1, 2, 3)  # degrees, counter-clockwise


def loose_lines_cer(recognizer: ParagraphTextRecognizer, truth: dict, margin: float) -> float:
    """CER of the pages' lines cut with `margin` of their height added above and below and read by the line model
    alone, over the pages whose lines the detector counted right."""
    predictions, references = [], []
    for page in sorted(truth):
        image = read_image(PARAGRAPHS / f"{page}.png")
        boxes, lines = recognizer.detector.detect(image), truth[page]["ground_truth_text"].splitlines()
        if len(boxes) != len(lines):
            continue
        for (left, top, right, bottom), line in zip(boxes, lines, strict=True):
            grown = round(margin * (bottom - top))
            crop = image[max(0, top - grown) : bottom + grown, left:right]
            predictions.append(recognizer.line_predictor.predict(crop)[0])
            references.append(line)
    return character_error_rate(predictions, references)


def seconds(function, *args, repeats: int = 5) -> float:
    """Median wall time of a call."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function(*args)
        times.append(time.perf_counter() - started)
    return float(np.median(times))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--detector", default=DETECTOR_CARD)
    parser.add_argument("--line-model", default=LINE_CARD)
    parser.add_argument("--decoder", choices=DECODERS, default=None, help="default: the line model card's")
    parser.add_argument("--beam-width", type=int, default=0)
    args = parser.parse_args()
    truth = json.loads((PARAGRAPHS / "data_by_file_id.json").read_text())
    recognizer = ParagraphTextRecognizer(args.detector, args.line_model, args.beam_width, decoder=args.decoder)
    recognizer.predict(read_image(PARAGRAPHS / f"{next(iter(truth))}.png"))  # warm up both networks
    decoder = recognizer.line_predictor.decode
    print(f"detector {args.detector}, line model {args.line_model}, decoder {decoder.name} (beam {decoder.beam_width})")
    print("page     size      lines true/found  detect ms  page ms   CER   CER (any case)")
    predictions, references = [], []
    for page in sorted(truth):
        image = read_image(PARAGRAPHS / f"{page}.png")
        reference = truth[page]["ground_truth_text"]
        prediction = recognizer.predict(image)
        predictions.append(prediction.text)
        references.append(reference)
        cer = character_error_rate([prediction.text], [reference])
        cer_any_case = character_error_rate([prediction.text.lower()], [reference.lower()])
        detect_ms, page_ms = (seconds(f, image) * 1000 for f in (recognizer.detector.detect, recognizer.predict))
        print(
            f"{page}  {image.shape[1]}x{image.shape[0]}  {len(reference.splitlines()):6d} / {len(prediction.lines):<6d}"
            f"  {detect_ms:8.0f}  {page_ms:7.0f}  {cer:5.2f}  {cer_any_case:5.2f}"
        )
    overall = character_error_rate(predictions, references)
    overall_any_case = character_error_rate([p.lower() for p in predictions], [r.lower() for r in references])
    print(f"all four pages: CER {overall:.3f}, case-insensitive {overall_any_case:.3f}")
    pages = sorted(truth)
    for name, change in VARIANTS.items():
        found = [len(recognizer.detector.detect(change(read_image(PARAGRAPHS / f"{page}.png")))) for page in pages]
        counts = [len(truth[page]["ground_truth_text"].splitlines()) for page in pages]
        right = sum(n == count for n, count in zip(found, counts, strict=True))
        print(f"lines found, {name}: {'/'.join(map(str, found))} ({right} of {len(pages)} pages right)")
    for margin in LOOSE_MARGINS:
        cer = loose_lines_cer(recognizer, truth, margin)
        print(f"lines cut with {margin:.0%} of their height added above and below, read alone: CER {cer:.3f}")
    for degrees in TURNS:
        images = [turned(read_image(PARAGRAPHS / f"{page}.png"), degrees) for page in pages]
        readings = [recognizer.predict(image) for image in images]
        cer = character_error_rate([reading.text for reading in readings], references)
        found = "/".join(str(len(reading.lines)) for reading in readings)
        print(f"pages turned {degrees} degrees (their lines rising to the right): CER {cer:.3f}, lines {found}")
    print("first page, predicted vs true:")
    for predicted, true in zip(predictions[0].splitlines(), references[0].splitlines(), strict=False):
        print(f"  {predicted!r}\n  {true!r}")


if __name__ == "__main__":
    main()
