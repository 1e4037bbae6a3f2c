"""API load: N concurrent clients posting real character images for S seconds; throughput and latency percentiles.

    python bench/api_load.py [--clients 16] [--seconds 20] [--endpoint /v1/predict] [--url http://127.0.0.1:8000]
    python bench/api_load.py --scenario heavy [--heavy 4] [--slow 16] [--seconds 30]

Without --url it starts the server itself as `make serve` does (`python -m api.serve`, shipped weights, 2 workers)
on 127.0.0.1 and stops it after. Each client is one kept-alive connection sending one multipart upload at a time, as
raw HTTP/1.1 bytes built beforehand, on uvloop, so that the load generator costs little CPU beside the server;
latency is measured at the client.

The heavy scenario asks `GET /healthz` every 20 ms (a new connection each time, as a load balancer's check would)
while `--heavy` clients upload heavy images one after another, each on a new connection (4096x4096: a JPEG of a
large real glyph, 300 KiB, and a 16-bit RGBA PNG of it, 620 KiB), and `--slow` clients each send half a request
head and wait for the server to close the connection (then start again). It reports /healthz's latency
percentiles, the heavy uploads served, and how long the server took to close the half-sent requests.
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

import cv2
import httpx
import numpy as np
import uvloop

REPO = Path(__file__).resolve().parents[1]
IMAGES = [(p.name, p.read_bytes()) for p in sorted((REPO / "tests" / "support" / "characters").glob("*.png"))]
PORT = 8765
BOUNDARY = "bench-boundary-7d1f"


@contextmanager
def local_server(workers: int):
    """The API as `make serve` runs it, on 127.0.0.1:PORT (its request log discarded), ready when /healthz answers."""
    command = [sys.executable, "-m", "api.serve", "--host", "127.0.0.1", "--port", str(PORT), "--workers", str(workers)]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    process = subprocess.Popen(command, cwd=REPO, env=env, stderr=subprocess.DEVNULL)
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


async def client(
    target: httpx.URL, requests: list[bytes], deadline: float, latencies: list, errors: list, reconnect: bool = False
) -> None:
    """Post images one after another until the deadline, recording each latency (s) or error: on one connection, or
    (`reconnect`) each on a new one, as many users would, so that every server process gets its share."""
    connection, index = None, 0
    while (started := time.perf_counter()) < deadline:
        try:
            connection = connection or await asyncio.open_connection(target.host, target.port)
            status = await exchange(*connection, requests[index % len(requests)])
        except (OSError, ValueError, asyncio.IncompleteReadError) as error:
            errors.append(repr(error))
            connection = close(connection)
            continue
        if reconnect:
            connection = close(connection)
        index += 1
        if status == 200:
            latencies.append(time.perf_counter() - started)
        else:
            errors.append(f"status {status}")
    close(connection)


def close(connection) -> None:
    """Close a (reader, writer) connection, if any; None, for the caller's variable."""
    if connection:
        connection[1].close()


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


