"""The Model's tf.data pipeline: a dataset's augmentation reaches training batches only."""

import numpy as np

from text_recognizer.datasets.base import Split


class AugmentedLines:
    """A tiny dataset whose augmentation brightens every pixel by 7."""

    input_shape, output_shape, mapping = (4, 8), (2, 3), ["<B>", "a", "b"]

    def __init__(self):
        self.train = self.val = self.test = Split(np.zeros((6, 4, 8), np.uint8), np.ones((6, 2), np.uint8))

    def augment(self, images):
        return images + 7


def test_augmentation_applies_to_training_batches_only():
    import keras

    from text_recognizer.models.line_model import LineModel

    def network(input_shape, output_shape):
        inputs = keras.Input(input_shape)
        outputs = keras.layers.Dense(output_shape[1], activation="softmax")(keras.layers.Reshape((2, 16))(inputs))
        return keras.Model(inputs, outputs)

    model = LineModel(AugmentedLines(), network)
    training = next(iter(model.pipeline(model.dataset.train, 3, shuffle_seed=1)))[0].numpy()
    evaluation = next(iter(model.pipeline(model.dataset.val, 3)))[0].numpy()
    assert (training == 7).all() and (evaluation == 0).all()
