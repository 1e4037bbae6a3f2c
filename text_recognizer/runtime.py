"""Running a network for inference from its weights card: a traced TensorFlow function over batches."""

from collections.abc import Callable

import numpy as np

from text_recognizer import registry
from text_recognizer.cards import weights_file


def keras_runner(card: dict) -> Callable[[np.ndarray], np.ndarray]:
    """Rebuild the network named in the card, load its weights, and return a fast batch -> outputs function."""
    import tensorflow as tf

    network_fn = registry.resolve("network", card["network"])
    network = network_fn(tuple(card["input_shape"]), tuple(card["output_shape"]), **card["network_args"])
    network.load_weights(weights_file(card))
    signature = [tf.TensorSpec([None, *card["input_shape"]], tf.float32)]
    infer = tf.function(lambda x: network(x, training=False), input_signature=signature)
    return lambda batch: infer(tf.constant(batch, tf.float32)).numpy()
