"""Running a network for inference from its weights card: ONNX Runtime when an exported file is beside the weights,
else a traced TensorFlow function. The ONNX path never imports TensorFlow or Keras."""

import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from text_recognizer import registry, settings
from text_recognizer.cards import weights_file
from text_recognizer.errors import DataError

Runner = Callable[[np.ndarray], np.ndarray]
BACKENDS = ("auto", "onnx", "tensorflow")


def onnx_file(card: dict[str, Any]) -> Path:
    """The ONNX export of a card's weights: same stem, `.onnx`, same folder."""
    return Path(card["card_path"]).with_name(card["weights"].removesuffix(".weights.h5") + ".onnx")


def load_runner(card: dict[str, Any], backend: str | None = None) -> Runner:
    """A batch -> outputs function for the card's network: ONNX Runtime if possible ("auto"), or the named backend.

    The backend defaults to $TEXT_RECOGNIZER_BACKEND, else "auto".
    """
    backend = backend or settings.backend()
    if backend not in BACKENDS:
        raise DataError(f"Unknown inference backend {backend!r}; valid: {', '.join(BACKENDS)}.")
    onnx_available = importlib.util.find_spec("onnxruntime") is not None
    if backend == "onnx" or (backend == "auto" and onnx_available and onnx_file(card).exists()):
        return onnx_runner(card)
    if importlib.util.find_spec("tensorflow") is None:
        raise DataError(
            f"No ONNX export at {onnx_file(card)} and TensorFlow is not installed: export it with "
            f"`python training/export.py {card['card_path']}` where TensorFlow is, or install requirements.txt."
        )
    return keras_runner(card)


def onnx_runner(card: dict[str, Any]) -> Runner:
    """An ONNX Runtime session over the card's exported network; refuses an export made from other weights."""
    path = onnx_file(card)
    if not path.exists():
        raise DataError(f"No ONNX export at {path}; create it with `python training/export.py {card['card_path']}`.")
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3
    # Idle worker threads sleep instead of spinning: on shared or busy cores spinning made batches 1.5-3x slower.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.intra_op_num_threads = settings.onnx_threads()
    session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    exported_from = session.get_modelmeta().custom_metadata_map.get("run_id")
    if exported_from != str(card.get("run_id")):
        raise DataError(
            f"{path} was exported from run {exported_from}, but the card is from run {card.get('run_id')}; "
            f"re-export with `python training/export.py {card['card_path']}`."
        )
    name = session.get_inputs()[0].name
    return lambda batch: session.run(None, {name: np.ascontiguousarray(batch, dtype=np.float32)})[0]


def build_network(card: dict[str, Any]):
    """The card's Keras network with its weights loaded (imports TensorFlow)."""
    network_fn = registry.resolve("network", card["network"])
    network = network_fn(tuple(card["input_shape"]), tuple(card["output_shape"]), **card["network_args"])
    network.load_weights(weights_file(card))
    return network


def keras_runner(card: dict[str, Any]) -> Runner:
    """Rebuild the network named in the card, load its weights, and return a traced batch -> outputs function."""
    import tensorflow as tf

    network = build_network(card)
    signature = [tf.TensorSpec([None, *card["input_shape"]], tf.float32)]
    infer = tf.function(lambda x: network(x, training=False), input_signature=signature)
    return lambda batch: infer(tf.constant(batch, tf.float32)).numpy()
