"""LinesFolderDataset on awkward input: labels files in other encodings, fields past the csv limit, and images that are
empty, broken or beyond the file system's name limit; each is a message or a counted skip, never a traceback.
The labels parser is also fed generated CSV files (hypothesis)."""

import codecs
import csv
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import copied_into
from tests.snapshots import digests
from text_recognizer.datasets.lines_folder import LinesFolderDataset, read_labels
from text_recognizer.errors import DataError

NAMES = Path(__file__).resolve().parents[1] / "data" / "raw" / "handwritten_names" / "validation_v2"
ROWS = [("VALIDATION_0001.jpg", "ANNE"), ("VALIDATION_0002.jpg", "RENÉE"), ("VALIDATION_0003.jpg", "ZOË")]


@pytest.fixture
def folder(tmp_path) -> Path:
    """Ten real handwritten-name images in a folder of one's own."""
    if not NAMES.is_dir():
        pytest.fail(f"{NAMES} is missing: run `make data` (links ../shared/data).")
    return copied_into(tmp_path / "my_lines", [NAMES / f"VALIDATION_{number:04d}.jpg" for number in range(1, 11)])


def write_labels(folder: Path, rows, encoding: str = "utf-8", header: str = "filename,text") -> Path:
    text = header + "\n" + "".join(f"{name},{label}\n" for name, label in rows)
    path = folder / "labels.csv"
    path.write_bytes(text.encode(encoding))
    return path


def texts(folder: Path, **args) -> list[str]:
    return [text for _, text, _ in read_labels(folder / "labels.csv", folder, args.get("encoding"))]


def test_latin1_labels_are_refused_with_how_to_read_them(folder):
    write_labels(folder, ROWS, "latin-1")
    before = digests(folder)
    with pytest.raises(
        DataError, match=r"is not utf-8 text: byte 0xc9 on line 3 .* labels_encoding, e\.g\. \"latin-1\""
    ):
        LinesFolderDataset(path=str(folder)).prepare()
    assert digests(folder) == before
    dataset = LinesFolderDataset(path=str(folder), labels_encoding="latin-1", max_length=10)
    assert [text for _, text, _ in dataset.check()[0]] == ["ANNE"]  # É and Ë are outside the mapping: reported
    assert dataset.check()[1].unknown_characters == {"É": 1, "Ë": 1}
    assert dataset.labels_encoding == "latin-1"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig", "utf-32"])
def test_labels_with_a_byte_order_mark_are_decoded(folder, encoding):
    write_labels(folder, ROWS, encoding)
    assert texts(folder) == ["ANNE", "RENÉE", "ZOË"]


def test_utf16_without_a_byte_order_mark_is_named(folder):
    write_labels(folder, ROWS, "utf-16-le")
    with pytest.raises(DataError, match=r'holds NUL bytes \(first on line 1\).*labels_encoding: "utf-16-le"'):
        texts(folder)
    assert texts(folder, encoding="utf-16-le") == ["ANNE", "RENÉE", "ZOË"]


@pytest.mark.parametrize("name", ["no-such-codec", "hex"])
def test_an_unknown_labels_encoding_is_a_message(folder, name):
    write_labels(folder, ROWS)
    with pytest.raises(DataError, match=f"Unknown labels_encoding '{name}'"):
        LinesFolderDataset(path=str(folder), labels_encoding=name)


def test_a_field_past_the_csv_limit_names_its_line(folder):
    for label in ('"' + "A" * 50, "A" * 140_000):  # a quote left open swallows the rows after it
        write_labels(folder, [*ROWS, ("VALIDATION_0004.jpg", label), *ROWS * 3000])
        with pytest.raises(DataError, match=r"labels\.csv:5: not a readable CSV row .* longer than 131,072 characters"):
            LinesFolderDataset(path=str(folder)).prepare()
    write_labels(folder, [*ROWS, ("VALIDATION_0004.jpg", "A" * 1000)])  # long, within the limit: skipped
    dataset = LinesFolderDataset(path=str(folder), max_length=10)
    assert dataset.check()[1].problems["labels longer than max_length=10"] == 1


