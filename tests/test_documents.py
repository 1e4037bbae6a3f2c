"""Pages in, documents out: the page predictor on the four real IAM paragraphs, ALTO v4 and PAGE XML 2019 valid
against the official schemas with the right number of lines, coordinates in the original image's pixels (also for
a page read turned level), the round trip (write, read back: same lines and texts), the PageXmlLinesDataset and the
predictor table."""

import json
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest

from tests.conftest import run_cli
from tests.xml_schemas import assert_valid
from text_recognizer import line_skew, registry
from text_recognizer.documents.formats import image_name_of, line_crops, read_lines, render
from text_recognizer.documents.page import Line, PageReading, Word
from text_recognizer.errors import DataError
from text_recognizer.metrics import character_error_rate
from text_recognizer.predictor_table import KINDS, load_predictor

PARAGRAPHS = Path(__file__).resolve().parents[1] / "data" / "raw" / "iam" / "paragraphs_sample"
LINES = {"a01-077": 10, "a01-087": 9, "a01-107": 5, "a02-046": 8}
ALTO = "{http://www.loc.gov/standards/alto/ns-v4#}"
PAGE = "{http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15}"


@pytest.fixture(scope="module")
def predictor():
    return load_predictor("page")


@pytest.fixture(scope="module")
def readings(predictor):
    if not PARAGRAPHS.is_dir():
        pytest.fail(f"{PARAGRAPHS} is missing: run `make data` (links ../shared/data).")
    return {page: predictor.predict(PARAGRAPHS / f"{page}.png") for page in LINES}


def made_up_page() -> PageReading:
    """A page with the characters XML must escape, non-ASCII text, a line without words and an empty one."""
    return PageReading(
        width=400,
        height=200,
        lines=[
            Line(
                "a < b & \"c\" 'd'",
                0.5,
                (10, 10, 390, 60),
                [(10, 50), (390, 50)],
                [Word("a", 0.9, (10, 10, 30, 60)), Word("<", 0.2, (40, 10, 60, 60)), Word("b", 1.0, (70, 10, 90, 60))],
            ),
            Line("Québec — 1€", 0.25, (12, 70, 300, 120)),
            Line("", 0.0, (5, 130, 50, 190)),
        ],
    )


@pytest.mark.parametrize("page", sorted(LINES))
@pytest.mark.parametrize("document_format", ["alto", "page"])
def test_iam_paragraphs_are_valid_documents_with_every_line(readings, page, document_format):
    reading = readings[page]
    root = assert_valid(document_format, render(reading, document_format, f"{page}.png"))
    tag = f"{ALTO}TextLine" if document_format == "alto" else f"{PAGE}TextLine"
    assert len(root.findall(f".//{tag}")) == LINES[page]
    words = root.findall(f".//{ALTO}String" if document_format == "alto" else f".//{PAGE}Word")
    assert len(words) >= LINES[page]  # word boxes from the CTC alignments


@pytest.mark.parametrize("page", sorted(LINES))
def test_boxes_are_in_the_original_image_and_words_sit_in_their_lines(readings, page):
    reading = readings[page]
    image = cv2.imread(str(PARAGRAPHS / f"{page}.png"), cv2.IMREAD_GRAYSCALE)
    assert (reading.width, reading.height) == (image.shape[1], image.shape[0])
    for line in reading.lines:
        x0, y0, x1, y1 = line.box
        assert 0 <= x0 < x1 <= reading.width and 0 <= y0 < y1 <= reading.height
        assert line.baseline and all(y0 <= y <= y1 for _, y in line.baseline)
        assert [word.text for word in line.words] == line.text.split()
        for word in line.words:
            wx0, wy0, wx1, wy1 = word.box
            assert x0 <= wx0 < wx1 <= x1 and y0 <= wy0 < wy1 <= y1, (word, line.box)
            assert 0 <= word.confidence <= 1
        lefts = [word.box[0] for word in line.words]
        assert lefts == sorted(lefts)


def test_coordinates_follow_the_image_when_it_is_scaled(predictor):
    image = cv2.imread(str(PARAGRAPHS / "a01-107.png"), cv2.IMREAD_GRAYSCALE)
    half = predictor.predict(cv2.resize(image, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA))
    full = predictor.predict(image)
    assert len(half.lines) == len(full.lines) == 5
    for small, large in zip(half.lines, full.lines, strict=True):
        assert np.allclose(np.array(small.box) * 2, large.box, atol=12)


