"""Monitoring: one log line per request, with latency and, for predictions, what was read and how confidently."""

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from text_recognizer.escaping import printable

log = logging.getLogger("text_recognizer.api")


class RequestLog:
    """ASGI middleware: one log line per request with method, path (control characters escaped), status, latency
    and, for predictions, the text and confidence (which the endpoint leaves in the request state)."""

    def __init__(self, app: ASGIApp):
        self.app = app
        if not log.handlers:
            handler = logging.StreamHandler()
            handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
            log.addHandler(handler)
            log.setLevel(logging.INFO)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started, status = time.perf_counter(), 500

        async def send_and_note_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note_status)
        finally:
            milliseconds = (time.perf_counter() - started) * 1000
            result = scope.get("state", {}).get("result", "")
            # The path comes percent-decoded: escaped, a `%0a` in it cannot start a forged log line.
            method, path = printable(scope["method"]), printable(scope["path"])
            log.info("%s %s %d %.1f ms %s", method, path, status, milliseconds, result)
