"""An offline sweep's memory: its config and every run it proposed, in runs/sweeps/<name>/sweep.json.

Each proposal is written down before its run starts, and the runs' own records say how far each got, so an
interrupted sweep picks up where it stopped without repeating a finished run.
"""

import json
import re
import secrets
from pathlib import Path
from typing import Any

from text_recognizer.cards import write_json_atomic
from text_recognizer.errors import UserError
from text_recognizer.settings import runs_dir
from training.records import RunRecord


class SweepState:
    """The proposals of one named sweep, persisted after every change."""

    def __init__(self, folder: Path, config: dict[str, Any], entries: list[dict[str, Any]]):
        self.folder, self.config, self.entries = folder, config, entries

    @property
    def name(self) -> str:
        return self.folder.name

    @classmethod
    def open(cls, name: str, config: dict[str, Any]) -> "SweepState":
        """The sweep called `name`: resumed when it exists (with the same config), else started."""
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name):
            raise UserError(f"A sweep name may hold letters, digits, '.', '_' and '-' only; got {name!r}.")
        folder = runs_dir() / "sweeps" / name
        state_file = folder / "sweep.json"
        if not state_file.exists():
            state = cls(folder, config, [])
            state.save()
            return state
        saved = json.loads(state_file.read_text())
        if saved["config"] != config:
            raise UserError(
                f"Sweep {name!r} ({folder}) was started from a different sweep file; "
                "give this one a new --name, or delete that folder to start over."
            )
        return cls(folder, config, saved["entries"])

    def save(self) -> None:
        write_json_atomic(self.folder / "sweep.json", {"config": self.config, "entries": self.entries})

    def add(self, params: dict[str, Any]) -> dict[str, Any]:
        """Write down a new proposal (before its run starts) and return it."""
        entry = {"run_id": f"{self.name}-{len(self.entries) + 1:03d}-{secrets.token_hex(2)}", "params": params}
        self.entries.append(entry)
        self.save()
        return entry

    def log_file(self, entry: dict[str, Any]) -> Path:
        return self.folder / "logs" / f"{entry['run_id']}.log"


def record_of(entry: dict[str, Any]) -> RunRecord:
    """The run record of a proposal (its folder may not exist yet)."""
    return RunRecord(runs_dir() / entry["run_id"])


def recorded_state(entry: dict[str, Any]) -> str | None:
    """What the run's record says: finished, failed, interrupted, running, ...; None before it was created."""
    record = record_of(entry)
    return record.status().get("state") if record.config_file.exists() else None
