"""Random distortions of line images in the tf.data pipeline: small affine warps, thinner or thicker strokes,
brightness and blur. Settings come from the dataset's "augmentation" argument; TensorFlow is imported only to run them.

    "augmentation": {}                                  every distortion at its default strength
    "augmentation": {"blur": 0, "shear": 0.5}           blur off, stronger slant, the rest at defaults
"""

import math

from text_recognizer.errors import DataError

DEFAULTS = {
    "rotation": 1.0,  # degrees, either way, about the middle of the line's left edge
    "shear": 0.3,  # horizontal shift per row (slant), either way
    "scale": 0.1,  # relative zoom, either way
    "translate": 0.1,  # shift in both directions, as a fraction of the line height
    "morphology": 0.3,  # probability of eroding or dilating the strokes (half each)
    "brightness": 0.3,  # relative change of ink intensity, either way
    "blur": 0.2,  # probability of a 3x3 Gaussian blur
}
PROBABILITIES = ("morphology", "blur")


def augmentation_settings(given: dict | None) -> dict[str, float] | None:
    """Checked settings with defaults filled in; None means no augmentation."""
    return checked_settings(given, DEFAULTS, PROBABILITIES)


def checked_settings(given: dict | None, defaults: dict, fractions: tuple[str, ...]) -> dict[str, float] | None:
    """`given` augmentation settings checked against `defaults` (the settings in `fractions` are at most 1), with
    the defaults filled in; None stays None (no augmentation)."""
    if given is None:
        return None
    unknown = sorted(set(given) - defaults.keys())
    if unknown:
        raise DataError(f"Unknown augmentation setting {unknown[0]!r}. Valid: {', '.join(defaults)} (0 turns one off).")
    for key, value in given.items():
        limit = 1 if key in fractions else math.inf
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= limit:
            raise DataError(f"augmentation {key!r} must be a number from 0 to {limit}, got {value!r}.")
    return {**defaults, **given}


def augment_lines(images, settings: dict[str, float]):
    """A randomly distorted copy of a batch of line images (batch, height, width), as float32 in 0..255."""
    import tensorflow as tf

    x = tf.cast(images, tf.float32)[..., None]
    batch, height = tf.shape(x)[0], x.shape[1]

    def uniform(limit: float):
        return tf.random.uniform([batch], -limit, limit)

    angle = uniform(math.radians(settings["rotation"]))
    scale = 1.0 + uniform(settings["scale"])
    shear = uniform(settings["shear"])
    shift_x, shift_y = uniform(settings["translate"] * height), uniform(settings["translate"] * height)
    center = height / 2
    a0, a1 = tf.cos(angle) / scale, -tf.sin(angle) / scale + shear
    b0, b1 = tf.sin(angle) / scale, tf.cos(angle) / scale
    zeros = tf.zeros([batch])
    transforms = tf.stack([a0, a1, shift_x - a1 * center, b0, b1, center + shift_y - b1 * center, zeros, zeros], 1)
    x = tf.raw_ops.ImageProjectiveTransformV3(
        images=x,
        transforms=transforms,
        output_shape=tf.shape(x)[1:3],
        fill_value=0.0,
        interpolation="BILINEAR",
        fill_mode="CONSTANT",
    )
    draw = tf.random.uniform([batch])
    thicker, thinner = tf.nn.max_pool2d(x, 2, 1, "SAME"), -tf.nn.max_pool2d(-x, 2, 1, "SAME")
    x = _where(draw < settings["morphology"] / 2, thicker, _where(draw < settings["morphology"], thinner, x))
    x = x * (1.0 + uniform(settings["brightness"]))[:, None, None, None]
    kernel = tf.constant([[1.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 1.0]])[:, :, None, None] / 16.0
    x = _where(tf.random.uniform([batch]) < settings["blur"], tf.nn.conv2d(x, kernel, 1, "SAME"), x)
    return tf.clip_by_value(x[..., 0], 0.0, 255.0)


def _where(condition, changed, unchanged):
    """Per image of the batch: `changed` where the condition holds."""
    import tensorflow as tf

    return tf.where(condition[:, None, None, None], changed, unchanged)
