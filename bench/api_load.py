"""API load: N concurrent clients posting real character images for S seconds; throughput and latency percentiles.

    python bench/api_load.py [--clients 16] [--seconds 20] [--endpoint /v1/predict] [--url http://127.0.0.1:8000]

Without --url it starts `uvicorn api.app:app` on 127.0.0.1 itself (shipped weights, 2 workers like `make serve`) and
stops it after. Each client is one kept-alive connection sending one multipart upload at a time, as raw HTTP/1.1
bytes built beforehand, on uvloop, so that the load generator costs little CPU beside the server; latency is measured
at the client.
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
import uvloop

REPO = Path(__file__).resolve().parents[1]
IMAGES = [(p.name, p.read_bytes()) for p in sorted((REPO / "tests" / "support" / "characters").glob("*.png"))]
PORT = 8765
BOUNDARY = "bench-boundary-7d1f"


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


def request_bytes(host: str, path: str, name: str, data: bytes) -> bytes:
    """One keep-alive multipart POST of an image, as raw HTTP/1.1 (built once, sent many times)."""
    body = (
        (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="image"; filename="{name}"\r\n'
            "Content-Type: image/png\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> int:
    """Send one request on the connection and read its whole response; returns the status code."""
    writer.write(request)
    await writer.drain()
    status = int((await reader.readline()).split()[1])
    length = 0
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    await reader.readexactly(length)
    return status


async def client(url: httpx.URL, requests: list[bytes], deadline: float, latencies: list, errors: list) -> None:
    """One connection posting images one after another until the deadline, recording each latency or error."""
    reader, writer = await asyncio.open_connection(url.host, url.port)
    index = 0
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        try:
            status = await exchange(reader, writer, requests[index % len(requests)])
        except (OSError, ValueError, asyncio.IncompleteReadError) as error:
            errors.append(repr(error))
            writer.close()
            reader, writer = await asyncio.open_connection(url.host, url.port)
            continue
        index += 1
        if status == 200:
            latencies.append(time.perf_counter() - started)
        else:
            errors.append(f"status {status}")
    writer.close()


async def load(url: str, clients: int, seconds: float) -> tuple[list[float], list[str]]:
    """Latencies (s) of the successful requests and the errors, from `clients` concurrent connections."""
    target = httpx.URL(url)
    for name, data in IMAGES:  # warm-up: every worker process loads the model
        httpx.post(url, files={"image": (name, data, "image/png")})
    requests = [request_bytes(f"{target.host}:{target.port}", target.path, name, data) for name, data in IMAGES]
    latencies, errors = [], []
    deadline = time.perf_counter() + seconds
    await asyncio.gather(*(client(target, requests, deadline, latencies, errors) for _ in range(clients)))
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
    parser.add_argument("--workers", type=int, default=2, help="uvicorn processes of the server it starts")
    args = parser.parse_args()
    with local_server(args.workers) if args.url is None else nullcontext(args.url.rstrip("/")) as base:
        latencies, errors = uvloop.run(load(base + args.endpoint, args.clients, args.seconds))
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
