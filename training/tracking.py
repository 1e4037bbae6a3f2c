"""Weights & Biases: online with an API key, offline without one, off with --nowandb. Never an error."""

import netrc
import os
from pathlib import Path
from typing import Any

PROJECT = "text-recognizer"


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
    """Start a W&B run and return it with the Keras callback that logs per-epoch metrics."""
    import wandb
    from wandb.integration.keras import WandbMetricsLogger

    run = wandb.init(
        project=PROJECT,
        config=config,
        group=config.get("experiment_group"),
        name=run_id,
        id=run_id,
        dir=str(run_dir),
        mode=mode,
        resume="allow",
    )
    return run, WandbMetricsLogger(log_freq="epoch")
