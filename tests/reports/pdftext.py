"""Text drawn in a PDF, extracted from the bytes alone (no PDF library in the project).

fpdf2 embeds DejaVu as Type0 fonts: every string in a content stream is a run of 2-byte glyph
codes, and each font carries a ToUnicode CMap from those codes back to characters. This reads
every object, inflates FlateDecode streams, maps each font resource (/F1...) to its CMap, and
decodes the strings shown by Tj and TJ with the font selected by the last Tf. Good enough for
fpdf2's own output, which is all the tests read.
"""

from __future__ import annotations

import re
import zlib

OBJECT = re.compile(rb"(\d+) 0 obj(.*?)endobj", re.S)
STREAM_START = re.compile(rb">>\s*stream\r?\n")
LENGTH = re.compile(rb"/Length (\d+)\b")
FONT_RESOURCE = re.compile(rb"/(F\d+) (\d+) 0 R")
TO_UNICODE = re.compile(rb"/ToUnicode (\d+) 0 R")
BFCHAR = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")
BFRANGE = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")
TOKEN = re.compile(rb"/(F\d+)\s+[\d.]+\s+Tf|(\((?:\\.|[^\\)])*\))\s*Tj|\[((?:\\.|[^\]])*)\]\s*TJ|(\bET\b)", re.S)
STRING = re.compile(rb"\((?:\\.|[^\\)])*\)", re.S)
ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _objects(document: bytes) -> dict[int, tuple[bytes, bytes]]:
    """Object number -> (dictionary text, stream data inflated). Streams are cut by their
    /Length, not by searching for "endstream" (compressed bytes may hold anything)."""
    objects = {}
    for number, body in OBJECT.findall(document):
        start = STREAM_START.search(body)
        if not start:
            objects[int(number)] = (body, b"")
            continue
        header = body[: start.start()]
        length = LENGTH.search(header)
        data = body[start.end() : start.end() + int(length.group(1))] if length else b""
        if b"/FlateDecode" in header:
            data = zlib.decompress(data)
        objects[int(number)] = (header, data)
    return objects


def _cmap(data: bytes) -> dict[int, str]:
    mapping: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for code, text in BFCHAR.findall(block):
            mapping[int(code, 16)] = bytes.fromhex(text.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for first, last, start in BFRANGE.findall(block):
            base = int(start, 16)
            for offset, code in enumerate(range(int(first, 16), int(last, 16) + 1)):
                mapping[code] = chr(base + offset)
    return mapping


def _unescape(literal: bytes) -> bytes:
    """The bytes of a PDF literal string `( ... )` with its backslash escapes resolved."""
    body, out, i = literal[1:-1], bytearray(), 0
    while i < len(body):
        char = body[i : i + 1]
        if char != b"\\":
            out += char
            i += 1
            continue
        nxt = body[i + 1 : i + 2]
        octal = re.match(rb"[0-7]{1,3}", body[i + 1 : i + 4])
        if octal:
            out.append(int(octal.group(0), 8))
            i += 1 + len(octal.group(0))
        else:
            out += ESCAPES.get(nxt, nxt)
            i += 2
    return bytes(out)


def _decode(raw: bytes, cmap: dict[int, str]) -> str:
    return "".join(cmap.get(int.from_bytes(raw[i : i + 2], "big"), "?") for i in range(0, len(raw) - 1, 2))


def _fonts(objects: dict[int, tuple[bytes, bytes]]) -> dict[bytes, dict[int, str]]:
    """Font resource name (/F1...) -> its ToUnicode map."""
    fonts: dict[bytes, dict[int, str]] = {}
    for header, _ in objects.values():
        for name, number in FONT_RESOURCE.findall(header):
            cmap_ref = TO_UNICODE.search(objects.get(int(number), (b"", b""))[0])
            if cmap_ref:
                fonts[name] = _cmap(objects[int(cmap_ref.group(1))][1])
    return fonts


def _lines(data: bytes, fonts: dict[bytes, dict[int, str]]) -> list[str]:
    lines: list[str] = []
    cmap: dict[int, str] = {}
    current: list[str] = []
    for font, shown, array, end in TOKEN.findall(data):
        if font:
            cmap = fonts.get(font, {})
        elif shown:
            current.append(_decode(_unescape(shown), cmap))
        elif array:
            current.extend(_decode(_unescape(s), cmap) for s in STRING.findall(array))
        elif end and current:
            lines.append("".join(current))
            current = []
    return lines


def pdf_text(document: bytes) -> str:
    """All text shown in the document, one line per text object (BT ... ET), in order."""
    objects = _objects(document)
    fonts = _fonts(objects)
    lines: list[str] = []
    for header, data in objects.values():
        if b"Tf" in data and b"/FontFile" not in header:
            lines += _lines(data, fonts)
    return "\n".join(lines)


def page_count(document: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", document))