def test_an_iam_lines_txt_must_be_utf8(tmp_path):
    folder = tmp_path / "iam"
    folder.mkdir()
    (folder / "lines.txt").write_bytes("a01-000u-00 ok 154 19 408 746 1661 89 A|MOVE\n".encode("utf-16"))
    with pytest.raises(DataError, match=r"an IAM lines\.txt is read as UTF-8 without a byte-order mark"):
        LinesFolderDataset(path=str(folder)).prepare()


def test_empty_broken_and_unnameable_images_are_skipped_and_counted(folder):
    (folder / "empty.png").write_bytes(b"")
    (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a JPEG")
    (folder / "VALIDATION_0009.jpg").write_bytes((folder / "VALIDATION_0009.jpg").read_bytes()[:200])  # truncated
    good = [(f"VALIDATION_{n:04d}.jpg", f"NAME {n}") for n in range(1, 9)]
    bad = [("empty.png", "EMPTY"), ("broken.jpg", "BROKEN"), ("VALIDATION_0009.jpg", "CUT"), ("x" * 300 + ".png", "X")]
    write_labels(folder, good + bad)
    before = digests(folder)

    dataset = LinesFolderDataset(path=str(folder), validation_fraction=0.25, test_fraction=0.25).prepare()
    assert (dataset.report.rows, dataset.report.kept) == (12, 8)
    assert dataset.report.problems == {
        "empty (0-byte) image files": 1,
        "unreadable image files": 2,
        "missing image files": 1,
    }
    assert "1 empty (0-byte) image files (e.g. empty.png)" in str(dataset.report)
    assert dataset.card()["skipped"]["unreadable image files"] == 2
    assert len(dataset.train) + len(dataset.val) + len(dataset.test) == 8

    with pytest.raises(DataError, match=r"12 rows, 8 usable; 1 empty \(0-byte\) image files .* pass on_error: skip"):
        LinesFolderDataset(path=str(folder), on_error="reject").prepare()
    assert digests(folder) == before


def test_a_dangling_folder_link_is_named(tmp_path):
    (tmp_path / "lines").symlink_to(tmp_path / "gone")
    with pytest.raises(DataError, match=f"{tmp_path / 'lines'} is a broken link: it points to {tmp_path / 'gone'}"):
        LinesFolderDataset(path=str(tmp_path / "lines"))


# Generated labels files: whatever the cells hold, what was written is what is read (or a DataError says why not).
CELLS = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
LABEL_ROWS = st.lists(st.tuples(CELLS, CELLS, st.sampled_from(["train", "val", "test", " TEST "])), max_size=6)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=LABEL_ROWS, encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-32"]))
def test_generated_csv_labels_read_back_as_written(tmp_path, rows, encoding):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["filename", "text", "split"])
    writer.writerows(rows)
    path = tmp_path / "labels.csv"
    path.write_bytes(out.getvalue().encode(encoding))
    try:
        labels = read_labels(path, tmp_path)
    except DataError as error:
        assert any("\x00" in cell for row in rows for cell in row[:2]), error  # only NUL characters are refused
        return
    expected = [(tmp_path / name.strip(), text.strip(), split.strip().lower()) for name, text, split in rows]
    assert labels == expected


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=200), bom=st.sampled_from([b"", codecs.BOM_UTF8, codecs.BOM_UTF16_LE]))
def test_any_bytes_are_labels_or_a_data_error(tmp_path, data, bom):
    path = tmp_path / "labels.csv"
    path.write_bytes(bom + data)
    try:
        labels = read_labels(path, tmp_path)
    except DataError:
        return
    assert all(isinstance(text, str) for _, text, _ in labels)
