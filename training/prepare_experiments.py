"""Print one run_experiment.py command per experiment of a study file, ready for GNU parallel.

Example:
    python training/prepare_experiments.py training/experiments/sample.json | parallel -j2

The file holds {"experiment_group": "...", "experiments": [{config}, ...]}; each command asks the GPU manager for a
free GPU (--gpu=-1), so parallel can run as many at once as there are GPUs. Other flags (e.g. --nowandb) are added
to every command.
"""

import argparse
import sys
from pathlib import Path

from training import cli, runner
from training.studies import command, load_study


@cli.program
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Print one run_experiment.py command per experiment; pipe them to `parallel -jN`.",
        epilog="Other flags (e.g. --nowandb, --save) are added to every command.",
    )
    parser.add_argument("file", type=Path, help="a study file such as training/experiments/sample.json")
    args, flags = parser.parse_known_args(argv)
    runner.check_flags(flags)
    for experiment in load_study(args.file):
        print(command(experiment, flags))
    return 0


if __name__ == "__main__":
    sys.exit(main())
