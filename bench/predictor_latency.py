"""Latency of each shipped predictor on TensorFlow vs ONNX Runtime, side by side in one run.

    python bench/predictor_latency.py [--repeats 300] [--batch-size 64]

Single image: `predict` on one real image (already read; normalisation included). Batched: `predict_batch` on
`--batch-size` images, per image. Prints a Markdown table with the TensorFlow / ONNX Runtime ratio.
"""

import argparse
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from text_recognizer.image_utils import read_image
from text_recognizer.line_predictor import DEFAULT_CARD as LINE_CARD
from text_recognizer.settings import BACKEND_ENV, weights_dir

REPO = Path(__file__).resolve().parents[1]

CHARACTERS = sorted((REPO / "tests" / "support" / "characters").glob("*.png"))
IAM_LINES = REPO.parent / "shared" / "data" / "iam" / "lines_sample"


def character_predictor():
    from text_recognizer.character_predictor import CharacterPredictor

    return CharacterPredictor()


def line_predictor():
    from text_recognizer.line_predictor import LinePredictor

    return LinePredictor()


def sample_images(kind: str) -> list[np.ndarray]:
    """Real inputs: EMNIST glyphs for characters; IAM lines if staged here, else lines of EMNIST glyphs."""
    glyphs = [read_image(path) for path in CHARACTERS]
    if kind == "character":
        return glyphs
    iam = sorted(IAM_LINES.glob("*.png"))
    return [read_image(path) for path in iam] or [np.hstack(glyphs[i : i + 8]) for i in range(0, 16, 4)]


def milliseconds(call: Callable[[], object], repeats: int) -> float:
    """Median wall time of `call` in milliseconds, after a warm-up."""
    for _ in range(max(3, repeats // 10)):
        call()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def measure(
    build: Callable[[], object], images: list[np.ndarray], repeats: int, batch_size: int
) -> tuple[float, float]:
    """(single-image ms, batched ms per image) of the predictor `build` makes."""
    predictor = build()
    batch = [images[i % len(images)] for i in range(batch_size)]
    single = milliseconds(lambda: predictor.predict(images[0]), repeats)
    batched = milliseconds(lambda: predictor.predict_batch(batch), max(5, repeats // 20)) / batch_size
    return single, batched


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=300)
    parser.add_argument("--batch-size", type=int, default=64)
    args = parser.parse_args()
    kinds = {"character": character_predictor}
    if (weights_dir() / f"{LINE_CARD}.json").exists():
        kinds["line"] = line_predictor
    print(
        f"| predictor | TensorFlow single (ms) | ONNX Runtime single (ms) | ratio | TF batch-{args.batch_size} "
        "(ms/image) | ORT batch (ms/image) | ratio |"
    )
    print("|---|---|---|---|---|---|---|")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    for kind, build in kinds.items():
        images = sample_images(kind)
        os.environ[BACKEND_ENV] = "tensorflow"
        tf_single, tf_batch = measure(build, images, args.repeats, args.batch_size)
        os.environ[BACKEND_ENV] = "onnx"
        ort_single, ort_batch = measure(build, images, args.repeats, args.batch_size)
        print(
            f"| {kind} | {tf_single:.2f} | {ort_single:.2f} | {tf_single / ort_single:.1f}x "
            f"| {tf_batch:.3f} | {ort_batch:.3f} | {tf_batch / ort_batch:.1f}x |"
        )


if __name__ == "__main__":
    main()
