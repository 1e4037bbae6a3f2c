"""API load: N concurrent clients posting real character images for S seconds; throughput and latency percentiles.

    python bench/api_load.py [--clients 16] [--seconds 20] [--endpoint /v1/predict] [--url http://127.0.0.1:8000]

Without --url it starts `uvicorn api.app:app` on 127.0.0.1 itself (shipped weights, one worker) and stops it after.
Each client sends one multipart upload at a time over a kept-alive connection; latency is measured at the client.
"""

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager, nullcontext
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
IMAGES = [(p.name, p.read_bytes()) for p in sorted((REPO / "tests" / "support" / "characters").glob("*.png"))]
PORT = 8765


@contextmanager
def local_server(workers: int):
    """A uvicorn server on 127.0.0.1:PORT (its request log discarded), ready when /healthz answers."""
    command = [sys.executable, "-m", "uvicorn", "api.app:app", "--host", "127.0.0.1", "--port", str(PORT)]
    command += ["--workers", str(workers)]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    process = subprocess.Popen([*command, "--no-access-log"], cwd=REPO, env=env, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{PORT}"
    try:
        for _ in range(300):
            try:
                httpx.get(f"{url}/healthz")
                break
            except httpx.TransportError:
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(10)


async def client(http: httpx.AsyncClient, url: str, deadline: float, latencies: list, errors: list) -> None:
    """Post images one after another until the deadline, recording each latency or error."""
    index = 0
    while time.perf_counter() < deadline:
        name, data = IMAGES[index % len(IMAGES)]
        index += 1
        started = time.perf_counter()
        try:
            response = await http.post(url, files={"image": (name, data, "image/png")})
        except httpx.HTTPError as error:
            errors.append(repr(error))
            continue
        if response.status_code == 200:
            latencies.append(time.perf_counter() - started)
        else:
            errors.append(f"{response.status_code}: {response.text}")


async def load(url: str, clients: int, seconds: float) -> tuple[list[float], list[str]]:
    """Latencies (s) of the successful requests and the errors, from `clients` concurrent clients."""
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(limits=limits, timeout=30) as http:
        for name, data in IMAGES:  # warm-up: loads the model
            await http.post(url, files={"image": (name, data, "image/png")})
        latencies, errors = [], []
        deadline = time.perf_counter() + seconds
        await asyncio.gather(*(client(http, url, deadline, latencies, errors) for _ in range(clients)))
    return latencies, errors


def percentile(values: list[float], fraction: float) -> float:
    """The value below which `fraction` of the values lie (nearest rank)."""
    return sorted(values)[min(len(values) - 1, int(fraction * len(values)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--endpoint", default="/v1/predict")
    parser.add_argument("--url", help="an already running server (default: start one here)")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes of the server started here")
    args = parser.parse_args()
    with local_server(args.workers) if args.url is None else nullcontext(args.url.rstrip("/")) as base:
        latencies, errors = asyncio.run(load(base + args.endpoint, args.clients, args.seconds))
    ms = [latency * 1000 for latency in latencies]
    print("| clients | seconds | requests | errors | throughput (req/s) | p50 (ms) | p99 (ms) | max (ms) |")
    print("|---|---|---|---|---|---|---|---|")
    print(
        f"| {args.clients} | {args.seconds:g} | {len(ms)} | {len(errors)} | {len(ms) / args.seconds:.0f} "
        f"| {statistics.median(ms):.1f} | {percentile(ms, 0.99):.1f} | {max(ms):.1f} |"
    )
    if errors:
        print("first errors:", errors[:3], file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
