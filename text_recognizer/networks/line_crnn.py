"""Residual CNN + bidirectional LSTM for CTC, after the CTC tutorial seed, sized for 28-pixel lines."""

import keras
from keras import layers

from text_recognizer.networks.blocks import conv_bn, image_input, residual_block, sequence_head


def line_crnn(
    input_shape: tuple[int, ...],
    output_shape: tuple[int, ...],
    width: int = 32,
    lstm_dim: int = 128,
    dropout_amount: float = 0.25,
) -> keras.Model:
    """Residual blocks downsample to 1/8 of the width; each column of features is one time step."""
    inputs, x = image_input(input_shape)
    x = conv_bn(x, width // 2, strides=2)
    x = residual_block(x, width, strides=2, dropout_amount=dropout_amount / 2)
    x = residual_block(x, width)
    x = residual_block(x, 2 * width, strides=(1, 2), dropout_amount=dropout_amount / 2)
    x = layers.Permute((2, 1, 3))(x)  # (columns, rows, channels)
    x = layers.Reshape((x.shape[1], x.shape[2] * x.shape[3]))(x)
    x = layers.Dense(2 * width * 2, activation="relu")(x)
    outputs = sequence_head(x, output_shape[-1], lstm_dim, dropout_amount)
    return keras.Model(inputs, outputs, name="line_crnn")
