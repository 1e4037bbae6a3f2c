"""LinePredictor.predict_batch's lines/s on real lines it has not read before, shared by the line benches.

A fresh predictor per decoder (no language-model contexts cached from lines read earlier: a second pass over the same
lines runs ~1.7x faster with lm, which no user reading new lines gets), warmed up on lines it is not timed on, then
timed on ROUNDS disjoint sets of `count` distinct lines at least 900 px wide; the median round is reported.
"""

import statistics
import time

import cv2
import numpy as np

from text_recognizer.line_predictor import LinePredictor

ROUNDS = 3
WARM_UP = 8


def lines_per_second(card: str, decoder: str, paths: list, count: int = 128) -> tuple[float, float]:
    """Median lines/s of predict_batch over ROUNDS sets of `count` unseen lines, and the mean width of those lines."""
    wide = [image for image in (cv2.imread(str(path), cv2.IMREAD_GRAYSCALE) for path in paths) if image.shape[1] >= 900]
    if len(wide) < WARM_UP + count:
        raise SystemExit(f"{len(wide)} lines of at least 900 px; the speed measure needs {WARM_UP + count}")
    predictor = LinePredictor(card, decoder=decoder)
    predictor.predict_batch(wide[:WARM_UP])
    timed = wide[WARM_UP:]
    rounds = [timed[start : start + count] for start in range(0, len(timed) - count + 1, count)][:ROUNDS]
    rates = []
    for images in rounds:
        started = time.perf_counter()
        predictor.predict_batch(images)
        rates.append(count / (time.perf_counter() - started))
    return statistics.median(rates), float(np.mean([image.shape[1] for images in rounds for image in images]))
