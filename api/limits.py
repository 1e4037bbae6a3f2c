"""What the API accepts and how long it waits, each changeable by an environment variable (see the README)."""

import os
from collections.abc import Callable

from text_recognizer.errors import UserError

PIXELS_ENV = "TEXT_RECOGNIZER_API_MAX_PIXELS"
THREADS_ENV = "TEXT_RECOGNIZER_API_THREADS"
READ_TIMEOUT_ENV = "TEXT_RECOGNIZER_API_READ_TIMEOUT"

MAX_REQUEST_BYTES = 4 * 1024 * 1024
MAX_DRAIN_BYTES = 16 * MAX_REQUEST_BYTES
MAX_SIDE = 4096


def _setting(name: str, default: float, parse: Callable[[str], float], minimum: float) -> float:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = parse(value.replace("_", ""))
    except ValueError:
        number = None
    if number is None or not minimum <= number < float("inf"):
        raise UserError(f"{name}={value!r}: expected a number of at least {minimum:g} (default {default:g}).")
    return number


def max_pixels() -> int:
    """Pixels an uploaded image may have (width x height, read from its header before decoding)."""
    return int(_setting(PIXELS_ENV, MAX_SIDE * MAX_SIDE, int, 1))


def threads() -> int:
    """Images decoded and recognised at once per server process; more requests wait their turn."""
    return int(_setting(THREADS_ENV, 2, int, 1))


def read_timeout() -> float:
    """Seconds a client has to send a request's head (line and headers), and again its body."""
    return _setting(READ_TIMEOUT_ENV, 20.0, float, 0.001)


def check_all() -> None:
    """UserError naming the first environment variable that is set to something unusable."""
    from api.corrections import corrections_folder

    max_pixels(), threads(), read_timeout(), corrections_folder()
