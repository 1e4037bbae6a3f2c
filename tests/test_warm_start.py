"""A line network grown from its card by residual BiLSTM layers reads as the card's did until it trains; shrinking
or a base that does not match is refused with a clear error."""

import numpy as np
import pytest

from text_recognizer.errors import ConfigError

ARGS = {"filters": [4, 4, 4, 4, 4], "lstm_dim": 8, "lstm_layers": 1}
MAPPING = ["<B>", " ", "a", "b"]


def tiny(**extra):
    from text_recognizer.networks.handwriting_crnn import handwriting_crnn

    return handwriting_crnn((32, None), (8, len(MAPPING)), **{**ARGS, **extra})


def card_of(network, folder, **extra) -> dict:
    """A weights card of `network` (as shipping writes one, the fields warm starting reads)."""
    network.save_weights(folder / "tiny.weights.h5")
    return {
        "network": "handwriting_crnn",
        "network_args": {**ARGS, **extra},
        "input_shape": [32, None],
        "output_shape": [8, len(MAPPING)],
        "mapping": MAPPING,
        "weights": "tiny.weights.h5",
        "card_path": str(folder / "tiny.json"),
    }


def lines() -> np.ndarray:
    return np.random.default_rng(0).uniform(0, 255, (2, 32, 64)).astype(np.float32)


def test_a_grown_network_reads_as_its_card_until_it_trains(tmp_path):
    from training.warm_start import load_parent_weights

    parent = tiny()
    parent.layers[-1].set_weights([w + 0.5 for w in parent.layers[-1].get_weights()])  # not the initial weights
    grown = tiny(grown_lstm_layers=2)
    assert grown.count_params() > parent.count_params()
    assert not np.allclose(grown(lines()), parent(lines()))
    assert load_parent_weights(grown, card_of(parent, tmp_path), MAPPING) == []
    np.testing.assert_allclose(grown(lines()), parent(lines()), atol=1e-6)


def test_a_grown_card_grows_further_keeping_its_grown_layers(tmp_path):
    from training.warm_start import load_parent_weights

    parent = tiny(grown_lstm_layers=1)
    projection = next(layer for layer in parent.layers if layer.name == "grown_1_projection")
    projection.set_weights([np.full_like(w, 0.1) for w in projection.get_weights()])  # as if trained
    grown = tiny(grown_lstm_layers=2)
    load_parent_weights(grown, card_of(parent, tmp_path, grown_lstm_layers=1), MAPPING)
    np.testing.assert_allclose(grown(lines()), parent(lines()), atol=1e-6)


def test_a_network_cannot_shrink_or_change_its_base(tmp_path):
    from training.warm_start import load_parent_weights

    card = card_of(tiny(grown_lstm_layers=1), tmp_path, grown_lstm_layers=1)
    with pytest.raises(ConfigError, match="grown_lstm_layers 1, this one 0; a network may grow"):
        load_parent_weights(tiny(), card, MAPPING)
    with pytest.raises(ConfigError, match="other shapes"):
        load_parent_weights(tiny(grown_lstm_layers=1, lstm_dim=6), card, MAPPING)