def heavy_images() -> list[tuple[str, bytes]]:
    """Two 4096x4096 uploads of one large real glyph, dark on white: a JPEG and a 16-bit RGBA PNG."""
    glyph = cv2.imread(str(REPO / "tests" / "support" / "characters" / "48_23.png"), cv2.IMREAD_GRAYSCALE)
    page = np.full((4096, 4096), 255, np.uint8)
    page[548:3548, 548:3548] = cv2.resize(255 - glyph, (3000, 3000), interpolation=cv2.INTER_CUBIC)
    jpeg = cv2.imencode(".jpg", page, [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes()
    rgba = np.dstack([page, page, page, np.full_like(page, 255)]).astype(np.uint16) * 257
    png = cv2.imencode(".png", rgba, [cv2.IMWRITE_PNG_COMPRESSION, 9])[1].tobytes()
    return [("heavy.jpg", jpeg), ("heavy16.png", png)]


async def probe_health(target: httpx.URL, deadline: float, latencies: list, errors: list) -> None:
    """GET /healthz every 20 ms, each on a new connection, recording each latency (connect included) or error."""
    request = f"GET /healthz HTTP/1.1\r\nHost: {target.host}:{target.port}\r\nConnection: close\r\n\r\n".encode()
    while (started := time.perf_counter()) < deadline:
        try:
            reader, writer = await asyncio.open_connection(target.host, target.port)
            status = await exchange(reader, writer, request)
            writer.close()
        except (OSError, ValueError, asyncio.IncompleteReadError) as error:
            errors.append(repr(error))
            continue
        if status == 200:
            latencies.append(time.perf_counter() - started)
        else:
            errors.append(f"status {status}")
        await asyncio.sleep(max(0.0, 0.02 - (time.perf_counter() - started)))


async def slow_client(target: httpx.URL, deadline: float, closed_after: list, still_open: list) -> None:
    """Send half a request head, then wait for the server to close the connection; again until the deadline."""
    partial = f"POST /v1/predict HTTP/1.1\r\nHost: {target.host}\r\nContent-Le".encode()
    while time.perf_counter() < deadline:
        reader, writer = await asyncio.open_connection(target.host, target.port)
        writer.write(partial)
        await writer.drain()
        started = time.perf_counter()
        try:
            await asyncio.wait_for(reader.read(), timeout=max(0.1, deadline - started))
            closed_after.append(time.perf_counter() - started)
        except TimeoutError:
            still_open.append(time.perf_counter() - started)
        writer.close()


async def heavy_load(url: str, heavy: int, slow: int, seconds: float) -> dict:
    """/healthz latencies while `heavy` clients upload heavy images and `slow` clients send half requests."""
    target = httpx.URL(url)
    for name, data in IMAGES:  # warm-up: every worker process loads the model
        httpx.post(url, files={"image": (name, data, "image/png")})
    host = f"{target.host}:{target.port}"
    images = heavy_images()
    heavy_requests = [request_bytes(host, target.path, name, data) for name, data in images]
    result = {name: [] for name in ("health", "health_errors", "heavy", "heavy_errors", "closed", "open")}
    result["sizes"] = [len(data) // 1024 for _, data in images]
    deadline = time.perf_counter() + seconds
    heavy_results = result["heavy"], result["heavy_errors"]
    await asyncio.gather(
        probe_health(target, deadline, result["health"], result["health_errors"]),
        *(
            client(target, heavy_requests[i % 2 :] + heavy_requests[: i % 2], deadline, *heavy_results, reconnect=True)
            for i in range(heavy)
        ),
        *(slow_client(target, deadline, result["closed"], result["open"]) for _ in range(slow)),
    )
    return result


def report_heavy(args: argparse.Namespace, result: dict) -> None:
    health = [latency * 1000 for latency in result["health"]]
    heavy = result["heavy"]
    jpeg, png = result["sizes"]
    print(f"{args.heavy} heavy uploaders (4096x4096: JPEG {jpeg} KiB, 16-bit RGBA PNG {png} KiB),")
    print(f"{args.slow} slow clients (half a request head), {args.seconds:g} s, {args.workers} server workers:")
    print("| /healthz requests | errors | p50 (ms) | p99 (ms) | max (ms) | heavy uploads served | heavy p50 (s) |")
    print("|---|---|---|---|---|---|---|")
    print(
        f"| {len(health)} | {len(result['health_errors'])} | {statistics.median(health):.1f} "
        f"| {percentile(health, 0.99):.1f} | {max(health):.1f} | {len(heavy)} "
        f"| {statistics.median(heavy) if heavy else float('nan'):.2f} |"
    )
    closed, still_open = result["closed"], result["open"]
    closed_text = f"median {statistics.median(closed):.1f} s" if closed else "none"
    print(
        f"half-sent requests closed by the server: {len(closed)} ({closed_text}); "
        f"still open at the end: {len(still_open)}"
    )
    errors = result["health_errors"] + result["heavy_errors"]
    if errors:
        print("first errors:", errors[:3], file=sys.stderr)


def percentile(values: list[float], fraction: float) -> float:
    """The value below which `fraction` of the values lie (nearest rank)."""
    return sorted(values)[min(len(values) - 1, int(fraction * len(values)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", choices=("load", "heavy"), default="load")
    parser.add_argument("--clients", type=int, default=16, help="load: concurrent clients")
    parser.add_argument("--heavy", type=int, default=4, help="heavy: clients uploading 4096x4096 images")
    parser.add_argument("--slow", type=int, default=16, help="heavy: clients sending half a request head")
    parser.add_argument("--seconds", type=float, default=None, help="default 20 (load) or 30 (heavy)")
    parser.add_argument("--endpoint", default="/v1/predict")
    parser.add_argument("--url", help="an already running server (default: start one here)")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn processes of the server it starts")
    args = parser.parse_args()
    args.seconds = args.seconds or (30 if args.scenario == "heavy" else 20)
    with local_server(args.workers) if args.url is None else nullcontext(args.url.rstrip("/")) as base:
        if args.scenario == "heavy":
            report_heavy(args, uvloop.run(heavy_load(base + args.endpoint, args.heavy, args.slow, args.seconds)))
            return
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
