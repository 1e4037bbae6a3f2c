"""LeNet-style CNN, as in the labs: two convolutions, pooling, one dense layer."""

import keras
from keras import layers

from text_recognizer.networks.blocks import image_input


def lenet(input_shape: tuple[int, ...], output_shape: tuple[int, ...], dropout_amount: float = 0.2) -> keras.Model:
    """Conv(32) -> Conv(64) -> MaxPool -> Dense(128) -> softmax."""
    inputs, x = image_input(input_shape)
    x = layers.Conv2D(32, 3, activation="relu")(x)
    x = layers.Conv2D(64, 3, activation="relu")(x)
    x = layers.MaxPooling2D()(x)
    x = layers.Dropout(dropout_amount)(x)
    x = layers.Flatten()(x)
    x = layers.Dense(128, activation="relu")(x)
    x = layers.Dropout(dropout_amount)(x)
    outputs = layers.Dense(output_shape[0], activation="softmax")(x)
    return keras.Model(inputs, outputs, name="lenet")
