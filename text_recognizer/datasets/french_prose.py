"""French prose for the character language model: the 100,000 sentences of the fr-corpus npm package (MIT; news,
encyclopedia, reviews, fiction and more, machine-translated into French from nlp-corpus), read from its tarball."""

import json
import tarfile
from pathlib import Path

from text_recognizer.datasets.sources import cached_sentences
from text_recognizer.errors import DataError

SOURCE = "french_prose"
DOCUMENTS = "package/builds/doc-"  # each a JSON list of [sentence, md5 of its English original]
# French typography: printable ASCII and Latin-1, the ligatures and Ÿ, typographic quotes, dashes, ellipsis and euro.
# Every other character would be one more symbol for the language model and one the line model never writes.
FRENCH_CHARACTERS = frozenset(map(chr, [*range(0x20, 0x7F), *range(0xA0, 0x100)])) | frozenset("œŒŸ‘’“”—–…€")


def french_sentences() -> list[str]:
    """The sentences, cached in data/processed/french_prose/ after the first read of the tarball."""
    return cached_sentences(SOURCE, read_fr_corpus)


def read_fr_corpus(tarball: Path) -> list[str]:
    """Every sentence of the package's documents, whitespace collapsed, in document order; the few (0.1 %) with a
    character outside FRENCH_CHARACTERS (Cyrillic, Arabic, emoji, bullets) left out."""
    sentences = []
    try:
        with tarfile.open(tarball, "r:gz") as archive:
            members = [m for m in archive.getmembers() if m.name.startswith(DOCUMENTS) and m.name.endswith(".json")]
            if not members:
                raise ValueError(f"no {DOCUMENTS}*.json documents in it")
            for member in sorted(members, key=lambda m: int(m.name[len(DOCUMENTS) : -len(".json")])):
                for sentence, _ in json.load(archive.extractfile(member)):
                    sentences.append(" ".join(sentence.split()))
    except (OSError, EOFError, tarfile.TarError, ValueError, TypeError) as error:
        raise DataError(
            f"{tarball} is not the fr-corpus package ({type(error).__name__}: {error}). "
            "Replace it with the file named in data/metadata.toml [french_prose]."
        ) from None
    return [sentence for sentence in sentences if sentence and set(sentence) <= FRENCH_CHARACTERS]
