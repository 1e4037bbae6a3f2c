"""Building blocks shared by the networks."""

import keras
from keras import layers


def image_input(input_shape: tuple[int, ...]) -> tuple[keras.KerasTensor, keras.KerasTensor]:
    """The model input (0-255 pixels) and the same image scaled to 0-1 with a channel axis."""
    inputs = keras.Input(shape=input_shape)
    x = layers.Rescaling(1 / 255)(inputs)
    shape = tuple(-1 if size is None else size for size in input_shape)  # a variable width stays variable
    return inputs, (layers.Reshape((*shape, 1))(x) if len(input_shape) == 2 else x)


def conv_bn(x, filters: int, kernel_size=3, strides=1):
    """Convolution, batch norm, ReLU."""
    x = layers.Conv2D(filters, kernel_size, strides=strides, padding="same", use_bias=False)(x)
    x = layers.BatchNormalization()(x)
    return layers.ReLU()(x)


def residual_block(x, filters: int, strides=1, dropout_amount: float = 0.0):
    """Two 3x3 conv-bn layers with a skip connection (projected when the shape changes), as in the CTC seed."""
    shortcut = x
    y = conv_bn(x, filters, strides=strides)
    y = layers.Conv2D(filters, 3, padding="same", use_bias=False)(y)
    y = layers.BatchNormalization()(y)
    if strides != 1 or x.shape[-1] != filters:
        shortcut = layers.Conv2D(filters, 1, use_bias=False)(subsample(x, strides))
    y = layers.ReLU()(layers.Add()([y, shortcut]))
    return layers.Dropout(dropout_amount)(y) if dropout_amount else y


def subsample(x, strides):
    """Every `strides`-th row and column, as a strided 1x1 convolution reads them.

    A 1x1 convolution of this equals the strided one, same weights and outputs, but trains safely: TF 2.21's oneDNN
    gradient of a strided 1x1 convolution with fewer than 16 input channels (jit_1x1 backward_weights) writes past its
    buffer and corrupts the heap (oneDNN issue 6035), killing training on Intel and AMD alike.
    """
    rows, columns = (strides, strides) if isinstance(strides, int) else strides
    return x if (rows, columns) == (1, 1) else x[:, ::rows, ::columns, :]


GROWN_PREFIX = "grown_"  # names of the layers a network grows by (grown_lstm)


def grown_lstm(x, lstm_dim: int, dropout_amount: float, index: int):
    """A BiLSTM whose output, projected by a Dense that starts at zero, is added to its input (batch, T, F): on top
    of a trained network it changes nothing until it trains, so a network can grow from its card by such layers
    (training/warm_start.py)."""
    name = f"{GROWN_PREFIX}{index}"
    y = layers.Dropout(dropout_amount, name=f"{name}_dropout")(x)
    y = layers.Bidirectional(layers.LSTM(lstm_dim, return_sequences=True), name=f"{name}_lstm")(y)
    y = layers.Dense(x.shape[-1], kernel_initializer="zeros", name=f"{name}_projection")(y)
    return layers.Add(name=f"{name}_add")([x, y])


def sequence_head(x, num_classes: int, lstm_dim: int, dropout_amount: float):
    """Per-step features (batch, T, F) -> BiLSTM -> per-step softmax over the classes (index 0 = CTC blank)."""
    x = layers.Dropout(dropout_amount)(x)
    x = layers.Bidirectional(layers.LSTM(lstm_dim, return_sequences=True))(x)
    x = layers.Dropout(dropout_amount)(x)
    return layers.Dense(num_classes, activation="softmax")(x)
