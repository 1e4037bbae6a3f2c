"""Page readings in and out: JSON, ALTO v4 and PAGE XML 2019 by name, and line crops + texts read back from an
image and its ALTO or PAGE file (the ground truth that transcription tools export)."""

import json
from pathlib import Path

import numpy as np
from lxml import etree

from text_recognizer.documents import FORMATS, SUFFIXES, alto, pagexml
from text_recognizer.documents.page import PageReading
from text_recognizer.errors import DataError
from text_recognizer.escaping import printable
from text_recognizer.image_utils import read_image

__all__ = ["FORMATS", "MEDIA_TYPES", "SUFFIXES", "image_name_of", "line_crops", "parse_xml", "read_lines", "render"]
MEDIA_TYPES = {
    "text": "text/plain; charset=utf-8",
    "json": "application/json",
    "alto": alto.MEDIA_TYPE,
    "page": pagexml.MEDIA_TYPE,
}
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024


def render(page: PageReading, document_format: str, image_name: str, extra: dict | None = None) -> bytes:
    """The page in a format of FORMATS, as bytes (`extra`: fields added to the JSON object). The image name is
    written as JSON escapes it, and in XML with control characters and bytes that are not UTF-8 escaped (`\\n`,
    `\\xff`), which XML cannot hold."""
    if document_format == "text":
        return (page.text + "\n").encode("utf-8")
    if document_format == "json":
        return json.dumps({"image": image_name, **page.to_json(), **(extra or {})}).encode("utf-8")
    if document_format == "alto":
        return alto.write_alto(page, printable(image_name))
    if document_format == "page":
        return pagexml.write_page_xml(page, printable(image_name))
    raise DataError(f"Unknown format {document_format!r}; valid: {', '.join(FORMATS)}.")


def parse_xml(data: bytes, name: str = "the document"):
    """The root element of an XML document, parsed without fetching or expanding anything from outside it."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        raise DataError(f"{name} is not well-formed XML: {error}") from None


def read_lines(document: bytes | str | Path, name: str | None = None) -> list[tuple[tuple | None, str]]:
    """(box, text) of every text line of an ALTO or PAGE XML document (bytes or a path), in document order."""
    if isinstance(document, str | Path):
        path = Path(document)
        name = name or str(path)
        try:
            if path.stat().st_size > MAX_DOCUMENT_BYTES:
                raise DataError(f"{name} is over {MAX_DOCUMENT_BYTES // 2**20} MiB; not a page's document.")
            document = path.read_bytes()
        except OSError as error:
            raise DataError(f"Cannot read {name}: {error.strerror or error}.") from None
    name = name or "the document"
    root = parse_xml(document, name)
    local = etree.QName(root).localname
    if local == "alto":
        return alto.read_alto(root)
    if local == "PcGts":
        return pagexml.read_page_xml(root)
    raise DataError(f"{name} is neither ALTO (<alto>) nor PAGE XML (<PcGts>): its root is <{local}>.")


def image_name_of(document: bytes | str | Path) -> str | None:
    """The image file an ALTO (sourceImageInformation/fileName) or PAGE (Page/@imageFilename) document names."""
    data = Path(document).read_bytes() if isinstance(document, str | Path) else document
    root = parse_xml(data)
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        local = etree.QName(element).localname
        if local == "fileName" and element.text:
            return element.text.strip()
        if local == "Page" and element.get("imageFilename"):
            return element.get("imageFilename")
    return None


def line_crops(image, document, name: str | None = None) -> list[tuple[np.ndarray, str]]:
    """(crop, text) of each line of a page image and its ALTO or PAGE document; lines without a box inside the
    image are left out."""
    page = read_image(image)
    height, width = page.shape
    crops = []
    for box, text in read_lines(document, name):
        if box is None:
            continue
        x0, y0, x1, y1 = max(0, box[0]), max(0, box[1]), min(width, box[2]), min(height, box[3])
        if x1 - x0 < 2 or y1 - y0 < 2:
            continue
        crops.append((page[y0:y1, x0:x1].copy(), text))
    return crops
