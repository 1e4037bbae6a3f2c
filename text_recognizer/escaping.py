"""Text from outside (file names, URL paths, undecodable bytes) made safe to print in a message, record or log."""

import re

# Backslash, control characters (C0, DEL, C1), Unicode line and paragraph separators, and lone surrogates (how
# Python holds the bytes of a file name that are not UTF-8).
UNSAFE = re.compile("[\\\\\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
NAMED = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match) -> str:
    char = match.group()
    if char in NAMED:
        return NAMED[char]
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that is not UTF-8, kept by os.fsdecode's surrogateescape
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def printable(text: str) -> str:
    """`text` with backslashes, control characters, line separators and undecodable bytes escaped as `ls -b` and
    Python do (\\n, \\t, \\xNN, \\uNNNN), so that it can never split or forge a line; other text is unchanged."""
    return UNSAFE.sub(_escape, text) if UNSAFE.search(text) else text


def is_undecodable(text: str) -> bool:
    """Whether `text` holds bytes that were not valid UTF-8 (a file name read with surrogateescape)."""
    return any(0xDC80 <= ord(char) <= 0xDCFF for char in text)


def undecodable_byte(data: bytes, error: UnicodeDecodeError) -> str:
    """Where decoding `data` failed, for a message: "byte 0x.. on line N"."""
    line = data[: error.start].count(b"\n") + 1
    return f"byte 0x{data[error.start]:02x} on line {line}"
