"""Values no experiment can run with: each exits 2 with one message before TensorFlow loads, and nothing recorded
before is touched. Generated configs (hypothesis) either validate into sane values or raise ConfigError."""

import contextlib
import json
import math
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import run_cli
from tests.snapshots import digests
from text_recognizer.errors import ConfigError
from training.config import MAX_SEED, MIN_FRACTION, TrainArgs, parse, validate

GOOD = {"dataset": "EmnistDataset", "model": "CharacterModel", "network": "mlp"}
# `import tensorflow` (or keras) fails in this process: a case that loaded it would end in an ImportError traceback
WITHOUT_TENSORFLOW = (
    "import sys; sys.modules['tensorflow'] = sys.modules['keras'] = None; "
    "from training.run_experiment import main; sys.exit(main(sys.argv[1:]))"
)


def config_text(extra: str) -> str:
    """The good config with raw JSON text added, for values json.dumps would not write (1e999, 5,000 digits)."""
    return json.dumps(GOOD)[:-1] + ", " + extra + "}"


CASES = [
    ('"train_args": {"learning_rate": NaN}', '"train_args.learning_rate" must be a finite number, got nan'),
    ('"train_args": {"learning_rate": 1e999}', '"train_args.learning_rate" must be a finite number, got inf'),
    ('"train_args": {"weight_decay": -Infinity}', '"train_args.weight_decay" must be a finite number'),
    ('"seed": -1', f'"seed" must be an integer from 0 to {MAX_SEED}, got -1'),
    (f'"seed": {2**40}', f'"seed" must be an integer from 0 to {MAX_SEED}, got {2**40}'),
    ('"dataset_args": {"seed": -5}', '"dataset_args.seed" must be an integer from 0'),
    ('"train_args": {"batch_size": 1e20}', '"batch_size" must be int, got 1e+20'),
    (f'"train_args": {{"batch_size": {10**20}}}', '"train_args.batch_size" is too large'),
    (
        '"dataset_args": {"subsample_fraction": 2.0}',
        '"subsample_fraction" must be a fraction from 0.0001 to 1, got 2.0',
    ),
    ('"dataset_args": {"subsample_fraction": 1e-9}', '"subsample_fraction" must be a fraction from 0.0001 to 1'),
    ('"dataset_args": {"validation_fraction": 1.5}', '"validation_fraction" must be a fraction from 0.0001 to 1'),
    ('"dataset_args": {"validation_fraction": 1}', '"validation_fraction" must be less than 1'),
    ('"seed": ' + "7" * 5000, "The config holds a number too long to read"),
    ('"train_args": {"label_smoothing": 1.0}', '"label_smoothing" must be less than 1'),
    ('"train_args": {"early_stopping_patience": -1}', '"early_stopping_patience" must be 0 or more'),
    ('"network_args": {"layer_size": 8}, "experiment_group": ' + "[" * 40 + "]" * 40, "nested more than 32 levels"),
]


@pytest.fixture
def earlier_run(isolated_runs) -> Path:
    """A run recorded before, whose files must come through every refused config byte for byte."""
    run = isolated_runs / "runs" / "earlier"
    run.mkdir(parents=True)
    (run / "config.json").write_text(json.dumps(GOOD))
    (run / "status.json").write_text('{"state": "finished", "pid": 1}')
    (run / "history.csv").write_text("epoch,loss\n0,1.5\n")
    return run


def refused(*args: str) -> str:
    """Run the runner with TensorFlow made unimportable; it must exit 2 with one message. Returns the message."""
    result = run_cli("-c", WITHOUT_TENSORFLOW, *args)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


@pytest.mark.parametrize(("extra", "expected"), CASES, ids=[expected[:40] for _, expected in CASES])
def test_values_out_of_range_exit_2_before_tensorflow_loads(earlier_run, extra, expected):
    before = digests(earlier_run.parent)
    assert expected in refused(config_text(extra))
    assert digests(earlier_run.parent) == before  # no new run folder, the earlier run untouched


def test_config_files_that_cannot_be_read_exit_2(earlier_run, tmp_path):
    before = digests(earlier_run.parent)
    latin1 = tmp_path / "latin1.json"
    latin1.write_bytes(json.dumps({**GOOD, "experiment_group": "é"}, ensure_ascii=False).encode("latin-1"))
    assert "is not UTF-8 text: byte 0xe9 on line 1" in refused(str(latin1))

    deep = tmp_path / "deep.json"
    deep.write_text(config_text('"dataset_args": ' + "[" * 100_000 + "]" * 100_000))
    assert "nested too deeply to read" in refused(str(deep))

    digits = tmp_path / "digits.json"
    digits.write_text(config_text('"seed": ' + "1" * 5000))
    assert "number too long to read" in refused(str(digits))

    assert "is neither a JSON object nor the path" in refused(str(tmp_path))  # a folder
    assert "Cannot read the config file" in refused("x" * 5000)  # a name too long for the file system
    assert digests(earlier_run.parent) == before


