"""Word confidences calibrated on validation writers: P(a word is read right), by a logistic model of what the
decoder knows about the word.

The product of a word's character posteriors misses what makes a reading doubtful to a reader: a string the language
model finds unlikely ("tbe", "hcuse") is more often wrong than its posteriors say; a letter the network all but saw
between two it read (its least sure frame) is one the product never counts; and a word in a line the network read
badly throughout is more often wrong than its own characters say. The model weighs, per word, the log of that product,
the language model's mean and total log probability of the word's characters and of the symbol after it (a space, or
the line's end), the log of its length, the log of the highest posterior on its least sure frame (from the frame after
the character before it to the frame before the one after it), the mean of the line's words' log products, and whether
the language model knows the word (every run of letters in it, case ignored, is among the words of its training text
and word lists; a word without letters counts as unknown).
`training/tune_language_model.py` fits the weights on validation writers' words and writes them into the card's
"language_model" entry:

    "word_calibration": {"features": ["log_confidence", "lm_mean", ...], "weights": [...]}

(the first weight is the intercept).
"""

import math

import numpy as np

from text_recognizer.char_lm import letter_runs
from text_recognizer.confidences import FLOOR, Reading, word_spans
from text_recognizer.errors import DataError

FEATURES = (
    "log_confidence",
    "lm_mean",
    "lm_total",
    "log_length",
    "least_sure_frame",
    "line_log_confidence",
    "known_word",
)
L2 = 1e-2  # keeps the fit finite when a feature separates the words perfectly (a few validation lines)


def word_features(
    reading: Reading, lm_log_probabilities: np.ndarray, probabilities: np.ndarray, known: frozenset[str] | None
) -> np.ndarray:
    """(words, FEATURES) for a reading with the frames its characters were read on; lm_log_probabilities: the language
    model's of each character and of the end; probabilities: the network's (T, C) outputs it was read from; known: the
    language model's known words."""
    if len(reading.frames) != len(reading.text):
        raise DataError("Calibrating word confidences needs the frame each character was read on (decoder 'lm').")
    if known is None:
        raise DataError(
            "Calibrating word confidences needs the language model's known words, which this model file does not "
            "keep; rebuild it with `python training/build_language_model.py`."
        )
    surest = probabilities.max(axis=1)
    log_products = [math.log(max(confidence, FLOOR)) for _, confidence in reading.words]
    line_mean = float(np.mean(log_products)) if log_products else 0.0
    rows = []
    for (start, end), log_product in zip(word_spans(reading.text), log_products, strict=True):
        language = lm_log_probabilities[start : end + 1]
        first = reading.frames[start - 1] + 1 if start else 0
        last = reading.frames[end] if end < len(reading.text) else len(surest)
        least_sure = surest[first:last].min() if last > first else 1.0
        features = (language.mean(), language.sum(), math.log(end - start), math.log(max(least_sure, FLOOR)))
        runs = letter_runs(reading.text[start:end])
        rows.append((log_product, *features, line_mean, float(bool(runs) and known.issuperset(runs))))
    return np.array(rows, np.float64).reshape(len(rows), len(FEATURES))


def fit_calibration(features: np.ndarray, correct: np.ndarray, iterations: int = 50) -> list[float]:
    """Intercept and weights of the L2-regularised logistic model of `correct` (0/1) given `features` (Newton)."""
    if len(features) == 0 or correct.min() == correct.max():
        raise DataError("Calibrating word confidences needs validation words both read right and read wrong.")
    inputs = np.column_stack([np.ones(len(features)), features])
    weights = np.zeros(inputs.shape[1])
    for _ in range(iterations):
        chances = _sigmoid(inputs @ weights)
        gradient = inputs.T @ (chances - correct) + L2 * weights
        hessian = (inputs * (chances * (1 - chances))[:, None]).T @ inputs + L2 * np.eye(len(weights))
        step = np.linalg.solve(hessian, gradient)
        weights -= step
        if np.abs(step).max() < 1e-8:
            break
    return weights.tolist()


class WordCalibration:
    """A card's fitted weights, applied to readings."""

    def __init__(self, entry: dict):
        features, weights = entry.get("features"), entry.get("weights")
        if list(features or ()) != list(FEATURES) or not isinstance(weights, list) or len(weights) != len(FEATURES) + 1:
            raise DataError(
                f"The card's word_calibration must name the features {list(FEATURES)} with {len(FEATURES) + 1} "
                f"weights (got features {features}, weights {weights}); refit it with "
                "`python training/tune_language_model.py`."
            )
        self.weights = np.array(weights, np.float64)

    def __call__(
        self,
        reading: Reading,
        lm_log_probabilities: np.ndarray,
        probabilities: np.ndarray,
        known: frozenset[str] | None,
    ) -> Reading:
        """The reading with each word's confidence replaced by its calibrated chance of being right."""
        if not reading.words:
            return reading
        features = word_features(reading, lm_log_probabilities, probabilities, known)
        chances = _sigmoid(self.weights[0] + features @ self.weights[1:])
        words = [(word, float(chance)) for (word, _), chance in zip(reading.words, chances, strict=True)]
        return Reading(reading.text, reading.confidence, reading.characters, words, reading.frames)


def _sigmoid(values: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(values, -500, 500)))
