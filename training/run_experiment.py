"""Run one experiment from a JSON config: validate, pick a device, train, evaluate, record.

Example:
    python training/run_experiment.py '{"dataset": "EmnistDataset", "model": "CharacterModel", "network": "lenet"}'
"""

import argparse
import logging
import os
import sys

from text_recognizer import registry
from text_recognizer.errors import ConfigError, UserError
from training import config as experiment_config
from training.devices import use_device
from training.records import RunRecord
from training.tracking import wandb_mode

EXIT_USAGE = 2
EXIT_DATA = 1


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Train a model from a JSON experiment config and record the run under runs/.",
        epilog="Config keys: " + ", ".join(experiment_config.CONFIG_KEYS) + ". See --list for names and arguments.",
    )
    parser.add_argument("config", nargs="?", help="JSON object, or the path of a JSON file")
    parser.add_argument("--gpu", type=int, default=None, help="GPU index (default: the first GPU, else the CPU)")
    parser.add_argument("--save", action="store_true", help="ship the best weights to text_recognizer/weights/")
    parser.add_argument("--nowandb", action="store_true", help="do not log to Weights & Biases")
    parser.add_argument("--list", action="store_true", help="list registered datasets, models and networks")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.list:
        print(registry.listing())
        return 0
    if args.config is None:
        print("error: give an experiment config (JSON or a file), or --list.", file=sys.stderr)
        return EXIT_USAGE
    try:
        config = experiment_config.parse(args.config)
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    use_device(args.gpu)
    record = RunRecord.create(config.to_dict())
    logging.getLogger("text_recognizer").info("Run %s: %s", record.run_id, record.path)

    from training import train  # TensorFlow loads here, after the config is known to be good

    try:
        train.run(config, record, save=args.save, wandb_mode=wandb_mode(args.nowandb))
    except UserError as error:
        record.set_status("failed", error=str(error))
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE if isinstance(error, ConfigError) else EXIT_DATA
    except KeyboardInterrupt:
        record.set_status("interrupted")
        print(f"Interrupted; the run record and last checkpoint are in {record.path}", file=sys.stderr)
        return 130
    except BaseException as error:
        record.set_status("failed", error=f"{type(error).__name__}: {error}")
        raise
    return 0


if __name__ == "__main__":
    sys.exit(main())
