"""Page mode's throughput: the four real IAM paragraphs through the CLI's path (warm, in-process) and through the
web API, and the API's latency with 8 concurrent page requests.

    python bench/pages.py [--rounds 10] [--clients 8] [--seconds 20] [--workers 2] [--format json]

CLI path: the predictor from the predictor table (as `--pages` loads it, after one warm-up page), then per round
the four pages read from their files, read by the page predictor together (detector + line model, its default
decoder) and written in --format (the document bytes, not to disk): pages/s is the median round's. API:
`python -m api.serve` (shipped weights, --workers processes, as `make serve`) on 127.0.0.1; first one client posting
the pages one after another (pages/s), then --clients clients at once for --seconds (pages/s, p50, p99 at the client,
errors). It prints the load average it saw: run it alone, or say what else ran.
"""

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
PARAGRAPHS = REPO / "data" / "raw" / "iam" / "paragraphs_sample"
PAGES = ["a01-077", "a01-087", "a01-107", "a02-046"]
PORT = 8766


def cli_path(rounds: int, document_format: str) -> tuple[float, list[float], float]:
    """Median pages/s over `rounds` rounds of the four pages, each round's seconds, and the process's CPU seconds per
    page (all threads: a figure the machine's other load changes little)."""
    from text_recognizer.documents.formats import render
    from text_recognizer.inference import read_legible
    from text_recognizer.predictor_table import load_predictor

    predictor = load_predictor("page")
    paths = [PARAGRAPHS / f"{page}.png" for page in PAGES]
    predictor.predict(read_legible(paths[0]))  # warm up both networks
    times, cpu = [], time.process_time()
    for _ in range(rounds):
        started = time.perf_counter()
        images = [read_legible(path) for path in paths]
        readings = predictor.predict_batch(images)
        documents = [render(reading, document_format, path.name) for reading, path in zip(readings, paths, strict=True)]
        times.append(time.perf_counter() - started)
        assert [len(reading.lines) for reading in readings] == [10, 9, 5, 8] and all(documents)
    cpu_per_page = (time.process_time() - cpu) / (rounds * len(PAGES))
    return len(PAGES) / statistics.median(times), times, cpu_per_page


def start_server(workers: int) -> tuple[subprocess.Popen, str]:
    command = [sys.executable, "-m", "api.serve", "--host", "127.0.0.1", "--port", str(PORT), "--workers", str(workers)]
    process = subprocess.Popen(command, cwd=REPO, env={**os.environ}, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{PORT}"
    for _ in range(600):
        try:
            if httpx.get(f"{url}/readyz", timeout=60).status_code == 200:  # loads every model in this worker
                break
        except httpx.TransportError:
            time.sleep(0.1)
    return process, url


def api(workers: int, clients: int, seconds: float, document_format: str) -> dict:
    bodies = [(f"{page}.png", (PARAGRAPHS / f"{page}.png").read_bytes()) for page in PAGES]
    process, url = start_server(workers)
    endpoint = f"{url}/v1/predict/page?format={document_format}"
    try:
        with httpx.Client(timeout=60) as client:
            for _ in range(2 * workers):  # every worker loads its models
                for name, data in bodies:
                    client.post(endpoint, files={"image": (name, data)})
            started = time.perf_counter()
            for _ in range(3):
                for name, data in bodies:
                    assert client.post(endpoint, files={"image": (name, data)}).status_code == 200
            sequential = 12 / (time.perf_counter() - started)
        latencies, errors, lock = [], [0], threading.Lock()
        stop = time.perf_counter() + seconds

        def load(index: int) -> None:
            with httpx.Client(timeout=60) as client:
                turn = index
                while time.perf_counter() < stop:
                    name, data = bodies[turn % len(bodies)]
                    turn += 1
                    begun = time.perf_counter()
                    response = client.post(endpoint, files={"image": (name, data)})
                    with lock:
                        latencies.append(time.perf_counter() - begun)
                        errors[0] += response.status_code != 200

        begun = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            list(pool.map(load, range(clients)))
        elapsed = time.perf_counter() - begun
    finally:
        process.terminate()
        process.wait(10)
    latencies.sort()
    return {
        "sequential": sequential,
        "concurrent": len(latencies) / elapsed,
        "p50": latencies[len(latencies) // 2],
        "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        "requests": len(latencies),
        "errors": errors[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--format", default="json", choices=["json", "alto", "page", "text"])
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.1f} (cores: {os.cpu_count()})")
    rate, times, cpu_per_page = cli_path(args.rounds, args.format)
    print(
        f"CLI path (warm, in-process, {args.format}): {rate:.1f} pages/s "
        f"(round of 4 pages: median {statistics.median(times) * 1000:.0f} ms, min {min(times) * 1000:.0f} ms); "
        f"CPU time {cpu_per_page * 1000:.0f} ms per page"
    )
    figures = api(args.workers, args.clients, args.seconds, args.format)
    print(f"API, one client, {args.workers} workers: {figures['sequential']:.1f} pages/s")
    print(
        f"API, {args.clients} concurrent clients for {args.seconds:g} s: {figures['concurrent']:.1f} pages/s, "
        f"p50 {figures['p50'] * 1000:.0f} ms, p99 {figures['p99'] * 1000:.0f} ms, "
        f"{figures['requests']} requests, {figures['errors']} errors"
    )
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
