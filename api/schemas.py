"""The shapes of the web API's requests and responses, for its OpenAPI description (/docs)."""

from pydantic import BaseModel

from text_recognizer.line_decoder import DECODERS


class Prediction(BaseModel):
    """What an image says, and how sure the model is (0-1)."""

    text: str
    confidence: float


class Confidence(BaseModel):
    """A character or word of the text and how sure the model is of it (0-1)."""

    text: str
    confidence: float


class LinePrediction(Prediction):
    """What a line says, how sure the model is of the whole and of each character and word (runs of non-spaces)."""

    characters: list[Confidence]
    words: list[Confidence]


class Word(BaseModel):
    """A word of a line: text, confidence and box [x0, y0, x1, y1] in the image's pixels (exclusive ends)."""

    text: str
    confidence: float
    box: list[int]


class PageLine(BaseModel):
    """A line of a page: text, confidence, box, the box as a polygon, the estimated baseline, and its words."""

    text: str
    confidence: float
    box: list[int]
    polygon: list[list[int]]
    baseline: list[list[int]] | None
    words: list[Word]


class PagePrediction(BaseModel):
    """What a page says, line by line (top to bottom), in the uploaded image's pixels."""

    image: str
    width: int
    height: int
    text: str
    lines: list[PageLine]


class Saved(BaseModel):
    """Corrections appended to the server's corrections folder: how many lines, and their file names there."""

    saved: int
    files: list[str]


class Error(BaseModel):
    """Why a request could not be served."""

    error: str


IMAGE_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"image": {"type": "string", "format": "binary"}},
                    "required": ["image"],
                }
            },
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {"image": {"type": "string", "description": "data:image/png;base64,..."}},
                    "required": ["image"],
                },
                "example": {"image": "data:image/png;base64,iVBORw0KGgo..."},
            },
        },
    }
}
ERRORS = {status: {"model": Error} for status in (400, 413, 415, 422, 503)}
DECODER_PARAMETER_LIST = [
    {
        "name": "decoder",
        "in": "query",
        "required": False,
        "description": "greedy, beam search, or beam search with the model's language model (lm); "
        "default: the card's (lm where its language model entry says so, else greedy)",
        "schema": {"type": "string", "enum": list(DECODERS)},
    }
]
DECODER_PARAMETER = {"parameters": DECODER_PARAMETER_LIST}
PAGE_FORMATS = ("json", "alto", "page", "text")
PAGE_PARAMETERS = {
    "parameters": [
        *DECODER_PARAMETER_LIST,
        {
            "name": "format",
            "in": "query",
            "required": False,
            "description": "json (default), alto (ALTO v4 XML), page (PAGE XML 2019) or text",
            "schema": {"type": "string", "enum": list(PAGE_FORMATS)},
        },
    ]
}
PAGE_RESPONSES = {
    **ERRORS,
    200: {
        "content": {
            "application/json": {},
            "application/alto+xml": {"schema": {"type": "string"}},
            "application/vnd.prima.page+xml": {"schema": {"type": "string"}},
            "text/plain": {"schema": {"type": "string"}},
        }
    },
}
CORRECTIONS_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "example": {
                    "image": "data:image/png;base64,iVBORw0KGgo...",
                    "lines": [{"box": [28, 15, 897, 100], "text": "And, since this is election year in West"}],
                }
            }
        },
    }
}
