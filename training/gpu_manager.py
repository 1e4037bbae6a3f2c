"""GPUs for runs: find free ones with gpustat and hold each with a file lock for the life of the run.

The lock is an OS-level flock, so a run that crashes or is killed frees its GPU by itself. Decided before
TensorFlow is imported: the chosen GPUs are the only ones made visible (CUDA_VISIBLE_DEVICES).
"""

import argparse
import json
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from text_recognizer import settings
from text_recognizer.errors import UserError
from training.locks import FileLock, holder_note, try_lock

log = logging.getLogger("text_recognizer")

BUSY_MEMORY_MIB = 256  # more than this in use means another process is on the GPU
AUTO = -1


class GpuError(UserError):
    """A GPU request this machine cannot meet."""


class NoGpuError(Exception):
    """There is no GPU to use here (no driver, or none installed); the message says why."""


@dataclass(frozen=True)
class Gpu:
    """One GPU as the query reports it."""

    index: int
    memory_used_mib: int


@dataclass
class GpuLease:
    """GPUs held by this process; the locks go with the process if release() is never called."""

    indices: list[int]
    locks: list[FileLock] = field(default_factory=list)

    def release(self) -> None:
        for lock in self.locks:
            lock.release()


GpuQuery = Callable[[], list[Gpu]]


def query_gpus() -> list[Gpu]:
    """The machine's GPUs from gpustat (or simulated ones from $TEXT_RECOGNIZER_SIMULATED_GPUS)."""
    simulated = settings.simulated_gpus()
    if simulated is not None:
        return simulated_gpus(simulated)
    try:
        import gpustat

        gpus = gpustat.new_query().gpus
    except Exception as error:  # pynvml raises NVMLError_LibraryNotFound and friends when there is no driver
        raise NoGpuError(f"{type(error).__name__}: {error}") from None
    return [Gpu(gpu.index, int(gpu.memory_used)) for gpu in gpus]


def simulated_gpus(spec: str) -> list[Gpu]:
    """GPUs described by a count ("4") or a JSON list of MiB in use on each ("[0, 0, 9000]")."""
    try:
        value = json.loads(spec)
        used = [0] * value if isinstance(value, int) else [int(mib) for mib in value]
    except (ValueError, TypeError):
        raise GpuError(
            f"${settings.SIMULATED_GPUS_ENV} must be a count or a JSON list of MiB in use, got {spec!r}."
        ) from None
    return [Gpu(index, mib) for index, mib in enumerate(used)]


def lock_file(index: int) -> Path:
    return settings.gpu_lock_dir() / f"gpu-{index}.lock"


def parse_gpu_spec(text: str) -> int | list[int]:
    """`--gpu` values: -1 (a free GPU, chosen by the manager) or indices such as "0" or "0,1"."""
    try:
        indices = [int(part) for part in text.split(",")]
    except ValueError:
        indices = []
    if indices == [AUTO]:
        return AUTO
    if not indices or any(index < 0 for index in indices) or len(set(indices)) != len(indices):
        raise argparse.ArgumentTypeError(f"takes -1 or distinct GPU indices such as 0 or 0,1; got {text!r}")
    return indices


def acquire(
    count: int = 1, query: GpuQuery = query_gpus, poll_seconds: float = 2.0, say: Callable[[str], None] = log.info
) -> GpuLease | None:
    """Lock `count` free GPUs, waiting (and saying so once) while all are taken; None means use the CPU."""
    waiting = False
    while True:
        gpus = _gpus_or_none(query, say)
        if gpus is None:
            return None
        if count > len(gpus):
            raise GpuError(f"{count} GPUs asked for; this machine has {len(gpus)}.")
        lease = _lock_free(gpus, count)
        if lease is not None:
            say(f"Training on GPU {_names(lease.indices)} (free, locked for this run).")
            return lease
        if not waiting:
            say(f"All {len(gpus)} GPUs are busy ({_describe(gpus)}); waiting for one to be free...")
            waiting = True
        time.sleep(poll_seconds)


