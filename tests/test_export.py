"""ONNX export: shipped exports are current and agree with TensorFlow on real inputs; the CLI, --save and sequence
networks (LSTM, per-timestep softmax, dynamic batch) export too."""

import json
import shutil

import h5py
import keras
import numpy as np
import onnxruntime
import pytest
from keras import layers

from tests.conftest import SUPPORT, run_cli
from tests.serving import CHARACTER_CARD, CHARACTERS, SHIPPED, line_image
from text_recognizer.cards import load_card, weights_file, write_json_atomic
from text_recognizer.image_utils import normalize_character, normalize_line
from text_recognizer.line_fitting import fit_line_to_height
from text_recognizer.onnx_export import export_onnx
from text_recognizer.runtime import keras_runner, onnx_file, onnx_runner

SHIPPED_CARDS = sorted(path.stem for path in SHIPPED.glob("*.json"))


def metadata(path) -> dict[str, str]:
    return onnxruntime.InferenceSession(str(path)).get_modelmeta().custom_metadata_map


@pytest.mark.parametrize("stem", SHIPPED_CARDS)
def test_every_shipped_model_has_a_current_onnx_export_carrying_what_inference_needs(stem):
    card = load_card(SHIPPED / f"{stem}.json")
    assert card["onnx"]["file"] == onnx_file(card).name
    found = metadata(onnx_file(card))
    assert found["run_id"] == card["run_id"]
    assert json.loads(found["mapping"]) == card["mapping"]
    assert json.loads(found["input_shape"]) == card["input_shape"]
    assert json.loads(found["decoding"])["type"] in ("argmax", "ctc_greedy", "argmax_per_position")


def real_inputs(card: dict, tmp_path) -> np.ndarray:
    """Real EMNIST glyphs for a character model; a real handwritten line at its own width for a variable-width line
    model; a line of EMNIST glyphs fitted to the input for any other."""
    height, width = card["input_shape"][:2]
    if len(card["output_shape"]) == 1:
        return np.stack([normalize_character(path, height) for path in CHARACTERS])
    if width is None:
        return fit_line_to_height(next((SUPPORT / "real_lines").glob("iam_lines_*.png")), height, 2048)[None]
    return normalize_line(line_image(tmp_path / "line.png"), height, width)[None]


@pytest.mark.parametrize("stem", SHIPPED_CARDS)
def test_onnx_runtime_agrees_with_tensorflow_on_real_inputs(stem, tmp_path):
    card = load_card(SHIPPED / f"{stem}.json")
    batch = real_inputs(card, tmp_path).astype(np.float32)
    expected, found = keras_runner(card)(batch), onnx_runner(card)(batch)
    assert found.shape == expected.shape
    assert np.abs(found - expected).max() < 1e-4
    assert (found.argmax(-1) == expected.argmax(-1)).all()


@pytest.mark.slow
def test_export_command_writes_onnx_and_saved_model_beside_the_weights(tmp_path):
    card = load_card(SHIPPED / f"{CHARACTER_CARD}.json")
    shutil.copy(card["card_path"], tmp_path)
    weights = shutil.copy(SHIPPED / card["weights"], tmp_path)
    result = run_cli("training/export.py", str(weights), "--saved-model")
    assert result.returncode == 0, result.stderr
    exported = onnx_file(load_card(tmp_path / f"{CHARACTER_CARD}.json"))
    assert result.stdout.splitlines()[0] == str(exported)
    assert metadata(exported)["run_id"] == card["run_id"]
    assert (tmp_path / f"{CHARACTER_CARD}.saved_model" / "saved_model.pb").exists()


def test_export_command_names_a_missing_card(tmp_path):
    result = run_cli("training/export.py", str(tmp_path / "Nothing.weights.h5"))
    assert result.returncode == 2 and result.stderr.startswith("error: No weights card at")


def test_a_sequence_network_with_an_lstm_exports_with_a_dynamic_batch(tmp_path):
    inputs = keras.Input((28, 96))
    x = layers.Reshape((28, 96, 1))(layers.Rescaling(1 / 255)(inputs))
    x = layers.Conv2D(8, 3, padding="same", activation="relu")(x)
    x = layers.Reshape((24, 28 * 8 * 4))(layers.Permute((2, 1, 3))(x))
    x = layers.Bidirectional(layers.LSTM(16, return_sequences=True))(x)
    x = layers.Dropout(0.5)(x)
    network = keras.Model(inputs, layers.Dense(5, activation="softmax")(x))
    card = {
        "model": "LineModelCtc",
        "network": "test_lstm",
        "run_id": "test",
        "weights": "LineModelCtc_Test_lstm.weights.h5",
        "mapping": ["_", "a", "b", "c", "d"],
        "input_shape": [28, 96],
        "output_shape": [24, 5],
    }
    write_json_atomic(tmp_path / "LineModelCtc_Test_lstm.json", card)

    path = export_onnx(network, tmp_path / "LineModelCtc_Test_lstm.json")
    assert json.loads(metadata(path)["decoding"]) == {"type": "ctc_greedy"}
    run = onnx_runner(load_card(tmp_path / "LineModelCtc_Test_lstm.json"))
    for size in (1, 3):
        batch = np.random.default_rng(size).integers(0, 256, (size, 28, 96)).astype(np.float32)
        assert run(batch).shape == (size, 24, 5)
        assert np.abs(run(batch) - network(batch, training=False).numpy()).max() < 1e-4


@pytest.mark.slow
def test_save_writes_the_onnx_export_with_the_weights_and_no_optimizer_state(isolated_runs, emnist_cache):
    config = {
        "dataset": "EmnistDataset",
        "dataset_args": {"subsample_fraction": 0.01},
        "model": "CharacterModel",
        "network": "mlp",
        "train_args": {"epochs": 1},
    }
    result = run_cli("training/run_experiment.py", json.dumps(config), "--save", "--nowandb")
    assert result.returncode == 0, result.stderr
    card = load_card(isolated_runs / "weights" / "CharacterModel_EmnistDataset_mlp.json")
    shipped = json.loads((SHIPPED / "LineModel_EmnistLinesDataset_line_cnn_all_conv.json").read_text())
    assert list(card) == [*shipped, "card_path"]  # the same fields in the same order as the shipped cards
    assert card["weights"] == "CharacterModel_EmnistDataset_mlp.weights.h5" and card["input_shape"] == [28, 28]
    assert card["onnx"]["max_abs_difference_vs_tensorflow"] < 1e-4
    assert metadata(onnx_file(card))["run_id"] == card["run_id"]
    with h5py.File(weights_file(card)) as weights:
        assert "layers" in weights and "optimizer" not in weights


@pytest.mark.parametrize("stem", SHIPPED_CARDS)
def test_shipped_weights_hold_no_optimizer_state(stem):
    with h5py.File(weights_file(load_card(SHIPPED / f"{stem}.json"))) as weights:
        assert "optimizer" not in weights
