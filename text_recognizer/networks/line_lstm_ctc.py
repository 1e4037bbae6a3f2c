"""Sliding-window CNN features + bidirectional LSTM, trained with CTC (the labs' third lab)."""

import keras
from keras import layers

from text_recognizer.networks.blocks import conv_bn, image_input, sequence_head


def line_lstm_ctc(
    input_shape: tuple[int, ...],
    output_shape: tuple[int, ...],
    window_width: int = 28,
    window_stride: int = 12,
    conv_dim: int = 128,
    lstm_dim: int = 128,
    dropout_amount: float = 0.25,
) -> keras.Model:
    """CNN over the line, then a convolution spanning one window and striding by `window_stride` pixels.

    Each window becomes one time step (T = (width - window_width) / window_stride + 1) read by a BiLSTM.
    Window width and stride are in input pixels and must be multiples of 4 (the CNN pools twice).
    """
    if window_width % 4 or window_stride % 4:
        raise ValueError(f"window_width and window_stride must be multiples of 4, got {window_width}, {window_stride}")
    inputs, x = image_input(input_shape)
    x = conv_bn(x, 16)
    x = layers.MaxPooling2D()(x)
    x = conv_bn(x, 32)
    x = layers.MaxPooling2D()(x)
    x = layers.Conv2D(conv_dim, (x.shape[1], window_width // 4), strides=(1, window_stride // 4), activation="relu")(x)
    x = layers.Reshape((x.shape[2], conv_dim))(x)
    outputs = sequence_head(x, output_shape[-1], lstm_dim, dropout_amount)
    return keras.Model(inputs, outputs, name="line_lstm_ctc")
