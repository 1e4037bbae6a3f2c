"""VGG-style CNN with batch norm: the strong character classifier (0.44M parameters at the defaults; the shipped one,
with a 512-unit dense layer, has 0.75M). Its training distortions are the dataset's (EmnistDataset `augmentation`)."""

import keras
from keras import layers

from text_recognizer.networks.blocks import conv_bn, image_input

MOVED_AUGMENT = (
    'network_args "augment" has moved to the dataset: pass "dataset_args": {"augmentation": {}} to EmnistDataset '
    "for the same random rotation and shift of training images (training/experiments/character_predictor.json)."
)


def vgg_bn(
    input_shape: tuple[int, ...],
    output_shape: tuple[int, ...],
    width: int = 32,
    dense_size: int = 256,
    dropout_amount: float = 0.3,
    augment: bool = False,
) -> keras.Model:
    """Convolutions of width, two of 2*width, one of 4*width filters, each stage pooled. `augment` is read only so
    that cards and configs written before augmentation moved to the dataset still load: false is accepted (the
    network never augments), true refused with where the setting went."""
    if augment:
        raise ValueError(MOVED_AUGMENT)
    inputs, x = image_input(input_shape)
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
