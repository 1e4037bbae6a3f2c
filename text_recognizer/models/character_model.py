"""CharacterModel: one image, one class, softmax cross-entropy."""

import keras
import tensorflow as tf

from text_recognizer.models.base import Model


class CharacterModel(Model):
    """Classifies single-character images into the dataset's mapping."""

    monitor = "val_accuracy"
    monitor_mode = "max"

    def loss(self, train_args) -> keras.losses.Loss:
        return keras.losses.CategoricalCrossentropy(label_smoothing=train_args.label_smoothing)

    def metrics(self) -> list:
        return ["accuracy"]

    def encode_targets(self, y: tf.Tensor) -> tf.Tensor:
        return tf.one_hot(tf.cast(y, tf.int32), self.dataset.output_shape[0])
