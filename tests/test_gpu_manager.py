"""The GPU manager: free GPUs are found, locked for the life of a run, waited for when busy, and freed on a kill."""

import argparse
import os
import signal
import subprocess
import sys
import threading

import pytest

from tests.conftest import REPO, run_cli
from tests.experiment_runs import wait_for
from text_recognizer import settings
from training import gpu_manager
from training.gpu_manager import AUTO, GpuError, NoGpuError, acquire, claim, parse_gpu_spec, simulated_gpus, use_devices
from training.locks import is_locked

HOLD = """
import os, sys, time
from pathlib import Path
from training.gpu_manager import acquire, simulated_gpus
lease = acquire(1, query=lambda: simulated_gpus(sys.argv[2]), poll_seconds=0.01, say=lambda message: None)
marker = Path(sys.argv[1]) / f"gpu-{lease.indices[0]}.holder"
fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)  # fails if another process holds this GPU now
time.sleep(float(sys.argv[3]))
os.close(fd)
marker.unlink()
lease.release()
print(lease.indices[0], flush=True)
"""
KEEP = """
import sys, time
from training.gpu_manager import acquire, simulated_gpus
lease = acquire(1, query=lambda: simulated_gpus(sys.argv[1]), say=lambda message: None)
print("held", *lease.indices, flush=True)
time.sleep(600)
"""


@pytest.fixture(autouse=True)
def lock_dir(tmp_path, monkeypatch):
    """GPU locks in a folder of their own, shared with the subprocesses a test starts; no GPU restriction set."""
    monkeypatch.setenv(settings.GPU_LOCK_DIR_ENV, str(tmp_path / "locks"))
    for name in ("CUDA_VISIBLE_DEVICES", "CUDA_DEVICE_ORDER"):  # set, then removed: restored after the test
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    return tmp_path / "locks"


def gpus(spec: str):
    return lambda: simulated_gpus(spec)


def test_free_gpus_are_taken_in_turn_and_busy_ones_skipped():
    messages = []
    first = acquire(1, gpus("[0, 9000, 0]"), say=messages.append)
    second = acquire(1, gpus("[0, 9000, 0]"), say=messages.append)
    assert (first.indices, second.indices) == ([0], [2])  # GPU 1 has memory in use by someone else
    assert is_locked(gpu_manager.lock_file(0)) and is_locked(gpu_manager.lock_file(2))
    first.release()
    assert not is_locked(gpu_manager.lock_file(0))
    assert acquire(1, gpus("[0, 9000, 0]"), say=messages.append).indices == [0]


def test_several_gpus_for_one_run():
    lease = acquire(2, gpus("4"), say=lambda message: None)
    assert lease.indices == [0, 1]
    with pytest.raises(GpuError, match="5 GPUs asked for; this machine has 4"):
        acquire(5, gpus("4"))


def test_waits_and_says_so_while_all_are_taken():
    held = acquire(2, gpus("2"), say=lambda message: None)
    messages, served = [], []
    waiter = threading.Thread(target=lambda: served.append(acquire(1, gpus("2"), 0.01, messages.append)))
    waiter.start()
    wait_for(lambda: messages, "the waiting message")
    assert messages[0].startswith("All 2 GPUs are busy") and f"held by pid {os.getpid()}" in messages[0]
    assert not served
    held.release()
    waiter.join(timeout=60)
    assert served[0].indices == [0]
    assert sum("busy" in message for message in messages) == 1  # said once, not on every poll


def test_no_driver_means_the_cpu_in_one_line(monkeypatch):
    import gpustat
    import pynvml

    def no_library():
        raise pynvml.NVMLError_LibraryNotFound()

    monkeypatch.delenv(settings.SIMULATED_GPUS_ENV, raising=False)
    monkeypatch.setattr(gpustat, "new_query", no_library)
    with pytest.raises(NoGpuError, match="NVMLError_LibraryNotFound"):
        gpu_manager.query_gpus()
    messages = []
    assert acquire(1, say=messages.append) is None
    assert len(messages) == 1 and "training on the CPU" in messages[0] and "LibraryNotFound" in messages[0]
    assert use_devices(AUTO) is None
    assert os.environ["CUDA_VISIBLE_DEVICES"] == ""


def test_gpus_asked_for_by_index(monkeypatch):
    monkeypatch.setenv(settings.SIMULATED_GPUS_ENV, "4")
    lease = use_devices([1, 3])
    assert lease.indices == [1, 3] and os.environ["CUDA_VISIBLE_DEVICES"] == "1,3"
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES")  # what a new process would see
    messages = []
    assert claim([1], gpus("4"), say=messages.append).indices == [1]  # asked for by index: given, with a warning
    assert "also in use by another run" in messages[0]
    assert acquire(2, gpus("4"), say=messages.append).indices == [0, 2]  # the manager does not hand out 1 or 3
    with pytest.raises(GpuError, match="GPU 7 does not exist"):
        claim([7], gpus("4"))


def test_stays_within_the_gpus_the_environment_allows(monkeypatch):
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "2,3")  # e.g. a W&B agent started for two GPUs
    assert acquire(1, gpus("4"), say=lambda message: None).indices == [2]
    with pytest.raises(GpuError, match="GPU 0 does not exist; this machine has GPU 2,3"):
        claim([0], gpus("4"))
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")
    messages = []
    assert acquire(1, gpus("4"), say=messages.append) is None and "hides them all" in messages[0]


@pytest.mark.parametrize(("text", "expected"), [("-1", AUTO), ("0", [0]), ("0,1", [0, 1]), ("3,1", [3, 1])])
def test_gpu_flag(text, expected):
    assert parse_gpu_spec(text) == expected


@pytest.mark.parametrize("text", ["x", "0,0", "-2", "", "1,-1"])
def test_bad_gpu_flag(text):
    with pytest.raises(argparse.ArgumentTypeError, match="-1 or distinct GPU indices"):
        parse_gpu_spec(text)


def test_bad_gpu_flag_and_simulation_are_messages():
    result = run_cli("training/run_experiment.py", "--gpu=first", "{}")
    assert result.returncode == 2 and "--gpu: takes -1 or distinct GPU indices" in result.stderr
    assert "Traceback" not in result.stderr
    with pytest.raises(GpuError, match="count or a JSON list"):
        simulated_gpus("four")


@pytest.mark.slow
def test_many_runs_few_gpus(tmp_path):
    """16 processes, 3 usable simulated GPUs: never two on one GPU, every process served, GPU 1 (busy) never used."""
    markers = tmp_path / "markers"
    markers.mkdir()
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", HOLD, str(markers), "[0, 9000, 0, 0]", "0.2"],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(16)
    ]
    results = [(process.wait(timeout=300), *process.communicate()) for process in processes]
    assert [rc for rc, _, _ in results] == [0] * 16, [err for _, _, err in results if err]
    served = [int(out) for _, out, _ in results]
    assert set(served) <= {0, 2, 3} and len(set(served)) > 1


@pytest.mark.slow
def test_a_killed_holder_frees_its_gpu():
    holder = subprocess.Popen(
        [sys.executable, "-c", KEEP, "1"], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert holder.stdout.readline().strip() == "held 0", holder.stderr.read()
    assert is_locked(gpu_manager.lock_file(0))
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=60)
    assert not is_locked(gpu_manager.lock_file(0))
    assert acquire(1, gpus("1"), say=lambda message: None).indices == [0]
