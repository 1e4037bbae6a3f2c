"""The Model's tf.data pipeline: a dataset's augmentation reaches training batches only, and only when it is on."""

import numpy as np
import pytest

from text_recognizer.datasets.base import Dataset, Split


class AugmentedLines(Dataset):
    """A tiny dataset whose augmentation (when its settings are given) brightens every pixel by 7."""

    input_shape, output_shape, mapping = (4, 8), (2, 3), ("<B>", "a", "b")

    def __init__(self, augmentation: dict | None = None):
        self.augmentation = augmentation
        self.set_splits(dict.fromkeys(("train", "val", "test"), Split(np.zeros((6, 4, 8), np.uint8), np.ones((6, 2)))))

    def augment(self, images):
        return images + 7


@pytest.mark.parametrize(("augmentation", "brightened"), [({}, 7), (None, 0)])
def test_augmentation_applies_to_training_batches_only(augmentation, brightened):
    import keras

    from text_recognizer.models.line_model import LineModel

    def network(input_shape, output_shape):
        inputs = keras.Input(input_shape)
        outputs = keras.layers.Dense(output_shape[1], activation="softmax")(keras.layers.Reshape((2, 16))(inputs))
        return keras.Model(inputs, outputs)

    model = LineModel(AugmentedLines(augmentation), network)
    training = next(iter(model.pipeline(model.dataset.train, 3, shuffle_seed=1)))[0].numpy()
    evaluation = next(iter(model.pipeline(model.dataset.val, 3)))[0].numpy()
    assert (training == brightened).all() and (evaluation == 0).all()


def test_training_batches_visit_every_example_once_per_epoch_in_a_seeded_order():
    from text_recognizer.models.character_model import CharacterModel

    class Numbered(Dataset):
        input_shape, output_shape, mapping = (1, 1), (10,), tuple("0123456789")
        train = val = test = Split(np.arange(10, dtype=np.uint8).reshape(10, 1, 1), np.arange(10, dtype=np.uint8))

    model = CharacterModel(Numbered(), lambda input_shape, output_shape: None)

    def epochs(seed, count=2):
        """(image, label) pairs of each epoch, in the order the pipeline gives them."""
        pipeline = model.pipeline(Numbered.train, 4, shuffle_seed=seed)

        def pairs(xs, ys):
            return zip(xs.numpy().ravel(), ys.numpy().argmax(axis=1), strict=True)

        return [[(int(x), int(y)) for xs, ys in pipeline for x, y in pairs(xs, ys)] for _ in range(count)]

    first, second = epochs(seed=1)
    assert all(x == y for x, y in first) and sorted(x for x, _ in first) == list(range(10))
    assert first != second and sorted(second) == sorted(first)  # reshuffled each epoch
    assert epochs(seed=1) == [first, second] and epochs(seed=2)[0] != first
    in_order = [int(x) for xs, _ in model.pipeline(Numbered.val, 4) for x in xs.numpy().ravel()]
    assert in_order == list(range(10))
