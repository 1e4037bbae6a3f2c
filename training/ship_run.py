"""Ship a finished run's best weights, card and ONNX export, as --save would have at the run's end: for a run trained
without --save, once its figures say it should ship.

Example:
    python training/ship_run.py handwriting-s8
"""

import argparse
import logging
import os
import sys

from text_recognizer.errors import DataError, UserError
from training import cli
from training import config as experiment_config
from training.records import RunRecord


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run_id", help="a finished run under runs/")
    return parser.parse_args(argv)


@cli.program
def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    record = RunRecord.open(args.run_id)
    record.lock()  # no run may write its checkpoints while they are shipped
    with cli.user_errors(also=(DataError,)):
        state = record.status().get("state")
        if state != "finished":
            raise UserError(
                f"Run {record.run_id} is {state or 'without a status'}; only a finished run, with its best weights "
                f"and test metrics, can be shipped. Resume it with: python training/run_experiment.py --resume "
                f"{record.run_id}"
            )
        if not record.best_weights.is_file():
            raise UserError(f"Run {record.run_id} finished, but {record.best_weights} is missing; restore it.")
        config = experiment_config.validate(record.config())
        from training import train  # TensorFlow loads here, after the run is known to be shippable

        card_file = train.ship_finished(config, record)
    print(card_file)
    return 0


if __name__ == "__main__":
    sys.exit(main())
