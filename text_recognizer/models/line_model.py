"""LineModel: a fixed number of character slots per line, each classified (padding = blank, index 0)."""

import keras
import numpy as np
import tensorflow as tf

from text_recognizer.ctc import decode
from text_recognizer.datasets.base import Split
from text_recognizer.metrics import character_error_rate, word_error_rate
from text_recognizer.models.base import Model


class LineModel(Model):
    """Reads lines; tracks the character error rate (val_cer) that checkpoints and early stopping monitor."""

    monitor = "val_cer"
    monitor_mode = "min"
    validation_lines = 1000  # lines decoded for val_cer each epoch

    def loss(self, train_args) -> keras.losses.Loss:
        return keras.losses.SparseCategoricalCrossentropy()

    def encode_targets(self, y: tf.Tensor) -> tf.Tensor:
        return tf.cast(y, tf.int32)

    ctc = False

    def decode(self, probabilities: np.ndarray, beam_width: int = 0) -> list[str]:
        """Texts of a batch of outputs (greedy, or beam search for CTC models when beam_width > 1)."""
        return [decode(row, self.dataset.mapping, self.ctc, beam_width)[0] for row in probabilities]

    def labels_to_text(self, labels) -> str:
        return "".join(self.dataset.mapping[label] for label in labels if label != 0)

    def error_rates(self, split: Split, limit: int | None = None) -> dict[str, float]:
        """CER and WER of greedy predictions on (the first `limit` lines of) a split."""
        x, y = split.x[:limit], split.y[:limit]
        predictions = self.decode(self.predict_probabilities(x, batch_size=128))
        references = [self.labels_to_text(row) for row in y]
        return {"cer": character_error_rate(predictions, references), "wer": word_error_rate(predictions, references)}

    def evaluate(self, split: Split, batch_size: int = 128) -> dict[str, float]:
        return {**super().evaluate(split, batch_size), **self.error_rates(split)}

    def callbacks(self) -> list[keras.callbacks.Callback]:
        return [ValidationErrorRates(self)]


class ValidationErrorRates(keras.callbacks.Callback):
    """Adds val_cer and val_wer to the epoch logs, before checkpoints and early stopping read them."""

    def __init__(self, line_model: LineModel):
        super().__init__()
        self.line_model = line_model

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        rates = self.line_model.error_rates(self.line_model.dataset.val, self.line_model.validation_lines)
        if logs is not None:
            logs.update({f"val_{name}": value for name, value in rates.items()})
