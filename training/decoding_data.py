"""Held-apart lines of a real-line model and its network's outputs on them (cached), for tuning and measuring decoders.

Outputs are cached per card run, corpus and split in data/processed/decoding/ (float16) with a fingerprint of the
network's inputs and of the card's export, so trying many decoder settings runs the network once.
"""

import hashlib
import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from text_recognizer.datasets.lm_text import real_line_splits
from text_recognizer.datasets.sources import processed_dir
from text_recognizer.line_predictor import LinePredictor
from text_recognizer.metrics import character_error_rate, word_error_rate

CORPORA = ("iam_lines", "copiste_fr", "hooker", "names")


def held_apart(card: dict[str, Any], split: str, corpora: tuple[str, ...] = CORPORA) -> dict[str, list]:
    """The card's lines of `split` ("val" or "test") per corpus, as its dataset keeps them (charset, max_length)."""
    real = real_line_splits(card)
    charset = set(card["mapping"][1:])
    longest = card["data"]["args"].get("max_length", 128)
    return {
        corpus: [line for line in real[corpus][split] if set(line.text) <= charset and len(line.text) <= longest]
        for corpus in corpora
        if corpus in real
    }


def network_outputs(predictor: LinePredictor, lines: list, name: str) -> list[np.ndarray]:
    """The network's (T, C) outputs for each line, read from the cache when the same run's same export made them from
    the same inputs (a change to how lines are fitted to the network, or an int8 export, makes them afresh)."""
    cache = processed_dir("decoding") / f"{predictor.card['run_id']}_{name}.npz"
    inputs = predictor.inputs([line.image for line in lines])
    digest = inputs_digest(inputs, predictor.card.get("onnx"))
    if cache.exists():
        with np.load(cache, allow_pickle=False) as saved:
            if "digest" in saved and str(saved["digest"]) == digest:
                return np.split(saved["outputs"].astype(np.float32), np.cumsum(saved["steps"])[:-1])
    outputs = predictor.network(inputs)
    cache.parent.mkdir(parents=True, exist_ok=True)
    partial = cache.with_name(cache.name + ".part.npz")
    steps = np.array([len(output) for output in outputs])
    np.savez_compressed(partial, digest=digest, steps=steps, outputs=np.concatenate(outputs).astype(np.float16))
    Path(partial).replace(cache)
    return outputs


def inputs_digest(inputs: list[np.ndarray], export: dict[str, Any] | None = None) -> str:
    """A fingerprint of the network's inputs (their shapes and pixels, in order) and of the card's export record."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(json.dumps(export, sort_keys=True).encode())
    for line in inputs:
        digest.update(np.array(line.shape, np.int64).tobytes())
        digest.update(np.ascontiguousarray(line).tobytes())
    return digest.hexdigest()


def decode_all(decode, outputs: list[np.ndarray]) -> tuple[list, float]:
    """Readings of every output and the seconds decoding took."""
    started = time.perf_counter()
    readings = [decode(output) for output in outputs]
    return readings, time.perf_counter() - started


def error_rates(readings: list, references: list[str]) -> tuple[float, float]:
    texts = [reading[0] for reading in readings]
    return character_error_rate(texts, references), word_error_rate(texts, references)
