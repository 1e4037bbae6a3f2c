"""Reading one image from a request (multipart upload or JSON data URL), within size limits; errors are 4xx."""

import base64
import binascii
import io
import json
import re

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError
from starlette.datastructures import UploadFile
from starlette.requests import Request

MAX_REQUEST_BYTES = 4 * 1024 * 1024
MAX_DRAIN_BYTES = 16 * MAX_REQUEST_BYTES
MAX_SIDE = 4096
FORMATS = ("PNG", "JPEG")
DATA_URL_PREFIX = re.compile(r"data:image/[\w.+-]+;base64,")
JSON_SHAPE = '{"image": "data:image/png;base64,..."}'


class ApiError(Exception):
    """A request the API cannot serve: an HTTP status and a message for the client."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


async def image_from_request(request: Request) -> np.ndarray:
    """The request's image as a grayscale uint8 array."""
    body = await read_body(request)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        data = await file_from_multipart(request, body)
    elif content_type == "application/json":
        data = bytes_from_json(body)
    else:
        raise ApiError(415, f"Send multipart/form-data with a file field `image`, or application/json {JSON_SHAPE}.")
    return decode_image(data)


async def read_body(request: Request) -> bytes:
    """The whole body, or 413 past MAX_REQUEST_BYTES. An oversized body is read on (up to MAX_DRAIN_BYTES, not kept)
    so that the client, still sending, receives the answer instead of a reset connection."""
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size <= MAX_REQUEST_BYTES:
            chunks.append(chunk)
        elif size > MAX_DRAIN_BYTES:
            break
    if size > MAX_REQUEST_BYTES:
        raise ApiError(413, f"The request body is over the limit of {MAX_REQUEST_BYTES} bytes.")
    return b"".join(chunks)


async def file_from_multipart(request: Request, body: bytes) -> bytes:
    """The bytes of the multipart field `image`."""

    async def replay() -> dict:
        return {"type": "http.request", "body": body, "more_body": False}

    form = await Request(request.scope, replay).form(max_files=1, max_fields=8)
    upload = form.get("image")
    if not isinstance(upload, UploadFile):
        raise ApiError(400, "The multipart form has no file field named `image`.")
    return await upload.read()


def bytes_from_json(body: bytes) -> bytes:
    """The image bytes inside a JSON body's data URL (or bare base64)."""
    try:
        payload = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
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


def decode_image(data: bytes) -> np.ndarray:
    """A PNG or JPEG within MAX_SIDE pixels a side, transparency flattened onto white, as grayscale uint8."""
    if not data:
        raise ApiError(400, "The image is empty.")
    try:
        image = Image.open(io.BytesIO(data), formats=FORMATS)
    except (UnidentifiedImageError, Image.DecompressionBombError):
        raise ApiError(422, "The upload is not a PNG or JPEG image of a usable size.") from None
    width, height = image.size
    if max(width, height) > MAX_SIDE:
        raise ApiError(422, f"The image is {width}x{height} pixels; the limit is {MAX_SIDE} pixels a side.")
    try:
        image = ImageOps.exif_transpose(image)
        if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
            image = Image.alpha_composite(Image.new("RGBA", image.size, "white"), image.convert("RGBA"))
        return np.asarray(image.convert("L"))
    except (OSError, ValueError, SyntaxError):
        raise ApiError(422, "The image data is corrupt or truncated.") from None
