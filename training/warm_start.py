"""Starting a network from a weights card's weights, also when the alphabet changed (fine-tuning to a new charset)."""

import keras
import numpy as np

from text_recognizer.cards import weights_file
from text_recognizer.errors import ConfigError
from text_recognizer.runtime import build_network


def load_parent_weights(network: keras.Model, card: dict, mapping: list[str]) -> list[str]:
    """Load the card's weights into `network`. With another mapping, every layer but the output is copied as is and
    the output layer keeps the weights of the characters both mappings share; the others start as initialised.
    Returns the characters that start fresh."""
    if card["mapping"] == mapping:
        network.load_weights(weights_file(card))
        return []
    parent = build_network(card)
    output = network.layers[-1]
    for ours, theirs in zip(network.layers, parent.layers, strict=True):
        old, new = theirs.get_weights(), ours.get_weights()
        if [w.shape for w in old] == [w.shape for w in new]:
            ours.set_weights(old)
        elif ours is output and len(old) == len(new):
            ours.set_weights(_shared_columns(old, new, card["mapping"], mapping))
        else:
            raise ConfigError(f"init_from: layer {ours.name} has other shapes than the card's; only the output may.")
    return [char for char in mapping if char not in card["mapping"]]


def _shared_columns(old: list[np.ndarray], new: list[np.ndarray], old_mapping: list[str], mapping: list[str]):
    """The new output weights with the columns (last axis) of shared characters taken from the old ones."""
    where = {char: i for i, char in enumerate(old_mapping)}
    shared = [(column, where[char]) for column, char in enumerate(mapping) if char in where]
    columns, sources = (np.array(indices) for indices in zip(*shared, strict=True))
    for weight, previous in zip(new, old, strict=True):
        weight[..., columns] = previous[..., sources]
    return new
