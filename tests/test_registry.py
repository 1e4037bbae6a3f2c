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


def test_a_class_that_inherits_its_init_takes_its_base_classes_parameters(tmp_path, monkeypatch):
    """Followed through `from ... import` (absolute and relative) and classes of the same module, without importing."""
    package = tmp_path / "inheriting"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "bases.py").write_text(
        "raise ImportError('parameters must not import this')\n"
        "class Plain:\n    pass\n"
        "class Base(Plain):\n    def __init__(self, height: int = 48, corpora: dict | None = None, **extra):\n"
        "        pass\n"
    )
    (package / "children.py").write_text(
        "from .bases import Base, Plain\n"
        "class Middle(Base):\n    limit = 3\n"
        "class Child(Middle):\n    pass\n"
        "class Bare(Plain):\n    pass\n"
        "class Own(Base):\n    def __init__(self, path: str):\n        super().__init__()\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(
        registry.REGISTRIES, "dataset", {n: f"inheriting.children:{n}" for n in ("Child", "Bare", "Own")}
    )
    params, takes_any = registry.parameters("dataset", "Child")
    assert list(params) == ["height", "corpora"] and takes_any
    assert (params["height"].default, params["corpora"].annotation) == (48, "dict | None")
    assert registry.parameters("dataset", "Bare") == ({}, False)
    assert list(registry.parameters("dataset", "Own")[0]) == ["path"]
