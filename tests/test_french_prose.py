"""The French prose source of the language model: read from a tarball laid out like the fr-corpus npm package."""

import io
import json
import tarfile

import pytest

from text_recognizer.datasets import french_prose
from text_recognizer.datasets.lm_text import training_units
from text_recognizer.errors import DataError


def write_package(path, documents: dict[str, object]) -> None:
    with tarfile.open(path, "w:gz") as archive:
        for name, content in documents.items():
            data = json.dumps(content).encode() if not isinstance(content, bytes) else content
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))


def test_sentences_are_read_in_document_order_with_whitespace_collapsed(tmp_path):
    package = tmp_path / "fr-corpus.tgz"
    write_package(
        package,
        {
            "package/builds/doc-10.json": [["Dixième  document.", "md5"]],
            "package/builds/doc-2.json": [
                ["Le  jardin\nde Kew. ", "md5"],
                ["  ", "md5"],
                ["Été 1881 !", "md5"],
                ["Москва (Moscou).", "md5"],
            ],
            "package/README.md": b"not a document",
        },
    )
    assert french_prose.read_fr_corpus(package) == ["Le jardin de Kew.", "Été 1881 !", "Dixième document."]


@pytest.mark.parametrize(
    "documents",
    [{"package/README.md": b"no documents"}, {"package/builds/doc-0.json": b"{not json"}],
    ids=["no documents", "bad json"],
)
def test_a_tarball_that_is_not_the_package_is_named_with_what_to_do(tmp_path, documents):
    package = tmp_path / "fr-corpus.tgz"
    write_package(package, documents)
    with pytest.raises(DataError, match=r"not the fr-corpus package.*metadata.toml \[french_prose\]"):
        french_prose.read_fr_corpus(package)
    package.write_bytes(b"truncated")
    with pytest.raises(DataError, match="not the fr-corpus package"):
        french_prose.read_fr_corpus(package)


def test_the_language_model_source_cuts_the_prose_into_line_length_pieces(monkeypatch):
    sentence = "La fédération nationale du Laos est fondée en 1951 et affiliée à la FIFA depuis 1952."
    monkeypatch.setattr("text_recognizer.datasets.lm_text.french_sentences", lambda: [sentence] * 20)
    units, report = training_units({"french-prose": 1}, {"train": [], "val": [], "test": []}, {})
    assert " ".join(units) == " ".join([sentence] * 20)  # every word kept, in order
    assert all(len(unit) <= 65 for unit in units) and len(units) > 20
    assert report["french-prose"] == {"units": len(units), "dropped_overlapping_held_out": 0, "weight": 1}
