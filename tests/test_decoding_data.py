"""The cache of network outputs that decoder tuning and benches read: valid only for the inputs and export that made
it."""

from types import SimpleNamespace

import numpy as np

from tests.conftest import SUPPORT
from text_recognizer.line_predictor import LinePredictor
from training.decoding_data import network_outputs

REAL_LINES = sorted((SUPPORT / "real_lines").glob("iam_lines_*"))


class CountingPredictor(LinePredictor):
    """The shipped line model, counting the lines its network reads."""

    read = 0

    def network(self, lines, batch_size=64):
        self.read += len(lines)
        return super().network(lines, batch_size)


def test_outputs_are_cached_per_run_and_made_afresh_when_the_inputs_or_the_export_change(tmp_path, monkeypatch):
    monkeypatch.setenv("TEXT_RECOGNIZER_DATA_DIR", str(tmp_path))
    predictor = CountingPredictor(decoder="greedy")
    lines = [SimpleNamespace(image=path) for path in REAL_LINES]
    first = network_outputs(predictor, lines, "iam_test")
    again = network_outputs(predictor, lines, "iam_test")
    assert predictor.read == len(lines) == 4
    for made, cached in zip(first, again, strict=True):
        np.testing.assert_allclose(made, cached, atol=1e-3)  # stored as float16
    fitted = predictor.inputs
    monkeypatch.setattr(predictor, "inputs", lambda images: [line[:, 2:] for line in fitted(images)])  # fitted anew
    network_outputs(predictor, lines, "iam_test")
    assert predictor.read == 8
    predictor.card = {**predictor.card, "onnx": {**predictor.card["onnx"], "quantized": {"weights": "int8"}}}
    network_outputs(predictor, lines, "iam_test")  # the same run's weights, exported otherwise
    assert predictor.read == 12
