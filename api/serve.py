"""Serve the web API as `make serve` and the Docker image do: uvicorn with deadlines for slow clients.

    python -m api.serve [--host 0.0.0.0] [--port 8000] [--workers 2] [--timeout-keep-alive 5]

Like `uvicorn api.app:app` with `--no-access-log` (the API logs each request itself), plus HeadTimeoutProtocol: a
client has $TEXT_RECOGNIZER_API_READ_TIMEOUT seconds (default 20) to send a request's line and headers, and as long
again for its body. A kept-alive connection that sends nothing is closed after --timeout-keep-alive seconds.
"""

import argparse
import os
import sys

import uvicorn

from api import limits
from api.protocol import HeadTimeoutProtocol
from text_recognizer.errors import UserError


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Serve the text_recognizer web API (uvicorn, with read timeouts).")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 picks a free one)")
    workers = int(os.environ.get("WEB_CONCURRENCY", "1") or 1)
    parser.add_argument("--workers", type=int, default=workers, help="processes (default $WEB_CONCURRENCY or 1)")
    parser.add_argument(
        "--timeout-keep-alive", type=int, default=5, help="seconds an idle kept-alive connection stays open (5)"
    )
    args = parser.parse_args(argv)
    if args.workers < 1 or args.timeout_keep_alive < 1:
        parser.error("--workers and --timeout-keep-alive must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        limits.check_all()  # here, as a message, rather than as a traceback in every worker
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    uvicorn.run(
        "api.app:app",
        host=args.host,
        port=args.port,
        workers=args.workers,
        http=HeadTimeoutProtocol,
        timeout_keep_alive=args.timeout_keep_alive,
        access_log=False,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
