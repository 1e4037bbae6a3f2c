"""Training on real lines of their own widths end to end: a tiny CRNN trained and shipped with its ONNX export, read
back by LinePredictor, and fine-tuned to another alphabet keeping the shared characters' output weights, then
shipped after the run with training/ship_run.py."""

import json

import numpy as np
import pytest

from tests.conftest import run_cli
from tests.test_handwriting_lines import write_corpus


def tiny_config(folder) -> dict:
    return {
        "dataset": "HandwritingLinesDataset",
        "dataset_args": {"corpora": {"copiste_fr": 1}, "paths": {"copiste_fr": str(folder)}, "height": 32},
        "model": "LineModelCtc",
        "network": "handwriting_crnn",
        "network_args": {"filters": [4, 4, 4, 4, 4], "lstm_dim": 8, "lstm_layers": 1},
        "train_args": {"batch_size": 4, "epochs": 1},
    }


def output_bias(card: dict) -> np.ndarray:
    """The bias of the card's network's output layer."""
    from text_recognizer.runtime import build_network

    return build_network(card).layers[-1].get_weights()[1]


@pytest.mark.slow
def test_tiny_real_line_model_trains_ships_reads_and_changes_alphabet(tmp_path, isolated_runs):
    rows = [(f"{i}.png", text, f"w{i % 4}") for i, text in enumerate(["ab ba", "ba ab", "aab", "bba"] * 3)]
    first = tiny_config(write_corpus(tmp_path / "ab", rows))
    trained = run_cli("training/run_experiment.py", json.dumps(first), "--save", "--nowandb")
    assert trained.returncode == 0, trained.stderr
    card_path = isolated_runs / "weights" / "LineModelCtc_HandwritingLinesDataset_handwriting_crnn.json"
    card = json.loads(card_path.read_text())
    assert card["input_shape"] == [32, None] and card["onnx"]["max_abs_difference_vs_tensorflow"] < 1e-4
    assert card["data"]["split_groups"]["copiste_fr"]["test"]

    from text_recognizer.line_predictor import LinePredictor

    predictor = LinePredictor(card_path, backend="onnx")
    images = sorted((tmp_path / "ab" / "images").iterdir())[:3]
    read = predictor.predict_batch(images)
    assert len(read) == 3 and all(set(text) <= set(" ab") and 0 < confidence <= 1 for text, confidence in read)

    rows = [(f"{i}.png", text, f"w{i % 4}") for i, text in enumerate(["ab ca", "ca ab", "cab", "bca"] * 3)]
    second = {**tiny_config(write_corpus(tmp_path / "abc", rows)), "init_from": str(card_path)}
    old_mapping, old_bias = card["mapping"], output_bias({**card, "card_path": str(card_path)})
    one_epoch = json.dumps({**second, "train_args": {"epochs": 1}})
    tuned = run_cli("training/run_experiment.py", one_epoch, "--nowandb", "--run-id", "abc")
    assert tuned.returncode == 0, tuned.stderr
    assert "new characters: ['c']" in tuned.stdout + tuned.stderr

    from text_recognizer.networks.handwriting_crnn import handwriting_crnn
    from training.warm_start import load_parent_weights  # the same load, inspected directly

    new_mapping = ["<B>", " ", "a", "b", "c"]
    network = handwriting_crnn((32, None), (8, len(new_mapping)), **second["network_args"])
    assert load_parent_weights(network, {**card, "card_path": str(card_path)}, new_mapping) == ["c"]
    bias = network.layers[-1].get_weights()[1]
    for char in old_mapping:
        assert bias[new_mapping.index(char)] == pytest.approx(old_bias[old_mapping.index(char)])

    shipped = run_cli("training/ship_run.py", "abc")  # trained without --save, shipped once its figures say so
    assert shipped.returncode == 0, shipped.stderr
    abc_card = json.loads(card_path.read_text())
    assert abc_card["run_id"] == "abc" and abc_card["parent"]["run_id"] == card["run_id"]
    assert "c" in abc_card["mapping"] and abc_card["metrics"]["test_cer"] >= 0
    again = run_cli("training/ship_run.py", "abc")
    assert again.returncode == 2 and "is the one" in again.stderr
