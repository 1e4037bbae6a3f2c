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
| `TEXT_RECOGNIZER_API_MAX_PIXELS` | `16777216` (4096 x 4096) | largest image the web API accepts, from its header |
| `TEXT_RECOGNIZER_API_THREADS` | `2` | images the web API decodes and reads at once per process; more wait |
| `TEXT_RECOGNIZER_API_READ_TIMEOUT` | `20` | seconds a client has to send a request's head, and again its body |
| `TEXT_RECOGNIZER_CORRECTIONS_DIR` | `data/corrections` | where the web page's corrected lines are saved |

Other tools' own variables are read where they act: `WANDB_MODE` and `WANDB_API_KEY` (training/tracking.py),
`TF_CONFIG` (training/distribute.py), `WEB_CONCURRENCY` (api/serve.py: server processes).
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
API_MAX_PIXELS_ENV = "TEXT_RECOGNIZER_API_MAX_PIXELS"
API_THREADS_ENV = "TEXT_RECOGNIZER_API_THREADS"
API_READ_TIMEOUT_ENV = "TEXT_RECOGNIZER_API_READ_TIMEOUT"
CORRECTIONS_DIR_ENV = "TEXT_RECOGNIZER_CORRECTIONS_DIR"

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


def default_onnx_threads(threads: int) -> None:
    """Set ONNX Runtime's threads per model for this process, unless the user has (the API: one per process)."""
    os.environ.setdefault(ONNX_THREADS_ENV, str(threads))


def max_pixels() -> int:
    return _whole_number(MAX_PIXELS_ENV, DEFAULT_MAX_PIXELS, "pixels", minimum=1)


def gpu_lock_dir() -> Path:
    return Path(os.environ.get(GPU_LOCK_DIR_ENV, Path(tempfile.gettempdir()) / "text_recognizer_gpu_locks"))


def simulated_gpus() -> str | None:
    """The stand-in GPUs as written (the GPU manager parses them); None: ask the machine."""
    return os.environ.get(SIMULATED_GPUS_ENV)


def cpu_devices() -> int:
    return _whole_number(CPU_DEVICES_ENV, 1, "devices", minimum=1)


def api_max_pixels() -> int:
    return _whole_number(API_MAX_PIXELS_ENV, 4096 * 4096, "pixels", minimum=1)


def api_threads() -> int:
    return _whole_number(API_THREADS_ENV, 2, "threads", minimum=1)


def api_read_timeout() -> float:
    return _number(API_READ_TIMEOUT_ENV, 20.0, "a number of seconds", minimum=0.001, parse=float)


def corrections_dir() -> Path:
    value = os.environ.get(CORRECTIONS_DIR_ENV, "").strip()
    if "\x00" in value:
        raise DataError(f"{CORRECTIONS_DIR_ENV} holds a NUL character; set it to a folder.")
    return Path(value) if value else REPO_DIR / "data" / "corrections"


def _whole_number(name: str, default: int, unit: str, minimum: int) -> int:
    return int(_number(name, default, f"a whole number of {unit}", minimum, parse=int))


def _number(name: str, default: float, expected: str, minimum: float, parse) -> float:
    """The variable as a number ("1_000" allowed); a DataError naming it when it is something else."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = parse(value.replace("_", ""))
    except ValueError:
        number = None
    if number is None or not minimum <= number < float("inf"):
        raise DataError(f"{name}={value!r}: expected {expected}, at least {minimum:g} (default {default:g}).")
    return number
