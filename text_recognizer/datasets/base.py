"""The dataset contract: what every dataset gives the models, and what its weights card records."""

import inspect
from dataclasses import dataclass
from typing import Any, ClassVar, Self

import numpy as np

from text_recognizer.datasets.formats import SPLITS
from text_recognizer.errors import DataError


@dataclass
class Split:
    """Inputs and targets of one split. Lines of their own widths come as a list of (height, width_i) arrays;
    `weights` says how often each sample is drawn per training epoch (None: once), `corpus` where it comes from."""

    x: np.ndarray | list[np.ndarray]
    y: np.ndarray
    weights: np.ndarray | None = None
    corpus: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.x)

    def draws_per_epoch(self) -> int:
        """Samples one training epoch draws: the weights' sum (models/width_buckets.epoch_batches draws each sample
        its weight's whole part, and once more with its fraction's probability), else each sample once."""
        return len(self) if self.weights is None else max(1, round(float(self.weights.sum())))


class Dataset:
    """A dataset as the models see it. A subclass provides:

    - its format: `input_shape` (height, width; width None for lines of their own widths), `output_shape` and
      `mapping` (class index -> character or mask class), set in `__init__` or `prepare`;
    - its splits: `prepare` fetches and processes the data and calls `set_splits`; `train` and `val` steer
      training, `test` is only for the final evaluation;
    - `source`, where the data comes from, and optionally `card_details` for its weights card;
    - optionally training distortions: `augment` (a batch) or `augment_one` (a line of its own width), used when
      `augmentation` (the dataset's settings) is not None.

    The card's "args" are the constructor's arguments (inherited ones too), each read back from the attribute of the
    same name (or the one `attribute_of` names), so checked values and filled-in defaults are what is recorded;
    `card_omits` names arguments that say where or how the data is read rather than what it is.
    """

    mapping: list[str]
    input_shape: tuple[int | None, ...]
    output_shape: tuple[int, ...]
    train: Split
    val: Split
    test: Split
    source: str = ""
    augmentation: dict | None = None
    card_omits: tuple[str, ...] = ()
    attribute_of: ClassVar[dict[str, str]] = {}  # argument -> the attribute holding it, where the names differ

    def prepare(self) -> Self:
        """Fetch, process and load the data; returns self so calls can chain."""
        raise NotImplementedError

    def set_splits(self, splits: dict[str, Split]) -> None:
        """The train, val and test splits `prepare` made."""
        self.train, self.val, self.test = (splits[name] for name in SPLITS)

    def split_sizes(self) -> dict[str, int]:
        return {name: len(getattr(self, name)) for name in SPLITS}

    def augment(self, images: Any) -> Any:
        """A training batch (tf.Tensor, float32 pixels of input_shape), randomly distorted; as is by default."""
        return images

    def augment_one(self, image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """One training line of its own width, randomly distorted; as is by default."""
        return image

    def args(self) -> dict[str, Any]:
        """The constructor's arguments as this dataset holds them, for its card and to rebuild it."""
        kinds = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
        names = [
            parameter.name
            for parameter in list(inspect.signature(type(self).__init__).parameters.values())[1:]
            if parameter.kind in kinds and parameter.name not in self.card_omits
        ]
        attributes = {name: self.attribute_of.get(name, name) for name in names}
        missing = [name for name, attribute in attributes.items() if not hasattr(self, attribute)]
        if missing:
            raise AttributeError(
                f"{type(self).__name__} keeps no attribute for its argument(s) {', '.join(missing)}: store each "
                "under its own name (the card records it), or name it in card_omits."
            )
        return {name: getattr(self, attribute) for name, attribute in attributes.items()}

    def card(self) -> dict:
        """What a weights card records about the data the model saw."""
        return {"source": self.source, "args": self.args(), **self.card_details()}

    def card_details(self) -> dict:
        """What else the card records (split sizes, what was left out, ...); nothing by default."""
        return {}


def check_held_out(validation_fraction: float, test_fraction: float) -> None:
    """DataError unless the validation and test fractions are in (0, 1) and leave some of the data to train on."""
    if not (0 < validation_fraction < 1 and 0 < test_fraction < 1 and validation_fraction + test_fraction < 1):
        raise DataError("validation_fraction and test_fraction must be in (0, 1) and add up to less than 1.")


def carve_validation(x: np.ndarray, y: np.ndarray, fraction: float, seed: int) -> tuple[Split, Split]:
    """Split a training part into train and validation with a seeded permutation."""
    order = np.random.default_rng(seed).permutation(len(x))
    num_val = round(len(x) * fraction)
    val_idx, train_idx = np.sort(order[:num_val]), np.sort(order[num_val:])
    return Split(x[train_idx], y[train_idx]), Split(x[val_idx], y[val_idx])


def subsample(x: np.ndarray, y: np.ndarray, fraction: float | None, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A seeded random subset of `fraction` of the samples (all of them when fraction is None or 1)."""
    if fraction is None or fraction >= 1:
        return x, y
    keep = np.sort(np.random.default_rng(seed).permutation(len(x))[: max(1, int(len(x) * fraction))])
    return x[keep], y[keep]