def test_a_utf8_config_file_with_a_byte_order_mark_is_read(tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(GOOD).encode())
    assert parse(str(path)).network == "mlp"


def test_shipped_values_at_the_limits_are_accepted():
    parsed = validate(
        {
            **GOOD,
            "seed": MAX_SEED,
            "dataset_args": {"subsample_fraction": MIN_FRACTION, "validation_fraction": 0.999},
            "train_args": {"learning_rate": 1e-12, "label_smoothing": 0.0, "early_stopping_patience": 0},
        }
    )
    assert parsed.seed == MAX_SEED and parsed.dataset_args["subsample_fraction"] == MIN_FRACTION


def test_split_fractions_must_leave_a_training_set():
    config = {**GOOD, "dataset": "IamLinesDataset", "model": "LineModelCtc", "network": "line_crnn"}
    with pytest.raises(ConfigError, match=r'"validation_fraction" \+ "test_fraction" must add up to less than 1'):
        validate({**config, "dataset_args": {"validation_fraction": 0.5, "test_fraction": 0.5}})


# Generated configs: any JSON value, in any place a user can put one.
JSON_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=8)
)
JSON_VALUES = st.recursive(
    JSON_LEAVES, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
)
TRAIN_KEYS = st.sampled_from([*TrainArgs.__dataclass_fields__, "batch"])
DATASET_KEYS = st.sampled_from(["subsample_fraction", "validation_fraction", "seed", "test_fraction"])
NETWORK_KEYS = st.sampled_from(["layer_size", "num_layers", "dropout_amount"])
NUMBERS = JSON_LEAVES | st.floats(min_value=0, max_value=2) | st.integers(min_value=-2, max_value=2**33)


@st.composite
def configs(draw) -> dict:
    config = dict(GOOD)
    config["train_args"] = draw(st.dictionaries(TRAIN_KEYS, NUMBERS | JSON_VALUES, max_size=4))
    config["dataset_args"] = draw(st.dictionaries(DATASET_KEYS, NUMBERS, max_size=3))
    config["network_args"] = draw(st.dictionaries(NETWORK_KEYS, NUMBERS, max_size=2))
    if draw(st.booleans()):
        config["seed"] = draw(NUMBERS)
    if draw(st.booleans()):
        config[draw(st.sampled_from(["experiment_group", "init_from", "dataset", "typo"]))] = draw(JSON_VALUES)
    return config


def all_numbers(value) -> list[float]:
    if isinstance(value, dict):
        return [n for item in value.values() for n in all_numbers(item)]
    if isinstance(value, list | tuple):
        return [n for item in value for n in all_numbers(item)]
    return [value] if isinstance(value, int | float) and not isinstance(value, bool) else []


def test_a_key_with_a_newline_is_named_on_one_line():  # found by the generated configs below
    with pytest.raises(ConfigError) as error:
        validate({"model": "LineModelCtc", "experiment_group": {"a\nb": math.inf}})
    assert str(error.value) == '"experiment_group.a\\nb" must be a finite number, got inf.'


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configs())
def test_generated_configs_validate_to_sane_values_or_raise_config_error(config):
    try:
        parsed = validate(config)
    except ConfigError as error:
        assert str(error) and "\n" not in str(error)
        return
    numbers = all_numbers(parsed.to_dict())
    assert all(math.isfinite(n) for n in numbers)
    assert all(abs(n) < 2**63 for n in numbers if isinstance(n, int))  # floats need only be finite
    assert 0 <= parsed.seed <= MAX_SEED
    args = parsed.train_args
    assert args.batch_size >= 1 and args.epochs >= 1 and args.learning_rate > 0
    assert args.weight_decay >= 0 and 0 <= args.label_smoothing < 1 and args.early_stopping_patience >= 0
    fractions = {k: v for k, v in parsed.dataset_args.items() if k.endswith("_fraction") and v is not None}
    assert all(MIN_FRACTION <= v <= 1 for v in fractions.values())
    assert sum(v for k, v in fractions.items() if k != "subsample_fraction") < 1
    assert 0 <= parsed.dataset_args.get("seed", 0) <= MAX_SEED


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60) | st.binary(max_size=60).map(lambda b: b.decode("utf-8", "surrogateescape")))
def test_any_text_after_a_brace_parses_or_raises_config_error(text):
    with contextlib.suppress(ConfigError):
        parse("{" + text)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=80))
def test_any_config_file_parses_or_raises_config_error(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("config") / "config.json"
    path.write_bytes(data)
    with contextlib.suppress(ConfigError):
        parse(str(path))


def test_the_runner_without_tensorflow_really_cannot_load_it():
    result = run_cli("-c", WITHOUT_TENSORFLOW.replace("from training", "import tensorflow; from training"), "--list")
    assert result.returncode != 0 and "import of tensorflow halted" in result.stderr
