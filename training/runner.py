"""The runner behind run_experiment.py and every sweep trial: its flags, the run record, devices, and a status that
stays true to what happened (finished, failed or interrupted)."""

import argparse
import logging
import os
import sys

from text_recognizer import registry
from text_recognizer.errors import ConfigError, DataError, UserError
from training import cli
from training import config as experiment_config
from training.distribute import is_chief
from training.gpu_manager import parse_gpu_spec, use_devices
from training.records import RunRecord
from training.signals import Interrupted, ignore_further, install
from training.tracking import wandb_mode


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Train a model from a JSON experiment config and record the run under runs/.",
        epilog="Config keys: " + ", ".join(experiment_config.CONFIG_KEYS) + ". See --list for names and arguments.",
    )
    parser.add_argument("config", nargs="?", help="JSON object, or the path of a JSON file")
    parser.add_argument(
        "--gpu",
        type=parse_gpu_spec,
        default=None,
        help="-1: a free GPU, locked for the run (waits while all are busy); 0 or 0,1: these GPUs "
        "(several: data-parallel). Default: the first GPU, else the CPU",
    )
    parser.add_argument("--save", action="store_true", help="ship the best weights to text_recognizer/weights/")
    parser.add_argument("--nowandb", action="store_true", help="do not log to Weights & Biases")
    parser.add_argument("--resume", metavar="RUN_ID", help="continue an interrupted run from its last checkpoint")
    parser.add_argument("--run-id", help="name of the new run folder under runs/ (default: time-network-random)")
    parser.add_argument("--list", action="store_true", help="list registered datasets, models and networks")
    return parser.parse_args(argv)


def check_flags(flags: list[str]) -> None:
    """Flags another program passes on to the runner; unknown ones end that program here, with the runner's usage."""
    parse_args(["{}", *flags])


@cli.program
def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.list:
        print(registry.listing())
        return 0
    if (args.config is None) == (args.resume is None):
        cli.fail("give an experiment config (JSON or a file), or --resume RUN_ID, or --list.")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    install()
    try:
        record, config = _record_and_config(args)
        use_devices(args.gpu)  # its GPU locks are held for the life of this process
        if record is None:
            record = RunRecord.create(config.to_dict(), args.run_id)
            record.lock()
    except Interrupted as interruption:
        return cli.EXIT_SIGNAL + interruption.signum
    initial_epoch = record.completed_epochs() if args.resume else 0
    logging.getLogger("text_recognizer").info("Run %s: %s", record.run_id, record.path)
    return _train(record, config, args, initial_epoch)


def _record_and_config(args: argparse.Namespace) -> tuple[RunRecord | None, experiment_config.ExperimentConfig]:
    """The validated config, and for --resume the run's record, locked for this process."""
    if not args.resume:
        return None, experiment_config.with_parent_network_args(experiment_config.parse(args.config))
    record = RunRecord.open(args.resume)
    record.lock()
    try:
        config = record.config()
    except DataError as error:
        raise UserError(f"{error} Run {record.run_id} cannot be resumed without its config; restore it.") from None
    try:
        state = record.status().get("state")
        record.completed_epochs()
    except DataError as error:
        raise UserError(
            f"{error} Run {record.run_id} cannot be resumed without knowing its last epoch; start it anew with: "
            f"python training/run_experiment.py {record.config_file}"
        ) from None
    if state == "finished":
        raise UserError(f"Run {record.run_id} finished already; there is nothing to resume.")
    return record, experiment_config.validate(config)


def _train(record: RunRecord, config, args: argparse.Namespace, initial_epoch: int) -> int:
    """Train with the record's status kept true to what happened (finished, failed or interrupted)."""
    try:
        from training import train  # TensorFlow loads here, after the config is known to be good

        chief = is_chief()  # in a multi-worker cluster only the chief reports and ships weights
        train.run(config, record, args.save and chief, wandb_mode(args.nowandb or not chief), initial_epoch)
    except UserError as error:
        record.set_status("failed", error=str(error))
        cli.fail(error, cli.EXIT_USAGE if isinstance(error, ConfigError) else cli.EXIT_DATA)
    except Interrupted as interruption:
        ignore_further()
        record.set_status("interrupted", signal=interruption.signum)
        print(f"Interrupted; the record and last checkpoint are in {record.path}.", file=sys.stderr)
        print(f"Continue with: python training/run_experiment.py --resume {record.run_id}", file=sys.stderr)
        return cli.EXIT_SIGNAL + interruption.signum
    except BaseException as error:
        record.set_status("failed", error=f"{type(error).__name__}: {error}")
        raise
    return 0
