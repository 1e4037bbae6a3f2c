"""Choosing how a line model's outputs become text: greedy, beam search, or beam search with the card's language
model (`decoder="lm"`), each returning a Reading with per-character and per-word confidences (with "lm", each word's
is its calibrated chance of being right where the card holds a word_calibration: see word_calibration.py).

The card names its language model and the settings tuned for it on validation writers:
    "language_model": {"file": "lm/english_french_chars.npz", "lm_weight": 0.6, "bonus": 1.0, "beam_width": 64,
                       "prune": 0.003, "default": true}
("default": the decoder a predictor uses when none is named is "lm", not "greedy".)
(`prune`: classes below this posterior on a frame are not tried; on the shipped model's validation writers 0.003
cost 0.0002 of mean CER against 0.001 at beam 64, and searched ~10 % faster.)
"""

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from text_recognizer.char_lm import load_language_model
from text_recognizer.confidences import Reading, greedy_confidences, reading
from text_recognizer.ctc import beam_decode, greedy_decode, slot_decode
from text_recognizer.errors import DataError
from text_recognizer.lm_decoding import LanguageModelScorer, WordRules, compile_search, lm_beam_decode
from text_recognizer.word_calibration import WordCalibration

DECODERS = ("greedy", "beam", "lm")
BEAM_WIDTH = 10
LM_DEFAULTS = {"lm_weight": 0.5, "bonus": 0.0, "beam_width": 16, "prune": 0.01}
_MODELS: dict[Path, Any] = {}  # language models already loaded, by file: predictors of one process share them


class LineDecoder:
    """Outputs (T, C) of one line -> Reading, with the chosen decoder."""

    def __init__(
        self,
        card: dict[str, Any],
        decoder: str | None = None,
        beam_width: int = 0,
        language_model: dict[str, Any] | None = None,
        lexicon: Iterable[str] | None = None,
        hot_words: Iterable[str] | None = None,
    ):
        self.mapping = card["mapping"]
        self.ctc = card["model"] == "LineModelCtc"
        self.name = decoder or ("beam" if beam_width > 1 else default_decoder(card))
        if self.name not in DECODERS:
            raise DataError(f"Unknown decoder {self.name!r}; valid: {', '.join(DECODERS)}.")
        if not self.ctc and self.name != "greedy":
            raise DataError(f"The {card['model']} model reads fixed slots; only the greedy decoder applies to it.")
        if (lexicon is not None or hot_words) and self.name != "lm":
            raise DataError("A lexicon or hot words need the language model decoder (decoder 'lm').")
        self.beam_width = beam_width if beam_width > 1 else BEAM_WIDTH
        if self.name == "lm":
            self.settings = language_model_settings(card, language_model)
            self.beam_width = beam_width if beam_width > 1 else int(self.settings["beam_width"])
            self.scorer = LanguageModelScorer(self.settings["model"], self.mapping)
            compile_search()  # now, while the predictor loads, rather than on its first line
            self.rules = WordRules(lexicon, hot_words) if lexicon is not None or hot_words else None
            # A lexicon forbids most extensions; trying fewer classes as well can leave a line no allowed path.
            self.prune = float(self.settings["prune"]) if lexicon is None else min(float(self.settings["prune"]), 1e-3)
            calibration = self.settings.get("word_calibration")
            self.calibration = WordCalibration(calibration) if calibration else None

    def __call__(self, probabilities: np.ndarray) -> Reading:
        if not self.ctc:
            labels, confidence = slot_decode(probabilities)
            text = "".join(self.mapping[label] for label in labels)
            return Reading(text, confidence, [(char, confidence) for char in text], [])
        per_label = frames = None
        if self.name == "greedy":
            labels, confidence = greedy_decode(probabilities)
            labels, per_label = greedy_confidences(probabilities)
        elif self.name == "beam":
            labels, confidence = beam_decode(probabilities, self.beam_width)
        else:
            labels, confidence, per_label, frames = lm_beam_decode(
                probabilities,
                self.scorer,
                self.mapping,
                self.beam_width,
                float(self.settings["lm_weight"]),
                float(self.settings["bonus"]),
                self.rules,
                self.prune,
            )
        read = reading(probabilities, labels, self.mapping, confidence, per_label, frames)
        if self.name == "lm" and self.calibration is not None:
            model = self.settings["model"]
            return self.calibration(read, model.line_log_probabilities(read.text), probabilities, model.words)
        return read


def default_decoder(card: dict[str, Any]) -> str:
    """The decoder a card reads with when none is named: "lm" where its language model entry says so (it lowered
    every validation corpus's CER when tuned), else "greedy"."""
    return "lm" if (card.get("language_model") or {}).get("default") else "greedy"


def language_model_settings(card: dict[str, Any], override: dict[str, Any] | None = None) -> dict[str, Any]:
    """The card's language model entry (or `override`) with defaults filled in and the model loaded as "model"."""
    entry = override if override is not None else card.get("language_model")
    if not entry or "file" not in entry:
        raise DataError(
            f"The card {Path(card.get('card_path', '?')).name} names no language model, so decoder 'lm' cannot run. "
            "Build one with `python training/build_language_model.py` and name it in the card with "
            "`python training/tune_language_model.py --card <card>`."
        )
    path = Path(entry["file"])
    if not path.is_absolute():
        path = Path(card.get("card_path", ".")).parent / path
    path = path.resolve()
    if path not in _MODELS:
        _MODELS[path] = load_language_model(path)
    return {**LM_DEFAULTS, **entry, "model": _MODELS[path]}
