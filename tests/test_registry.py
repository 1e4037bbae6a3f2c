"""Registries: every entry resolves, and parameters are read without importing the module."""

import pytest

from tests.conftest import run_cli
from text_recognizer import registry


@pytest.mark.parametrize("kind", ["dataset", "network"])
def test_parameters_are_read_from_source(kind):
    for name in registry.REGISTRIES[kind]:
        params, _ = registry.parameters(kind, name)
        assert all(p.name not in ("self", "input_shape", "output_shape") for p in params.values())
    assert registry.parameters("network", "mlp")[0]["num_layers"].default == 3


def test_listing_and_validation_do_not_import_tensorflow():
    code = (
        "import sys; from text_recognizer import registry; from training.config import parse; registry.listing(); "
        'parse(\'{"dataset": "EmnistDataset", "model": "CharacterModel", "network": "vgg_bn"}\'); '
        "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules, 'heavy import'"
    )
    assert run_cli("-c", code).returncode == 0


def test_every_entry_resolves():
    for kind, entries in registry.REGISTRIES.items():
        for name in entries:
            assert callable(registry.resolve(kind, name)), f"{kind} {name}"
