"""The one table of predictors that the inference CLI and the web API both use: character, line and page predictors
by name, each loaded from its card (the shipped one unless another is named) with the same options.

    from text_recognizer.predictor_table import load_predictor
    load_predictor("page", decoder="lm").predict("page.png")      # a PageReading: lines, words, boxes

Imports are deferred to the chosen predictor, so that the CLI starts fast and nothing heavy loads for a kind unused.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from text_recognizer.errors import DataError

BATCH_SIZE = 64


@dataclass(frozen=True)
class PredictorKind:
    """A kind of predictor: what it reads, whether it takes a decoder, and how it is built."""

    name: str
    reads: str
    decodes: bool
    build: Callable[..., Any]
    default_card: Callable[[], str]


def _character(card, options):
    from text_recognizer.character_predictor import CharacterPredictor

    return CharacterPredictor(card)


def _line(card, options):
    from text_recognizer.line_predictor import LinePredictor

    return LinePredictor(card, decoder=options.decoder, lexicon=options.lexicon, hot_words=options.hot_words)


def _page(card, options):
    from text_recognizer.documents.page_predictor import DETECTOR_CARD, PagePredictor

    return PagePredictor(
        card,
        options.detector_card or DETECTOR_CARD,
        decoder=options.decoder,
        lexicon=options.lexicon,
        hot_words=options.hot_words,
        batch_size=options.batch_size,
    )


def _default(module: str, name: str = "DEFAULT_CARD") -> Callable[[], str]:
    def card() -> str:
        import importlib

        return getattr(importlib.import_module(module), name)

    return card


KINDS: dict[str, PredictorKind] = {
    "character": PredictorKind(
        "character", "one handwritten character", False, _character, _default("text_recognizer.character_predictor")
    ),
    "line": PredictorKind("line", "one text line", True, _line, _default("text_recognizer.line_predictor")),
    "page": PredictorKind(
        "page", "a page or paragraph of lines", True, _page, _default("text_recognizer.line_predictor")
    ),
}


@dataclass(frozen=True)
class PredictorOptions:
    """What every kind is loaded with: the card (a line model's for pages), the decoder and its word rules (lines and
    pages), lines per network batch, and for pages the line detector's card."""

    card: str | Path | None = None
    decoder: str | None = None
    lexicon: tuple[str, ...] | None = None
    hot_words: tuple[str, ...] | None = None
    batch_size: int = BATCH_SIZE
    detector_card: str | Path | None = None


def load_predictor(
    kind: str,
    card: str | Path | None = None,
    decoder: str | None = None,
    lexicon: Iterable[str] | None = None,
    hot_words: Iterable[str] | None = None,
    batch_size: int = BATCH_SIZE,
    detector_card: str | Path | None = None,
):
    """The predictor of a kind of KINDS, from `card` or the shipped one; DataError for an unknown kind, a decoder
    given to a kind that has none, or a card that cannot be loaded."""
    if kind not in KINDS:
        raise DataError(f"Unknown predictor {kind!r}; valid: {', '.join(KINDS)}.")
    entry = KINDS[kind]
    if not entry.decodes and (decoder or lexicon is not None or hot_words):
        raise DataError(f"A decoder applies to lines and pages, not to the {kind} predictor.")
    if batch_size < 1:
        raise DataError(f"The batch size must be at least 1, got {batch_size}.")
    options = PredictorOptions(
        card,
        decoder,
        tuple(lexicon) if lexicon is not None else None,
        tuple(hot_words) if hot_words else None,
        batch_size,
        detector_card,
    )
    return entry.build(card or entry.default_card(), options)
