"""What the API accepts: fixed sizes here; pixels, threads, read timeout are settings (text_recognizer/settings.py)."""

from text_recognizer import settings

MAX_REQUEST_BYTES = 4 * 1024 * 1024
MAX_DRAIN_BYTES = 16 * MAX_REQUEST_BYTES
MAX_SIDE = 4096


def check_all() -> None:
    """UserError naming the first of the API's environment variables that is set to something unusable."""
    settings.api_max_pixels(), settings.api_threads(), settings.api_read_timeout(), settings.corrections_dir()
