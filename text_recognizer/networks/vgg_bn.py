"""VGG-style CNN with batch norm and built-in augmentation: the strong character classifier (0.44M parameters at
the defaults; the shipped one, with a 512-unit dense layer, has 0.75M)."""

import keras
from keras import layers

from text_recognizer.networks.blocks import conv_bn, image_input


def vgg_bn(
    input_shape: tuple[int, ...],
    output_shape: tuple[int, ...],
    width: int = 32,
    dense_size: int = 256,
    dropout_amount: float = 0.3,
    augment: bool = True,
) -> keras.Model:
    """Convolutions of width, two of 2*width, one of 4*width filters, each stage pooled. Augmentation acts only in
    training; `augment=False` (same weights) serves to fine-tune on unresampled images, as the test images are."""
    inputs, x = image_input(input_shape)
    if augment:
        x = layers.RandomRotation(0.03, fill_mode="constant")(x)
        x = layers.RandomTranslation(0.08, 0.08, fill_mode="constant")(x)
    x = conv_bn(x, width)
    x = layers.MaxPooling2D()(x)
    x = conv_bn(x, 2 * width)
    x = conv_bn(x, 2 * width)
    x = layers.MaxPooling2D()(x)
    x = conv_bn(x, 4 * width)
    x = layers.MaxPooling2D()(x)
    x = layers.Flatten()(x)
    x = layers.Dropout(dropout_amount)(x)
    x = layers.Dense(dense_size, use_bias=False)(x)
    x = layers.BatchNormalization()(x)
    x = layers.ReLU()(x)
    x = layers.Dropout(dropout_amount)(x)
    outputs = layers.Dense(output_shape[0], activation="softmax")(x)
    return keras.Model(inputs, outputs, name="vgg_bn")
