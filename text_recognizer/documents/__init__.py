"""Pages in, documents out: a page's lines and words with their boxes, texts and confidences (`page.py`), read by
the line detector and a line model (`page_predictor.py`), written and read back as JSON, ALTO v4 and PAGE XML 2019
(`formats.py`, `alto.py`, `pagexml.py`). TensorFlow-free, like the predictors."""

FORMATS = ("text", "json", "alto", "page")  # what a page reading can be written as
SUFFIXES = {"text": ".txt", "json": ".json", "alto": ".xml", "page": ".xml"}
