"""Per-character and per-word confidences of a decoded line, from the network's CTC posteriors.

A character's confidence is its posterior on the frame that emitted it (greedy: the highest of its run of frames;
beam search: on the best CTC alignment, found by Viterbi); the language model decoder weighs that frame's classes by
the language model as its search does (lm_decoding.fused_confidences). A word's (a run of non-space characters) is
the product of its characters': how likely all of them are right.
"""

import numpy as np

from text_recognizer import compiled

BLANK = 0
FLOOR = 1e-30


class Reading(tuple):
    """(text, confidence) of a line, as predictors have always returned, carrying `characters` and `words` too:
    lists of (text, confidence); and `frames`, the output frame each character was read on, where the decoder records
    it (the language model decoder)."""

    def __new__(cls, text: str, confidence: float, characters=(), words=(), frames=()):
        reading = super().__new__(cls, (text, confidence))
        reading.characters = list(characters)
        reading.words = list(words)
        reading.frames = list(frames)
        return reading

    def __getnewargs__(self):
        return self[0], self[1], self.characters, self.words, self.frames

    @property
    def text(self) -> str:
        return self[0]

    @property
    def confidence(self) -> float:
        return self[1]

    def details(self) -> dict:
        """The per-character and per-word confidences as JSON-ready lists."""
        return {
            "characters": [{"text": char, "confidence": round(value, 6)} for char, value in self.characters],
            "words": [{"text": word, "confidence": round(value, 6)} for word, value in self.words],
        }


def align(probabilities: np.ndarray, labels: list[int], blank: int = BLANK) -> np.ndarray | None:
    """For each frame, the index of the label it is aligned to (-1: blank) on the most likely CTC path that reads
    `labels`; None when no path can (too few frames)."""
    size = 2 * len(labels) + 1
    extended = np.full(size, blank)
    extended[1::2] = labels
    log_p = np.log(np.maximum(probabilities[:, extended], FLOOR))
    can_skip = np.zeros(size, bool)
    can_skip[3::2] = extended[3::2] != extended[1:-2:2]  # a label may follow the previous one with no blank between
    path = compiled.load("ctc_viterbi").best_path(log_p, can_skip)  # numba: imported by the decoders that align
    if path is None:
        return None
    return np.where(path % 2 == 1, (path - 1) // 2, -1)


def character_confidences(probabilities: np.ndarray, labels: list[int], blank: int = BLANK) -> list[float]:
    """Each label's highest posterior over the frames aligned to it (0 where the labels cannot be aligned)."""
    if not labels:
        return []
    frames = align(probabilities, labels, blank)
    if frames is None:
        return [0.0] * len(labels)
    confidences = np.zeros(len(labels))
    aligned = np.flatnonzero(frames >= 0)
    np.maximum.at(confidences, frames[aligned], probabilities[aligned, np.asarray(labels)[frames[aligned]]])
    return confidences.tolist()


def greedy_confidences(probabilities: np.ndarray, blank: int = BLANK) -> tuple[list[int], list[float]]:
    """The best path's labels and each one's highest posterior over its run of frames (no alignment needed)."""
    best = probabilities.argmax(axis=1)
    starts = np.flatnonzero(np.concatenate([[True], best[1:] != best[:-1]]))
    peaks = np.maximum.reduceat(probabilities[np.arange(len(best)), best], starts) if len(best) else np.zeros(0)
    kept = best[starts] != blank
    return best[starts][kept].tolist(), peaks[kept].tolist()


def word_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each word of a text: each run of non-space characters."""
    spans, start = [], None
    for index, char in enumerate(text + " "):
        if char.isspace():
            if start is not None:
                spans.append((start, index))
            start = None
        elif start is None:
            start = index
    return spans


def word_confidences(text: str, confidences: list[float]) -> list[tuple[str, float]]:
    """(word, product of its characters' confidences: how likely all are right) for each run of non-spaces."""
    return [(text[start:end], float(np.prod(confidences[start:end]))) for start, end in word_spans(text)]


def reading(
    probabilities: np.ndarray,
    labels: list[int],
    mapping: list[str],
    confidence: float,
    per_label: list[float] | None = None,
    frames: list[int] | None = None,
) -> Reading:
    """A decoded line with its character and word confidences (each label's given, or found by alignment), and the
    frame each label was read on where the decoder gives them."""
    text = "".join(mapping[label] for label in labels)
    if per_label is None:
        per_label = character_confidences(probabilities, labels)
    characters = [value for label, value in zip(labels, per_label, strict=True) for _ in mapping[label]]
    if frames is not None:
        frames = [frame for label, frame in zip(labels, frames, strict=True) for _ in mapping[label]]
    return Reading(
        text, confidence, list(zip(text, characters, strict=True)), word_confidences(text, characters), frames or ()
    )
