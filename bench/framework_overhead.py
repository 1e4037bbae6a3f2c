"""Training throughput of run_experiment.py against a plain Keras script training the same network on the same data.

    python bench/framework_overhead.py [--fraction 0.2] [--epochs 3] [--repeats 3]

Both run in fresh processes, taking turns `--repeats` times so that a change in the machine's load hits both; each
reports samples/s of its last epoch (fit time only, validation excluded); the overhead compares the medians.
"""

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

NETWORK, BATCH_SIZE = "vgg_bn", 256


def plain_keras(fraction: float, epochs: int) -> float:
    """The same data and network with nothing but keras: model.fit on numpy arrays."""
    import keras

    from text_recognizer.datasets.emnist import EmnistDataset
    from text_recognizer.networks.vgg_bn import vgg_bn

    data = EmnistDataset(subsample_fraction=fraction).prepare()
    model = vgg_bn(data.input_shape, data.output_shape)
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])

    class LastEpochTimer(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_test_begin(self, logs=None):
            self.seconds = time.perf_counter() - self.start

    timer = LastEpochTimer()
    model.fit(
        data.train.x.astype("float32"),
        data.train.y,
        batch_size=BATCH_SIZE,
        epochs=epochs,
        validation_data=(data.val.x.astype("float32"), data.val.y),
        callbacks=[timer],
        verbose=0,
    )
    return len(data.train) / timer.seconds


def framework(fraction: float, epochs: int) -> float:
    config = {
        "dataset": "EmnistDataset",
        "dataset_args": {"subsample_fraction": fraction},
        "model": "CharacterModel",
        "network": NETWORK,
        "train_args": {"batch_size": BATCH_SIZE, "epochs": epochs, "early_stopping_patience": 0},
    }
    with tempfile.TemporaryDirectory() as runs:
        env = {**os.environ, "TEXT_RECOGNIZER_RUNS_DIR": runs, "TF_CPP_MIN_LOG_LEVEL": "3"}
        subprocess.run(
            [sys.executable, "training/run_experiment.py", json.dumps(config), "--nowandb"],
            env=env,
            check=True,
            capture_output=True,
        )
        history = next(Path(runs).glob("*/history.csv"))
        return float(list(csv.DictReader(history.open()))[-1]["samples_per_s"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fraction", type=float, default=0.2)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--plain", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.plain:
        print(plain_keras(args.fraction, args.epochs))
        return
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    plain_command = [sys.executable, __file__, "--plain", f"--fraction={args.fraction}", f"--epochs={args.epochs}"]
    plain, ours = [], []
    for _ in range(args.repeats):
        plain.append(float(subprocess.run(plain_command, env=env, check=True, capture_output=True, text=True).stdout))
        ours.append(framework(args.fraction, args.epochs))
    print(f"{NETWORK}, batch {BATCH_SIZE}, last of {args.epochs} epochs on {args.fraction:.0%} of EMNIST train,")
    print(f"median of {args.repeats} turns each (load average {os.getloadavg()[0]:.1f} at the end):")
    print(f"  plain Keras       {median(plain):8.1f} samples/s   runs: {', '.join(f'{v:.0f}' for v in plain)}")
    print(f"  run_experiment.py {median(ours):8.1f} samples/s   runs: {', '.join(f'{v:.0f}' for v in ours)}")
    print(f"  overhead {(median(plain) - median(ours)) / median(plain):+.1%}")


if __name__ == "__main__":
    main()
