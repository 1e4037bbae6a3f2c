"""Run records: every run gets its own folder under runs/ with config, history, metrics, checkpoints and status."""

import csv
import io
import json
import os
import re
import secrets
import time
from pathlib import Path
from typing import Any

from text_recognizer.cards import write_json_atomic
from text_recognizer.datasets.sources import REPO_DIR
from text_recognizer.errors import UserError
from training.locks import FileLock, is_locked, try_lock

RUNS_DIR_ENV = "TEXT_RECOGNIZER_RUNS_DIR"


def runs_dir() -> Path:
    return Path(os.environ.get(RUNS_DIR_ENV, REPO_DIR / "runs"))


class RunRecord:
    """The folder of one run. Files are replaced atomically, so a killed run leaves only whole files behind."""

    def __init__(self, path: Path):
        self.path = path

    @classmethod
    def create(cls, config: dict[str, Any], run_id: str | None = None) -> "RunRecord":
        """A new run folder, uniquely named unless `run_id` is given; concurrent runs can never share one."""
        if run_id is not None and not RUN_ID.fullmatch(run_id):
            raise UserError(f"A run id may hold letters, digits, '.', '_' and '-' only; got {run_id!r}.")
        stamp = time.strftime("%Y%m%d-%H%M%S")
        while True:
            path = runs_dir() / (run_id or f"{stamp}-{config['network']}-{secrets.token_hex(3)}")
            try:
                path.mkdir(parents=True)
                break
            except FileExistsError:
                if run_id is not None:
                    raise UserError(f"Run {run_id} exists already; resume it with --resume {run_id}.") from None
        record = cls(path)
        write_json_atomic(record.config_file, config)
        record.set_status("created")
        return record

    @classmethod
    def open(cls, run_id: str) -> "RunRecord":
        """The record of an existing run, with a clear message when there is none."""
        path = runs_dir() / run_id
        if not RUN_ID.fullmatch(run_id) or not (path / "config.json").is_file():
            known = sorted(p.name for p in runs_dir().glob("*/config.json"))[-5:] if runs_dir().is_dir() else []
            raise UserError(f"No run {run_id!r} in {runs_dir()}. Recent runs: {', '.join(known) or 'none'}.")
        return cls(path)

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

    @property
    def lock_file(self) -> Path:
        return self.path / "run.lock"

    @property
    def stop_file(self) -> Path:
        return self.path / "STOP"

    def lock(self) -> FileLock:
        """Hold the run for this process; a second process on the same run is refused."""
        lock = try_lock(self.lock_file, str(os.getpid()))
        if lock is None:
            raise UserError(f"Run {self.run_id} is in use by another process (pid {self.status().get('pid')}).")
        return lock

    def is_active(self) -> bool:
        """Whether a live process holds this run (for runs recorded before run locks: whether its pid lives)."""
        if self.lock_file.exists():
            return is_locked(self.lock_file)
        pid = self.status().get("pid")
        try:
            os.kill(int(pid), 0)
        except (TypeError, ValueError, ProcessLookupError):
            return False
        except PermissionError:
            return True
        return True

    def request_stop(self, reason: str) -> None:
        """Ask the run to stop at the end of its current epoch."""
        self.stop_file.write_text(reason + "\n")

    def stop_reason(self) -> str | None:
        return self.stop_file.read_text().strip() if self.stop_file.exists() else None

    def history(self) -> list[dict[str, float]]:
        """One dict per recorded epoch, values as numbers (a row still being written is left out)."""
        text = self.history_file.read_text() if self.history_file.exists() else ""
        rows = csv.DictReader(io.StringIO(text[: text.rfind("\n") + 1]))
        return [{key: _number(value) for key, value in row.items()} for row in rows]

    def keep_history(self, epochs: int) -> None:
        """Drop history rows past `epochs` (rows of an epoch whose checkpoint was lost), atomically."""
        lines = self.history_file.read_text().splitlines(keepends=True) if self.history_file.exists() else []
        if len(lines) > epochs + 1:
            partial = self.history_file.with_name("history.csv.part")
            partial.write_text("".join(lines[: epochs + 1]))
            os.replace(partial, self.history_file)

    def completed_epochs(self) -> int:
        """Epochs saved in last.weights.h5 (0 when there is no checkpoint yet)."""
        return int(self.status().get("epoch", 0)) if self.last_weights.exists() else 0

    def metrics(self) -> dict[str, Any]:
        return json.loads(self.metrics_file.read_text()) if self.metrics_file.exists() else {}

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


RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def _number(text: str) -> float | str:
    try:
        return float(text)
    except ValueError:
        return text
