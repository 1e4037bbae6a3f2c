"""Shipping a trained model (--save): its weights, the JSON card a predictor rebuilds it from alone, and an ONNX
export, side by side in the weights folder under one stem, <Model>_<Dataset>_<network>."""

from pathlib import Path
from typing import Any

from text_recognizer.cards import weights_stem, write_json_atomic
from text_recognizer.onnx_export import export_onnx
from text_recognizer.settings import weights_dir
from training.config import ExperimentConfig


def ship(
    model, config: ExperimentConfig, run_id: str, metrics: dict[str, Any], parent: dict[str, Any] | None = None
) -> Path:
    """Write the model's current weights, its card and the ONNX export (recorded in the card); returns the card's
    path. `parent` is what a fine-tuned model's card keeps of the card it started from."""
    stem = weights_stem(model.name, type(model.dataset).__name__, config.network)
    weights = weights_dir() / f"{stem}.weights.h5"
    model.save_weights(weights)
    card_file = weights.with_name(f"{stem}.json")
    write_json_atomic(card_file, card(model, config, run_id, metrics, parent, weights.name))
    export_onnx(model.network, card_file)
    return card_file


def card(
    model, config: ExperimentConfig, run_id: str, metrics: dict[str, Any], parent: dict[str, Any] | None, weights: str
) -> dict[str, Any]:
    """The run's config, id, test metrics, data and parent, then what the network reads and writes."""
    content = {**config.to_dict(), "run_id": run_id, "metrics": metrics, "data": model.dataset.card()}
    if parent:
        content["parent"] = parent
    dataset = model.dataset
    return {
        **content,
        "weights": weights,
        "mapping": dataset.mapping,
        "input_shape": list(dataset.input_shape),
        "output_shape": list(dataset.output_shape),
    }
