"""What a page says, line by line and word by word, in the original image's pixels (x to the right, y down, boxes
as (x0, y0, x1, y1) with exclusive ends)."""

from dataclasses import dataclass, field

Box = tuple[int, int, int, int]
Point = tuple[int, int]


@dataclass
class Word:
    """A run of non-space characters of a line: its text, how likely all its characters are right, and its box."""

    text: str
    confidence: float
    box: Box

    def to_json(self) -> dict:
        return {"text": self.text, "confidence": round(self.confidence, 6), "box": list(self.box)}


@dataclass
class Line:
    """One text line: text, confidence, the box around its ink, the baseline it rests on (estimated from the
    detector's core band; None when unknown) and its words (empty when the line model gives no word spans)."""

    text: str
    confidence: float
    box: Box
    baseline: list[Point] | None = None
    words: list[Word] = field(default_factory=list)

    @property
    def polygon(self) -> list[Point]:
        """The box as a closed polygon, clockwise from the top-left corner."""
        x0, y0, x1, y1 = self.box
        return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]

    def to_json(self) -> dict:
        return {
            "text": self.text,
            "confidence": round(self.confidence, 6),
            "box": list(self.box),
            "polygon": [list(point) for point in self.polygon],
            "baseline": [list(point) for point in self.baseline] if self.baseline else None,
            "words": [word.to_json() for word in self.words],
        }


@dataclass
class PageReading:
    """A page's lines, top to bottom, and the size of the image they were read from (width, height)."""

    width: int
    height: int
    lines: list[Line]

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    @property
    def confidence(self) -> float:
        """The mean of the lines' confidences (1.0 for a page without lines)."""
        return sum(line.confidence for line in self.lines) / len(self.lines) if self.lines else 1.0

    def __str__(self) -> str:
        return self.text

    def to_json(self) -> dict:
        return {
            "width": self.width,
            "height": self.height,
            "text": self.text,
            "lines": [line.to_json() for line in self.lines],
        }
