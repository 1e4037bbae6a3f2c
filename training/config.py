"""Experiment configs: parsed and checked against the registries before anything heavy is imported."""

import dataclasses
import difflib
import json
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from text_recognizer import registry
from text_recognizer.errors import ConfigError


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


REQUIRED_KEYS = ("dataset", "model", "network")
CONFIG_KEYS = tuple(f.name for f in dataclasses.fields(ExperimentConfig))


def parse(text_or_path: str) -> ExperimentConfig:
    """A config from a JSON string or the path of a JSON file."""
    text = text_or_path
    if not text_or_path.lstrip().startswith(("{", "[")):
        path = Path(text_or_path)
        if not path.is_file():
            raise ConfigError(f"The config {text_or_path!r} is neither a JSON object nor the path of a JSON file.")
        text = path.read_text()
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        raise ConfigError(
            f"The config is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}. "
            "In a shell, wrap the JSON in single quotes and use double quotes inside it."
        ) from None
    return validate(raw)


def validate(raw: Any) -> ExperimentConfig:
    """Check names, keys and types; raise ConfigError with a message that names the fix."""
    if not isinstance(raw, dict):
        raise ConfigError(f"The config must be a JSON object, got {type(raw).__name__}.")
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
    return TrainArgs(**given)


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
