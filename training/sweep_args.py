"""W&B's flat sweep arguments (--network_args.layer_size=128) as one nested experiment config, each value of the type
its field expects."""

import ast
import dataclasses
import json
from typing import Any

from text_recognizer import registry
from text_recognizer.errors import ConfigError
from training.config import CONFIG_KEYS, ExperimentConfig, TrainArgs


def split_args(argv: list[str]) -> tuple[dict[str, str], list[str]]:
    """Config settings (--key=value, the key dotted or a config key) apart from the runner's own flags."""
    settings, rest = {}, []
    for arg in argv:
        key, equals, value = arg.removeprefix("--").partition("=")
        if arg.startswith("--") and ("." in key or key in CONFIG_KEYS):
            if not equals:
                raise ConfigError(f"Give config settings as --{key}=VALUE; got {arg!r}.")
            settings[key] = value
        else:
            rest.append(arg)
    return settings, rest


def to_config(settings: dict[str, str]) -> dict[str, Any]:
    """The nested config of flat settings, each value turned into the type its key expects."""
    config: dict[str, Any] = {}
    for key in sorted(settings, key=lambda k: k.count(".")):  # names first: they decide what their args expect
        *parents, leaf = key.split(".")
        node = config
        for parent in parents:
            node = node.setdefault(parent, {})
            if not isinstance(node, dict):
                raise ConfigError(f"--{key} sets a field inside {parent!r}, which is not an object.")
        node[leaf] = coerce(settings[key], expected_type(key.split("."), config))
    return config


def coerce(text: str, annotation: str | None) -> Any:
    """A flag's text as the value the annotation asks for ("128" -> 128, "None" -> None, "adam" -> "adam")."""
    kinds = {part.split("[")[0].strip() for part in annotation.split("|")} if annotation else set()
    if kinds and kinds <= {"str", "None"} and text != "None":
        return text
    value = _literal(text)
    if "int" in kinds and "float" not in kinds and isinstance(value, float) and value.is_integer():
        return int(value)
    return list(value) if isinstance(value, tuple) else value


def expected_type(path: list[str], config: dict[str, Any]) -> str | None:
    """The annotation of the config field at `path`, when it is known."""
    if len(path) == 1:
        return _type_text(_field_types(ExperimentConfig).get(path[0]))
    if len(path) != 2:
        return None
    section, name = path
    if section == "train_args":
        return _type_text(_field_types(TrainArgs).get(name))
    kind = section.removesuffix("_args")
    if kind in ("dataset", "network") and config.get(kind) in registry.REGISTRIES[kind]:
        parameter = registry.parameters(kind, config[kind])[0].get(name)
        if parameter is not None:
            default = parameter.default
            return parameter.annotation or (None if default in (None, registry.NO_DEFAULT) else type(default).__name__)
    return None


def _field_types(cls) -> dict[str, Any]:
    return {field.name: field.type for field in dataclasses.fields(cls)}


def _type_text(annotation: Any) -> str | None:
    if annotation is None:
        return None
    return annotation.__name__ if isinstance(annotation, type) else str(annotation)


def _literal(text: str) -> Any:
    for parse in (json.loads, ast.literal_eval):
        try:
            return parse(text)
        except (ValueError, SyntaxError):
            continue
    return text
