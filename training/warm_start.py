"""Starting a network from a weights card's weights, also when the alphabet changed (fine-tuning to a new charset) or
the network grew (more layers on top)."""

import keras
import numpy as np

from text_recognizer.errors import ConfigError
from text_recognizer.networks.blocks import GROWN_PREFIX
from text_recognizer.runtime import build_network


def load_parent_weights(network: keras.Model, card: dict, mapping: list[str]) -> list[str]:
    """Load the card's weights into `network`. With another mapping, every layer but the output is copied as is and
    the output layer keeps the weights of the characters both mappings share; the others start as initialised.
    A network grown from the card's (more layers named GROWN_PREFIX..., which start leaving its outputs as they were)
    takes the card's weights in every layer the card has; the layers it adds start as initialised.
    Returns the characters that start fresh."""
    parent = build_network(card)
    ours, theirs = _layers(network), _layers(parent)
    if len(theirs["grown"]) > len(ours["grown"]):
        raise ConfigError(
            f"init_from: the card's network has grown_lstm_layers {_blocks(theirs['grown'])}, this one "
            f"{_blocks(ours['grown'])}; a network may grow from a card, not shrink."
        )
    pairs = zip(ours["base"] + ours["grown"][: len(theirs["grown"])], theirs["base"] + theirs["grown"], strict=True)
    output = network.layers[-1]
    for mine, its in pairs:
        old, new = its.get_weights(), mine.get_weights()
        if [w.shape for w in old] == [w.shape for w in new]:
            mine.set_weights(old)
        elif mine is output and len(old) == len(new):
            mine.set_weights(_shared_columns(old, new, card["mapping"], mapping))
        else:
            raise ConfigError(f"init_from: layer {mine.name} has other shapes than the card's; only the output may.")
    return [char for char in mapping if char not in card["mapping"]]


def _layers(network: keras.Model) -> dict[str, list[keras.layers.Layer]]:
    """The network's layers in order: those it grew by (GROWN_PREFIX), and the others."""
    grown = [layer for layer in network.layers if layer.name.startswith(GROWN_PREFIX)]
    return {"grown": grown, "base": [layer for layer in network.layers if layer not in grown]}


def _blocks(grown: list[keras.layers.Layer]) -> int:
    """How many grown blocks the layers make (grown_1_lstm, grown_1_add, ...: block grown_1)."""
    return len({layer.name.rsplit("_", 1)[0] for layer in grown})


def _shared_columns(old: list[np.ndarray], new: list[np.ndarray], old_mapping: list[str], mapping: list[str]):
    """The new output weights with the columns (last axis) of shared characters taken from the old ones."""
    where = {char: i for i, char in enumerate(old_mapping)}
    shared = [(column, where[char]) for column, char in enumerate(mapping) if char in where]
    columns, sources = (np.array(indices) for indices in zip(*shared, strict=True))
    for weight, previous in zip(new, old, strict=True):
        weight[..., columns] = previous[..., sources]
    return new
