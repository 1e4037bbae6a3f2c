"""Multi-layer perceptron over the flattened image."""

import keras
from keras import layers

from text_recognizer.networks.blocks import image_input


def mlp(
    input_shape: tuple[int, ...],
    output_shape: tuple[int, ...],
    layer_size: int = 128,
    dropout_amount: float = 0.2,
    num_layers: int = 3,
) -> keras.Model:
    """`num_layers` dense ReLU layers of `layer_size` units with dropout, then a softmax over the classes."""
    inputs, x = image_input(input_shape)
    x = layers.Flatten()(x)
    for _ in range(num_layers):
        x = layers.Dense(layer_size, activation="relu")(x)
        x = layers.Dropout(dropout_amount)(x)
    outputs = layers.Dense(output_shape[0], activation="softmax")(x)
    return keras.Model(inputs, outputs, name="mlp")
