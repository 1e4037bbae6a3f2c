"""The settings module: folders and environment settings, read at call time, each documented in its table."""

import re

import pytest

from tests.conftest import REPO
from text_recognizer import settings
from text_recognizer.errors import DataError

VARIABLES = {value for name, value in vars(settings).items() if name.endswith("_ENV")}


def test_every_variable_is_in_the_table_and_the_table_names_no_other():
    table = set(re.findall(r"^\| `(TEXT_RECOGNIZER_\w+)` \|", settings.__doc__, re.MULTILINE))
    assert table == VARIABLES and len(VARIABLES) == 14


def test_the_readme_table_is_the_modules_table():
    rows = [line for line in settings.__doc__.splitlines() if line.startswith("|")]
    assert "\n".join(rows) in (REPO / "README.md").read_text(encoding="utf-8")


def test_folders_follow_the_environment_at_call_time(monkeypatch, tmp_path):
    monkeypatch.delenv(settings.DATA_DIR_ENV, raising=False)
    assert settings.data_dir() == REPO / "data"
    monkeypatch.setenv(settings.DATA_DIR_ENV, str(tmp_path))
    assert settings.data_dir() == tmp_path
    monkeypatch.setenv(settings.MIRROR_ENV, f"{tmp_path / 'a'}:{tmp_path / 'b'}")
    assert settings.mirror_dirs() == [tmp_path / "a", tmp_path / "b"]
    monkeypatch.delenv(settings.WEIGHTS_DIR_ENV, raising=False)
    assert settings.weights_dir() == REPO / "text_recognizer" / "weights" == settings.SHIPPED_WEIGHTS_DIR
    monkeypatch.setenv(settings.RUNS_DIR_ENV, str(tmp_path / "runs"))
    assert settings.runs_dir() == tmp_path / "runs"


def test_numbers_are_checked_and_named_with_what_was_wrong(monkeypatch):
    monkeypatch.delenv(settings.CPU_DEVICES_ENV, raising=False)
    assert settings.cpu_devices() == 1
    monkeypatch.setenv(settings.CPU_DEVICES_ENV, " 2 ")
    assert settings.cpu_devices() == 2
    monkeypatch.setenv(settings.ONNX_THREADS_ENV, "0")
    assert settings.onnx_threads() == 0
    for bad in ("0", "two", "1.5"):
        monkeypatch.setenv(settings.CPU_DEVICES_ENV, bad)
        with pytest.raises(
            DataError, match=rf"^TEXT_RECOGNIZER_CPU_DEVICES='{re.escape(bad)}': expected a whole number"
        ):
            settings.cpu_devices()


def test_only_the_settings_module_reads_the_projects_variables():
    read = re.compile(r"environ\S*[(\[]\s*(\w*_ENV\b|\"TEXT_RECOGNIZER_)")  # os.environ.get(X_ENV), environ["..."]
    files = [*REPO.glob("text_recognizer/**/*.py"), *REPO.glob("training/**/*.py"), *REPO.glob("api/**/*.py")]
    readers = [path.relative_to(REPO).as_posix() for path in files if read.search(path.read_text())]
    assert readers == ["text_recognizer/settings.py"]
