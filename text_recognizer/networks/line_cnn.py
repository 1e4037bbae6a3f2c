"""Fixed-length line readers: one character per 28-pixel slot, read by a small CNN (the labs' second lab)."""

import keras
from keras import layers

from text_recognizer.networks.blocks import conv_bn, image_input


def line_cnn_all_conv(
    input_shape: tuple[int, ...], output_shape: tuple[int, ...], conv_dim: int = 128, dropout_amount: float = 0.3
) -> keras.Model:
    """A per-slot CNN written with convolutions only: the last one spans a slot and strides by one slot."""
    length, num_classes = output_shape
    slot = input_shape[1] // length
    inputs, x = image_input(input_shape)
    x = conv_bn(x, 16)
    x = layers.MaxPooling2D()(x)
    x = conv_bn(x, 32)
    x = conv_bn(x, 64)
    x = layers.MaxPooling2D()(x)
    height, slot_width = x.shape[1], slot // 4
    x = layers.Conv2D(conv_dim, (height, slot_width), strides=(1, slot_width), activation="relu")(x)
    x = layers.Dropout(dropout_amount)(x)
    x = layers.Conv2D(num_classes, 1, activation="softmax")(x)
    outputs = layers.Reshape((length, num_classes))(x)
    return keras.Model(inputs, outputs, name="line_cnn_all_conv")


def line_cnn_time_distributed(
    input_shape: tuple[int, ...], output_shape: tuple[int, ...], conv_dim: int = 128, dropout_amount: float = 0.3
) -> keras.Model:
    """The same reader as a character CNN applied to each slot with TimeDistributed."""
    length, num_classes = output_shape
    height, slot = input_shape[0], input_shape[1] // length
    inputs, x = image_input(input_shape)
    x = layers.Reshape((height, length, slot, 1))(x)
    x = layers.Permute((2, 1, 3, 4))(x)  # (length, height, slot, 1): one small image per slot

    character_cnn = keras.Sequential(
        [
            keras.Input((height, slot, 1)),
            layers.Conv2D(16, 3, padding="same", activation="relu"),
            layers.MaxPooling2D(),
            layers.Conv2D(32, 3, padding="same", activation="relu"),
            layers.Conv2D(64, 3, padding="same", activation="relu"),
            layers.MaxPooling2D(),
            layers.Flatten(),
            layers.Dense(conv_dim, activation="relu"),
            layers.Dropout(dropout_amount),
            layers.Dense(num_classes, activation="softmax"),
        ],
        name="character_cnn",
    )
    outputs = layers.TimeDistributed(character_cnn)(x)
    return keras.Model(inputs, outputs, name="line_cnn_time_distributed")
