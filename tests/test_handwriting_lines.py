"""Real handwritten line corpora: parsing and counts, writer-disjoint splits, the charset, width-bucketed batches, line
audits and synthetic capitals."""

import csv
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest

from text_recognizer.confidences import Reading
from text_recognizer.datasets.base import Split
from text_recognizer.datasets.handwriting_lines import HandwritingLinesDataset, split_groups
from text_recognizer.datasets.line_corpora import CorpusLine, read_corpus
from text_recognizer.errors import DataError
from text_recognizer.line_batches import pad_batch, predict_by_width

REAL_LINES = Path(__file__).resolve().parents[1] / "data" / "raw" / "real_lines"


@pytest.mark.parametrize(
    ("corpus", "usable", "groups", "left_out"),
    [
        ("iam_lines", 1541, 69, {}),
        ("hooker", 6895, 337, {"lines with editorial marks": 1}),
        ("copiste_fr", 4608, 210, {"reference headers": 223, "struck-out or unreadable text": 121}),
        ("names", 1490, 1490, {"unreadable or empty names": 10}),
    ],
)
def test_each_corpus_is_read_with_its_counts(corpus, usable, groups, left_out):
    lines, report = read_corpus(corpus)
    assert len(lines) == usable == report.kept
    assert len({line.group for line in lines}) == groups
    assert dict(report.problems) == left_out
    assert all(line.image.is_file() and line.text.strip() for line in lines[:50])


def test_iam_tokenised_text_becomes_natural_text():
    lines, _ = read_corpus("iam_lines")
    first = next(line.text for line in lines if line.image.name == "c04-110-00.png")
    second = next(line.text for line in lines if line.image.name == "c04-110-01.png")
    assert first.startswith("Become a success with a disc and hey presto! You're a star")
    assert second == 'assuredness "Bella Bella Marie" (Parlophone), a lively song that changes tempo mid-way.'


