"""LineModelCtc: per-time-step class probabilities trained with the CTC loss, decoded greedily or by beam."""

import keras
import numpy as np
import tensorflow as tf

from text_recognizer.errors import ConfigError
from text_recognizer.models.line_model import LineModel


class CtcLoss(keras.losses.Loss):
    """CTC loss of softmax outputs (batch, T, C) against labels padded with the blank index 0.

    TensorFlow's CTC kernel on sparse labels: on 2 CPU cores a line model's training step takes 0.38 of the time of the
    dense-label loss (keras.ops.ctc_loss), which runs over every padded label position (bench/ctc_loss.py). A line
    whose labels need more steps than the output has (possible once augmentation narrows it) costs 0 instead of
    stopping training."""

    def __init__(self, name: str = "ctc_loss", **kwargs):
        super().__init__(name=name, **kwargs)

    def call(self, y_true, y_pred):
        labels = tf.sparse.from_dense(tf.cast(y_true, tf.int32))  # padding (0) left out
        labels = tf.SparseTensor(labels.indices, labels.values - 1, labels.dense_shape)  # the kernel's blank is last
        log_probabilities = tf.math.log(y_pred + 1e-8)  # log-softmax of these is themselves: valid logits
        logits = tf.concat([log_probabilities[..., 1:], log_probabilities[..., :1]], axis=-1)
        steps = tf.fill([tf.shape(y_pred)[0]], tf.shape(y_pred)[1])
        return tf.compat.v1.nn.ctc_loss(labels, logits, steps, ignore_longer_outputs_than_inputs=True, time_major=False)


def steps_needed(labels: np.ndarray) -> np.ndarray:
    """Output steps CTC needs per label row: its length plus one blank between each pair of equal neighbours."""
    present = labels != 0
    repeats = present[:, 1:] & (labels[:, 1:] == labels[:, :-1])
    return present.sum(axis=1) + repeats.sum(axis=1)


class LineModelCtc(LineModel):
    """Reads lines of any layout; refuses a network whose output sequence is too short for the labels."""

    ctc = True

    def __init__(self, dataset, network_fn, network_args=None):
        super().__init__(dataset, network_fn, network_args)
        if isinstance(dataset.train.x, list):
            self._check_steps_per_line()
            return
        steps = self.network.output_shape[1]
        needed = max(int(steps_needed(split.y).max()) for split in (dataset.train, dataset.val, dataset.test))
        if needed > steps:
            raise ConfigError(
                f"The network produces {steps} output steps but some labels need {needed} (CTC needs one step per "
                "character plus one between repeated characters). Use a smaller window_stride or shorter lines."
            )

    def _check_steps_per_line(self) -> None:
        """Lines of their own widths: each must give the network as many output steps as its label needs."""
        probe = 1024
        steps_per_pixel = self.network.compute_output_shape((1, self.dataset.input_shape[0], probe))[1] / probe
        for name in ("train", "val", "test"):
            split = getattr(self.dataset, name)
            steps = np.array([int(image.shape[1] * steps_per_pixel) for image in split.x])
            short = int((steps < steps_needed(split.y)).sum())
            if short:
                raise ConfigError(
                    f"{short} {name} lines are too narrow for their labels with this network ({steps_per_pixel:.3f} "
                    "output steps per pixel; CTC needs one per character plus one between repeats)."
                )

    def loss(self, train_args) -> keras.losses.Loss:
        return CtcLoss()
