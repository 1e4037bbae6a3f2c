"""Experiment configs: parsed and checked against the registries before anything heavy is imported."""

import dataclasses
import difflib
import json
import math
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from text_recognizer import registry
from text_recognizer.cards import load_card
from text_recognizer.errors import ConfigError, DataError
from text_recognizer.escaping import undecodable_byte


@dataclass
class TrainArgs:
    """How to train; every field can be set under "train_args"."""

    batch_size: int = 256
    epochs: int = 10
    learning_rate: float = 1e-3
    optimizer: str = "adam"
    weight_decay: float = 0.0
    lr_schedule: str = "plateau"
    early_stopping_patience: int = 5
    label_smoothing: float = 0.0
    validation_batch_size: int | None = None
    distribute: str = "auto"  # auto: data-parallel when several devices are visible or TF_CONFIG names a cluster


CHOICES = {
    "optimizer": ("adam", "adamw", "sgd", "rmsprop"),
    "lr_schedule": ("plateau", "cosine", "constant"),
    "distribute": ("auto", "mirrored", "off"),
}
POSITIVE = ("batch_size", "epochs", "learning_rate")
NON_NEGATIVE = ("weight_decay", "label_smoothing", "early_stopping_patience")
MAX_SEED = 2**32 - 1  # numpy's and Keras's seeds are 32-bit
MAX_INT = 2**63 - 1  # what TensorFlow and numpy hold in an int64
MIN_FRACTION = 1e-4  # a *_fraction below this leaves next to nothing of any dataset here
MAX_DEPTH = 32  # levels of nesting in a config (its arguments need three or four)
MAX_CONFIG_BYTES = 1 << 20


@dataclass
class ExperimentConfig:
    """A validated experiment: registry names, their arguments and how to train."""

    dataset: str
    model: str
    network: str
    dataset_args: dict[str, Any] = field(default_factory=dict)
    network_args: dict[str, Any] = field(default_factory=dict)
    train_args: TrainArgs = field(default_factory=TrainArgs)
    experiment_group: str | None = None
    seed: int = 42
    init_from: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def with_parent_network_args(config: ExperimentConfig) -> ExperimentConfig:
    """A run that starts from a card of its own network builds the card's network: the card's network_args, with
    the config's own on top (to grow it, say). A card that cannot be read is left for init_from to report."""
    if config.init_from is None:
        return config
    try:
        card = load_card(config.init_from)
    except (DataError, ValueError):
        return config
    if card.get("network") != config.network:
        return config
    return dataclasses.replace(config, network_args={**card.get("network_args", {}), **config.network_args})


REQUIRED_KEYS = ("dataset", "model", "network")
CONFIG_KEYS = tuple(f.name for f in dataclasses.fields(ExperimentConfig))


def parse(text_or_path: str) -> ExperimentConfig:
    """A config from a JSON string or the path of a JSON file."""
    text = text_or_path
    if not text_or_path.lstrip().startswith(("{", "[")):
        text = _read_config_file(text_or_path)
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        raise ConfigError(
            f"The config is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}. "
            "In a shell, wrap the JSON in single quotes and use double quotes inside it."
        ) from None
    except RecursionError:
        raise ConfigError(f"The config is nested too deeply to read; it needs at most {MAX_DEPTH} levels.") from None
    except ValueError as error:  # Python reads integers of at most 4,300 digits (sys.get_int_max_str_digits)
        reason = str(error).split(":")[0].lower()
        raise ConfigError(f"The config holds a number too long to read: it {reason}.") from None
    return validate(raw)


def _read_config_file(name: str) -> str:
    """The text of a config file: UTF-8 (a byte-order mark is allowed), at most MAX_CONFIG_BYTES."""
    path = Path(name)
    try:
        if not path.is_file():
            raise ConfigError(f"The config {name!r} is neither a JSON object nor the path of a JSON file.")
        with open(path, "rb") as file:
            data = file.read(MAX_CONFIG_BYTES + 1)
    except OSError as error:
        raise ConfigError(f"Cannot read the config file {name!r}: {error.strerror or error}.") from None
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(f"The config file {name!r} is over {MAX_CONFIG_BYTES:,} bytes; a config is a few hundred.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ConfigError(
            f"The config file {name!r} is not UTF-8 text: {undecodable_byte(data, error)} is not valid UTF-8. "
            "Save the file as UTF-8."
        ) from None


