"""GPU-manager allocations per second under contention: many processes, few simulated GPUs.

    python bench/gpu_allocations.py --processes 16 --gpus 4 --seconds 5

Each process loops: acquire a free GPU (waiting while all are taken), release it at once. Counts every lease.
"""

import argparse
import multiprocessing
import os
import tempfile
import time

from text_recognizer import settings
from training import gpu_manager


def worker(gpus: int, seconds: float, counts) -> None:
    deadline, count = time.monotonic() + seconds, 0
    while time.monotonic() < deadline:
        lease = gpu_manager.acquire(1, lambda: gpu_manager.simulated_gpus(str(gpus)), 0.001, lambda message: None)
        lease.release()
        count += 1
    counts.put(count)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--processes", type=int, default=16)
    parser.add_argument("--gpus", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as folder:
        os.environ[settings.GPU_LOCK_DIR_ENV] = folder
        counts = multiprocessing.Queue()
        workers = [
            multiprocessing.Process(target=worker, args=(args.gpus, args.seconds, counts))
            for _ in range(args.processes)
        ]
        for process in workers:
            process.start()
        total = sum(counts.get() for _ in workers)
        for process in workers:
            process.join()
    print(
        f"{args.processes} processes, {args.gpus} simulated GPUs, {args.seconds:g} s: "
        f"{total} allocations, {total / args.seconds:,.0f} allocations/s"
    )


if __name__ == "__main__":
    main()
