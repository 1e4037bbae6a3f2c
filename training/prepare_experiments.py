"""Print one run_experiment.py command per experiment of a study file, ready for GNU parallel.

Example:
    python training/prepare_experiments.py training/experiments/sample.json | parallel -j2

The file holds {"experiment_group": "...", "experiments": [{config}, ...]}; each command asks the GPU manager for a
free GPU (--gpu=-1), so parallel can run as many at once as there are GPUs. Other flags (e.g. --nowandb) are added
to every command.
"""

import argparse
import json
import shlex
import sys
from pathlib import Path
from typing import Any

from text_recognizer.errors import ConfigError
from training import run_experiment
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Print one run_experiment.py command per experiment; pipe them to `parallel -jN`.",
        epilog="Other flags (e.g. --nowandb, --save) are added to every command.",
    )
    parser.add_argument("file", type=Path, help="a study file such as training/experiments/sample.json")
    args, flags = parser.parse_known_args(argv)
    run_experiment.parse_args(["{}", *flags])  # unknown flags fail here, with the runner's usage
    try:
        experiments = load_study(args.file)
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return run_experiment.EXIT_USAGE
    for experiment in experiments:
        print(command(experiment, flags))
    return 0


if __name__ == "__main__":
    sys.exit(main())
