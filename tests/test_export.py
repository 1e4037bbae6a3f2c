"""ONNX export: shipped exports are current and agree with TensorFlow on real inputs; the CLI, --save and sequence
networks (LSTM, per-timestep softmax, dynamic batch) export too, their LSTM weights as int8 when asked."""

import json
import shutil
from pathlib import Path

import h5py
import keras
import numpy as np
import onnx
import onnxruntime
import pytest
from keras import layers

from tests.conftest import SUPPORT, run_cli
from tests.serving import CHARACTER_CARD, CHARACTERS, SHIPPED, line_image
from text_recognizer.cards import load_card, weights_file, write_json_atomic
from text_recognizer.errors import DataError
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
    # Int8 LSTM weights move a step's probabilities by a few hundredths; where two classes are close the mass can
    # shift further (0.24 at 1 of 169 steps of this line with s17, the same class still first), so steps are counted
    if "quantized" in card["onnx"]:
        assert (np.abs(found - expected).max(-1) > 0.1).mean() <= 0.02
        assert (found.argmax(-1) == expected.argmax(-1)).mean() >= 0.97
    else:
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


def tiny_lstm_card(folder) -> tuple[keras.Model, Path]:
    """A small CTC line network with a BiLSTM, and its card in `folder`."""
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
    write_json_atomic(folder / "LineModelCtc_Test_lstm.json", card)
    return network, folder / "LineModelCtc_Test_lstm.json"


def random_lines(size: int) -> np.ndarray:
    return np.random.default_rng(size).integers(0, 256, (size, 28, 96)).astype(np.float32)


def test_a_sequence_network_with_an_lstm_exports_with_a_dynamic_batch(tmp_path):
    network, card_file = tiny_lstm_card(tmp_path)
    path = export_onnx(network, card_file)
    assert json.loads(metadata(path)["decoding"]) == {"type": "ctc_greedy"}
    run = onnx_runner(load_card(card_file))
    for size in (1, 3):
        batch = random_lines(size)
        assert run(batch).shape == (size, 24, 5)
        assert np.abs(run(batch) - network(batch, training=False).numpy()).max() < 1e-4


def test_int8_lstm_export_stores_the_lstm_weights_as_int8_and_reads_close_to_float(tmp_path):
    network, card_file = tiny_lstm_card(tmp_path)
    float_size = export_onnx(network, card_file).stat().st_size
    path = export_onnx(network, card_file, int8_lstm=True)
    nodes = {node.op_type for node in onnx.load(str(path)).graph.node}
    assert "DynamicQuantizeLSTM" in nodes and "LSTM" not in nodes and "Conv" in nodes  # convolutions stay float
    assert path.stat().st_size < float_size
    card = load_card(card_file)
    assert card["onnx"]["quantized"]["op_types"] == ["LSTM"] and card["onnx"]["quantized"]["weights"] == "int8"
    assert metadata(path)["run_id"] == "test"
    batch = random_lines(3)
    difference = np.abs(onnx_runner(card)(batch) - network(batch, training=False).numpy()).max()
    assert 1e-6 < difference < 0.05
    assert difference <= 10 * card["onnx"]["quantized"]["max_abs_difference_vs_float"]


def test_int8_lstm_export_of_a_network_without_lstms_is_refused_and_keeps_the_export_there(tmp_path):
    network, card_file = tiny_lstm_card(tmp_path)
    path = export_onnx(network, card_file)
    before, card_before = path.read_bytes(), card_file.read_text()
    inputs = keras.Input((28, 96))
    x = layers.Reshape((24, 28 * 4))(layers.Permute((2, 1))(inputs))
    convolutional = keras.Model(inputs, layers.Dense(5, activation="softmax")(x))
    with pytest.raises(DataError, match="no LSTM layers"):
        export_onnx(convolutional, card_file, int8_lstm=True)
    assert path.read_bytes() == before and card_file.read_text() == card_before
    assert [p.name for p in tmp_path.iterdir() if ".part" in p.name] == []


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
