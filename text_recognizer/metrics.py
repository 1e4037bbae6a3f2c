"""Character and word error rates, computed with editdistance over a whole set (errors / reference length)."""

from collections.abc import Sequence

import editdistance


def character_error_rate(predictions: Sequence[str], references: Sequence[str]) -> float:
    """Edit distance summed over all pairs, divided by the total reference length (0 when both are empty)."""
    errors = sum(editdistance.eval(p, r) for p, r in zip(predictions, references, strict=True))
    return errors / max(1, sum(len(r) for r in references))


def word_error_rate(predictions: Sequence[str], references: Sequence[str]) -> float:
    """Like the character error rate, over whitespace-separated words."""
    errors = sum(editdistance.eval(p.split(), r.split()) for p, r in zip(predictions, references, strict=True))
    return errors / max(1, sum(len(r.split()) for r in references))
