"""A CRNN for real handwritten lines of any width: a conv-bn stack that keeps 1/4 of the width, then BiLSTMs."""

import keras
from keras import layers

from text_recognizer.networks.blocks import conv_bn, grown_lstm, image_input


def handwriting_crnn(
    input_shape: tuple[int | None, ...],
    output_shape: tuple[int, ...],
    filters: tuple = (16, 32, 48, 64, 80),
    lstm_dim: int = 128,
    lstm_layers: int = 2,
    dropout_amount: float = 0.2,
    grown_lstm_layers: int = 0,
) -> keras.Model:
    """Five conv-bn blocks pool the height to 1/16 and the width to 1/4 (one step per 4 pixels); each column of
    features is a time step of the bidirectional LSTMs; a softmax per step over the classes (0 = CTC blank).
    `grown_lstm_layers` residual BiLSTM layers (blocks.grown_lstm) follow: a card's network, trained without them,
    grows by them through init_from."""
    height = input_shape[0]
    inputs, x = image_input(input_shape)
    pools = [(2, 2), (2, 2), (2, 1), (2, 1), (1, 1)]
    for count, pool in zip(filters, pools, strict=True):
        x = conv_bn(x, count)
        if pool != (1, 1):
            x = layers.MaxPooling2D(pool)(x)
    x = layers.Permute((2, 1, 3))(x)  # (columns, rows, channels)
    x = layers.Reshape((-1, (height // 16) * filters[-1]))(x)
    for _ in range(lstm_layers):
        x = layers.Dropout(dropout_amount)(x)
        x = layers.Bidirectional(layers.LSTM(lstm_dim, return_sequences=True))(x)
    for index in range(grown_lstm_layers):
        x = grown_lstm(x, lstm_dim, dropout_amount, index + 1)
    x = layers.Dropout(dropout_amount)(x)
    outputs = layers.Dense(output_shape[-1], activation="softmax")(x)
    return keras.Model(inputs, outputs, name="handwriting_crnn")
