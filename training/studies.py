"""Study files: several experiments under one experiment_group, each checked like a single config, and the runner
command that trains each on a free GPU."""

import json
import shlex
from pathlib import Path
from typing import Any

from text_recognizer.errors import ConfigError
from training.config import validate


def load_study(path: Path) -> list[dict[str, Any]]:
    """The experiments of a study file, each with the study's experiment_group and checked like a single config."""
    try:
        study = json.loads(path.read_text())
    except FileNotFoundError:
        raise ConfigError(f"No experiments file at {path}.") from None
    except json.JSONDecodeError as error:
        raise ConfigError(f"{path} is not valid JSON: {error.msg} at line {error.lineno}.") from None
    if not isinstance(study, dict) or not isinstance(study.get("experiments"), list) or not study["experiments"]:
        raise ConfigError(f'{path} must hold {{"experiment_group": ..., "experiments": [{{config}}, ...]}}.')
    group = {"experiment_group": study["experiment_group"]} if study.get("experiment_group") else {}
    experiments = []
    for number, experiment in enumerate(study["experiments"], start=1):
        if not isinstance(experiment, dict):
            raise ConfigError(f"Experiment {number} in {path} must be a JSON object, got {experiment!r}.")
        experiment = {**group, **experiment}
        try:
            validate(experiment)
        except ConfigError as error:
            raise ConfigError(f"Experiment {number} ({experiment.get('network')}) in {path}: {error}") from None
        experiments.append(experiment)
    return experiments


def command(experiment: dict[str, Any], flags: list[str]) -> str:
    """The shell command that runs one experiment on a free GPU."""
    words = ["python", "training/run_experiment.py", "--gpu=-1", *flags, json.dumps(experiment)]
    return shlex.join(words)
