"""A table of the recorded runs under runs/, best first, with key metrics and state; --csv exports it.

Example:
    python training/runs.py --group sample --csv runs.csv
"""

import argparse
import signal
import sys

from text_recognizer.settings import runs_dir
from training.run_table import COLUMNS, best_first, format_table, load, write_csv


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="List recorded runs, best first.")
    parser.add_argument("--group", help="only runs of this experiment_group")
    parser.add_argument("--sort", metavar="KEY", help="sort by this column or metric (largest first), e.g. test_loss")
    parser.add_argument("--ascending", action="store_true", help="with --sort: smallest first")
    parser.add_argument("--csv", nargs="?", const="-", metavar="FILE", help="write CSV (to stdout without FILE)")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `runs.py | head` ends quietly
    rows = best_first(load(args.group), args.sort, args.ascending)
    if args.csv == "-":
        write_csv(rows, sys.stdout)
    elif args.csv:
        with open(args.csv, "w", newline="") as out:
            write_csv(rows, out)
        print(f"Wrote {len(rows)} runs to {args.csv}")
    else:
        print(format_table(rows, COLUMNS) if rows else f"No runs recorded in {runs_dir()}.")
    for row in rows:
        if "error" in row:
            print(f"Run {row['run']} is unreadable: {row['error']}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
