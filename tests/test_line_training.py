"""Training CTC line models end to end, and the strided 1x1 convolution that used to crash it under oneDNN."""

import json

import keras
import numpy as np
import pytest

from tests.conftest import REPO, run_cli
from text_recognizer.networks.blocks import residual_block, subsample
from text_recognizer.networks.line_crnn import line_crnn


def strided_pointwise_convolutions(network: keras.Model) -> list[str]:
    return [
        layer.name
        for layer in network.layers
        if isinstance(layer, keras.layers.Conv2D)
        and tuple(layer.kernel_size) == (1, 1)
        and tuple(layer.strides) != (1, 1)
    ]


def test_networks_make_no_strided_pointwise_convolution():
    """TF 2.21's oneDNN gradient of one (fewer than 16 input channels, nhwc) writes past its buffer: heap corruption
    (oneDNN issue 6035). Checked by layer, so a host where the corruption happens to go unnoticed still fails."""
    inputs = keras.Input((28, 56, 4))
    block = keras.Model(inputs, residual_block(inputs, 8, strides=(1, 2)))
    assert strided_pointwise_convolutions(block) == []
    assert strided_pointwise_convolutions(line_crnn((28, 28 * 4), (4, 80), width=8, lstm_dim=16)) == []


@pytest.mark.parametrize("strides", [2, (1, 2), (2, 1)])
def test_subsampling_then_a_1x1_convolution_equals_the_strided_one(strides):
    """Same weights, same outputs, odd sizes included: shipped weights of the strided layout still load and agree."""
    x = np.random.default_rng(0).normal(size=(2, 7, 13, 3)).astype(np.float32)
    strided = keras.layers.Conv2D(5, 1, strides=strides, use_bias=False)
    pointwise = keras.layers.Conv2D(5, 1, use_bias=False)
    expected = strided(x)
    pointwise.build(x.shape)
    pointwise.set_weights(strided.get_weights())
    np.testing.assert_allclose(pointwise(subsample(x, strides)), expected, atol=1e-6)


def tiny_lines_data(tmp_path, emnist_cache):
    """A data folder for the run: the real EMNIST cache and Brown corpus linked in, generated lines written here."""
    data = tmp_path / "data"
    (data / "processed" / "emnist").mkdir(parents=True)
    (data / "processed" / "emnist" / "byclass.h5").symlink_to(emnist_cache)
    brown = REPO / "data" / "raw" / "brown"
    if not brown.exists():
        pytest.fail(f"{brown} is missing: run `make data` (links ../shared/data).")
    (data / "raw").mkdir()
    (data / "raw" / "brown").symlink_to(brown.resolve())
    return data


@pytest.mark.slow
def test_a_tiny_ctc_line_model_trains_an_epoch(tmp_path, emnist_cache, isolated_runs):
    """The issue's reproducer: it died in the first training step (glibc heap corruption, exit 134 or 139)."""
    config = {
        "dataset": "EmnistLinesDataset",
        "dataset_args": {"num_train": 64, "num_val": 16, "num_test": 16},
        "model": "LineModelCtc",
        "network": "line_crnn",
        "network_args": {"width": 8, "lstm_dim": 16},
        "train_args": {"batch_size": 4, "epochs": 1},
    }
    data = tiny_lines_data(tmp_path, emnist_cache)
    result = run_cli(
        "training/run_experiment.py",
        json.dumps(config),
        "--nowandb",
        env={"TEXT_RECOGNIZER_DATA_DIR": str(data), "MALLOC_CHECK_": "3"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    (run,) = (isolated_runs / "runs").iterdir()
    assert json.loads((run / "status.json").read_text())["state"] == "finished"
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["epochs"] == 1 and np.isfinite(metrics["test_loss"])
