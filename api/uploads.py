"""Reading one image from a request (multipart upload or JSON data URL), within size and time limits; errors are 4xx.

The body is read on the event loop (with a deadline); parsing a JSON body and decoding the image are CPU work and
run in a worker thread (`decode_upload`), through the same image reader as the CLI.
"""

import asyncio
import base64
import binascii
import json
import re
from dataclasses import dataclass

import numpy as np
from starlette.datastructures import UploadFile
from starlette.requests import ClientDisconnect, Request

from api import limits
from text_recognizer.image_reading import check_size, decode_pixels, read_header
from text_recognizer.image_utils import why_illegible

DATA_URL_PREFIX = re.compile(r"data:image/[\w.+-]+;base64,")
JSON_SHAPE = '{"image": "data:image/png;base64,..."}'
NAME = "The image"
CLIENT_CLOSED = 499  # nginx's code for a client that went away: only the log sees it


class ApiError(Exception):
    """A request the API cannot serve: an HTTP status and a message for the client."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers


@dataclass(frozen=True)
class Upload:
    """A request's image, still encoded: the file of a multipart form, or a JSON body to parse."""

    data: bytes | None = None
    json_body: bytes | None = None
    filename: str | None = None  # a multipart upload's file name, as the client sent it


async def upload_from_request(request: Request, read_timeout: float) -> Upload:
    """The request's image bytes (multipart) or JSON body, read within `read_timeout` seconds."""
    body = await read_body(request, read_timeout)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in ("multipart/form-data", "application/json"):
        raise ApiError(415, f"Send multipart/form-data with a file field `image`, or application/json {JSON_SHAPE}.")
    if content_type == "application/json":
        return Upload(json_body=body)
    data, filename = await file_from_multipart(request, body)
    return Upload(data=data, filename=filename)


async def read_body(request: Request, read_timeout: float) -> bytes:
    """The whole body, or 413 past MAX_REQUEST_BYTES, or 408 when it does not arrive in time. An oversized body is
    read on (up to MAX_DRAIN_BYTES, not kept) so that the client, still sending, receives the answer instead of a
    reset connection."""
    chunks, size = [], 0
    try:
        async with asyncio.timeout(read_timeout):
            async for chunk in request.stream():
                size += len(chunk)
                if size <= limits.MAX_REQUEST_BYTES:
                    chunks.append(chunk)
                elif size > limits.MAX_DRAIN_BYTES:
                    break
    except TimeoutError:
        message = f"The request body did not arrive within {read_timeout:g} s."
        raise ApiError(408, message, headers={"connection": "close"}) from None
    except ClientDisconnect:
        raise ApiError(CLIENT_CLOSED, "The client closed the connection before sending the whole body.") from None
    if size > limits.MAX_REQUEST_BYTES:
        raise ApiError(413, f"The request body is over the limit of {limits.MAX_REQUEST_BYTES} bytes.")
    return b"".join(chunks)


async def file_from_multipart(request: Request, body: bytes) -> tuple[bytes, str | None]:
    """The bytes of the multipart field `image`, and the file name the client gave it."""

    async def replay() -> dict:
        return {"type": "http.request", "body": body, "more_body": False}

    form = await Request(request.scope, replay).form(max_files=1, max_fields=8)
    upload = form.get("image")
    if not isinstance(upload, UploadFile):
        raise ApiError(400, "The multipart form has no file field named `image`.")
    return await upload.read(), upload.filename


def bytes_from_json(body: bytes) -> bytes:
    """The image bytes inside a JSON body's data URL (or bare base64)."""
    try:
        payload = json.loads(body)
    except RecursionError:
        raise ApiError(400, f"The JSON body is nested too deeply; send {JSON_SHAPE}.") from None
    except ValueError:  # not JSON, not UTF-8, or an integer too long to convert
        raise ApiError(400, f"The body is not valid JSON; send {JSON_SHAPE}.") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("image"), str):
        raise ApiError(400, f"The JSON body needs a string field `image`: {JSON_SHAPE}.")
    text = payload["image"]
    prefix = DATA_URL_PREFIX.match(text)
    if text.startswith("data:") and not prefix:
        raise ApiError(400, "`image` is a data URL but not a base64 image one (data:image/<type>;base64,...).")
    try:
        return base64.b64decode(text[prefix.end() if prefix else 0 :], validate=True)
    except (binascii.Error, ValueError):
        raise ApiError(400, "`image` is not valid base64.") from None


def decode_upload(upload: Upload, max_pixels: int) -> np.ndarray:
    """The upload as grayscale uint8 (the CLI's reader: transparency on white, EXIF orientation), refused from its
    header when over MAX_SIDE a side or `max_pixels`, and refused when blank or tiny. Runs in a worker thread."""
    data = upload.data if upload.data is not None else bytes_from_json(upload.json_body)
    if not data:
        raise ApiError(400, "The image is empty.")
    header = read_header(data, NAME)
    if max(header.width, header.height) > limits.MAX_SIDE:
        message = f"The image is {header.width}x{header.height} pixels; the limit is {limits.MAX_SIDE} pixels a side."
        raise ApiError(422, message)
    check_size(header, NAME, max_pixels)
    gray = decode_pixels(data, header, NAME)
    if problem := why_illegible(gray):
        raise ApiError(422, f"{NAME} {problem}.")
    return gray