def validate(raw: Any) -> ExperimentConfig:
    """Check names, keys and types; raise ConfigError with a message that names the fix."""
    if not isinstance(raw, dict):
        raise ConfigError(f"The config must be a JSON object, got {type(raw).__name__}.")
    _check_values(raw)
    _reject_unknown(raw, CONFIG_KEYS, "config key")
    for key in REQUIRED_KEYS:
        if key not in raw:
            raise ConfigError(f'The config lacks "{key}"; choose one of: {", ".join(registry.REGISTRIES[key])}.')
        name = raw[key]
        choices = registry.REGISTRIES[key]
        if not isinstance(name, str) or name not in choices:
            raise ConfigError(f"Unknown {key} {name!r}{_did_you_mean(name, choices)} Valid: {', '.join(choices)}.")
    for key in ("dataset_args", "network_args", "train_args"):
        if not isinstance(raw.get(key, {}), dict):
            raise ConfigError(f'"{key}" must be a JSON object, got {raw[key]!r}.')
    _check_arguments("dataset", raw["dataset"], raw.get("dataset_args", {}))
    _check_fractions(raw["dataset"], raw.get("dataset_args", {}))
    _check_arguments("network", raw["network"], raw.get("network_args", {}))
    _check_type("seed", raw.get("seed", 42), "int", "config")
    if raw.get("experiment_group") is not None:
        _check_type("experiment_group", raw["experiment_group"], "str", "config")
    if raw.get("init_from") is not None:
        _check_type("init_from", raw["init_from"], "str", "config")
    return ExperimentConfig(
        dataset=raw["dataset"],
        model=raw["model"],
        network=raw["network"],
        dataset_args=raw.get("dataset_args", {}),
        network_args=raw.get("network_args", {}),
        train_args=_train_args(raw.get("train_args", {})),
        experiment_group=raw.get("experiment_group"),
        seed=raw.get("seed", 42),
        init_from=raw.get("init_from"),
    )


def from_card(card: dict[str, Any]) -> ExperimentConfig:
    """The config a weights card's model was trained with, as far as rebuilding and evaluating it needs."""
    fields = ("dataset", "dataset_args", "model", "network", "network_args", "train_args")
    return validate({key: card[key] for key in fields if key in card})


def _train_args(given: dict[str, Any]) -> TrainArgs:
    fields = {f.name: f.type for f in dataclasses.fields(TrainArgs)}
    _reject_unknown(given, fields, "train_args key")
    for key, value in given.items():
        _check_type(key, value, fields[key], "train_args")
        if key in CHOICES and value not in CHOICES[key]:
            raise ConfigError(
                f'train_args "{key}" is {value!r}{_did_you_mean(value, CHOICES[key])} Valid: {", ".join(CHOICES[key])}.'
            )
        if key in POSITIVE and value <= 0:
            raise ConfigError(f'train_args "{key}" must be positive, got {value!r}.')
        if key in NON_NEGATIVE and value < 0:
            raise ConfigError(f'train_args "{key}" must be 0 or more, got {value!r}.')
    if given.get("label_smoothing", 0) >= 1:
        raise ConfigError(f'train_args "label_smoothing" must be less than 1, got {given["label_smoothing"]!r}.')
    return TrainArgs(**given)


