"""uvicorn's HTTP protocol with a deadline for each request's head.

uvicorn times out idle kept-alive connections (`timeout_keep_alive`) but not a request that stops half-way: a client
that sends half a request line or half its headers holds the connection, and a slot, for ever. Here the request line
and headers must arrive within the read timeout of the connection (or of a kept-alive request's first byte), else
the client gets a 408 and the connection is closed. The body has its own deadline in the endpoint (api.uploads);
a body still unread when the response is sent closes the connection, as it can carry no further request.
"""

import asyncio
import json
import logging

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from text_recognizer import settings

log = logging.getLogger("text_recognizer.api")


def timeout_response(seconds: float) -> bytes:
    """A whole 408 response that closes the connection, with the API's JSON error body."""
    body = json.dumps({"error": f"The request line and headers did not arrive within {seconds:g} s."}).encode()
    head = (
        "HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\nconnection: close\r\n"
        f"content-length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


class HeadTimeoutProtocol(HttpToolsProtocol):
    """HttpToolsProtocol with a deadline for each request's line and headers (see the module's docstring)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.read_timeout = settings.api_read_timeout()
        self.head_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_head_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_deadline()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm_head_deadline()

    def on_headers_complete(self) -> None:
        self._cancel_head_deadline()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        unread_body = not self.pipeline and self.cycle is not None and self.cycle.more_body
        super().on_response_complete()
        if unread_body and not self.transport.is_closing():
            self.transport.close()

    def _arm_head_deadline(self) -> None:
        if self.head_deadline is None:
            self.head_deadline = self.loop.call_later(self.read_timeout, self._head_timed_out)

    def _cancel_head_deadline(self) -> None:
        if self.head_deadline is not None:
            self.head_deadline.cancel()
            self.head_deadline = None

    def _head_timed_out(self) -> None:
        self.head_deadline = None
        if self.transport.is_closing():
            return
        if self.cycle is None or self.cycle.response_complete:  # not in the middle of another response
            self.transport.write(timeout_response(self.read_timeout))
        client = ":".join(map(str, self.client)) if self.client else "-"
        log.info("%s 408: request line and headers not received within %g s", client, self.read_timeout)
        self.transport.close()
