"""Weights & Biases: online with an API key, offline without one, off with --nowandb. Never an error."""

import netrc
import os
from pathlib import Path
from typing import Any

import numpy as np

PROJECT = "text-recognizer"
NUM_EXAMPLES = 8


def wandb_mode(disabled: bool) -> str | None:
    """The W&B mode for this run, or None when W&B is off."""
    if disabled or os.environ.get("WANDB_MODE") == "disabled":
        return None
    if os.environ.get("WANDB_MODE") in ("online", "offline"):
        return os.environ["WANDB_MODE"]
    return "online" if _has_api_key() else "offline"


def _has_api_key() -> bool:
    if os.environ.get("WANDB_API_KEY"):
        return True
    try:
        return netrc.netrc().authenticators("api.wandb.ai") is not None
    except (FileNotFoundError, netrc.NetrcParseError):
        return False


def start(mode: str, config: dict[str, Any], run_id: str, run_dir: Path):
    """Start (or resume) the W&B run of a run record, grouped by the config's experiment_group."""
    import wandb

    return wandb.init(
        project=PROJECT,
        config=config,
        group=config.get("experiment_group"),
        job_type="sweep" if os.environ.get("WANDB_SWEEP_ID") else "train",
        name=run_id,
        id=run_id,
        dir=str(run_dir),
        mode=mode,
        resume="allow",
    )


def examples(model, count: int = NUM_EXAMPLES) -> tuple[np.ndarray, list[str]]:
    """The first few test images and their true texts, shown each epoch with the model's predictions."""
    test = model.dataset.test
    return test.x[:count], [_text(model, label) for label in test.y[:count]]


def predicted_texts(model, images: np.ndarray) -> list[str]:
    """The model's reading of each image: its own decode() when it has one, else the best class at each position."""
    probabilities = model.predict_probabilities(images)
    decode = getattr(model, "decode", None)
    if decode is not None:
        return list(decode(probabilities))
    return [_text(model, row) for row in probabilities.argmax(axis=-1)]


def _text(model, labels: np.ndarray) -> str:
    """Labels as text: the model's labels_to_text() when it has one (it knows its padding), else one class each."""
    labels_to_text = getattr(model, "labels_to_text", None)
    if labels_to_text is not None:
        return labels_to_text(np.atleast_1d(labels))
    return "".join(model.dataset.mapping[int(i)] for i in np.atleast_1d(labels))


def log_model(run, card_file: Path, weights_file: Path, metrics: dict[str, Any]) -> None:
    """The shipped weights and their card as a versioned W&B model artifact."""
    import wandb

    artifact = wandb.Artifact(card_file.stem, type="model", metadata=metrics)
    artifact.add_file(str(weights_file))
    artifact.add_file(str(card_file))
    run.log_artifact(artifact, aliases=["best", run.id])
