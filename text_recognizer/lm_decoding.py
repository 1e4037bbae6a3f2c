"""CTC prefix beam search with a character language model, and optional word rules (a lexicon, hot words), in numpy.

A prefix's score is log P_ctc(prefix) + lm_weight * log P_lm(prefix) + bonus * len(prefix) (Hannun et al. 2014, with
characters for words). Frames where only the blank is likely change no ranking and skip the search's inner loop.
"""

import heapq
import math
from array import array
from collections.abc import Iterable

import numpy as np

from text_recognizer.char_lm import EOS, UNK, CharNgramLM
from text_recognizer.confidences import FLOOR

BLANK = 0
CACHE_LIMIT = 200_000  # contexts whose distributions are kept (about 1 KB each); cleared whole when full


class LanguageModelScorer:
    """Natural-log probabilities of the line model's classes after a context, cached per context."""

    def __init__(self, model: CharNgramLM, mapping: list[str]):
        unknown = model.index[UNK]
        self.model = model
        self.to_model = np.array([model.index.get(char, unknown) for char in mapping] + [model.index[EOS]])
        self.width = max(model.order - 1, 0)
        # States are bytes (tuples past 256 symbols), which the garbage collector never tracks, and a distribution is
        # one array of doubles, not a tuple of ~130 float objects: with a full cache of tuples alive in the process,
        # lm decoding ran at half speed (gc.freeze() gave it back).
        self.pack = bytes if model.size <= 256 else tuple
        self.start = self.pack(model.start)
        self.cache: dict[bytes | tuple[int, ...], array] = {}

    def scores(self, state: bytes | tuple[int, ...]) -> array:
        """Log P(class | state) for every class of the mapping, then log P(end of line | state) last."""
        found = self.cache.get(state)
        if found is None:
            if len(self.cache) >= CACHE_LIMIT:
                self.cache.clear()
            with np.errstate(divide="ignore"):
                found = array("d", np.log(self.model.distribution(state)[self.to_model]).tobytes())
            self.cache[state] = found
        return found

    def next_state(self, state: bytes | tuple[int, ...], label: int) -> bytes | tuple[int, ...]:
        if not self.width:
            return state
        return state[1:] + self.pack((int(self.to_model[label]),))


class WordRules:
    """Words (runs of letters, case ignored) a line may contain (`lexicon`), and words it is pushed towards
    (`hot_words`, `hot_word_bonus` per matching letter, taken back when the word turns out different)."""

    def __init__(
        self, lexicon: Iterable[str] | None = None, hot_words: Iterable[str] | None = None, bonus: float = 2.0
    ):
        self.words = {word.lower() for word in lexicon} if lexicon is not None else None
        self.prefixes = _prefixes(self.words) if self.words is not None else None
        self.hot_words = {word.lower() for word in hot_words or ()}
        self.hot_prefixes = _prefixes(self.hot_words)
        self.bonus = bonus

    def extend(self, word: str, granted: float, char: str) -> tuple[str, float, float] | None:
        """(word in progress, bonus granted to it, score change) after `char`, or None where the lexicon forbids it."""
        if char.isalpha():
            word += char.lower()
            if self.prefixes is not None and word not in self.prefixes:
                return None
            if word in self.hot_prefixes:
                return word, granted + self.bonus, self.bonus
            return word, 0.0, -granted
        return ("", 0.0, self.close(word, granted)) if self.allows(word) else None

    def allows(self, word: str) -> bool:
        """Whether a finished word may stand."""
        return not word or self.words is None or word in self.words

    def close(self, word: str, granted: float) -> float:
        """Score change when a word ends: its hot-word bonus is kept only if it is a whole hot word."""
        return 0.0 if word in self.hot_words else -granted


def _prefixes(words: set[str]) -> set[str]:
    return {word[:end] for word in words for end in range(1, len(word) + 1)}


