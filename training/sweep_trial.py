"""One run of a sweep, the `program` of the sweep files: W&B's flat arguments (--network_args.layer_size=128) become
one experiment config (training/sweep_args.py) for the runner; other flags (--gpu, --nowandb, --run-id, ...) go to it
unchanged. `wandb agent` (online) and training/offline_sweep.py (offline) both start it.
"""

import json
import os
import sys

from training import cli, runner
from training.config import validate
from training.sweep_args import split_args, to_config


@cli.program
def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    settings, rest = split_args(argv)
    config = to_config(settings)
    validate(config)
    wandb_run_id = os.environ.get("WANDB_RUN_ID")  # set by `wandb agent`: name the run folder after the W&B run
    if wandb_run_id and not any(arg.startswith(("--run-id", "--resume")) for arg in rest):
        rest.append(f"--run-id={wandb_run_id}")
    return runner.main([json.dumps(config), *rest])


if __name__ == "__main__":
    sys.exit(main())
