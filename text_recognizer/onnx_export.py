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
from text_recognizer.runtime import onnx_file, onnx_runner

PARITY_TOLERANCE = 1e-4


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


def export_onnx(network: keras.Model, card_file: Path) -> Path:
    """Write `<stem>.onnx` beside the card's weights (batch dimension dynamic), check it against TensorFlow, and
    record it in the card; returns the ONNX path."""
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
    onnx.helper.set_model_props(exported, metadata(card))
    onnx.save(exported, str(partial))
    os.replace(partial, path)

    difference = float(np.abs(onnx_runner(card)(sample) - expected).max())
    if difference > PARITY_TOLERANCE:
        raise RuntimeError(f"{path} disagrees with TensorFlow by {difference:.2e} (> {PARITY_TOLERANCE:.0e}).")
    opset = next(entry.version for entry in exported.opset_import if entry.domain in ("", "ai.onnx"))
    stored = {key: value for key, value in card.items() if key != "card_path"}
    record = {"file": path.name, "opset": opset, "max_abs_difference_vs_tensorflow": difference}
    write_json_atomic(Path(card["card_path"]), {**stored, "onnx": record})
    return path


def export_saved_model(network: keras.Model, card: dict[str, Any], folder: Path) -> Path:
    """A TensorFlow SavedModel of the inference graph, for TF Serving and other TensorFlow runtimes."""
    wrapper = InferenceNetwork(network)
    wrapper(np.zeros(sample_shape(card, 1), np.float32))
    wrapper.export(str(folder), format="tf_saved_model", input_signature=signature(card), verbose=False)
    return folder