def lm_beam_decode(
    probabilities: np.ndarray,
    scorer: LanguageModelScorer,
    mapping: list[str],
    beam_width: int = 16,
    lm_weight: float = 0.5,
    bonus: float = 0.0,
    rules: WordRules | None = None,
    prune: float = 1e-3,
    blank: int = BLANK,
) -> tuple[list[int], float, list[float], list[int]]:
    """Labels of the best-scoring prefix, its CTC probability per time step (geometric mean), each label's
    confidence (fused_confidences) and the frame it was read on: where its posterior peaked among the frames that
    emitted it. probabilities: (T, C)."""
    if not (probabilities.argmax(axis=1) != blank).any():
        # The network saw no character on any frame: the language model re-ranks readings of what the network saw and
        # does not write onto a blank image (it never saw an empty line, so it would prefer some character).
        blank_path = np.log(np.maximum(probabilities[:, blank], FLOOR)).mean() if len(probabilities) else 0.0
        return [], float(np.exp(blank_path)), [], []
    # Prefixes are nodes of a tree (0: the empty prefix), so a beam is keyed by an int, not a tuple to hash.
    # Per node: parent, last label, LM-and-rules score, LM state, word in progress, hot-word bonus granted to it,
    # and the highest posterior of its last label on a frame that emitted it.
    parents, last_labels, scores, states, words, granted = [-1], [-1], [0.0], [scorer.start], [""], [0.0]
    peaks, peak_frames = [0.0], [0]
    children: dict[int, int] = {}  # node * classes + label -> child node (-1: the word rules forbid it)
    classes = probabilities.shape[1]
    beams: dict[int, list[float]] = {0: [1.0, 0.0]}  # node -> [P(ends in blank), P(ends in a label)]
    log_scale = 0.0
    candidates = probabilities >= prune
    blank_only = (candidates.sum(axis=1) == 1) & candidates[:, blank]

    def child(node: int, label: int) -> int:
        key = node * classes + label
        found = children.get(key)
        if found is None:
            score = scores[node] + lm_weight * scorer.scores(states[node])[label] + bonus
            word, bonus_so_far = words[node], granted[node]
            if rules is not None:
                extended = rules.extend(word, bonus_so_far, mapping[label])
                if extended is None:
                    children[key] = -1
                    return -1
                word, bonus_so_far, change = extended
                score += change
            found = children[key] = len(parents)
            parents.append(node)
            last_labels.append(label)
            scores.append(score)
            states.append(scorer.next_state(states[node], label))
            words.append(word)
            granted.append(bonus_so_far)
            peaks.append(0.0)
            peak_frames.append(0)
        return found

    for t, step in enumerate(probabilities):
        if blank_only[t]:
            p = float(step[blank])
            for acoustic in beams.values():
                acoustic[0], acoustic[1] = (acoustic[0] + acoustic[1]) * p, 0.0
            total = sum(b + lab for b, lab in beams.values())
        else:
            grown: dict[int, list[float]] = {}
            labels = np.flatnonzero(candidates[t]).tolist()
            chances = step[labels].tolist()
            for node, (p_blank, p_label) in beams.items():
                last = last_labels[node]
                for label, p in zip(labels, chances, strict=True):
                    if label == blank:
                        grown.setdefault(node, [0.0, 0.0])[0] += (p_blank + p_label) * p
                        continue
                    if label == last:
                        grown.setdefault(node, [0.0, 0.0])[1] += p_label * p  # a repeat with no blank between
                        if p > peaks[node]:
                            peaks[node], peak_frames[node] = p, t
                        through = p_blank * p
                    else:
                        through = (p_blank + p_label) * p
                    if through > 0 and (extended := child(node, label)) >= 0:
                        grown.setdefault(extended, [0.0, 0.0])[1] += through
                        if p > peaks[extended]:
                            peaks[extended], peak_frames[extended] = p, t
            if not grown:
                continue
            ranked = heapq.nlargest(beam_width, grown.items(), key=lambda item: _log(sum(item[1])) + scores[item[0]])
            beams = dict(ranked)
            total = sum(b + lab for b, lab in beams.values())
        if total <= 0:
            break
        log_scale += math.log(total)
        for acoustic in beams.values():
            acoustic[0] /= total
            acoustic[1] /= total

    def final(item: tuple[int, list[float]]) -> float:
        node, acoustic = item
        score = scores[node] + lm_weight * scorer.scores(states[node])[-1]
        if rules is not None:
            if not rules.allows(words[node]):
                return -math.inf
            score += rules.close(words[node], granted[node])
        return _log(sum(acoustic)) + score

    best, acoustic = max(beams.items(), key=final)
    log_p = _log(sum(acoustic)) + log_scale
    labels, frames, contexts = [], [], []
    while best > 0:
        labels.append(last_labels[best])
        frames.append(peak_frames[best])
        contexts.append(states[parents[best]])
        best = parents[best]
    labels, frames, contexts = labels[::-1], frames[::-1], contexts[::-1]
    confidence = float(math.exp(max(log_p, -700.0) / max(len(probabilities), 1)))
    return (
        labels,
        confidence,
        fused_confidences(probabilities, labels, frames, contexts, scorer, lm_weight, bonus, blank),
        frames,
    )


def fused_confidences(
    probabilities: np.ndarray,
    labels: list[int],
    frames: list[int],
    contexts: list[tuple],
    scorer: LanguageModelScorer,
    lm_weight: float,
    bonus: float,
    blank: int = BLANK,
) -> list[float]:
    """Each label's share of its emitting frame once the language model has had its say: at that frame, every class
    k weighs P_ctc(k) * P_lm(k | context)^lm_weight * e^bonus (the blank: P_ctc(blank)), as the search weighs them.
    With lm_weight and bonus 0 this is the label's posterior on that frame."""
    if not labels:
        return []
    with np.errstate(divide="ignore"):
        acoustic = np.log(probabilities[frames])
    language = np.array([scorer.scores(context)[:-1] for context in contexts])
    weighed = acoustic + lm_weight * language + bonus
    weighed[:, blank] = acoustic[:, blank]
    weighed -= weighed.max(axis=1, keepdims=True)
    shares = np.exp(weighed)
    rows = np.arange(len(labels))
    return (shares[rows, labels] / shares.sum(axis=1)).tolist()


def _log(value: float) -> float:
    return math.log(value) if value > 0 else -math.inf