def test_a_page_turned_askew_is_read_level_with_its_boxes_and_baselines_on_the_page_as_it_came(predictor, readings):
    image = cv2.imread(str(PARAGRAPHS / "a01-077.png"), cv2.IMREAD_GRAYSCALE)
    askew, turn = line_skew.turned(image, 3, int(np.median(image)))  # its lines rise to the right by 3 degrees
    reading = predictor.predict(askew)
    level = readings["a01-077"]
    assert len(reading.lines) == len(level.lines) == 10
    assert character_error_rate([reading.text], [level.text]) <= 0.1  # 0.24 read askew, 0.04 turned level
    for line, level_line in zip(reading.lines, level.lines, strict=True):
        x0, y0, x1, y1 = level_line.box
        x, y = turn @ ((x0 + x1) / 2, (y0 + y1) / 2, 1)  # the middle of the line on the askew page
        assert line.box[0] <= x <= line.box[2] and line.box[1] <= y <= line.box[3]
        (left, left_y), (right, right_y) = line.baseline
        assert (left_y - right_y) / (right - left) == pytest.approx(np.tan(np.radians(3)), abs=0.005)


@pytest.mark.parametrize("document_format", ["alto", "page"])
def test_round_trip_gives_the_same_lines_and_texts(readings, document_format, tmp_path):
    for page, reading in [*readings.items(), ("made-up", made_up_page())]:
        document = render(reading, document_format, f"{page}.png")
        if page == "made-up":
            assert_valid(document_format, document)
        path = tmp_path / f"{page}.xml"
        path.write_bytes(document)
        assert read_lines(path) == [(line.box, line.text) for line in reading.lines]
        assert image_name_of(path) == f"{page}.png"


def test_image_names_that_xml_cannot_hold_are_escaped(tmp_path):
    page = made_up_page()
    for document_format in ("alto", "page"):
        document = render(page, document_format, "bad\nname\udcff.png")
        assert_valid(document_format, document)
        assert image_name_of(document) == "bad\\nname\\xff.png"
    record = json.loads(render(page, "json", "x.png"))
    assert record["lines"][0]["words"][1] == {"text": "<", "confidence": 0.2, "box": [40, 10, 60, 60]}
    assert record["lines"][1]["words"] == [] and record["lines"][2]["baseline"] is None


def test_documents_of_other_tools_are_read_and_others_refused(tmp_path):
    page_xml = f"""<PcGts xmlns="{PAGE[1:-1]}"><Page imageFilename="p.png" imageWidth="50" imageHeight="40">
      <TextRegion id="r"><Coords points="0,0 50,0 50,40 0,40"/>
        <TextLine id="l1"><Coords points="1,2 40,2 40,18 1,18"/>
          <Word id="w1"><Coords points="1,2 9,2 9,18"/><TextEquiv><Unicode>two</Unicode></TextEquiv></Word>
          <Word id="w2"><Coords points="10,2 40,2 40,18"/><TextEquiv><Unicode>words</Unicode></TextEquiv></Word>
        </TextLine>
        <TextLine id="l2"><Coords points="1,20 30,20 30,38 1,38"/>
          <TextEquiv index="2"><Unicode>second</Unicode></TextEquiv>
          <TextEquiv index="1"><Unicode>first</Unicode></TextEquiv>
        </TextLine></TextRegion></Page></PcGts>""".encode()
    assert read_lines(page_xml) == [((1, 2, 40, 18), "two words"), ((1, 20, 30, 38), "first")]
    alto = f"""<alto xmlns="{ALTO[1:-1]}"><Layout><Page ID="p" PHYSICAL_IMG_NR="1"><PrintSpace>
      <TextBlock ID="b"><TextLine ID="l"><Shape><Polygon POINTS="3,4 30,4 30,20 3,20"/></Shape>
      <String CONTENT="from"/><SP/><String CONTENT="kraken"/></TextLine></TextBlock>
      </PrintSpace></Page></Layout></alto>""".encode()
    assert read_lines(alto) == [((3, 4, 30, 20), "from kraken")]
    with pytest.raises(DataError, match="neither ALTO"):
        read_lines(b"<html/>")
    with pytest.raises(DataError, match="not well-formed"):
        read_lines(b"<alto>")
    entity = b'<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><alto><TextLine CONTENT="&x;"/></alto>'
    try:  # external entities are never expanded: refused, or left as they are
        assert "root:" not in str(read_lines(entity))
    except DataError as error:
        assert "root:" not in str(error)


