"""Decoding line outputs in numpy (no TensorFlow): CTC greedy best path and prefix beam search, and fixed slots.

Each returns labels without blanks and a confidence: the decoded labelling's probability per time step
(geometric mean), comparable across line lengths and between decoders.
"""

from collections import defaultdict

import numpy as np

BLANK = 0


def greedy_decode(probabilities: np.ndarray, blank: int = BLANK) -> tuple[list[int], float]:
    """Best path: the most likely class at each step, repeats merged, blanks dropped. probabilities: (T, C)."""
    best = probabilities.argmax(axis=1)
    keep = (best != blank) & np.concatenate([[True], best[1:] != best[:-1]])
    log_p = np.log(np.maximum(probabilities[np.arange(len(best)), best], 1e-30)).sum()
    return best[keep].tolist(), float(np.exp(log_p / len(best)))


def beam_decode(
    probabilities: np.ndarray, beam_width: int = 10, blank: int = BLANK, prune: float = 1e-3
) -> tuple[list[int], float]:
    """Prefix beam search: sums every path that collapses to a prefix. probabilities: (T, C).

    Classes below `prune` at a step are not extended; beams are renormalised each step (tracked in log space).
    """
    beams: dict[tuple, tuple[float, float]] = {(): (1.0, 0.0)}  # prefix -> (P ending in blank, P ending in label)
    log_scale = 0.0
    for step in probabilities:
        grown: dict[tuple, list[float]] = defaultdict(lambda: [0.0, 0.0])
        for prefix, (p_blank, p_label) in beams.items():
            for label in np.nonzero(step >= prune)[0]:
                p = float(step[label])
                if label == blank:
                    grown[prefix][0] += (p_blank + p_label) * p
                elif prefix and prefix[-1] == label:
                    grown[prefix][1] += p_label * p  # a repeat with no blank between merges
                    grown[(*prefix, int(label))][1] += p_blank * p
                else:
                    grown[(*prefix, int(label))][1] += (p_blank + p_label) * p
        if not grown:  # every class pruned: keep the beams as they are
            continue
        ranked = sorted(grown.items(), key=lambda item: -(item[1][0] + item[1][1]))[:beam_width]
        scale = sum(b + lab for _, (b, lab) in ranked)
        log_scale += np.log(scale)
        beams = {prefix: (b / scale, lab / scale) for prefix, (b, lab) in ranked}
    best, (p_blank, p_label) = max(beams.items(), key=lambda item: item[1][0] + item[1][1])
    log_p = np.log(max(p_blank + p_label, 1e-300)) + log_scale
    return list(best), float(np.exp(log_p / len(probabilities)))


def slot_decode(probabilities: np.ndarray, blank: int = BLANK) -> tuple[list[int], float]:
    """Fixed-slot outputs (one character per slot, blank = padding): the best class of each slot, blanks dropped."""
    best = probabilities.argmax(axis=1)
    log_p = np.log(np.maximum(probabilities[np.arange(len(best)), best], 1e-30)).sum()
    return best[best != blank].tolist(), float(np.exp(log_p / len(best)))


def decode(probabilities: np.ndarray, mapping: list[str], ctc: bool = True, beam_width: int = 0) -> tuple[str, float]:
    """Text and confidence of one (T, C) output: CTC greedy (beam_width 0 or 1) or beam search, or fixed slots."""
    if not ctc:
        labels, confidence = slot_decode(probabilities)
    elif beam_width > 1:
        labels, confidence = beam_decode(probabilities, beam_width)
    else:
        labels, confidence = greedy_decode(probabilities)
    return "".join(mapping[label] for label in labels), confidence
