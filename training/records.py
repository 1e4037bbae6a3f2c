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
from text_recognizer.errors import DataError, UserError
from text_recognizer.settings import runs_dir
from training.locks import FileLock, holder_note, is_locked, try_lock


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
            holder = self.holder_pid()
            who = f"pid {holder}" if holder else "its pid is not recorded"
            raise UserError(f"Run {self.run_id} is in use by another process ({who}).")
        return lock

    def holder_pid(self) -> str:
        """The pid the live holder of the run lock wrote into it (the status may still name an earlier process)."""
        for _ in range(20):  # the holder writes its pid just after taking the lock
            note = holder_note(self.lock_file)
            if note:
                return note
            time.sleep(0.05)
        return ""

    def is_active(self) -> bool:
        """Whether a live process holds this run (for runs recorded before run locks: whether its pid lives)."""
        if self.lock_file.exists():
            return is_locked(self.lock_file)
        pid = self.status().get("pid")
        try:
            os.kill(int(pid), 0)
        except (TypeError, ValueError, OverflowError, ProcessLookupError):
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
        text = _read_text(self.history_file)
        try:
            rows = list(csv.DictReader(io.StringIO(text[: text.rfind("\n") + 1])))
        except csv.Error as error:
            raise DataError(f"{self.history_file} is not a history CSV ({error}).") from None
        return [{str(key): _number(value) for key, value in row.items()} for row in rows]

    def keep_history(self, epochs: int) -> None:
        """Drop history rows past `epochs` (rows of an epoch whose checkpoint was lost), atomically."""
        lines = _read_text(self.history_file).splitlines(keepends=True)
        if len(lines) > epochs + 1:
            partial = self.history_file.with_name("history.csv.part")
            partial.write_text("".join(lines[: epochs + 1]))
            os.replace(partial, self.history_file)

    def completed_epochs(self) -> int:
        """Epochs saved in last.weights.h5 (0 when there is no checkpoint yet)."""
        if not self.last_weights.exists():
            return 0
        epoch = self.status().get("epoch", 0)
        if not isinstance(epoch, int) or isinstance(epoch, bool) or epoch < 0:
            raise DataError(f"{self.status_file} records epoch {epoch!r}; expected a whole number of epochs.")
        return epoch

    def metrics(self) -> dict[str, Any]:
        return _read_json(self.metrics_file, missing={})

    def config(self) -> dict[str, Any]:
        return _read_json(self.config_file)

    def status(self) -> dict[str, Any]:
        return _read_json(self.status_file, missing={})

    def set_status(self, state: str, **fields: Any) -> None:
        try:
            earlier = self.status()
        except DataError:  # written atomically by runs, so only damaged from outside; the run itself goes on
            earlier = {}
        status = {**earlier, "state": state, "pid": os.getpid(), "updated": time.time(), **fields}
        write_json_atomic(self.status_file, status)

    def finish(self, metrics: dict[str, Any]) -> None:
        write_json_atomic(self.metrics_file, metrics)
        self.set_status("finished")


RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
NOTHING = object()


def _read_text(path: Path) -> str:
    """A record file's text ('' when it is not there yet); DataError when it cannot be read."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""
    except (OSError, UnicodeDecodeError) as error:
        raise DataError(f"{path} cannot be read ({error}).") from None


def _read_json(path: Path, missing: Any = NOTHING) -> dict[str, Any]:
    """The JSON object in a record file (`missing` when there is no file); DataError when it is damaged."""
    if missing is not NOTHING and not path.exists():
        return missing
    try:
        text = path.read_text(encoding="utf-8")
        value = json.loads(text)
    except FileNotFoundError:
        raise DataError(f"{path} is missing.") from None
    except (OSError, UnicodeDecodeError) as error:
        raise DataError(f"{path} cannot be read ({error}).") from None
    except (ValueError, RecursionError) as error:
        raise DataError(f"{path} is damaged: not valid JSON ({str(error)[:200]}).") from None
    if not isinstance(value, dict):
        raise DataError(f"{path} is damaged: it holds {type(value).__name__}, not a JSON object.")
    return value


def _number(text: str) -> float | str:
    try:
        return float(text)
    except (TypeError, ValueError):  # a short or long row of a damaged file
        return text
