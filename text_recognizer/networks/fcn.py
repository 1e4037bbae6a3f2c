"""Fully convolutional segmentation network: a small U-Net that labels every pixel of a page (line detection)."""

import keras
from keras import layers


def conv_bn(x, filters: int, dilation: int = 1, strides: int = 1):
    """3x3 convolution, batch norm, ReLU."""
    x = layers.Conv2D(filters, 3, strides=strides, padding="same", dilation_rate=dilation, use_bias=False)(x)
    x = layers.BatchNormalization()(x)
    return layers.ReLU()(x)


def fcn(input_shape: tuple[int, ...], output_shape: tuple[int, ...], width: int = 16, levels: int = 3) -> keras.Model:
    """A strided stem to half resolution, `levels` pooled stages, a dilated bottleneck, and additive skips back up.

    Output: a per-pixel softmax over output_shape[-1] classes at the input resolution. At the defaults the receptive
    field spans a 256-pixel page, so a line's label can depend on the lines around it.
    """
    inputs = keras.Input(shape=input_shape)
    x = layers.Rescaling(1 / 255)(inputs)
    x = layers.Reshape((*input_shape, 1))(x) if len(input_shape) == 2 else x
    x = conv_bn(x, width, strides=2)
    widths = [width * min(4, 2 + level) for level in range(levels)]
    skips = [x]
    for filters in widths:
        x = conv_bn(layers.MaxPooling2D()(x), filters)
        skips.append(x)
    for dilation in (2, 4):
        x = conv_bn(x, widths[-1], dilation=dilation)
    for filters, skip in zip([*reversed(widths[:-1]), width], reversed(skips[:-1]), strict=True):
        x = layers.Conv2D(filters, 1, use_bias=False)(layers.UpSampling2D()(x))
        x = layers.Add()([x, skip])
        x = conv_bn(x, filters) if filters != width else layers.ReLU()(x)
    x = layers.Conv2D(output_shape[-1], 1)(x)
    x = layers.UpSampling2D(interpolation="bilinear")(x)
    outputs = layers.Softmax()(x)
    return keras.Model(inputs, outputs, name="fcn")
