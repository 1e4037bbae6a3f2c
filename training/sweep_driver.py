"""The offline sweep driver: W&B's own `sweeps` package proposes runs from a sweep file and stops weak ones, with no
server. Grid, random and bayes proposals come from sweeps.next_run, hyperband early termination from sweeps.stop_runs
(a run told to stop finishes its epoch, then evaluates and records). Each run is the file's `program` with W&B-style
--key=value arguments and --gpu=-1, so the GPU manager spreads the runs over free GPUs."""

import json
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import yaml

from text_recognizer.errors import UserError
from text_recognizer.settings import REPO_DIR
from training import run_table
from training.sweep_state import SweepState, record_of, recorded_state

warnings.filterwarnings("ignore", message="Valid config keys have changed", category=UserWarning)  # sweeps' pydantic
import sweeps  # noqa: E402

POLL_SECONDS = 0.5


class Child:
    """A run of the sweep in progress: a process started here, or one left running by an interrupted sweep."""

    def __init__(self, entry: dict[str, Any], process: subprocess.Popen | None):
        self.entry, self.process, self.record = entry, process, record_of(entry)

    def done(self) -> bool:
        return self.process.poll() is not None if self.process else not self.record.is_active()

    def terminate(self, grace_seconds: float = 120) -> None:
        """SIGTERM (the run records itself as interrupted), then SIGKILL if it is still there after the grace time."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(grace_seconds)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class OfflineSweep:
    """Proposes, starts, watches and stops the runs of one sweep, at most `parallel` at a time."""

    def __init__(self, state: SweepState, count: int | None, parallel: int, run_flags: list[str]):
        self.state, self.count, self.parallel, self.run_flags = state, count, parallel, run_flags
        self.config = state.config
        self.metric = self.config.get("metric", {}).get("name")
        self.active: dict[str, Child] = {}
        self.queue: list[dict[str, Any]] = []
        self.exhausted = False

    def pick_up(self) -> None:
        """Sort the runs of an earlier invocation: finished or failed stay, live ones are watched, the rest resume."""
        for entry in self.state.entries:
            state = recorded_state(entry)
            if state in ("finished", "failed"):
                continue
            if state is not None and record_of(entry).is_active():
                self.say(f"run {entry['run_id']} is still running from before; watching it")
                self.active[entry["run_id"]] = Child(entry, None)
            else:
                self.queue.append(entry)

    def run(self) -> None:
        while True:
            self.reap()
            self.stop_weak_runs()
            self.launch()
            if not self.active:
                return
            time.sleep(POLL_SECONDS)

    def reap(self) -> None:
        for run_id, child in list(self.active.items()):
            if child.done():
                del self.active[run_id]
                summary = (
                    run_table.summarize(child.record) if child.record.config_file.exists() else {"state": "missing"}
                )
                best = run_table.best_value(child.record.history(), self.metric, self.goal)
                self.say(f"run {run_id} {summary['state']}: best {self.metric} {run_table.format_value(best)}")
                if not summary["state"].startswith("finished"):
                    self.say(f"  its output: {self.state.log_file(child.entry)}")

    def stop_weak_runs(self) -> None:
        if "early_terminate" not in self.config:
            return
        for run in sweeps.stop_runs(self.config, self.sweep_runs(), validate=True):
            record = record_of({"run_id": run.name})
            if record.stop_reason() is None:
                line = run.early_terminate_info["lines"][-1] if run.early_terminate_info else ""
                record.request_stop(f"hyperband early termination ({line})")
                self.say(f"asked run {run.name} to stop after this epoch: {line}")

    def launch(self) -> None:
        while len(self.active) < self.parallel:
            if self.queue:
                entry = self.queue.pop(0)
            elif self.exhausted or (self.count is not None and len(self.state.entries) >= self.count):
                return
            else:
                proposal = sweeps.next_run(self.config, self.sweep_runs(), validate=True)
                if proposal is None:
                    self.exhausted = True
                    return
                entry = self.state.add(proposed_params(proposal))
            self.start(entry)

    def start(self, entry: dict[str, Any]) -> None:
        run_id, log_file = entry["run_id"], self.state.log_file(entry)
        if record_of(entry).config_file.exists():
            command = ["training/run_experiment.py", f"--resume={run_id}"]
            self.say(f"run {run_id} resumes from its last checkpoint")
        else:
            command = [self.config.get("program", "training/sweep_trial.py"), *self.flags(entry), f"--run-id={run_id}"]
            self.say(f"run {run_id} starts: {' '.join(self.flags(entry))}")
        log_file.parent.mkdir(parents=True, exist_ok=True)
        with open(log_file, "a") as log:
            process = subprocess.Popen(
                [sys.executable, *command, "--gpu=-1", *self.run_flags], cwd=REPO_DIR, stdout=log, stderr=log
            )
        self.active[run_id] = Child(entry, process)

    def flags(self, entry: dict[str, Any]) -> list[str]:
        """W&B-style arguments; runs are grouped under the sweep's name unless the file sets a group."""
        return as_flags({"experiment_group": self.state.name, **entry["params"]})

    def sweep_runs(self) -> list:
        """Every proposal as the sweeps package sees a run: its parameters, state and per-epoch history."""
        result = []
        for entry in self.state.entries:
            record = record_of(entry)
            history = record.history()
            result.append(
                sweeps.SweepRun(
                    name=entry["run_id"],
                    state=self.run_state(entry),
                    config={name: {"value": value} for name, value in entry["params"].items()},
                    sampledHistory=history,  # sweeps 0.2.0 drops these two unless given by their aliases
                    summaryMetrics={**(history[-1] if history else {}), **record.metrics()},
                )
            )
        return result

    def run_state(self, entry: dict[str, Any]) -> str:
        if entry["run_id"] in self.active:
            return sweeps.RunState.running
        state = recorded_state(entry)
        if state in ("finished", "failed"):
            return sweeps.RunState(state)
        return sweeps.RunState.pending if entry in self.queue or state is None else sweeps.RunState.killed

    @property
    def goal(self) -> str:
        return self.config.get("metric", {}).get("goal", "minimize")

    def results(self) -> str:
        """The sweep's runs, best first by its metric, with their parameters."""
        rows = []
        for entry in self.state.entries:
            record = record_of(entry)
            if record.config_file.exists():
                summary = run_table.summarize(record)
                best = run_table.best_value(record.history(), self.metric, self.goal)
                rows.append({**summary, self.metric: best, "mode": self.goal, "best": best, **entry["params"]})
        rows = run_table.best_first(rows, self.metric, ascending=self.goal == "minimize")
        params = list(dict.fromkeys(name for entry in self.state.entries for name in entry["params"]))
        return run_table.format_table(rows, ["run", "state", "epochs", self.metric, "test", *params])

    def say(self, message: str) -> None:
        print(f"[{self.state.name}] {message}", flush=True)


def proposed_params(proposal) -> dict[str, Any]:
    """A proposal's parameters as plain Python values (the sweeps package gives numpy scalars)."""
    values = {name: setting["value"] for name, setting in proposal.config.items()}
    return {name: value.item() if hasattr(value, "item") else value for name, value in values.items()}


def as_flags(params: dict[str, Any]) -> list[str]:
    """Parameters as the --name=value arguments W&B passes to a sweep's program."""
    return [f"--{name}={value if isinstance(value, str) else json.dumps(value)}" for name, value in params.items()]


def load_config(path: Path) -> dict[str, Any]:
    """A sweep file, checked against W&B's sweep schema."""
    if not path.is_file():
        raise UserError(f"No sweep file at {path}.")
    try:
        config = yaml.safe_load(path.read_text())
    except yaml.YAMLError as error:
        raise UserError(f"{path} is not valid YAML: {error}") from None
    if not isinstance(config, dict):
        raise UserError(f"{path} must hold a YAML mapping (method, metric, parameters, ...).")
    problems = sweeps.schema_violations_from_proposed_config(config)
    if problems:
        raise UserError(f"{path} is not a valid sweep: " + "; ".join(problems))
    return config
