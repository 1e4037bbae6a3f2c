"""ALTO v4 (4.2) documents: a page reading written as one TextBlock of TextLines of Strings, and read back.

Coordinates are pixels of the original image (MeasurementUnit `pixel`): HPOS/VPOS/WIDTH/HEIGHT boxes, a TextLine's
BASELINE as `x1,y1 x2,y2`, a String's confidence as WC (0-1). Lines without word boxes are one String spanning the
line. Reading takes the TextLine's box (or its Shape/Polygon's bounding box) and joins its Strings with spaces.
"""

from lxml import etree

from text_recognizer.documents.page import Line, PageReading

NAMESPACE = "http://www.loc.gov/standards/alto/ns-v4#"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{NAMESPACE} http://www.loc.gov/standards/alto/v4/alto-4-2.xsd"
MEDIA_TYPE = "application/alto+xml"


def _tag(name: str) -> str:
    return f"{{{NAMESPACE}}}{name}"


def _position(element, box) -> None:
    x0, y0, x1, y1 = box
    element.set("HPOS", str(x0))
    element.set("VPOS", str(y0))
    element.set("WIDTH", str(x1 - x0))
    element.set("HEIGHT", str(y1 - y0))


def _enclosing(boxes) -> tuple[int, int, int, int]:
    boxes = list(boxes)
    return min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)


def write_alto(page: PageReading, image_name: str, software: str = "text_recognizer") -> bytes:
    """The page as an ALTO 4.2 document (UTF-8 bytes)."""
    root = etree.Element(_tag("alto"), nsmap={None: NAMESPACE, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)
    root.set("SCHEMAVERSION", "4.2")
    description = etree.SubElement(root, _tag("Description"))
    etree.SubElement(description, _tag("MeasurementUnit")).text = "pixel"
    source = etree.SubElement(description, _tag("sourceImageInformation"))
    etree.SubElement(source, _tag("fileName")).text = image_name
    processing = etree.SubElement(description, _tag("OCRProcessing"), ID="ocr_1")
    step = etree.SubElement(processing, _tag("ocrProcessingStep"))
    etree.SubElement(etree.SubElement(step, _tag("processingSoftware")), _tag("softwareName")).text = software
    layout = etree.SubElement(root, _tag("Layout"))
    page_element = etree.SubElement(
        layout, _tag("Page"), ID="page_1", PHYSICAL_IMG_NR="1", WIDTH=str(page.width), HEIGHT=str(page.height)
    )
    space = etree.SubElement(page_element, _tag("PrintSpace"))
    _position(space, (0, 0, page.width, page.height))
    if not page.lines:
        return _serialise(root)
    block = etree.SubElement(space, _tag("TextBlock"), ID="block_1")
    _position(block, _enclosing(line.box for line in page.lines))
    for number, line in enumerate(page.lines, start=1):
        element = etree.SubElement(block, _tag("TextLine"), ID=f"line_{number}")
        _position(element, line.box)
        if line.baseline:
            element.set("BASELINE", " ".join(f"{x},{y}" for x, y in line.baseline))
        # Word boxes when they spell the line (its words joined by single spaces); else one String for the line.
        spelled = line.words and " ".join(word.text for word in line.words) == line.text
        words = line.words if spelled else [_whole_line(line)]
        for index, word in enumerate(words, start=1):
            if index > 1:
                space_element = etree.SubElement(element, _tag("SP"))
                previous = words[index - 2].box
                _position(space_element, (previous[2], line.box[1], max(previous[2], word.box[0]), line.box[3]))
            string = etree.SubElement(element, _tag("String"), ID=f"line_{number}_word_{index}", CONTENT=word.text)
            _position(string, word.box)
            string.set("WC", f"{min(max(word.confidence, 0.0), 1.0):.4f}")
    return _serialise(root)


def _whole_line(line: Line):
    from text_recognizer.documents.page import Word

    return Word(line.text, line.confidence, line.box)


def _serialise(root) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def read_alto(root) -> list[tuple[tuple[int, int, int, int], str]]:
    """(box, text) of every TextLine of a parsed ALTO document (any v2-v4 namespace), in document order."""
    namespace = etree.QName(root).namespace
    found = []
    for element in root.iter(f"{{{namespace}}}TextLine" if namespace else "TextLine"):
        box = _box_of(element, namespace)
        parts = []
        for child in element:
            name = etree.QName(child).localname
            if name in ("String", "HYP"):
                parts.append(child.get("CONTENT", ""))
        text = " ".join(part for part in parts if part)
        found.append((box, text))
    return found


def _box_of(element, namespace: str | None) -> tuple[int, int, int, int] | None:
    def number(name):
        value = element.get(name)
        return float(value) if value not in (None, "") else None

    x, y, width, height = (number(n) for n in ("HPOS", "VPOS", "WIDTH", "HEIGHT"))
    if None not in (x, y, width, height):
        return round(x), round(y), round(x + width), round(y + height)
    prefix = f"{{{namespace}}}" if namespace else ""
    polygon = element.find(f"{prefix}Shape/{prefix}Polygon")
    if polygon is not None and polygon.get("POINTS"):
        values = [float(v) for v in polygon.get("POINTS").replace(",", " ").split()]
        xs, ys = values[0::2], values[1::2]
        return round(min(xs)), round(min(ys)), round(max(xs)), round(max(ys))
    return None
