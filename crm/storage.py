"""Attachment files: content-addressed storage outside static/, with type and size limits.

A file is stored once under its SHA-256 (`ab/abcdef...`), so identical uploads share bytes and
the stored name can never be chosen by the uploader. The type is sniffed from the content,
not trusted from the file name or the browser.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from crm.errors import Invalid

CHUNK = 1024 * 1024
HEAD = 4096


@dataclass(frozen=True)
class Kind:
    """One accepted kind of file: what its first bytes are, and the names it may carry.

    `container` names the check a ZIP-based document must pass as well (see verify_container):
    the magic `PK` alone says nothing about what is inside.
    """

    mime: str
    extensions: tuple[str, ...]
    magic: bytes = b""
    container: str = ""


_OOXML = "application/vnd.openxmlformats-officedocument."
_ODF = "application/vnd.oasis.opendocument."
# The allow-list: anything else is refused, whatever its name says.
KINDS: tuple[Kind, ...] = (
    Kind("application/pdf", (".pdf",), b"%PDF-"),
    Kind("image/png", (".png",), b"\x89PNG\r\n\x1a\n"),
    Kind("image/jpeg", (".jpg", ".jpeg"), b"\xff\xd8\xff"),
    Kind(_OOXML + "wordprocessingml.document", (".docx",), b"PK\x03\x04", "ooxml"),
    Kind(_OOXML + "spreadsheetml.sheet", (".xlsx",), b"PK\x03\x04", "ooxml"),
    Kind(_OOXML + "presentationml.presentation", (".pptx",), b"PK\x03\x04", "ooxml"),
    Kind(_ODF + "text", (".odt",), b"PK\x03\x04", "odf"),
    Kind(_ODF + "spreadsheet", (".ods",), b"PK\x03\x04", "odf"),
    Kind(_ODF + "presentation", (".odp",), b"PK\x03\x04", "odf"),
    # Text has no magic: UTF-8, no NUL, and nothing a browser would take for a web page.
    Kind("text/plain", (".txt",)),
    Kind("text/csv", (".csv",)),
    Kind("text/markdown", (".md",)),
)
ALLOWED_DESCRIPTION = "PDF, PNG, JPEG, Word, Excel, PowerPoint (not macro-enabled), OpenDocument, plain text or CSV"
# The main part each OOXML type declares in [Content_Types].xml; macro-enabled variants
# (.docm, .xlsm, .pptm) declare another one and so are refused even when renamed.
OOXML_MAIN = {
    _OOXML + "wordprocessingml.document": _OOXML + "wordprocessingml.document.main+xml",
    _OOXML + "spreadsheetml.sheet": _OOXML + "spreadsheetml.sheet.main+xml",
    _OOXML + "presentationml.presentation": _OOXML + "presentationml.presentation.main+xml",
}
# What browsers sniff as HTML or SVG (WHATWG MIME sniffing, "identifying a resource with an
# unknown MIME type"): refused as "text" so a stored page can never run, even if a header slips.
MARKUP = re.compile(
    rb"^\s*<(?:!--|\?xml|!doctype\s+html|(?:html|head|script|iframe|h1|div|font|table|a|style|title|b|body|br|p|svg)[\s/>])",
    re.IGNORECASE,
)
PART_LIMIT = 1024 * 1024  # bytes read from a part inside a ZIP (never the whole, which may be a bomb)


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int
    content_type: str
    filename: str


def safe_filename(name: str) -> str:
    """The uploader's name, kept for display and download, stripped of any path or controls."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>|:*?').strip(" .")
    return cleaned[:200] or "attachment"


def _text_type(head: bytes, kind: Kind) -> str | None:
    if b"\x00" in head or MARKUP.match(head.removeprefix(b"\xef\xbb\xbf")):
        return None
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut at the end of the sniffed head is still text.
        if error.start < len(head) - 4:
            return None
    return kind.mime


def kind_of(mime: str) -> Kind | None:
    return next((kind for kind in KINDS if kind.mime == mime), None)


def sniff_type(head: bytes, filename: str) -> str | None:
    """The MIME type the first bytes show, if it is on the allow-list for this file name.

    The name only says which kind is claimed; the content must prove it. ZIP-based documents
    are confirmed afterwards by verify_container, which needs the whole file.
    """
    extension = os.path.splitext(filename.lower())[1]
    kind = next((k for k in KINDS if extension in k.extensions), None)
    if kind is None:
        return None
    if not kind.magic:
        return _text_type(head, kind)
    return kind.mime if head.startswith(kind.magic) else None


def _zip_part(archive: zipfile.ZipFile, name: str) -> bytes:
    with archive.open(name) as part:
        return part.read(PART_LIMIT)


def verify_container(path: Path, mime: str) -> bool:
    """A ZIP-based document is what it claims: an OOXML package declaring the right main
    part and no macros, or an ODF package whose first entry `mimetype` names the type."""
    kind = kind_of(mime)
    if kind is None or not kind.container:
        return True
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            if kind.container == "odf":
                return names[:1] == ["mimetype"] and _zip_part(archive, "mimetype").strip() == mime.encode()
            if any(name.lower().endswith("vbaproject.bin") for name in names):
                return False
            return "[Content_Types].xml" in names and OOXML_MAIN[mime].encode() in _zip_part(
                archive, "[Content_Types].xml"
            )
    # A hostile or damaged archive may fail in any of these ways (zipfile raises
    # NotImplementedError for a compression method it lacks, RuntimeError for an encrypted
    # member): each means "not the declared document type", never a 500.
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, NotImplementedError, RuntimeError):
        return False


class Storage:
    """Files under one root directory (ATTACHMENTS_DIR, default instance/attachments)."""

    def __init__(self, root: Path, max_bytes: int) -> None:
        self.root = root
        self.max_bytes = max_bytes

    def path_for(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def save(self, stream: BinaryIO, filename: str) -> StoredFile:
        """Store the upload; Invalid (field `file`) if empty, too large or of a refused type."""
        name = safe_filename(filename)
        head = stream.read(HEAD)
        content_type = sniff_type(head, name)
        if not head:
            raise Invalid("The file is empty.", fields={"file": ["Choose a file that is not empty."]})
        if content_type is None:
            raise Invalid("This type of file is not accepted.", fields={"file": [f"Upload {ALLOWED_DESCRIPTION}."]})
        self.root.mkdir(parents=True, exist_ok=True)
        digest, size, temp_path = self._write_temp(head, stream)
        if not verify_container(Path(temp_path), content_type):
            os.unlink(temp_path)
            raise Invalid("This file is not what its name says.", fields={"file": [f"Upload {ALLOWED_DESCRIPTION}."]})
        final = self.path_for(digest)
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(temp_path, final)
        return StoredFile(digest, size, content_type, name)

    def _write_temp(self, head: bytes, stream: BinaryIO) -> tuple[str, int, str]:
        digest, size = hashlib.sha256(), 0
        handle, temp_path = tempfile.mkstemp(dir=self.root, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as out:
                chunk = head
                while chunk:
                    size += len(chunk)
                    if size > self.max_bytes:
                        limit = self.max_bytes // (1024 * 1024)
                        raise Invalid("The file is too large.", fields={"file": [f"Upload at most {limit} MB."]})
                    digest.update(chunk)
                    out.write(chunk)
                    chunk = stream.read(CHUNK)
        except BaseException:
            os.unlink(temp_path)
            raise
        return digest.hexdigest(), size, temp_path
