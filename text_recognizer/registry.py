"""Datasets, models and networks by name. Adding one is one line here; nothing is imported until it is resolved."""

import ast
import importlib
import importlib.util
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

DATASETS = {
    "EmnistDataset": "text_recognizer.datasets.emnist:EmnistDataset",
    "EmnistLinesDataset": "text_recognizer.datasets.emnist_lines:EmnistLinesDataset",
    "SyntheticParagraphsDataset": "text_recognizer.datasets.synthetic_paragraphs:SyntheticParagraphsDataset",
    "RealLinePagesDataset": "text_recognizer.datasets.real_line_pages:RealLinePagesDataset",
    "IamLinesDataset": "text_recognizer.datasets.iam_lines:IamLinesDataset",
    "IamParagraphsDataset": "text_recognizer.datasets.iam_paragraphs:IamParagraphsDataset",
    "LinesFolderDataset": "text_recognizer.datasets.lines_folder:LinesFolderDataset",
    "HandwritingLinesDataset": "text_recognizer.datasets.handwriting_lines:HandwritingLinesDataset",
    "PageXmlLinesDataset": "text_recognizer.datasets.page_xml_lines:PageXmlLinesDataset",
}
MODELS = {
    "CharacterModel": "text_recognizer.models.character_model:CharacterModel",
    "LineModel": "text_recognizer.models.line_model:LineModel",
    "LineModelCtc": "text_recognizer.models.line_model_ctc:LineModelCtc",
    "LineDetectorModel": "text_recognizer.models.line_detector_model:LineDetectorModel",
}
NETWORKS = {
    "mlp": "text_recognizer.networks.mlp:mlp",
    "lenet": "text_recognizer.networks.lenet:lenet",
    "vgg_bn": "text_recognizer.networks.vgg_bn:vgg_bn",
    "line_cnn_all_conv": "text_recognizer.networks.line_cnn:line_cnn_all_conv",
    "line_cnn_time_distributed": "text_recognizer.networks.line_cnn:line_cnn_time_distributed",
    "line_lstm_ctc": "text_recognizer.networks.line_lstm_ctc:line_lstm_ctc",
    "line_crnn": "text_recognizer.networks.line_crnn:line_crnn",
    "fcn": "text_recognizer.networks.fcn:fcn",
    "handwriting_crnn": "text_recognizer.networks.handwriting_crnn:handwriting_crnn",
}
REGISTRIES = {"dataset": DATASETS, "model": MODELS, "network": NETWORKS}

NO_DEFAULT = object()


@dataclass(frozen=True)
class Parameter:
    """One keyword a registered callable takes: its annotation (as written) and default."""

    name: str
    annotation: str | None
    default: Any = NO_DEFAULT


def resolve(kind: str, name: str) -> Any:
    """Import and return the registered class or function."""
    module_name, attribute = REGISTRIES[kind][name].split(":")
    return getattr(importlib.import_module(module_name), attribute)


@cache
def parameters(kind: str, name: str) -> tuple[dict[str, Parameter], bool]:
    """Keyword parameters of a registered callable, read from its source without importing it.

    Returns the parameters the user may set and whether it also takes **kwargs. A class without an __init__ of its
    own takes its nearest base class's. For networks the first two positional parameters (input_shape,
    output_shape) come from the dataset and are left out.
    """
    function = _find_function(*REGISTRIES[kind][name].split(":"))
    if function is None:  # no __init__ up to object: no arguments
        return {}, False
    args = function.args
    positional = args.posonlyargs + args.args
    defaults = [NO_DEFAULT] * (len(positional) - len(args.defaults)) + [_literal(d) for d in args.defaults]
    pairs = list(zip(positional, defaults, strict=True)) + list(
        zip(args.kwonlyargs, [NO_DEFAULT if d is None else _literal(d) for d in args.kw_defaults], strict=True)
    )
    skip = {"self", "cls"} | ({positional[0].arg, positional[1].arg} if kind == "network" else set())
    found = {
        arg.arg: Parameter(arg.arg, ast.unparse(arg.annotation) if arg.annotation else None, default)
        for arg, default in pairs
        if arg.arg not in skip
    }
    return found, args.kwarg is not None


def _find_function(module_name: str, name: str) -> ast.FunctionDef | None:
    """The function `name` of a module, or the __init__ a class `name` there defines or inherits (None: object's)."""
    tree = _module_tree(module_name)
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return node
        if isinstance(node, ast.ClassDef) and node.name == name:
            init = next((i for i in node.body if isinstance(i, ast.FunctionDef) and i.name == "__init__"), None)
            return init or _inherited_init(tree, module_name, node.bases)
    raise LookupError(f"{module_name} has no function or class {name} to read parameters from")


def _inherited_init(tree: ast.Module, module_name: str, bases: list[ast.expr]) -> ast.FunctionDef | None:
    """The __init__ of the first base class (in order, each followed up its own bases) that has one."""
    for base in bases:
        if not isinstance(base, ast.Name) or base.id == "object":
            continue
        init = _find_function(_defining_module(tree, module_name, base.id), base.id)
        if init is not None:
            return init
    return None


def _module_tree(module_name: str) -> ast.Module:
    return ast.parse(Path(importlib.util.find_spec(module_name).origin).read_text())


def _defining_module(tree: ast.Module, module_name: str, name: str) -> str:
    """The module a name used in `module_name` comes from: the one it is imported from, else `module_name` itself."""
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and any((alias.asname or alias.name) == name for alias in node.names):
            package = module_name.rsplit(".", node.level)[0] if node.level else ""
            return ".".join(part for part in (package, node.module) if part)
    return module_name


def _literal(node: ast.expr) -> Any:
    try:
        return ast.literal_eval(node)
    except ValueError:
        return NO_DEFAULT


def listing() -> str:
    """A readable list of everything registered, with each entry's parameters and defaults."""
    lines = []
    for kind, registry in REGISTRIES.items():
        lines.append(f"{kind}s:")
        for name in registry:
            if kind == "model":  # models take no arguments from the config
                lines.append(f"  {name}")
                continue
            params, _ = parameters(kind, name)
            shown = ", ".join(p.name if p.default is NO_DEFAULT else f"{p.name}={p.default!r}" for p in params.values())
            lines.append(f"  {name}({shown})")
    return "\n".join(lines)
