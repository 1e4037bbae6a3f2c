"""Experiment configs: every user mistake is a one-paragraph message and exit status 2, before TensorFlow loads."""

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli
from text_recognizer.errors import ConfigError
from training.config import TrainArgs, parse

GOOD = {"dataset": "EmnistDataset", "model": "CharacterModel", "network": "mlp"}


def config(**changes) -> str:
    return json.dumps({**GOOD, **changes})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"dataset": "EmnistDataset",}', "not valid JSON"),
        ("[1, 2]", "must be a JSON object"),
        (config(dataset="EmnistDatset"), "did you mean 'EmnistDataset'"),
        (config(network="lenett"), "did you mean 'lenet'"),
        (config(modle="CharacterModel"), "Unknown config key 'modle'; did you mean 'model'"),
        (config(network_args={"num_layer": 2}), "did you mean 'num_layers'"),
        (config(network_args={"num_layers": "2"}), '"num_layers" must be int'),
        (config(network_args={"dropout_amount": True}), '"dropout_amount" must be float'),
        (config(dataset_args={"subsample_fraction": "half"}), '"subsample_fraction" must be float | None'),
        (config(train_args={"batch_size": 12.5}), '"batch_size" must be int'),
        (config(train_args={"epochs": 0}), '"epochs" must be positive'),
        (config(train_args={"optimizer": "adamm"}), "did you mean 'adam'"),
        (config(train_args={"batch": 3}), "did you mean 'batch_size'"),
        (config(train_args=[1]), '"train_args" must be a JSON object'),
        ('{"dataset": "EmnistDataset", "model": "CharacterModel"}', 'lacks "network"'),
        ("no_such_file.json", "neither a JSON object nor the path"),
    ],
)
def test_mistakes_are_named(text, expected):
    with pytest.raises(ConfigError) as caught:
        parse(text)
    assert expected in str(caught.value)


def test_good_config_fills_defaults(tmp_path):
    path = tmp_path / "experiment.json"
    path.write_text(config(network_args={"num_layers": 2}, train_args={"epochs": 3, "learning_rate": 1}))
    parsed = parse(str(path))
    assert parsed.network_args == {"num_layers": 2}
    assert parsed.train_args == TrainArgs(epochs=3, learning_rate=1)
    assert parsed.seed == 42


TRAINING_CONFIGS = sorted((Path(__file__).parents[1] / "training" / "experiments").glob("*_predictor*.json"))


@pytest.mark.parametrize("path", TRAINING_CONFIGS, ids=lambda path: path.name)
def test_shipped_training_configs_are_valid(path):
    assert parse(str(path)).experiment_group.endswith("predictor")


def test_cli_reports_mistakes_with_exit_2_and_no_traceback():
    result = run_cli("training/run_experiment.py", config(network="lenett"))
    assert result.returncode == 2
    assert "did you mean 'lenet'" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_runs_as_module_and_lists_registries():
    result = run_cli("-m", "training.run_experiment", "--list")
    assert result.returncode == 0
    assert "EmnistDataset(subsample_fraction=None" in result.stdout
    assert "vgg_bn(" in result.stdout


def test_a_run_from_a_card_of_its_network_builds_the_cards_network(tmp_path):
    from training.config import with_parent_network_args

    card = {"network": "handwriting_crnn", "network_args": {"lstm_dim": 96, "grown_lstm_layers": 1}}
    (tmp_path / "card.json").write_text(json.dumps(card))
    run = {"dataset": "HandwritingLinesDataset", "model": "LineModelCtc", "network": "handwriting_crnn"}
    started = with_parent_network_args(parse(json.dumps({**run, "init_from": str(tmp_path / "card.json")})))
    assert started.network_args == {"lstm_dim": 96, "grown_lstm_layers": 1}
    grown = {**run, "init_from": str(tmp_path / "card.json"), "network_args": {"grown_lstm_layers": 2}}
    assert with_parent_network_args(parse(json.dumps(grown))).network_args == {"lstm_dim": 96, "grown_lstm_layers": 2}
    other = {**run, "network": "line_crnn", "init_from": str(tmp_path / "card.json")}
    assert with_parent_network_args(parse(json.dumps(other))).network_args == {}
    missing = {**run, "init_from": str(tmp_path / "none.json")}
    assert with_parent_network_args(parse(json.dumps(missing))).network_args == {}
