"""Character and word error rates, computed with editdistance over a whole set (errors / reference length), and which
words of a reading are wrong."""

from collections.abc import Sequence

import editdistance
import numpy as np


def character_error_rate(predictions: Sequence[str], references: Sequence[str]) -> float:
    """Edit distance summed over all pairs, divided by the total reference length (0 when both are empty)."""
    errors = sum(editdistance.eval(p, r) for p, r in zip(predictions, references, strict=True))
    return errors / max(1, sum(len(r) for r in references))


def word_error_rate(predictions: Sequence[str], references: Sequence[str]) -> float:
    """Like the character error rate, over whitespace-separated words."""
    errors = sum(editdistance.eval(p.split(), r.split()) for p, r in zip(predictions, references, strict=True))
    return errors / max(1, sum(len(r.split()) for r in references))


def wrong_words(read: Sequence[str], reference: Sequence[str]) -> list[bool]:
    """For each word read, whether a minimum edit alignment to the reference substitutes or inserts it."""
    rows, cols = len(read) + 1, len(reference) + 1
    cost = np.zeros((rows, cols), np.int32)
    cost[:, 0], cost[0, :] = np.arange(rows), np.arange(cols)
    for i in range(1, rows):
        for j in range(1, cols):
            same = read[i - 1] == reference[j - 1]
            cost[i, j] = min(cost[i - 1, j - 1] + (not same), cost[i - 1, j] + 1, cost[i, j - 1] + 1)
    wrong, i, j = [True] * len(read), len(read), len(reference)
    while i > 0:
        if j > 0 and cost[i, j] == cost[i - 1, j - 1] + (read[i - 1] != reference[j - 1]):
            wrong[i - 1] = read[i - 1] != reference[j - 1]
            i, j = i - 1, j - 1
        elif cost[i, j] == cost[i - 1, j] + 1:
            i -= 1  # inserted: stays wrong
        else:
            j -= 1
    return wrong


def errors_held_by_least_confident(
    confidences: Sequence[float], wrong: Sequence[bool], share: float = 0.2
) -> tuple[float, float]:
    """The share of the wrong words that the `share` of words with the lowest confidence hold, and the most they could
    (all of them wrong); (1, 1) when no word is wrong."""
    errors = int(np.sum(wrong))
    if not errors:
        return 1.0, 1.0
    lowest = np.argsort(np.asarray(confidences, np.float64), kind="stable")[: round(share * len(confidences))]
    return float(np.asarray(wrong, bool)[lowest].sum() / errors), min(len(lowest), errors) / errors
