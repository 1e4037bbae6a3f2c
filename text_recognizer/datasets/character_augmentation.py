"""Random distortions of character images in the tf.data pipeline: a small rotation, then a small shift, each
resampled bilinearly with black fill by Keras's RandomRotation and RandomTranslation layers (until the dataset took
them over, the vgg_bn network held these same layers). TensorFlow is imported only to run them.

    "augmentation": {}                       both at their default strength
    "augmentation": {"rotation": 0}          shifts only
"""

from functools import cached_property

from text_recognizer.datasets.line_augmentation import checked_settings

DEFAULTS = {
    "rotation": 0.03,  # fraction of a full turn, either way (0.03: up to 10.8 degrees)
    "translate": 0.08,  # fraction of the image's height and of its width, either way
}


def augmentation_settings(given: dict | None) -> dict[str, float] | None:
    """Checked settings with defaults filled in; None means no augmentation."""
    return checked_settings(given, DEFAULTS, tuple(DEFAULTS))


class CharacterAugmentation:
    """Distorts batches of (batch, height, width) images; each image gets its own random rotation and shift."""

    def __init__(self, settings: dict[str, float]):
        self.settings = settings

    @cached_property
    def layers(self) -> list:
        """Made on first use, outside any traced function: the layers hold their random generators' state."""
        import keras
        import tensorflow as tf

        with tf.init_scope():
            return [
                keras.layers.RandomRotation(self.settings["rotation"], fill_mode="constant"),
                keras.layers.RandomTranslation(self.settings["translate"], self.settings["translate"], "constant"),
            ]

    def __call__(self, images):
        x = images[..., None]
        for layer in self.layers:
            x = layer(x, training=True)
        return x[..., 0]
