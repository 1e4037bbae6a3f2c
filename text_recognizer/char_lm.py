"""Character n-gram language model: interpolated modified Kneser-Ney (Chen & Goodman), estimated and queried in numpy.

Texts are units (lines or sentences): each is read after order-1 start symbols and ends with an end symbol, so a
model can score a whole line. Characters not in the training text map to one unknown symbol. The model also keeps the
words of its training text (runs of letters, case ignored): word confidences count a word it never saw as doubtful.
Saved as a plain .npz (no pickles); n-grams seen fewer times than `min_counts[order]` are pruned, their probability
mass given to the shorter context, so every context's distribution still sums to one.
"""

import json
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from text_recognizer.errors import DataError

FORMAT = "text_recognizer.char_ngram"
VERSION = 2  # 2: contexts and starts stored as differences (sorted, so small: 17% smaller file)
BOS, EOS, UNK = "<s>", "</s>", "<unk>"
SPECIAL = (BOS, EOS, UNK)
LEVEL_KEYS = ("contexts", "gammas", "starts", "symbols", "discounted")
LETTERS = re.compile(r"[^\W\d_]+")


def letter_runs(text: str) -> list[str]:
    """The runs of letters in a text, lower-cased: the words a model's word list holds."""
    return LETTERS.findall(text.lower())


