"""Sentences from the Brown corpus (NLTK's own package format), normalised to a character set."""

import re
from pathlib import Path

import numpy as np

from text_recognizer.datasets.sources import cached_sentences
from text_recognizer.errors import DataError

SOURCE = "brown"
QUOTES = re.compile(r"``|''")
SPACE_BEFORE = re.compile(r" ([.,;:!?)]|'s\b|n't\b|'(?=\s|$))")
SPACE_AFTER = re.compile(r"([(]) ")


def detokenize(words: list[str]) -> str:
    """Join corpus tokens into ordinary text: no space before closing punctuation or after an opening one."""
    text = QUOTES.sub('"', " ".join(words))
    return SPACE_AFTER.sub(r"\1", SPACE_BEFORE.sub(r"\1", text))


def read_brown(zip_path: Path) -> list[str]:
    """All 57,340 Brown sentences as text, read with NLTK's corpus reader straight from the zip."""
    import nltk
    from nltk.corpus.reader import TaggedCorpusReader
    from nltk.data import ZipFilePathPointer

    zip_path = zip_path.resolve()
    if str(zip_path.parent) not in nltk.data.path:  # NLTK only opens files under its data path
        nltk.data.path.insert(0, str(zip_path.parent))
    try:
        reader = TaggedCorpusReader(ZipFilePathPointer(str(zip_path), "brown/"), r"c[a-r]\d\d")
        return [detokenize(words) for words in reader.sents()]
    except (OSError, ValueError) as error:
        raise DataError(
            f"{zip_path} is not NLTK's brown.zip ({error}). Replace it with the file named in data/metadata.toml."
        ) from None


def brown_sentences() -> list[str]:
    """The corpus's sentences, cached in data/processed/brown/."""
    return cached_sentences(SOURCE, read_brown)


def brown_text() -> str:
    """The corpus as one text (sentences separated by a space)."""
    return " ".join(brown_sentences())


class SentenceSampler:
    """Random word-aligned snippets of at most `max_length` characters, using only the given characters."""

    def __init__(self, characters: str, text: str | None = None):
        allowed = set(characters)
        text = brown_text() if text is None else text
        self.text = re.sub(" +", " ", "".join(c if c in allowed else " " for c in text)).strip()
        self.word_starts = np.array([0] + [m.end() for m in re.finditer(" ", self.text)])

    def sample(self, max_length: int, rng: np.random.Generator) -> str:
        """A snippet that starts at a word and ends at a word boundary (a random number of words)."""
        start = self.word_starts[rng.integers(len(self.word_starts))]
        ends = self.word_starts[(self.word_starts > start) & (self.word_starts <= start + max_length + 1)] - 1
        if len(ends) == 0:  # a single word longer than max_length
            return self.text[start : start + max_length]
        return self.text[start : rng.choice(ends)].strip()
