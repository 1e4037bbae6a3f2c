"""Run records: every run gets its own folder under runs/ with config, history, metrics, checkpoints and status."""

import json
import os
import secrets
import time
from pathlib import Path
from typing import Any

from text_recognizer.cards import write_json_atomic
from text_recognizer.datasets.sources import REPO_DIR

RUNS_DIR_ENV = "TEXT_RECOGNIZER_RUNS_DIR"


def runs_dir() -> Path:
    return Path(os.environ.get(RUNS_DIR_ENV, REPO_DIR / "runs"))


class RunRecord:
    """The folder of one run. Files are replaced atomically, so a killed run leaves only whole files behind."""

    def __init__(self, path: Path):
        self.path = path

    @classmethod
    def create(cls, config: dict[str, Any]) -> "RunRecord":
        """A new, uniquely named run folder; concurrent runs can never share one."""
        stamp = time.strftime("%Y%m%d-%H%M%S")
        while True:
            path = runs_dir() / f"{stamp}-{config['network']}-{secrets.token_hex(3)}"
            try:
                path.mkdir(parents=True)
                break
            except FileExistsError:
                continue
        record = cls(path)
        write_json_atomic(record.config_file, config)
        record.set_status("created")
        return record

    @property
    def run_id(self) -> str:
        return self.path.name

    @property
    def config_file(self) -> Path:
        return self.path / "config.json"

    @property
    def history_file(self) -> Path:
        return self.path / "history.csv"

    @property
    def metrics_file(self) -> Path:
        return self.path / "metrics.json"

    @property
    def best_weights(self) -> Path:
        return self.path / "best.weights.h5"

    @property
    def last_weights(self) -> Path:
        return self.path / "last.weights.h5"

    @property
    def status_file(self) -> Path:
        return self.path / "status.json"

    def config(self) -> dict[str, Any]:
        return json.loads(self.config_file.read_text())

    def status(self) -> dict[str, Any]:
        return json.loads(self.status_file.read_text()) if self.status_file.exists() else {}

    def set_status(self, state: str, **fields: Any) -> None:
        status = {**self.status(), "state": state, "pid": os.getpid(), "updated": time.time(), **fields}
        write_json_atomic(self.status_file, status)

    def finish(self, metrics: dict[str, Any]) -> None:
        write_json_atomic(self.metrics_file, metrics)
        self.set_status("finished")