def write_corpus(folder: Path, rows: list[tuple[str, str, str]], source: Path = REAL_LINES / "iam_lines") -> Path:
    """A small corpus in the Copiste layout (file, text, writer) made of real IAM line images."""
    (folder / "images").mkdir(parents=True)
    images = sorted((source / "images").iterdir())
    with open(folder / "labels.tsv", "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file, delimiter="\t", quoting=csv.QUOTE_NONE, escapechar=None)
        writer.writerow(["file", "text", "page", "writer", "line_type"])
        for index, (name, text, group) in enumerate(rows):
            shutil.copy(images[index], folder / "images" / name)
            writer.writerow([name, text, group, group, "default"])
    return folder


def test_bad_labels_files_are_errors_that_name_the_row(tmp_path):
    folder = write_corpus(tmp_path / "corpus", [("a.png", "abc", "w1")])
    (folder / "labels.tsv").write_text("file\ttext\tpage\twriter\tline_type\na.png\tabc\tw1\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"labels.tsv:2 has 3 fields; the header has 5"):
        read_corpus("copiste_fr", folder)
    (folder / "labels.tsv").write_text("name\ttext\n", encoding="utf-8")
    with pytest.raises(DataError, match="must name the columns file, text, writer"):
        read_corpus("copiste_fr", folder)
    with pytest.raises(DataError, match=r"is not at .*pass its folder in `paths`"):
        read_corpus("hooker", tmp_path / "nowhere")


def test_groups_go_whole_to_one_split():
    lines = [CorpusLine(Path(f"{i}.png"), "x", f"writer {i % 23}") for i in range(460)]
    splits = split_groups(lines, {"val": 0.1, "test": 0.2}, seed=3)
    groups = {name: {line.group for line in part} for name, part in splits.items()}
    assert not (groups["train"] & groups["val"] or groups["train"] & groups["test"] or groups["val"] & groups["test"])
    assert sum(len(part) for part in splits.values()) == 460
    assert 0.2 <= len(splits["test"]) / 460 < 0.3 and 0.1 <= len(splits["val"]) / 460 < 0.2


def small_dataset(tmp_path: Path, **args) -> HandwritingLinesDataset:
    texts = ["abc", "bca", "cab", "aab", "cc a", "b a"]
    rows = [(f"{i}.png", texts[i % 6] + "ab"[i // 12] * (1 + i // 6 % 2), f"w{i % 6}") for i in range(24)]
    rows[0] = ("0.png", "abé", "w0")  # writer w0 is in one split; é only there
    folder = write_corpus(tmp_path / "corpus", rows)
    args = {"corpora": {"copiste_fr": 2}, "paths": {"copiste_fr": str(folder)}, "test_fraction": 0.3, **args}
    return HandwritingLinesDataset(**args).prepare()


def test_dataset_builds_its_charset_from_training_texts_and_keeps_line_widths(tmp_path):
    data = small_dataset(tmp_path, height=32)
    training_texts = {"".join(data.mapping[i] for i in row if i) for row in data.train.y}
    assert data.mapping[0] == "<B>" and set(data.mapping[1:]) == set("".join(training_texts))
    assert data.input_shape == (32, None)
    assert all(image.shape[0] == 32 and image.dtype == np.uint8 for image in data.train.x)
    assert len({image.shape[1] for image in data.train.x}) > 1  # each line keeps its own width
    assert np.all(data.train.weights == 2)
    card = data.card()
    assert card["format"] == {"height": 32, "max_width": 2048, "width": "variable", "ink": "light on dark"}
    groups = card["split_groups"]["copiste_fr"]
    assert not set(groups["train"]) & set(groups["test"])
    if "é" not in data.mapping:  # w0 went to validation or test: its line is counted, not encoded
        assert data.outside["é"] == 1


def test_training_lines_repeating_a_held_out_text_are_left_out(tmp_path):
    rows = [(f"{i}.png", f"line {i}", f"w{i % 6}") for i in range(24)]
    rows += [(f"{24 + w}.png", "the copied sentence", f"w{w}") for w in range(6)]  # every writer copies it
    folder = write_corpus(tmp_path / "corpus", rows)
    data = HandwritingLinesDataset(corpora={"copiste_fr": 1}, paths={"copiste_fr": str(folder)}, test_fraction=0.3)
    parts = data.corpus_splits()["copiste_fr"]
    held_out = {line.text for split in ("val", "test") for line in parts[split]}
    assert "the copied sentence" in held_out and not held_out & {line.text for line in parts["train"]}
    dropped = data.reports["copiste_fr"].problems["training lines repeating a validation or test text"]
    assert dropped == 6 - sum(line.text == "the copied sentence" for split in ("val", "test") for line in parts[split])
    assert len(parts["train"]) + sum(map(len, (parts["val"], parts["test"]))) == 30 - dropped


def test_lines_an_audit_lists_are_left_out_of_training_only(tmp_path):
    from training.audit_lines import audit, write_rows

    rows = [(f"{i}.png", f"line {i}", f"w{i % 6}") for i in range(24)]
    folder = write_corpus(tmp_path / "corpus", rows)
    args = {"corpora": {"copiste_fr": 1}, "paths": {"copiste_fr": str(folder)}, "test_fraction": 0.3}
    parts = HandwritingLinesDataset(**args).corpus_splits()["copiste_fr"]
    listed = parts["train"][:2] + parts["test"][:1]

    lines = parts["train"] + parts["test"]
    labels = {line.image: line.text for line in lines}

    class Reader:  # reads the listed lines as nothing like their labels, the others right
        def predict_batch(self, images):
            return [Reading("zzzzzz" if image in {x.image for x in listed} else labels[image], 1.0) for image in images]

    audited, counts = audit(Reader(), {"copiste_fr": lines}, threshold=0.75)
    assert counts == {"copiste_fr": (len(lines), 3)}
    assert {row["file"] for row in audited} == {line.image.name for line in listed}
    write_rows(tmp_path / "audit.tsv", audited)
    data = HandwritingLinesDataset(**args, exclude=str(tmp_path / "audit.tsv"))
    kept = data.corpus_splits()["copiste_fr"]
    assert [line.image for line in kept["train"]] == [line.image for line in parts["train"][2:]]
    assert kept["test"] == parts["test"] and kept["val"] == parts["val"]  # held-out lines are never left out
    assert data.reports["copiste_fr"].problems["training lines audit.tsv leaves out"] == 2
    write_rows(tmp_path / "more.tsv", [{**audited[0], "file": parts["train"][2].image.name}])
    both = HandwritingLinesDataset(**args, exclude=[str(tmp_path / "audit.tsv"), str(tmp_path / "more.tsv")])
    assert [line.image for line in both.corpus_splits()["copiste_fr"]["train"]] == [x.image for x in parts["train"][3:]]
    assert both.reports["copiste_fr"].problems["training lines more.tsv leaves out"] == 1
    with pytest.raises(DataError, match=r"exclude list .*nowhere\.tsv is missing; write one with .*audit_lines"):
        HandwritingLinesDataset(**args, exclude=[str(tmp_path / "audit.tsv"), str(tmp_path / "nowhere.tsv")])
    with pytest.raises(DataError, match=r"exclude is the path of a TSV or a list of them, not 3"):
        HandwritingLinesDataset(**args, exclude=3)


def test_the_audit_refuses_a_threshold_that_is_not_a_cer(capsys):
    from training.audit_lines import main

    with pytest.raises(SystemExit) as ended:
        main(["--threshold", "1.5"])
    assert ended.value.code == 2 and "--threshold is a CER from 0 to below 1" in capsys.readouterr().err


def test_block_capital_lines_are_written_once_and_only_ever_train(tmp_path):
    from text_recognizer.datasets.capital_lines import write_capital_lines

    write_capital_lines(tmp_path / "capitals", count=30, seed=3)
    lines, report = read_corpus("capitals", tmp_path / "capitals")
    assert len(lines) == report.kept == 30 and len({line.group for line in lines}) == 1
    assert all(line.text == line.text.upper() and line.text.strip() for line in lines)
    assert any(char.isalpha() for line in lines for char in line.text)
    image = cv2.imread(str(lines[0].image), cv2.IMREAD_GRAYSCALE)
    assert image.shape[0] == 42 and np.median(image) == 255 and image.min() < 64  # dark ink on light paper
    write_capital_lines(tmp_path / "again", count=30, seed=3)
    assert [line.text for line in read_corpus("capitals", tmp_path / "again")[0]] == [line.text for line in lines]

    rows = [(f"{i}.png", f"line {i}", f"w{i % 6}") for i in range(24)]
    folder = write_corpus(tmp_path / "corpus", rows)
    paths = {"copiste_fr": str(folder), "capitals": str(tmp_path / "capitals")}
    data = HandwritingLinesDataset(corpora={"copiste_fr": 1, "capitals": 0.5}, paths=paths, test_fraction=0.3)
    parts = data.corpus_splits()
    assert len(parts["capitals"]["train"]) == 30 and not parts["capitals"]["val"] and not parts["capitals"]["test"]
    assert parts["copiste_fr"]["val"] and parts["copiste_fr"]["test"]
    held_apart = data.corpus_splits(train_only_corpora=False)  # for benches and language models: capitals not read
    assert list(held_apart) == ["copiste_fr"] and held_apart["copiste_fr"] == parts["copiste_fr"]


def test_small_capitals_stand_a_words_first_letter_taller_than_the_rest_on_one_baseline():
    from text_recognizer.datasets.capital_lines import draw_capitals

    square = {char: np.full((1, 28, 28), 255, np.uint8) for char in "AB"}  # each glyph's ink is its whole box
    image = draw_capitals("ABB", square, np.random.default_rng(0), small_capitals=True)
    columns = np.flatnonzero(image.max(axis=0))
    heights = [np.count_nonzero(image[:, column]) for column in (columns[0], columns[-1])]
    assert heights[0] >= 25 and 14 <= heights[1] <= 19  # 0.9-1.0 and 0.5-0.68 of a glyph
    bottoms = [np.flatnonzero(image[:, column]).max() for column in (columns[0], columns[-1])]
    assert abs(bottoms[0] - bottoms[1]) <= 4  # both on the baseline, give or take their 2-pixel shifts


def test_french_capitals_keep_the_charset_accents_and_draw_their_marks(tmp_path):
    from text_recognizer.datasets.capital_lines import FrenchWords, draw_capitals

    words = tmp_path / "words.txt"
    words.write_text("l\nécole\nêtre\nfaçon\n😂\nnoël\n", encoding="utf-8")
    french = FrenchWords(words)
    assert french.words == ["L", "ÉCOLE", "ETRE", "FAÇON", "NOEL"]  # Ê and Ë are not in the charset; 😂 is dropped
    snippets = [french.sample(30, np.random.default_rng(seed)) for seed in range(20)]
    assert all(0 < len(text) <= 30 and not text.endswith("'") and " L " not in f" {text} " for text in snippets)
    assert any("L'" in text for text in snippets)  # an elision joins the next word

    square = {"E": np.full((1, 28, 28), 255, np.uint8)}
    plain, accented = (draw_capitals(text, square, np.random.default_rng(0)) for text in ("E", "É"))
    assert plain.shape == accented.shape and np.count_nonzero(accented) > np.count_nonzero(plain)
    rows = np.flatnonzero(accented.max(axis=1))
    assert rows[0] < np.flatnonzero(plain.max(axis=1))[0]  # the acute stands above the letter
    with pytest.raises(DataError, match="cannot read the French word list"):
        FrenchWords(tmp_path / "missing.txt")


def test_bad_dataset_arguments_are_refused():
    with pytest.raises(DataError, match="Unknown corpus 'klingon'"):
        HandwritingLinesDataset(corpora={"klingon": 1})
    with pytest.raises(DataError, match="weights must be positive"):
        HandwritingLinesDataset(corpora={"hooker": 0})
    with pytest.raises(DataError, match="height must be from 16 to 128"):
        HandwritingLinesDataset(height=8)


def test_training_batches_group_similar_widths_and_draw_by_weight():
    from text_recognizer.models.width_buckets import bucketed_pipeline, epoch_batches

    widths = np.arange(40, 440, 10)
    split = Split([np.full((16, w), 200, np.uint8) for w in widths], np.ones((40, 3), np.uint8), np.full(40, 1.5))
    batches = epoch_batches(split, 8, np.random.default_rng(0))
    drawn = np.concatenate(batches)
    assert 40 <= len(drawn) <= 80 and set(drawn) <= set(range(40))
    spread = np.mean([np.ptp(widths[batch]) for batch in batches])
    assert spread < np.ptp(widths) / 2  # a batch holds lines of similar widths
    assert [b.tolist() for b in epoch_batches(split, 8, None)] == [list(range(i, i + 8)) for i in range(0, 40, 8)]
    x, y = next(iter(bucketed_pipeline(split, 8, lambda y: y)))
    assert x.shape == (8, 16, 112) and y.shape == (8, 3)  # 40..110 wide, padded to a multiple of 8


def test_an_epoch_is_as_long_as_its_draws_so_a_schedule_ends_with_training():
    from text_recognizer.models.width_buckets import epoch_batches

    weights = np.tile([2.0, 0.25, 1.5, 3.0], 25)  # 100 lines drawn 168.75 times an epoch
    split = Split([np.zeros((8, 8), np.uint8)] * 100, np.ones((100, 3), np.uint8), weights)
    assert split.draws_per_epoch() == 169 and Split(split.x, split.y).draws_per_epoch() == 100
    batches = [len(epoch_batches(split, 8, np.random.default_rng(epoch))) for epoch in range(40)]
    assert abs(np.mean(batches) - split.draws_per_epoch() / 8) < 0.5  # train.py's steps per epoch: its draws / batch


def test_outputs_of_padded_lines_are_cut_back_to_each_line():
    images = [np.ones((4, width), np.uint8) for width in (8, 40, 16)]
    seen = []

    def run(batch):
        seen.append(batch.shape)
        return np.repeat(batch[:, :1, ::4, None], 2, axis=3)[:, 0]  # one step per 4 pixels

    outputs = predict_by_width(run, images, batch_size=2)
    assert [len(output) for output in outputs] == [2, 10, 4]
    assert seen == [(2, 4, 16), (1, 4, 40)]  # the two narrow lines together
    assert pad_batch(images).shape == (3, 4, 40)


def test_augmentation_distorts_training_lines_and_checks_its_settings():
    from text_recognizer.datasets.handwriting_augmentation import augment_line, augmentation_settings

    image = np.zeros((32, 200), np.uint8)
    image[10:22, 20:180:12] = 255  # vertical strokes
    rng = np.random.default_rng(0)
    distorted = [augment_line(image, augmentation_settings({}), rng) for _ in range(5)]
    assert all(d.shape[0] == 32 and 150 <= d.shape[1] <= 260 for d in distorted)
    assert len({d.shape[1] for d in distorted}) > 1 and not any(np.array_equal(d, image) for d in distorted)
    off = augmentation_settings({key: 0 for key in augmentation_settings({})})
    np.testing.assert_array_equal(augment_line(image, off, rng), image)
    with pytest.raises(DataError, match="'contrast' must be a number from 0 to 1"):
        augmentation_settings({"contrast": 2})
    with pytest.raises(DataError, match="Unknown augmentation setting 'warp'"):
        augmentation_settings({"warp": 1})
