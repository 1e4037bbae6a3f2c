"""Shipping's card: the fields and their order the shipped cards have, a fine-tuned model's parent among them."""

import json
from types import SimpleNamespace

from tests.serving import SHIPPED
from training.config import validate
from training.shipping import card


def test_a_fine_tuned_cards_fields_come_in_the_shipped_order():
    shipped = json.loads((SHIPPED / "LineModelCtc_HandwritingLinesDataset_handwriting_crnn.json").read_text())
    config = validate({key: shipped[key] for key in ("dataset", "model", "network", "init_from")})
    dataset = SimpleNamespace(
        card=lambda: {"name": "HandwritingLinesDataset"},
        mapping=["<B>", "a"],
        input_shape=(64, None),
        output_shape=(8, 2),
    )
    parent = {"run_id": "earlier"}
    written = card(SimpleNamespace(dataset=dataset), config, "now", {"test_cer": 0.1}, parent, "stem.weights.h5")
    assert list(written) == [key for key in shipped if key not in ("onnx", "language_model")]  # both added later
    assert written["parent"] == parent and written["run_id"] == "now" and written["data"] == dataset.card()
    assert written["input_shape"] == [64, None] and written["output_shape"] == [8, 2]
    assert "parent" not in card(SimpleNamespace(dataset=dataset), config, "now", {}, None, "stem.weights.h5")
