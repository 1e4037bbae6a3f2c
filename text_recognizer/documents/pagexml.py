"""PAGE XML 2019-07-15 documents: a page reading written as one TextRegion of TextLines (Coords, Baseline, Words,
TextEquiv with its confidence), and read back.

Coordinates are pixels of the original image (`x,y x,y ...`). Reading takes each TextLine's Coords (the bounding box
of its polygon) and its own TextEquiv (the lowest index), or its Words' texts joined by spaces when it has none.
"""

from datetime import UTC, datetime

from lxml import etree

from text_recognizer.documents.page import PageReading

NAMESPACE = "http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{NAMESPACE} {NAMESPACE}/pagecontent.xsd"
MEDIA_TYPE = "application/vnd.prima.page+xml"


def _tag(name: str) -> str:
    return f"{{{NAMESPACE}}}{name}"


def _points(points) -> str:
    return " ".join(f"{max(0, int(x))},{max(0, int(y))}" for x, y in points)


def _box_points(box) -> str:
    x0, y0, x1, y1 = box
    return _points([(x0, y0), (x1, y0), (x1, y1), (x0, y1)])


def _text_equiv(parent, text: str, confidence: float | None) -> None:
    equiv = etree.SubElement(parent, _tag("TextEquiv"))
    if confidence is not None:
        equiv.set("conf", f"{min(max(confidence, 0.0), 1.0):.4f}")
    etree.SubElement(equiv, _tag("Unicode")).text = text


def write_page_xml(page: PageReading, image_name: str, software: str = "text_recognizer") -> bytes:
    """The page as a PAGE XML 2019-07-15 document (UTF-8 bytes)."""
    root = etree.Element(_tag("PcGts"), nsmap={None: NAMESPACE, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)
    metadata = etree.SubElement(root, _tag("Metadata"))
    now = datetime.now(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
    etree.SubElement(metadata, _tag("Creator")).text = software
    etree.SubElement(metadata, _tag("Created")).text = now
    etree.SubElement(metadata, _tag("LastChange")).text = now
    page_element = etree.SubElement(
        root, _tag("Page"), imageFilename=image_name, imageWidth=str(page.width), imageHeight=str(page.height)
    )
    if not page.lines:
        return _serialise(root)
    order = etree.SubElement(etree.SubElement(page_element, _tag("ReadingOrder")), _tag("OrderedGroup"), id="ro_1")
    etree.SubElement(order, _tag("RegionRefIndexed"), index="0", regionRef="region_1")
    region = etree.SubElement(page_element, _tag("TextRegion"), id="region_1", type="paragraph")
    boxes = [line.box for line in page.lines]
    enclosing = (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
    etree.SubElement(region, _tag("Coords"), points=_box_points(enclosing))
    for number, line in enumerate(page.lines, start=1):
        element = etree.SubElement(region, _tag("TextLine"), id=f"line_{number}")
        etree.SubElement(element, _tag("Coords"), points=_points(line.polygon))
        if line.baseline:
            etree.SubElement(element, _tag("Baseline"), points=_points(line.baseline))
        for index, word in enumerate(line.words, start=1):
            word_element = etree.SubElement(element, _tag("Word"), id=f"line_{number}_word_{index}")
            etree.SubElement(word_element, _tag("Coords"), points=_box_points(word.box))
            _text_equiv(word_element, word.text, word.confidence)
        _text_equiv(element, line.text, line.confidence)
    _text_equiv(region, page.text, page.confidence)
    return _serialise(root)


def _serialise(root) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def read_page_xml(root) -> list[tuple[tuple[int, int, int, int] | None, str]]:
    """(box, text) of every TextLine of a parsed PAGE document (any pagecontent namespace), in document order."""
    namespace = etree.QName(root).namespace
    prefix = f"{{{namespace}}}" if namespace else ""
    found = []
    for element in root.iter(f"{prefix}TextLine"):
        coords = element.find(f"{prefix}Coords")
        box = _bounding_box(coords.get("points", "")) if coords is not None else None
        text = _own_text(element, prefix)
        if text is None:
            words = [_own_text(word, prefix) or "" for word in element.findall(f"{prefix}Word")]
            text = " ".join(word for word in words if word)
        found.append((box, text))
    return found


def _own_text(element, prefix: str) -> str | None:
    """The text of an element's own TextEquiv with the lowest index (None without one)."""
    equivs = element.findall(f"{prefix}TextEquiv")
    if not equivs:
        return None
    chosen = min(equivs, key=lambda equiv: int(equiv.get("index", "0") or 0))
    unicode = chosen.find(f"{prefix}Unicode")
    return (unicode.text or "") if unicode is not None else ""


def _bounding_box(points: str) -> tuple[int, int, int, int] | None:
    values = [float(v) for pair in points.split() for v in pair.split(",")]
    if len(values) < 4:
        return None
    xs, ys = values[0::2], values[1::2]
    return round(min(xs)), round(min(ys)), round(max(xs)), round(max(ys))
