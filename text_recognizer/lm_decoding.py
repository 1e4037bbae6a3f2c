"""CTC prefix beam search with a character language model, and optional word rules (a lexicon, hot words).

A prefix's score is log P_ctc(prefix) + lm_weight * log P_lm(prefix) + bonus * len(prefix) (Hannun et al. 2014, with
characters for words). Frames where only the blank is likely change no ranking and skip the search's inner loop, and
a prefix far below a frame's best leaves the beam (lm_search.BEAM_SPAN). The search itself is compiled
(lm_search.py); this module prepares its inputs and turns its result into a reading.
"""

import math
from collections.abc import Iterable

import numpy as np

from text_recognizer import compiled
from text_recognizer.char_lm import EOS, UNK, CharNgramLM, train_language_model
from text_recognizer.confidences import FLOOR, align
from text_recognizer.errors import DataError

BLANK = 0
CACHE_LIMIT = 2**15  # language-model rows kept (about 1 KB each); a power of two
_EMPTY_TRIE = (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(1, bool))
NO_RULES = (False, np.full(1, -1, np.int64), False, *_EMPTY_TRIE, *_EMPTY_TRIE, 0.0)  # WordRules.arrays' types


class LanguageModelScorer:
    """A character language model as the compiled search reads it: its tables, the model symbol of each line class
    (and of the end of a line, last), and its start state (see lm_search.py for the state's encoding)."""

    def __init__(self, model: CharNgramLM, mapping: list[str]):
        unknown = model.index[UNK]
        context = max(model.order - 1, 0)
        if model.size**context >= 2**62:
            raise DataError(
                f"A language model of order {model.order} over {model.size} symbols has contexts too long for the "
                "decoder's 64-bit states; build one of lower order (build_language_model.py --order)."
            )
        keys, starts, gammas, symbols, discounted, offsets = model.flat_tables()
        to_model = [model.index.get(char, unknown) for char in mapping] + [model.index[EOS]]
        powers = [model.size**length for length in range(context + 1)]
        # One set of types whatever made the model (trained here or loaded), so the search is compiled once.
        self.tables = (
            *(np.asarray(table, np.int64) for table in (keys, starts)),
            np.asarray(gammas, np.float64),
            np.asarray(symbols, np.int64),
            np.asarray(discounted, np.float32),
            np.asarray(model.unigram, np.float64),
            *(np.asarray(table, np.int64) for table in (powers, offsets, to_model)),
        )
        self.start = int(sum(symbol * model.size**at for at, symbol in enumerate(reversed(model.start))))
        # The language model's log-probabilities after each state met so far, from line to line: a hash table of
        # states (keys, their rows, [rows used]) and the rows, emptied when full (lm_search._row_of). The rows are
        # only reserved here: the system gives memory to those written.
        self.cache = (
            np.full(2 * CACHE_LIMIT, -1, np.int64),
            np.zeros(2 * CACHE_LIMIT, np.int64),
            np.zeros(1, np.int64),
            np.empty((CACHE_LIMIT, len(mapping) + 1)),
        )

    def search(
        self,
        probabilities: np.ndarray,
        prune: float,
        beam_width: int,
        lm_weight: float,
        bonus: float,
        blank: int,
        rules: tuple,
    ) -> tuple[np.ndarray, float, np.ndarray, np.ndarray]:
        """lm_search.prefix_search of float32 posteriors (T, C) with this model's tables and cache; the first call in
        a process compiles it, or loads it from numba's cache (compile_search)."""
        candidates = probabilities >= prune
        blank_only = (candidates.sum(axis=1) == 1) & candidates[:, blank]
        return compiled.load("lm_search").prefix_search(
            probabilities,
            candidates,
            blank_only,
            self.tables,
            self.start,
            beam_width,
            lm_weight,
            bonus,
            blank,
            rules,
            self.cache,
        )


