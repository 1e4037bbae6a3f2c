"""The repository's folders and the environment settings, in one place. Each is read when asked for, so that a test
or a parent process can change it at any time.

| variable | default | what it sets |
|---|---|---|
| `TEXT_RECOGNIZER_DATA_DIR` | `data/` | root of the datasets' `raw/` and `processed/` folders |
| `TEXT_RECOGNIZER_MIRROR` | - | folders (`:`-separated) with raw files, or `<source>/<file>`, tried before a download |
| `TEXT_RECOGNIZER_RUNS_DIR` | `runs/` | run records and offline sweeps |
| `TEXT_RECOGNIZER_WEIGHTS_DIR` | `text_recognizer/weights/` | where `--save` ships weights and predictors find them |
| `TEXT_RECOGNIZER_BACKEND` | `auto` | inference: `auto` (ONNX when exported), `onnx` or `tensorflow` |
| `TEXT_RECOGNIZER_ONNX_THREADS` | `0`: one per core | ONNX Runtime's threads per model |
| `TEXT_RECOGNIZER_MAX_PIXELS` | `50000000` | largest image read (CLI, datasets), checked from its header |
| `TEXT_RECOGNIZER_GPU_LOCK_DIR` | `<tmp>/text_recognizer_gpu_locks` | the GPU manager's lock files |
| `TEXT_RECOGNIZER_SIMULATED_GPUS` | none (gpustat) | stand-in GPUs: a count (`4`) or MiB in use per GPU (`[0, 9000]`) |
| `TEXT_RECOGNIZER_CPU_DEVICES` | `1` | split the CPU into N devices, to try data parallelism |

The web API's limits (`TEXT_RECOGNIZER_API_*`) are in api/limits.py. Other tools' own variables are read where they
act: `WANDB_MODE` and `WANDB_API_KEY` (training/tracking.py), `TF_CONFIG` (training/distribute.py).
"""

import os
import tempfile
from pathlib import Path

from text_recognizer.errors import DataError

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent
SHIPPED_WEIGHTS_DIR = PACKAGE_DIR / "weights"

DATA_DIR_ENV = "TEXT_RECOGNIZER_DATA_DIR"
MIRROR_ENV = "TEXT_RECOGNIZER_MIRROR"
RUNS_DIR_ENV = "TEXT_RECOGNIZER_RUNS_DIR"
WEIGHTS_DIR_ENV = "TEXT_RECOGNIZER_WEIGHTS_DIR"
BACKEND_ENV = "TEXT_RECOGNIZER_BACKEND"
ONNX_THREADS_ENV = "TEXT_RECOGNIZER_ONNX_THREADS"
MAX_PIXELS_ENV = "TEXT_RECOGNIZER_MAX_PIXELS"
GPU_LOCK_DIR_ENV = "TEXT_RECOGNIZER_GPU_LOCK_DIR"
SIMULATED_GPUS_ENV = "TEXT_RECOGNIZER_SIMULATED_GPUS"
CPU_DEVICES_ENV = "TEXT_RECOGNIZER_CPU_DEVICES"

DEFAULT_MAX_PIXELS = 50_000_000


def data_dir() -> Path:
    return Path(os.environ.get(DATA_DIR_ENV, REPO_DIR / "data"))


def mirror_dirs() -> list[Path]:
    return [Path(folder) for folder in os.environ.get(MIRROR_ENV, "").split(os.pathsep) if folder]


def runs_dir() -> Path:
    return Path(os.environ.get(RUNS_DIR_ENV, REPO_DIR / "runs"))


def weights_dir() -> Path:
    return Path(os.environ.get(WEIGHTS_DIR_ENV, SHIPPED_WEIGHTS_DIR))


def backend() -> str:
    """The name as set (checked by the runtime, which knows the backends); "auto" when unset."""
    return os.environ.get(BACKEND_ENV) or "auto"


def onnx_threads() -> int:
    return _whole_number(ONNX_THREADS_ENV, 0, "threads", minimum=0)


def max_pixels() -> int:
    return _whole_number(MAX_PIXELS_ENV, DEFAULT_MAX_PIXELS, "pixels", minimum=1)


def gpu_lock_dir() -> Path:
    return Path(os.environ.get(GPU_LOCK_DIR_ENV, Path(tempfile.gettempdir()) / "text_recognizer_gpu_locks"))


def simulated_gpus() -> str | None:
    """The stand-in GPUs as written (the GPU manager parses them); None: ask the machine."""
    return os.environ.get(SIMULATED_GPUS_ENV)


def cpu_devices() -> int:
    return _whole_number(CPU_DEVICES_ENV, 1, "devices", minimum=1)


def _whole_number(name: str, default: int, unit: str, minimum: int) -> int:
    """The variable as a whole number ("1_000" allowed); a DataError naming it when it is something else."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value.replace("_", ""))
    except ValueError:
        number = minimum - 1
    if number < minimum:
        raise DataError(f"{name}={value!r}: expected a whole number of {unit}, at least {minimum} (default {default}).")
    return number