def _check_values(raw: dict) -> None:
    """Values no setting can take, wherever they are: NaN or infinite numbers, integers beyond int64, seeds outside
    0..2**32-1, and nesting deeper than MAX_DEPTH (walked without recursion, so any depth is safe to look at)."""
    stack: list[tuple[str, Any, int]] = [(_printable(key), value, 1) for key, value in raw.items()]
    while stack:
        where, value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ConfigError(f'The config is nested more than {MAX_DEPTH} levels deep at "{where}".')
        if isinstance(value, dict):
            stack.extend((f"{where}.{_printable(key)}", item, depth + 1) for key, item in value.items())
        elif isinstance(value, list | tuple):
            stack.extend((f"{where}[{i}]", item, depth + 1) for i, item in enumerate(value))
        elif isinstance(value, float) and not math.isfinite(value):
            raise ConfigError(f'"{where}" must be a finite number, got {value!r}.')
        elif isinstance(value, int) and not isinstance(value, bool):
            if where.rsplit(".", 1)[-1] == "seed" and not 0 <= value <= MAX_SEED:
                raise ConfigError(f'"{where}" must be an integer from 0 to {MAX_SEED}, got {value!r}.')
            if abs(value) > MAX_INT:
                raise ConfigError(f'"{where}" is too large: integers here are at most {MAX_INT} (int64).')


def _printable(key: Any) -> str:
    """A key as it can be named in a one-line message: control characters (a newline in a key) escaped."""
    key = str(key)
    return key if key.isprintable() else key.encode("unicode_escape").decode("ascii")


def _check_fractions(name: str, given: dict[str, Any]) -> None:
    """Every *_fraction argument of a dataset is in [MIN_FRACTION, 1], and the parts carved from the data (all but
    subsample_fraction) leave some of it to train on."""
    parts = {}
    for key, value in given.items():
        if not key.endswith("_fraction") or value is None or not isinstance(value, int | float):
            continue  # the type check names a fraction of the wrong type
        if isinstance(value, bool) or not MIN_FRACTION <= value <= 1:
            raise ConfigError(
                f'dataset_args of {name} "{key}" must be a fraction from {MIN_FRACTION} to 1, got {value!r}.'
            )
        if key != "subsample_fraction":
            parts[key] = value
    if parts and sum(parts.values()) >= 1:
        what = " + ".join(f'"{key}"' for key in parts) + (" must add up to" if len(parts) > 1 else " must be")
        raise ConfigError(
            f"dataset_args of {name}: {what} less than 1 (the rest is the training set), got {sum(parts.values())!r}."
        )


def _check_arguments(kind: str, name: str, given: dict[str, Any]) -> None:
    params, takes_any = registry.parameters(kind, name)
    if not takes_any:
        _reject_unknown(given, params, f"{kind}_args key for {name}")
    for key, value in given.items():
        if key in params:
            param = params[key]
            annotation = param.annotation or _type_name(param.default)
            _check_type(key, value, annotation, f"{kind}_args of {name}")


def _reject_unknown(given: dict, known, what: str) -> None:
    for key in given:
        if key not in known:
            raise ConfigError(f"Unknown {what} {key!r}{_did_you_mean(key, known)} Valid: {', '.join(known)}.")


def _did_you_mean(value: Any, choices) -> str:
    close = difflib.get_close_matches(str(value), list(choices), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else "."


JSON_TYPES = {
    "int": (int,),
    "float": (int, float),
    "str": (str,),
    "bool": (bool,),
    "None": (type(None),),
    "list": (list,),
    "dict": (dict,),
}


def _type_name(default: Any) -> str | None:
    if default is registry.NO_DEFAULT or default is None:
        return None
    if isinstance(default, tuple):
        return "list"
    return type(default).__name__


def _check_type(key: str, value: Any, annotation: Any, where: str) -> None:
    """Check `value` against a simple annotation such as "int", "float | None" or "tuple[int, ...]"."""
    if annotation is None:
        return
    text = annotation if isinstance(annotation, str) else _annotation_text(annotation)
    allowed: tuple[type, ...] = ()
    for part in text.replace(" ", "").split("|"):
        base = part.split("[")[0]
        base = "list" if base in ("tuple", "list") else base
        if base not in JSON_TYPES:
            return  # an annotation we do not model: leave it to the callable
        allowed += JSON_TYPES[base]
    is_bool = isinstance(value, bool)
    if not isinstance(value, allowed) or (is_bool and bool not in allowed):
        raise ConfigError(f'{where} "{key}" must be {text}, got {value!r} ({type(value).__name__}).')


def _annotation_text(annotation: Any) -> str:
    if isinstance(annotation, types.UnionType):
        return " | ".join(_annotation_text(arg) for arg in annotation.__args__)
    return "None" if annotation is type(None) else annotation.__name__