def claim(indices: list[int], query: GpuQuery = query_gpus, say: Callable[[str], None] = log.info) -> GpuLease | None:
    """Use the GPUs asked for by index, locking those that are free; None means use the CPU."""
    gpus = _gpus_or_none(query, say)
    if gpus is None:
        return None
    known = [gpu.index for gpu in gpus]
    missing = [index for index in indices if index not in known]
    if missing:
        raise GpuError(f"GPU {_names(missing)} does not exist; this machine has GPU {_names(known)}.")
    lease = GpuLease(indices)
    for index in indices:
        lock = try_lock(lock_file(index), str(os.getpid()))
        if lock is None:
            say(f"GPU {index} is also in use by another run ({_holder(index)}); using it as asked.")
        else:
            lease.locks.append(lock)
    say(f"Training on GPU {_names(indices)}.")
    return lease


def use_devices(
    spec: int | list[int] | None, query: GpuQuery = query_gpus, poll_seconds: float = 2.0
) -> GpuLease | None:
    """Pick the run's GPUs (None: the first one; -1: a free one) and make only those visible to TensorFlow."""
    os.environ.setdefault("CUDA_DEVICE_ORDER", "PCI_BUS_ID")  # CUDA numbers GPUs as NVML (gpustat) does
    if spec == AUTO:
        lease = acquire(1, query, poll_seconds)
    elif spec:
        lease = claim(spec, query)
    else:
        lease = _first(query)
    os.environ["CUDA_VISIBLE_DEVICES"] = ",".join(map(str, lease.indices)) if lease else ""
    return lease


def _first(query: GpuQuery) -> GpuLease | None:
    gpus = _gpus_or_none(query, log.info)
    return claim([gpus[0].index], lambda: gpus) if gpus else None


def _gpus_or_none(query: GpuQuery, say: Callable[[str], None]) -> list[Gpu] | None:
    """The GPUs this process may use (those a CUDA_VISIBLE_DEVICES set beforehand allows), or None: the CPU."""
    try:
        gpus = _allowed(query())
    except NoGpuError as reason:
        say(f"No GPU available ({reason}); training on the CPU.")
        return None
    if not gpus:
        say("No GPU found (or CUDA_VISIBLE_DEVICES hides them all); training on the CPU.")
        return None
    return gpus


def _allowed(gpus: list[Gpu]) -> list[Gpu]:
    """GPUs within an index list in CUDA_VISIBLE_DEVICES (e.g. an agent started with one GPU); all when unset."""
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is None:
        return gpus
    entries = [entry.strip() for entry in visible.split(",") if entry.strip()]
    if not all(entry.lstrip("-").isdigit() for entry in entries):
        return gpus  # GPU UUIDs or MIG names: not ours to interpret
    return [gpu for gpu in gpus if str(gpu.index) in entries]


def _lock_free(gpus: list[Gpu], count: int) -> GpuLease | None:
    lease = GpuLease([])
    for gpu in gpus:
        if gpu.memory_used_mib > BUSY_MEMORY_MIB:
            continue
        lock = try_lock(lock_file(gpu.index), str(os.getpid()))
        if lock is not None:
            lease.indices.append(gpu.index)
            lease.locks.append(lock)
            if len(lease.indices) == count:
                return lease
    lease.release()
    return None


def _describe(gpus: list[Gpu]) -> str:
    return ", ".join(
        f"{gpu.index}: {gpu.memory_used_mib} MiB in use"
        if gpu.memory_used_mib > BUSY_MEMORY_MIB
        else f"{gpu.index}: {_holder(gpu.index)}"
        for gpu in gpus
    )


def _holder(index: int) -> str:
    pid = holder_note(lock_file(index))
    return f"held by pid {pid}" if pid else "held by another run"


def _names(indices: list[int]) -> str:
    return ",".join(map(str, indices))