class WordRules:
    """Words (runs of letters, case ignored) a line may contain (`lexicon`), and words it is pushed towards
    (`hot_words`, `hot_word_bonus` per matching letter, taken back when the word turns out different). Letters are
    lower-cased one character to one (a letter whose lower case is longer, such as "İ", stands for itself)."""

    def __init__(
        self, lexicon: Iterable[str] | None = None, hot_words: Iterable[str] | None = None, bonus: float = 2.0
    ):
        self.lexicon = _trie({word.lower() for word in lexicon}) if lexicon is not None else _EMPTY_TRIE
        self.hot_words = _trie({word.lower() for word in hot_words or ()})
        self.has_lexicon = lexicon is not None
        self.bonus = bonus

    def arrays(self, mapping: list[str]) -> tuple:
        """The rules as the compiled search takes them, for a line model's classes."""
        letters = np.array([_letter_code(char) for char in mapping], np.int64)
        return (True, letters, self.has_lexicon, *self.lexicon, *self.hot_words, float(self.bonus))


def _letter_code(char: str) -> int:
    if len(char) != 1 or not char.isalpha():
        return -1
    lower = char.lower()
    return ord(lower if len(lower) == 1 else char)


def _trie(words: set[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A trie of words as sorted edge keys (parent * LETTER_CODES + code), their child nodes and a terminal flag per
    node; node 0 is the empty word."""
    prefixes = sorted({word[:end] for word in words for end in range(len(word) + 1)} | {""})
    node = {prefix: at for at, prefix in enumerate(prefixes)}
    codes = compiled.load("lm_search").LETTER_CODES
    keys = np.array([node[prefix[:-1]] * codes + ord(prefix[-1]) for prefix in prefixes[1:]], np.int64)
    order = np.argsort(keys)
    terminal = np.array([prefix in words for prefix in prefixes], bool)
    return keys[order], np.arange(1, len(prefixes), dtype=np.int64)[order], terminal


def compile_search() -> None:
    """Compile the search for the posteriors predictors give it, and the CTC alignment, or load them from numba's
    cache: about 9 s the first time on a machine (the cache lies in text_recognizer/__pycache__, or under
    $NUMBA_CACHE_DIR), 0.3 s after. A LineDecoder("lm") calls it as it loads, so no line pays it."""
    mapping, posteriors = ["<B>", "a"], np.array([[0.1, 0.9]], np.float32)
    scorer = LanguageModelScorer(train_language_model(["a"], 2), mapping)
    scorer.search(posteriors, 0.01, 2, 0.5, 0.0, BLANK, WordRules(hot_words=["a"]).arrays(mapping))
    align(posteriors, [1])  # compiled too (ctc_viterbi.py): page mode places each word by it


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
    emitted it. probabilities: (T, C), read as float32."""
    if not (probabilities.argmax(axis=1) != blank).any():
        # The network saw no character on any frame: the language model re-ranks readings of what the network saw and
        # does not write onto a blank image (it never saw an empty line, so it would prefer some character).
        blank_path = np.log(np.maximum(probabilities[:, blank], FLOOR)).mean() if len(probabilities) else 0.0
        return [], float(np.exp(blank_path)), [], []
    labels, log_p, frames, language = scorer.search(
        probabilities.astype(np.float32, copy=False),
        prune,
        beam_width,
        float(lm_weight),
        float(bonus),
        blank,
        rules.arrays(mapping) if rules is not None else NO_RULES,
    )
    labels, frames = labels.tolist(), frames.tolist()
    confidence = float(math.exp(max(log_p, -700.0) / max(len(probabilities), 1)))
    return (
        labels,
        confidence,
        fused_confidences(probabilities, labels, frames, language, lm_weight, bonus, blank),
        frames,
    )


def fused_confidences(
    probabilities: np.ndarray,
    labels: list[int],
    frames: list[int],
    language: np.ndarray,
    lm_weight: float,
    bonus: float,
    blank: int = BLANK,
) -> list[float]:
    """Each label's share of its emitting frame once the language model has had its say: at that frame, every class
    k weighs P_ctc(k) * P_lm(k | context)^lm_weight * e^bonus (the blank: P_ctc(blank)), as the search weighs them.
    With lm_weight and bonus 0 this is the label's posterior on that frame. language: (labels, C + 1), the language
    model's log-probabilities after each label's context (its last column, the end of the line, is not used)."""
    if not labels:
        return []
    with np.errstate(divide="ignore"):
        acoustic = np.log(probabilities[frames])
    weighed = acoustic + lm_weight * language[:, :-1] + bonus
    weighed[:, blank] = acoustic[:, blank]
    weighed -= weighed.max(axis=1, keepdims=True)
    shares = np.exp(weighed)
    rows = np.arange(len(labels))
    return (shares[rows, labels] / shares.sum(axis=1)).tolist()
