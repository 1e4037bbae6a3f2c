"""The recorded runs under runs/ as rows of a table: key metrics and state, best first; as text or CSV."""

import csv
import math
from typing import Any

from text_recognizer.errors import DataError
from text_recognizer.settings import runs_dir
from training.records import RunRecord

COLUMNS = ("run", "state", "group", "network", "epochs", "monitor", "best", "test", "samples_per_s", "train_seconds")
LIVE_STATES = ("created", "running", "evaluating")


def summarize(record: RunRecord) -> dict[str, Any]:
    """One run's key facts: what it trained, how far it got, its best monitored value and test result; a run whose
    record files are damaged is listed as unreadable, with the reason under "error"."""
    try:
        return _summary(record)
    except DataError as error:
        unreadable = {"run": record.run_id, "state": "unreadable", "group": "", "monitor": "", "mode": "min"}
        return {**unreadable, "best": None, "error": str(error)}


def _summary(record: RunRecord) -> dict[str, Any]:
    config, status, metrics, history = record.config(), record.status(), record.metrics(), record.history()
    state = status.get("state", "unknown")
    if state in LIVE_STATES and not record.is_active():
        state = "killed"  # its process is gone without recording an end
    monitor, mode = monitored(metrics, status)
    return {
        "run": record.run_id,
        "state": f"{state} (stopped early)" if metrics.get("stopped_early") else state,
        "group": config.get("experiment_group") or "",
        "network": config.get("network", ""),
        "epochs": len(history),
        "monitor": monitor or "",
        "mode": mode,
        "best": metrics.get(f"best_{monitor}", best_value(history, monitor, mode)),
        "test": metrics.get(f"test_{(monitor or '').removeprefix('val_')}"),
        "samples_per_s": metrics.get("samples_per_s"),
        "train_seconds": metrics.get("train_seconds"),
        **{key: value for key, value in metrics.items() if key.startswith("test_")},
        **{f"config.{key}": value for key, value in flatten(config).items()},
    }


def monitored(metrics: dict[str, Any], status: dict[str, Any]) -> tuple[str | None, str]:
    """The metric a run's checkpoints followed and whether higher is better (read from best_* for older runs)."""
    monitor = metrics.get("monitor") or status.get("monitor")
    if monitor is None:
        monitor = next((key.removeprefix("best_") for key in metrics if key.startswith("best_")), None)
    default_mode = "max" if monitor and "accuracy" in monitor else "min"
    return monitor, metrics.get("monitor_mode") or status.get("monitor_mode", default_mode)


def best_value(history: list[dict], metric: str | None, mode: str) -> float | None:
    """The best value `metric` reached over the epochs recorded so far (None when it never appeared)."""
    values = [row[metric] for row in history if isinstance(row.get(metric), float) and not math.isnan(row[metric])]
    if not values:
        return None
    return max(values) if mode in ("max", "maximize") else min(values)


def flatten(config: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """{"a": {"b": 1}} -> {"a.b": 1}, the way sweeps name parameters."""
    flat = {}
    for key, value in config.items():
        if isinstance(value, dict):
            flat.update(flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def load(group: str | None = None) -> list[dict[str, Any]]:
    """Summaries of every recorded run (of one experiment group, when given)."""
    folders = sorted(runs_dir().glob("*/config.json")) if runs_dir().is_dir() else []
    rows = [summarize(RunRecord(path.parent)) for path in folders]
    return [row for row in rows if group is None or row["group"] == group]


def best_first(rows: list[dict[str, Any]], key: str | None = None, ascending: bool = False) -> list[dict[str, Any]]:
    """Sorted by `key` (largest first unless ascending), by default by each run's monitored value, best first."""

    def order(row: dict[str, Any]) -> tuple:
        if key is None:
            value, sign = row["best"], (1 if row["mode"] in ("min", "minimize") else -1)
            return ("error" in row, row["monitor"], value is None, sign * value if value is not None else 0)
        value = row.get(key)
        missing = not isinstance(value, int | float)
        return (missing, 0 if missing else (value if ascending else -value))

    return sorted(rows, key=order)


def format_table(rows: list[dict[str, Any]], columns: tuple[str, ...] | list[str]) -> str:
    """Rows as an aligned text table."""
    cells = [[format_value(row.get(column)) for column in columns] for row in rows]
    widths = [max([len(column), *(len(line[i]) for line in cells)]) for i, column in enumerate(columns)]
    lines = [columns, *cells]
    return "\n".join("  ".join(text.ljust(width) for text, width in zip(line, widths, strict=True)) for line in lines)


def write_csv(rows: list[dict[str, Any]], out) -> None:
    """Every field of every row (metrics and flattened config included) as CSV."""
    fields = list(dict.fromkeys(key for row in rows for key in row))
    writer = csv.DictWriter(out, fieldnames=fields)
    writer.writeheader()
    writer.writerows(rows)


def format_value(value: Any) -> str:
    """A table cell: 4 significant digits for floats, '-' for nothing."""
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)
