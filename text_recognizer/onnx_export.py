"""Exporting a Keras network to ONNX beside its weights, with what inference needs in the file's metadata."""

import json
import os
import warnings
from pathlib import Path
from typing import Any

import keras
import numpy as np
import onnx
import tensorflow as tf

from text_recognizer.cards import load_card, write_json_atomic
from text_recognizer.errors import DataError
from text_recognizer.runtime import onnx_file, onnx_runner

PARITY_TOLERANCE = 1e-4
INT8_LSTM = {"op_types": ["LSTM"], "weights": "int8", "method": "onnxruntime quantize_dynamic"}


class InferenceNetwork(keras.Model):
    """Calls the wrapped network with training=False, so augmentation and dropout stay out of the exported graph."""

    def __init__(self, network: keras.Model):
        super().__init__(name=f"{network.name}_inference")
        self.network = network

    def call(self, inputs):
        return self.network(inputs, training=False)


def decoding(card: dict[str, Any]) -> dict[str, Any]:
    """How outputs become text: the card's own `decoding` if it has one, else what its output shape implies."""
    if "decoding" in card:
        return card["decoding"]
    if len(card["output_shape"]) == 1:
        return {"type": "argmax"}
    return {"type": "ctc_greedy" if "Ctc" in card["model"] else "argmax_per_position"}


def metadata(card: dict[str, Any]) -> dict[str, str]:
    """ONNX metadata_props: everything a predictor needs besides the graph, as strings."""
    return {
        "model": card["model"],
        "network": card["network"],
        "run_id": str(card.get("run_id")),
        "mapping": json.dumps(card["mapping"]),
        "input_shape": json.dumps(card["input_shape"]),
        "output_shape": json.dumps(card["output_shape"]),
        "decoding": json.dumps(decoding(card)),
    }


def signature(card: dict[str, Any]) -> list[tf.TensorSpec]:
    """One float32 image batch of the card's input shape; the batch dimension stays dynamic."""
    return [tf.TensorSpec([None, *card["input_shape"]], tf.float32, name="image")]


def sample_shape(card: dict[str, Any], batch: int = 2) -> tuple[int, ...]:
    """A concrete batch shape for the card's input: a variable width (None) becomes 256 pixels."""
    return (batch, *(256 if size is None else size for size in card["input_shape"]))


def export_onnx(network: keras.Model, card_file: Path, int8_lstm: bool = False) -> Path:
    """Write `<stem>.onnx` beside the card's weights (batch dimension dynamic), check it against TensorFlow, and
    record it in the card; returns the ONNX path. `int8_lstm`: then store the LSTM layers' weights as int8
    (int8_lstm_weights), recording how far the outputs moved."""
    card = load_card(card_file)
    path = onnx_file(card)
    partial = path.with_name(path.stem + ".part.onnx")
    wrapper = InferenceNetwork(network)
    sample = np.random.default_rng(0).integers(0, 256, sample_shape(card)).astype(np.float32)
    expected = wrapper(sample).numpy()  # also builds the wrapper, which export requires
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # numpy 2 shims inside keras' tf2onnx patch
        wrapper.export(str(partial), format="onnx", input_signature=signature(card), verbose=False)
    exported = onnx.load(str(partial))
    if int8_lstm and not any(node.op_type == "LSTM" for node in exported.graph.node):
        partial.unlink()
        raise DataError(f"{card['network']} has no LSTM layers to store as int8; export it without int8_lstm.")
    onnx.helper.set_model_props(exported, metadata(card))
    onnx.save(exported, str(partial))
    os.replace(partial, path)

    difference = float(np.abs(onnx_runner(card)(sample) - expected).max())
    if difference > PARITY_TOLERANCE:
        raise RuntimeError(f"{path} disagrees with TensorFlow by {difference:.2e} (> {PARITY_TOLERANCE:.0e}).")
    opset = next(entry.version for entry in exported.opset_import if entry.domain in ("", "ai.onnx"))
    record = {"file": path.name, "opset": opset, "max_abs_difference_vs_tensorflow": difference}
    if int8_lstm:
        int8_lstm_weights(path)
        moved = float(np.abs(onnx_runner(card)(sample) - expected).max())
        record["quantized"] = {**INT8_LSTM, "max_abs_difference_vs_float": moved}
    stored = {key: value for key, value in card.items() if key != "card_path"}
    write_json_atomic(Path(card["card_path"]), {**stored, "onnx": record})
    return path


def int8_lstm_weights(path: Path) -> None:
    """Store the LSTM layers' weights in an ONNX file as int8 (dynamic quantization: activations are quantized per
    batch as it runs). Convolutions stay float: ONNX Runtime's int8 convolutions ran 3x slower here. On the
    real-handwriting line model (s15) int8 LSTMs cut the network's CPU time per line by a quarter and the file by
    nearly two thirds; validation CER moved by at most 0.001 per corpus (README, "Export")."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    partial = path.with_name(path.stem + ".int8.part.onnx")
    quantize_dynamic(str(path), str(partial), op_types_to_quantize=INT8_LSTM["op_types"], weight_type=QuantType.QInt8)
    os.replace(partial, path)


def export_saved_model(network: keras.Model, card: dict[str, Any], folder: Path) -> Path:
    """A TensorFlow SavedModel of the inference graph, for TF Serving and other TensorFlow runtimes."""
    wrapper = InferenceNetwork(network)
    wrapper(np.zeros(sample_shape(card, 1), np.float32))
    wrapper.export(str(folder), format="tf_saved_model", input_signature=signature(card), verbose=False)
    return folder