class CharNgramLM:
    """P(next character | previous order-1 characters); `distribution(context)` gives every character's at once."""

    def __init__(
        self,
        vocab: list[str],
        order: int,
        unigram: np.ndarray,
        levels: list[dict],
        meta: dict | None = None,
        words: frozenset[str] | None = None,
    ):
        self.vocab, self.order, self.unigram, self.levels = vocab, order, unigram, levels
        self.meta = meta or {}
        self.words = words  # None for a model saved before models kept their training text's words
        self.index = {symbol: i for i, symbol in enumerate(vocab)}
        self.size = len(vocab)

    def encode(self, text: str) -> list[int]:
        """Vocabulary ids of a text's characters (unknown ones as <unk>)."""
        unknown = self.index[UNK]
        return [self.index.get(char, unknown) for char in text]

    @property
    def start(self) -> tuple[int, ...]:
        """The context a unit starts from."""
        return (self.index[BOS],) * (self.order - 1)

    def distribution(self, context: tuple[int, ...]) -> np.ndarray:
        """P(symbol | the last order-1 ids of `context`) for every vocabulary symbol (float64, sums to 1)."""
        keys, starts, gammas, symbols, discounted, offsets = self.flat_tables()
        wanted, code, power = [], 0, 1
        for length in range(1, min(len(context), self.order - 1) + 1):
            code += context[-length] * power
            wanted.append(code + offsets[length - 1])
            power *= self.size
        if not wanted:
            return self.unigram.copy()
        if not len(keys):
            return self.unigram.copy()
        found = np.minimum(keys.searchsorted(wanted), len(keys) - 1)
        hits = found[keys[found] == wanted].tolist()
        probabilities, scale = np.zeros(self.size), 1.0
        for row in reversed(hits):  # longest context first: P = gamma * P_shorter + discounted
            start, end = starts[row], starts[row + 1]
            probabilities[symbols[start:end]] += scale * discounted[start:end]
            scale *= gammas[row]
        probabilities += scale * self.unigram
        return probabilities

    def flat_tables(self) -> tuple[np.ndarray, ...]:
        """Every level's tables in one sorted key space (context code + an offset per length), made on first use:
        (keys, starts, gammas, symbols, discounted, offsets). A context of length L (newest symbol the lowest
        base-`size` digit) has key code + offsets[L-1]; its symbols and discounted probabilities lie at
        starts[row]:starts[row+1] of the row where its key is."""
        if not hasattr(self, "_tables"):
            offsets = [sum(self.size**j for j in range(1, length)) for length in range(1, self.order)]
            shift = np.cumsum([0] + [len(level["symbols"]) for level in self.levels])
            keys = [level["contexts"] + offset for level, offset in zip(self.levels, offsets, strict=True)]
            starts = [level["starts"][:-1] + first for level, first in zip(self.levels, shift[:-1], strict=True)]
            self._tables = (
                np.concatenate([np.zeros(0, np.int64), *keys]),
                np.concatenate([np.zeros(0, np.int64), *starts, shift[-1:]]),
                np.concatenate([np.zeros(0), *(level["gammas"] for level in self.levels)]),
                np.concatenate([np.zeros(0, np.intp), *(level["symbols"] for level in self.levels)]).astype(np.intp),
                np.concatenate([np.zeros(0, np.float32), *(level["discounted"] for level in self.levels)]),
                np.array(offsets, np.int64),
            )
        return self._tables

    def log_probabilities(self, ids: np.ndarray, contexts: np.ndarray) -> np.ndarray:
        """Natural log P(ids[i] | contexts[i]) for many positions at once; contexts: (n, order-1) ids."""
        ids = np.asarray(ids, np.int64)
        probabilities = self.unigram[ids]
        for length, level in enumerate(self.levels, start=1):
            codes = np.zeros(len(ids), np.int64)
            for column in range(self.order - 1 - length, self.order - 1):
                codes = codes * self.size + contexts[:, column]
            found = np.minimum(np.searchsorted(level["contexts"], codes), max(len(level["contexts"]) - 1, 0))
            seen = level["contexts"][found] == codes if len(level["contexts"]) else np.zeros(len(ids), bool)
            rows = np.nonzero(seen)[0]
            at = found[rows]
            probabilities[rows] *= level["gammas"][at]
            keys = _gram_keys(level, self.size)
            wanted = at * self.size + ids[rows]
            hit = np.minimum(np.searchsorted(keys, wanted), max(len(keys) - 1, 0))
            matched = keys[hit] == wanted if len(keys) else np.zeros(len(rows), bool)
            probabilities[rows[matched]] += level["discounted"][hit[matched]]
        return np.log(probabilities)

    def _windows(self, text: str) -> tuple[list[int], list[list[int]]]:
        """Each symbol of a text read as a unit (its characters, then the end symbol) and the order-1 ids before it."""
        ids = [*self.start, *self.encode(text), self.index[EOS]]
        targets = ids[self.order - 1 :]
        return targets, [ids[position : position + self.order - 1] for position in range(len(targets))]

    def line_log_probabilities(self, text: str) -> np.ndarray:
        """Natural log P of each character of a text read as a unit, then of its end: len(text) + 1 values."""
        targets, windows = self._windows(text)
        contexts = np.array(windows, np.int64).reshape(len(targets), self.order - 1)
        return self.log_probabilities(np.array(targets), contexts)

    def score_texts(self, texts: Iterable[str]) -> tuple[float, int]:
        """Total natural-log probability of the texts as units (their end symbols included) and the symbols scored."""
        windows, targets = [], []
        for text in texts:
            more_targets, more_windows = self._windows(text)
            targets += more_targets
            windows += more_windows
        if not targets:
            return 0.0, 0
        contexts = np.array(windows, np.int64).reshape(len(targets), self.order - 1)
        return float(self.log_probabilities(np.array(targets), contexts).sum()), len(targets)

    def perplexity(self, texts: Iterable[str]) -> float:
        """Per-character perplexity of the texts (end symbols counted)."""
        total, count = self.score_texts(texts)
        return float(np.exp(-total / max(count, 1)))

    def save(self, path: str | Path) -> None:
        """Write the model as one .npz (under a temporary name, then renamed)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        header = {"format": FORMAT, "version": VERSION, "order": self.order, "vocab": self.vocab, **self.meta}
        arrays = {"header": np.array(json.dumps(header, ensure_ascii=False)), "unigram": self.unigram}
        for length, level in enumerate(self.levels, start=1):
            stored = {**level, "contexts": np.diff(level["contexts"], prepend=0), "starts": np.diff(level["starts"])}
            arrays.update({f"{key}_{length}": _compact(stored[key]) for key in LEVEL_KEYS})
        if self.words is not None:
            arrays["words"] = np.frombuffer("\n".join(sorted(self.words)).encode(), np.uint8)  # UTF-8: 1/4 of UTF-32
        partial = path.with_name(path.name + ".part.npz")
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_LZMA) as archive:  # 30 % smaller than deflate; np.load reads it
            for name, array in arrays.items():
                with archive.open(f"{name}.npy", "w", force_zip64=True) as file:
                    np.lib.format.write_array(file, array, allow_pickle=False)
        partial.replace(path)


def _compact(array: np.ndarray) -> np.ndarray:
    """A table in a smaller type: non-negative integers in the narrowest that holds them, probabilities and backoff
    weights in half precision (a relative error under 0.1 %, which moves a perplexity in its fifth digit)."""
    if array.dtype.kind == "f":
        return array.astype(np.float16)
    if array.dtype.kind not in "iu" or not len(array) or array.min() < 0:
        return array
    return array.astype(np.min_scalar_type(int(array.max())))


def _gram_keys(level: dict, size: int) -> np.ndarray:
    """Sorted keys (context row * size + symbol) of a level's n-grams, made once on first use."""
    if "keys" not in level:
        rows = np.repeat(np.arange(len(level["contexts"]), dtype=np.int64), np.diff(level["starts"]))
        level["keys"] = rows * size + level["symbols"]
    return level["keys"]


