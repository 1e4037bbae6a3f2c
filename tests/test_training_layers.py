"""training/ keeps programs and library apart: programs are thin shells that nothing imports, and only cli.py turns a
user's mistake into `error: ...` and an exit status."""

import ast

from tests.conftest import REPO

TRAINING = REPO / "training"
ALIASES = {"sweep": "offline_sweep", "run_sweep": "sweep_trial"}  # first names of renamed programs


def modules() -> dict[str, ast.Module]:
    return {path.stem: ast.parse(path.read_text()) for path in sorted(TRAINING.glob("*.py"))}


def is_program(tree: ast.Module) -> bool:
    return any(isinstance(node, ast.If) and "__main__" in ast.unparse(node.test) for node in tree.body)


def imported(tree: ast.Module) -> set[str]:
    """The training modules a module imports, however it names them."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "training":
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("training."):
            names.add(node.module.removeprefix("training."))
        elif isinstance(node, ast.Import):
            names |= {
                alias.name.removeprefix("training.") for alias in node.names if alias.name.startswith("training.")
            }
    return names


def test_no_module_imports_a_program_but_an_alias_its_new_name():
    trees = modules()
    programs = {name for name, tree in trees.items() if is_program(tree)}
    assert {"run_experiment", "prepare_experiments", "offline_sweep", "sweep_trial", "evaluate", "runs"} <= programs
    wrong = {name: imported(tree) & programs for name, tree in trees.items() if imported(tree) & programs}
    assert wrong == {alias: {target} for alias, target in ALIASES.items()}
    for alias in ALIASES:
        assert len((TRAINING / f"{alias}.py").read_text().splitlines()) < 12


def test_only_cli_writes_error_messages_and_exit_statuses():
    writers = []
    for name, tree in modules().items():
        for node in ast.walk(tree):
            message = isinstance(node, ast.Call) and ast.unparse(node.func) == "print" and "error:" in ast.unparse(node)
            if message or (isinstance(node, ast.Return) and ast.unparse(node) == "return 2"):
                writers.append(name)
    assert writers == ["cli"]
