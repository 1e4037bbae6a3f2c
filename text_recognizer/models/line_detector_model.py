"""LineDetectorModel: per-pixel background / odd line / even line segmentation, judged by lines counted right."""

import keras
import numpy as np
import tensorflow as tf

from text_recognizer.datasets.base import Split
from text_recognizer.line_detection import line_boxes
from text_recognizer.models.base import Model

COUNT_SAMPLES = 128  # validation pages whose lines are counted after each epoch


def line_count_accuracy(network: keras.Model, split: Split, limit: int | None = None) -> float:
    """Share of pages where the lines found in the predicted mask are as many as in the true mask."""
    x, y = split.x[:limit], split.y[:limit]
    predicted = network.predict(x.astype(np.float32), batch_size=16, verbose=0).argmax(axis=-1)
    return float(np.mean([len(line_boxes(p)) == len(line_boxes(t)) for p, t in zip(predicted, y, strict=True)]))


class LineCounting(keras.callbacks.Callback):
    """Adds val_line_count_accuracy (on the first COUNT_SAMPLES validation pages) to each epoch's logs."""

    def __init__(self, split: Split):
        super().__init__()
        self.split = split

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if logs is not None:
            logs["val_line_count_accuracy"] = line_count_accuracy(self.model, self.split, COUNT_SAMPLES)


class LineDetectorModel(Model):
    """Segments a page into line regions; categorical cross-entropy per pixel (label smoothing applies)."""

    def loss(self, train_args) -> keras.losses.Loss:
        return keras.losses.CategoricalCrossentropy(label_smoothing=train_args.label_smoothing)

    def metrics(self) -> list:
        classes = self.dataset.output_shape[-1]
        return [
            keras.metrics.CategoricalAccuracy(name="pixel_accuracy"),
            keras.metrics.OneHotMeanIoU(classes, name="iou"),
        ]

    def encode_targets(self, y: tf.Tensor) -> tf.Tensor:
        return tf.one_hot(tf.cast(y, tf.int32), self.dataset.output_shape[-1])

    def labels_to_text(self, labels) -> str:
        """A mask as text, for example captions: how many lines it shows."""
        return f"{len(line_boxes(np.asarray(labels, np.uint8)))} lines"

    def callbacks(self) -> list[keras.callbacks.Callback]:
        return [LineCounting(self.dataset.val)]

    def evaluate(self, split: Split, batch_size: int = 64) -> dict[str, float]:
        """Keras metrics plus line_count_accuracy over the whole split."""
        return {**super().evaluate(split, batch_size), "line_count_accuracy": line_count_accuracy(self.network, split)}