def test_page_xml_lines_dataset_trains_on_exported_ground_truth(readings, tmp_path):
    assert "PageXmlLinesDataset" in registry.REGISTRIES["dataset"]
    dataset_class = registry.resolve("dataset", "PageXmlLinesDataset")
    for index, (page, reading) in enumerate(sorted(readings.items())):
        shutil.copy(PARAGRAPHS / f"{page}.png", tmp_path / f"{page}.png")
        document_format = ("alto", "page")[index % 2]
        (tmp_path / f"{page}.xml").write_bytes(render(reading, document_format, f"{page}.png"))
    (tmp_path / "orphan.xml").write_bytes(render(made_up_page(), "alto", "missing.png"))
    dataset = dataset_class(str(tmp_path)).prepare()
    groups = dataset.card()["split_groups"]
    assert sum(len(pages) for pages in groups.values()) == 4 and not set(groups["train"]) & set(groups["test"])
    assert sum(len(getattr(dataset, name)) for name in ("train", "val", "test")) == sum(LINES.values())
    assert dataset.card()["left_out"] == {"XML files without their image": 1}
    assert all(image.shape[0] == 48 for image in dataset.train.x)
    crops = line_crops(PARAGRAPHS / "a01-107.png", tmp_path / "a01-107.xml")
    assert [text for _, text in crops] == [line.text for line in readings["a01-107"].lines]


def test_the_predictor_table_serves_every_kind_with_the_same_options():
    assert set(KINDS) == {"character", "line", "page"}
    with pytest.raises(DataError, match="Unknown predictor"):
        load_predictor("paragraph")
    with pytest.raises(DataError, match="not to the character predictor"):
        load_predictor("character", decoder="beam")
    page = load_predictor("page", decoder="beam", batch_size=4)
    assert page.batch_size == 4 and page.decoder().name == "beam"
    assert load_predictor("line", decoder="beam").decoder().name == "beam"


def test_page_lines_are_fitted_and_read_as_the_line_predictor_reads_them(predictor):
    from text_recognizer.line_fitting import fit_line_placed, fit_line_to_height

    image = cv2.imread(str(PARAGRAPHS / "a02-046.png"), cv2.IMREAD_GRAYSCALE)
    _, crops = predictor.detector.lines(image)
    line_model = predictor.line_predictor
    for crop in [*crops, np.zeros((30, 40), np.uint8)]:
        fitted, _ = fit_line_placed(crop, line_model.height, line_model.max_width)
        assert np.array_equal(fitted, fit_line_to_height(crop, line_model.height, line_model.max_width))
    expected = [reading.text for reading in line_model.predict_batch(crops)]
    assert [line.text for line in predictor.predict(image).lines] == expected


@pytest.mark.slow
def test_the_shipped_line_model_fine_tunes_on_exported_documents(readings, tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    for page, reading in readings.items():
        shutil.copy(PARAGRAPHS / f"{page}.png", pages)
        (pages / f"{page}.xml").write_bytes(render(reading, "page", f"{page}.png"))
    config = {
        "dataset": "PageXmlLinesDataset",
        "dataset_args": {"path": str(pages)},
        "model": "LineModelCtc",
        "network": "handwriting_crnn",
        "train_args": {"batch_size": 8, "epochs": 1},
        "init_from": "LineModelCtc_HandwritingLinesDataset_handwriting_crnn",
    }
    runs = tmp_path / "runs"
    done = run_cli(
        "training/run_experiment.py", json.dumps(config), "--nowandb", env={"TEXT_RECOGNIZER_RUNS_DIR": str(runs)}
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Initialised the network from" in done.stderr
    metrics = json.loads(next(runs.glob("*/metrics.json")).read_text())
    assert 0 <= metrics["test_cer"] < 1
