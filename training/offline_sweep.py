"""Run a W&B sweep file offline, with no server: proposals, early stopping and resuming (training/sweep_driver.py).
`wandb sweep FILE` runs the same file online; each run of either is training/sweep_trial.py.

Example:
    python training/offline_sweep.py training/sweep_emnist.yaml --count 12 --parallel 2 --nowandb

Run the same command again to resume an interrupted sweep; --count is the sweep's total number of runs.
"""

import argparse
import signal
import sys
import time
from pathlib import Path

from training import cli, runner
from training.sweep_driver import OfflineSweep, load_config
from training.sweep_state import SweepState


def parse_args(argv: list[str] | None) -> tuple[argparse.Namespace, list[str]]:
    parser = argparse.ArgumentParser(
        description="Run a W&B sweep file offline. Other flags (e.g. --nowandb) go to every run.",
        epilog="Run the same command again to resume an interrupted sweep.",
    )
    parser.add_argument("file", type=Path, help="a W&B sweep file, e.g. training/sweep_emnist.yaml")
    parser.add_argument("--count", type=int, help="runs in the sweep in all (default: the whole grid)")
    parser.add_argument("--parallel", type=int, default=1, help="runs at once (each gets a free GPU, or the CPU)")
    parser.add_argument("--name", help="the sweep's folder under runs/sweeps/ (default: the file's name)")
    args, run_flags = parser.parse_known_args(argv)
    if args.parallel < 1 or (args.count is not None and args.count < 1):
        parser.error("--count and --parallel must be at least 1")
    runner.check_flags(run_flags)
    return args, run_flags


@cli.program
def main(argv: list[str] | None = None) -> int:
    args, run_flags = parse_args(argv)
    config = load_config(args.file)
    if args.count is None and config["method"] != "grid":
        cli.fail(f"A {config['method']} sweep has no end of its own: give --count.")
    sweep = OfflineSweep(SweepState.open(args.name or args.file.stem, config), args.count, args.parallel, run_flags)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    started = time.perf_counter()
    sweep.pick_up()
    try:
        sweep.run()
    except KeyboardInterrupt:
        for child in sweep.active.values():
            child.terminate()
        sweep.say("interrupted; run the same command again to resume the sweep")
        return cli.EXIT_SIGNAL + signal.SIGINT
    sweep.say(f"{len(sweep.state.entries)} runs, {time.perf_counter() - started:.1f} s; results, best first:")
    print(sweep.results())
    return 0


if __name__ == "__main__":
    sys.exit(main())
