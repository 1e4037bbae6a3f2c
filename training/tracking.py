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
    return test.x[:count], [model.labels_to_text(label) for label in test.y[:count]]


def predicted_texts(model, images: np.ndarray) -> list[str]:
    """The model's reading of each image."""
    return model.decode(model.predict_probabilities(images))


def log_model(run, card_file: Path, weights_file: Path, metrics: dict[str, Any]) -> None:
    """The shipped weights and their card as a versioned W&B model artifact."""
    import wandb

    artifact = wandb.Artifact(card_file.stem, type="model", metadata=metrics)
    artifact.add_file(str(weights_file))
    artifact.add_file(str(card_file))
    run.log_artifact(artifact, aliases=["best", run.id])