def _stored_level(archive, length: int) -> dict[str, np.ndarray]:
    """One level's tables as `save` wrote them, the differenced contexts and starts summed back."""
    level = {key: archive[f"{key}_{length}"] for key in LEVEL_KEYS}
    level["contexts"] = np.cumsum(level["contexts"], dtype=np.int64)
    level["starts"] = np.concatenate([[0], np.cumsum(level["starts"], dtype=np.int64)])
    level["symbols"] = level["symbols"].astype(np.int16)
    level["discounted"] = level["discounted"].astype(np.float32)  # the types training makes
    level["gammas"] = level["gammas"].astype(np.float64)
    return level


def load_language_model(path: str | Path) -> CharNgramLM:
    """A model written by `save`; anything else is a DataError that names the file and what is wrong with it."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"No language model at {path}; build one with `python training/build_language_model.py`.")
    try:
        with np.load(path, allow_pickle=False) as archive:
            header = json.loads(str(archive["header"]))
            if header.get("format") != FORMAT or header.get("version") != VERSION:
                raise ValueError(f"format {header.get('format')!r} version {header.get('version')!r}")
            order, vocab = int(header["order"]), list(header["vocab"])
            levels = [_stored_level(archive, length) for length in range(1, order)]
            unigram = archive["unigram"].astype(np.float64)
            words = None
            if "words" in archive.files:
                words = frozenset(archive["words"].tobytes().decode("utf-8").split("\n")) - {""}
    except (OSError, EOFError, ValueError, KeyError, TypeError, zipfile.BadZipFile, json.JSONDecodeError) as error:
        raise DataError(
            f"{path} is not a character language model of this project ({type(error).__name__}: {error}); "
            "rebuild it with `python training/build_language_model.py`."
        ) from None
    if not set(SPECIAL) <= set(vocab) or unigram.shape != (len(vocab),):
        raise DataError(f"{path} is damaged: its vocabulary and unigram table disagree; rebuild it.")
    for length, level in enumerate(levels, start=1):
        if len(level["starts"]) != len(level["contexts"]) + 1 or len(level["symbols"]) != level["starts"][-1]:
            raise DataError(f"{path} is damaged: the tables of order {length + 1} disagree; rebuild it.")
    meta = {key: value for key, value in header.items() if key not in ("format", "version", "order", "vocab")}
    return CharNgramLM(vocab, order, unigram, levels, meta, words)


def train_language_model(
    texts: list[str], order: int, min_counts: dict[int, int] | None = None, meta: dict | None = None
) -> CharNgramLM:
    """Estimate an interpolated modified Kneser-Ney model of the given order from text units."""
    if not 1 <= order <= 10:
        raise DataError(f"order must be from 1 to 10, got {order}.")
    characters = sorted(set("".join(texts)) - set(SPECIAL))
    vocab = [*SPECIAL, *characters]
    size = len(vocab)
    if size**order >= 2**62:
        raise DataError(f"{size} symbols at order {order} do not fit the model's 64-bit n-gram codes.")
    index = {symbol: i for i, symbol in enumerate(vocab)}
    bos, eos = index[BOS], index[EOS]
    stream = []
    for text in texts:
        stream += [bos] * (order - 1) + [index[char] for char in text] + [eos]
    stream = np.array(stream, np.int64)
    raw = [_raw_counts(stream, length, size, bos, eos) for length in range(1, order + 1)]
    min_counts = min_counts or {}
    unigram, levels = None, []
    for length in range(1, order + 1):
        codes, counts = raw[length - 1]
        if length < order:  # lower orders count the distinct characters before an n-gram (Kneser-Ney)
            longer = raw[length][0] % size**length
            continuation_codes, continuations = np.unique(longer, return_counts=True)
            adjusted = np.zeros(len(codes), np.int64)
            adjusted[np.searchsorted(codes, continuation_codes)] = continuations
            starts_with_bos = codes // size ** (length - 1) == bos
            counts = np.where(starts_with_bos | (adjusted == 0), counts, adjusted)
        discounts = _discounts(counts)
        if length == 1:
            unigram = _unigram(codes, counts, discounts, size, bos)
        else:
            levels.append(_level(codes, counts, discounts, size, min_counts.get(length, 1)))
    header = {"discounts": "modified Kneser-Ney", "min_counts": {str(k): v for k, v in min_counts.items()}}
    words = frozenset(word for text in set(texts) for word in letter_runs(text))
    return CharNgramLM(vocab, order, unigram, levels, {**header, **(meta or {})}, words)


def _raw_counts(stream: np.ndarray, length: int, size: int, bos: int, eos: int) -> tuple[np.ndarray, np.ndarray]:
    """Sorted codes of the n-grams of `length` within units (never across an end symbol, never predicting <s>)."""
    windows = len(stream) - length + 1
    codes = np.zeros(windows, np.int64)
    for offset in range(length):
        codes = codes * size + stream[offset : offset + windows]
    ends = np.concatenate([[0], np.cumsum(stream == eos)])
    inside = ends[length - 1 : length - 1 + windows] == ends[:windows]  # no end symbol before the last position
    valid = inside & (stream[length - 1 :] != bos)
    return np.unique(codes[valid], return_counts=True)


def _discounts(counts: np.ndarray) -> np.ndarray:
    """D1, D2, D3+ from the counts of counts (Chen & Goodman), kept within [0, n] where the estimate breaks down."""
    n = [np.count_nonzero(counts == k) for k in range(1, 5)]
    if min(n) == 0:
        return np.array([0.5, 1.0, 1.5])
    y = n[0] / (n[0] + 2 * n[1])
    estimate = [1 - 2 * y * n[1] / n[0], 2 - 3 * y * n[2] / n[1], 3 - 4 * y * n[3] / n[2]]
    return np.clip(estimate, [0.05, 0.1, 0.15], [1.0, 2.0, 3.0])


def _discounted(counts: np.ndarray, discounts: np.ndarray) -> np.ndarray:
    return counts - discounts[np.minimum(counts, 3) - 1]


def _unigram(codes: np.ndarray, counts: np.ndarray, discounts: np.ndarray, size: int, bos: int) -> np.ndarray:
    """Interpolated unigram probabilities over the vocabulary (uniform below; <s> never predicted)."""
    total = counts.sum()
    probabilities = np.zeros(size)
    probabilities[codes] = _discounted(counts, discounts) / total
    left = 1 - probabilities.sum()
    probabilities += left / (size - 1)
    probabilities[bos] = 0.0
    return probabilities / probabilities.sum()


def _level(codes: np.ndarray, counts: np.ndarray, discounts: np.ndarray, size: int, min_count: int) -> dict:
    """The tables of one order: per context its backoff weight and the discounted probabilities of what follows."""
    context_codes = codes // size
    contexts = np.unique(context_codes)
    context_of = np.searchsorted(contexts, context_codes)
    totals = np.bincount(context_of, weights=counts)
    discounted = (_discounted(counts, discounts) / totals[context_of]).astype(np.float32).astype(np.float64)
    kept = counts >= min_count
    # gamma: what discounting and pruning leave for the shorter context (1 - the kept discounted probabilities)
    gammas = 1 - np.bincount(context_of, weights=np.where(kept, discounted, 0.0), minlength=len(contexts))
    has_kept = np.bincount(context_of, weights=kept, minlength=len(contexts)) > 0
    contexts, gammas = contexts[has_kept], gammas[has_kept]
    codes, discounted = codes[kept], discounted[kept]
    per_context = np.bincount(np.searchsorted(contexts, codes // size), minlength=len(contexts))
    starts = np.concatenate([[0], np.cumsum(per_context)])
    return {
        "contexts": contexts.astype(np.int64),
        "gammas": gammas.astype(np.float64),
        "starts": starts.astype(np.int64),
        "symbols": (codes % size).astype(np.int16),
        "discounted": discounted.astype(np.float32),
    }
