"""Weights cards: the JSON beside each weights file that lets a predictor rebuild the model from it alone."""

import json
import os
from pathlib import Path
from typing import Any

from text_recognizer.errors import DataError
from text_recognizer.settings import weights_dir


def weights_stem(model: str, dataset: str, network: str) -> str:
    return f"{model}_{dataset}_{network}"


def card_path(name_or_path: str | Path) -> Path:
    """A card given by its stem (e.g. "CharacterModel_EmnistDataset_vgg_bn") or by a path to it or its weights."""
    path = Path(name_or_path)
    if path.suffix == ".json":
        return path
    if path.name.endswith(".weights.h5"):
        return path.with_name(path.name.removesuffix(".weights.h5") + ".json")
    return weights_dir() / f"{path.name}.json"


def load_card(name_or_path: str | Path) -> dict[str, Any]:
    path = card_path(name_or_path)
    if not path.exists():
        available = sorted(p.stem for p in weights_dir().glob("*.json"))
        raise DataError(
            f"No weights card at {path}. Shipped cards: {', '.join(available) or 'none'}; "
            "train one with --save, or pass the path of a card."
        )
    card = json.loads(path.read_text())
    card["card_path"] = str(path)
    return card


def weights_file(card: dict[str, Any]) -> Path:
    return Path(card["card_path"]).with_name(card["weights"])


def write_json_atomic(path: Path, content: Any) -> None:
    """Write JSON under a temporary name and rename, so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    partial.write_text(json.dumps(content, indent=2, default=str) + "\n")
    os.replace(partial, path)
