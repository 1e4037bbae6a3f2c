"""PagePredictor: an image of a handwritten page -> its lines (box, baseline, text, confidence) and words (box, text,
confidence), in the original image's pixels.

The line detector finds each line's core band and crop (line_detection.py); the line model reads the crops, all the
lines of a batch of pages together; each character is placed on the frames of the network that emitted it (greedy:
its run of frames; beam and lm: the best CTC alignment of the decoded text), and frames map back through the line's
normalisation (ink crop, scaling, side margins) to the page. A page whose lines run askew is read turned level, and
its boxes and baselines are turned back.
"""

from collections.abc import Iterable
from pathlib import Path

import numpy as np

from text_recognizer.confidences import align
from text_recognizer.documents.page import Line, PageReading, Word
from text_recognizer.image_utils import INK_THRESHOLD, light_on_dark, read_image
from text_recognizer.line_batches import predict_by_width
from text_recognizer.line_detection import crop_boxes, crop_lines, line_boxes, to_page
from text_recognizer.line_detector import DEFAULT_CARD as DETECTOR_CARD
from text_recognizer.line_detector import LineDetector
from text_recognizer.line_fitting import fit_line_placed
from text_recognizer.line_predictor import DEFAULT_CARD as LINE_CARD
from text_recognizer.line_predictor import LinePredictor
from text_recognizer.line_skew import back, box_back, level_page

ImageLike = str | Path | np.ndarray
CROP_INK = 48  # crop_lines keeps strokes above this level


class PagePredictor:
    """Loads the line detector and a line model once; `decoder`, `lexicon` and `hot_words` as LinePredictor's."""

    def __init__(
        self,
        line_card: str | Path = LINE_CARD,
        detector_card: str | Path = DETECTOR_CARD,
        decoder: str | None = None,
        lexicon: Iterable[str] | None = None,
        hot_words: Iterable[str] | None = None,
        batch_size: int = 64,
        backend: str | None = None,
    ):
        self.detector = LineDetector(detector_card, backend)
        self.line_predictor = LinePredictor(
            line_card, backend=backend, decoder=decoder, lexicon=lexicon, hot_words=hot_words
        )
        self.batch_size = batch_size
        self.card = self.line_predictor.card
        mapping = self.line_predictor.mapping
        self._labels = {char: index for index, char in enumerate(mapping) if index > 0 and len(char) == 1}

    def decoder(self, name: str | None = None):
        """The line model's decoder by name (built once): see LinePredictor.decoder."""
        return self.line_predictor.decoder(name)

    def predict(self, image: ImageLike, decoder: str | None = None) -> PageReading:
        return self.predict_batch([image], decoder=decoder)[0]

    def predict_batch(self, images: list[ImageLike], batch_size: int | None = None, decoder: str | None = None):
        """The reading of each page; the lines of all the pages are read together, `batch_size` at a time."""
        pages = [read_image(image) for image in images]
        levelled = [level_page(page, INK_THRESHOLD) for page in pages]
        found = [self._lines(page) for page, _ in levelled]
        crops = [crop for boxes, bands, page_crops in found for crop in page_crops]
        outputs, geometries = self._read(crops, batch_size or self.batch_size)
        decode = self.line_predictor.decoder(decoder)
        readings, start = [], 0
        for page, (_, turn), (boxes, bands, page_crops) in zip(pages, levelled, found, strict=True):
            lines = []
            end = start + len(page_crops)
            for box, band, crop, output, geometry in zip(
                boxes, bands, page_crops, outputs[start:end], geometries[start:end], strict=True
            ):
                lines.append(self._line(box, band, crop, output, geometry, decode))
            start = end
            size = (page.shape[1], page.shape[0])
            lines = lines if turn is None else [_unlevelled(line, turn, size) for line in lines]
            readings.append(PageReading(width=size[0], height=size[1], lines=lines))
        return readings

    def _read(self, crops: list[np.ndarray], batch_size: int) -> tuple[list[np.ndarray], list]:
        """The line model's outputs for the crops, and how each crop was placed in the model's input. A variable-width
        model's lines are fitted here once (as LinePredictor fits them) so that the placement comes with them."""
        if not crops:
            return [], []
        predictor = self.line_predictor
        if predictor.width is not None:
            geometries = [fit_geometry(crop, predictor.height, predictor.width) for crop in crops]
            return predictor.outputs(crops, batch_size), geometries
        fitted = [fit_line_placed(crop, predictor.height, predictor.max_width) for crop in crops]
        lines = [line for line, _ in fitted]
        return predict_by_width(predictor.run, lines, batch_size), [geometry for _, geometry in fitted]

    def _lines(self, page: np.ndarray):
        """Crop boxes, core bands (page pixels) and crops of the page's lines, top to bottom."""
        labels, scale = self.detector.class_map(page)
        canvas_bands = line_boxes(labels)
        boxes = crop_boxes(canvas_bands, scale, page.shape)
        bands = to_page(canvas_bands, scale)
        return boxes, bands, crop_lines(page, boxes, bands)

    def _line(self, box, band, crop: np.ndarray, output: np.ndarray, geometry, decode) -> Line:
        reading = decode(output)
        text, confidence = reading[0], float(reading[1])
        x0, y0 = box[0], box[1]
        ink_rows = np.flatnonzero(crop.max(axis=1) > CROP_INK)
        ink_cols = np.flatnonzero(crop.max(axis=0) > CROP_INK)
        if len(ink_rows):
            line_box = (
                x0 + int(ink_cols[0]),
                y0 + int(ink_rows[0]),
                x0 + int(ink_cols[-1]) + 1,
                y0 + int(ink_rows[-1]) + 1,
            )
        else:
            line_box = tuple(int(v) for v in box)
        baseline_y = min(max(int(band[3]), line_box[1]), line_box[3])
        baseline = [(line_box[0], baseline_y), (line_box[2], baseline_y)]
        words = self._words(text, reading, output, crop, (x0, y0), geometry, decode)
        words = [_inside(word, line_box) for word in words]
        return Line(text, confidence, line_box, baseline, words)

    def _words(self, text: str, reading, output: np.ndarray, crop: np.ndarray, origin, geometry, decode) -> list[Word]:
        """Each word's box (from the frames of its characters) with its text and confidence."""
        if not text.strip() or not getattr(decode, "ctc", False):
            return []
        spans = self._character_frames(text, output, decode)
        if spans is None or geometry is None:
            return []
        ink_left, scale, side, fitted_width = geometry
        stride = fitted_width / len(output)

        def crop_x(frame: float) -> int:
            x = ink_left + (frame * stride - side) * scale
            return round(min(max(x, 0), crop.shape[1]))

        words, confidences = [], dict(enumerate(reading.words))
        position = 0
        for index, word in enumerate(text.split()):
            start = text.index(word, position)
            end = start + len(word)
            position = end
            first, last = spans[start][0], spans[end - 1][1]
            left, right = crop_x(first), max(crop_x(last), crop_x(first) + 1)
            rows = np.flatnonzero(crop[:, left:right].max(axis=1) > CROP_INK) if right > left else []
            top, bottom = (int(rows[0]), int(rows[-1]) + 1) if len(rows) else (0, crop.shape[0])
            ox, oy = origin
            confidence = confidences[index][1] if index in confidences else 0.0
            words.append(Word(word, float(confidence), (ox + left, oy + top, ox + right, oy + bottom)))
        return words

    def _character_frames(self, text: str, output: np.ndarray, decode) -> list[tuple[int, int]] | None:
        """(first frame, end frame) of each character of the text; None when it cannot be placed."""
        labels = [self._labels.get(char) for char in text]
        if None in labels:
            return None
        if decode.name == "greedy":
            best = output.argmax(axis=1)
            starts = np.flatnonzero(np.concatenate([[True], best[1:] != best[:-1]]))
            ends = np.append(starts[1:], len(best))
            kept = best[starts] != 0
            if best[starts][kept].tolist() == labels:
                return list(zip(starts[kept].tolist(), ends[kept].tolist(), strict=True))
        frames = align(output, labels)
        if frames is None:
            return None
        spans = []
        for index in range(len(labels)):
            mine = np.flatnonzero(frames == index)
            if not len(mine):
                return None
            spans.append((int(mine[0]), int(mine[-1]) + 1))
        return spans


