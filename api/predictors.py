"""The predictors the API serves, each built once per process on first use, from the predictor table the CLI uses
too (text_recognizer/predictor_table.py)."""

import threading
from collections.abc import Callable
from typing import Any

from text_recognizer import settings
from text_recognizer.errors import DataError
from text_recognizer.predictor_table import load_predictor

# The server runs one process per core: one ONNX Runtime thread each costs ~30% less CPU per prediction than a pool.
settings.default_onnx_threads(1)


class ModelUnavailableError(Exception):
    """A predictor that cannot be built (e.g. no shipped weights): the API answers 503 with the reason."""


class LazyPredictor:
    """Builds its predictor on first use, once even under concurrent requests; retries while the model is missing."""

    def __init__(self, name: str, build: Callable[[], Any]):
        self.name = name
        self._build = build
        self._lock = threading.Lock()
        self._predictor = None

    @property
    def loaded(self) -> bool:
        return self._predictor is not None

    def get(self) -> Any:
        """The predictor, built now if this is the first use."""
        if self._predictor is None:
            with self._lock:
                if self._predictor is None:
                    try:
                        self._predictor = self._build()
                    except DataError as error:
                        raise ModelUnavailableError(f"The {self.name} model is not available: {error}") from None
        return self._predictor

    def predict(self, image, **options) -> tuple[str, float]:
        """(text, confidence) for one image; `options` go to the predictor (a line's `decoder`)."""
        return self.get().predict(image, **options)


def character_predictor():
    """The shipped character predictor."""
    return load_predictor("character")


def line_predictor():
    """The shipped line predictor."""
    return load_predictor("line")


def page_predictor():
    """The shipped line detector and line predictor, reading pages."""
    return load_predictor("page")