def _unlevelled(line: Line, turn, size: tuple[int, int]) -> Line:
    """A line read on a page turned level, in the pixels of the page as it came (width and height `size`)."""
    baseline = None
    if line.baseline:
        ends = np.clip(back(turn, line.baseline).round(), 0, np.subtract(size, 1)).astype(int)
        baseline = [(int(x), int(y)) for x, y in ends]
    words = [Word(word.text, word.confidence, box_back(turn, word.box, size)) for word in line.words]
    return Line(line.text, line.confidence, box_back(turn, line.box, size), baseline, words)


def _inside(word: Word, box) -> Word:
    """The word with its box clipped to the line's (the first and last frames reach into the line's margins)."""
    x0, y0, x1, y1 = box
    left = min(max(word.box[0], x0), x1 - 1)
    top = min(max(word.box[1], y0), y1 - 1)
    right = max(min(word.box[2], x1), left + 1)
    bottom = max(min(word.box[3], y1), top + 1)
    return Word(word.text, word.confidence, (left, top, right, bottom))


def fit_geometry(crop: np.ndarray, height: int, width: int) -> tuple[int, float, int, int] | None:
    """How a fixed-width model's input was cut from a crop (image_utils.normalize_line): the ink's left edge in the
    crop, crop pixels per input pixel along x, the input's left margin and its whole width; None for a blank crop.
    Variable-width models get theirs from line_fitting.fit_line_placed."""
    gray = light_on_dark(read_image(crop))
    ys, xs = np.nonzero(gray > INK_THRESHOLD)
    if len(ys) == 0:
        return None
    if gray.shape[0] == height:  # normalize_line keeps such a line's scale and left edge
        return 0, 1.0, 0, width
    ink_height = ys.max() - ys.min() + 1
    crop_width = xs.max() - xs.min() + 1
    scaled = min(width, max(1, round(crop_width * height / (ink_height + 2 * (ink_height // 12)))))
    return int(xs.min()), crop_width / scaled, 0, width  # left-aligned on the fixed width, wider lines squeezed
