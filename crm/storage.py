"""Attachment files: content-addressed storage outside static/, with type and size limits.

A file is stored once under its SHA-256 (`ab/abcdef...`), so identical uploads share bytes and
the stored name can never be chosen by the uploader. The type is sniffed from the content,
not trusted from the file name or the browser.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from crm.errors import Invalid

CHUNK = 1024 * 1024

# (magic prefix, MIME type, extensions the name may carry)
SIGNATURES: tuple[tuple[bytes, str, tuple[str, ...]], ...] = (
    (b"%PDF-", "application/pdf", (".pdf",)),
    (b"\x89PNG\r\n\x1a\n", "image/png", (".png",)),
    (b"\xff\xd8\xff", "image/jpeg", (".jpg", ".jpeg")),
    (b"PK\x03\x04", "application/zip", (".docx", ".xlsx", ".pptx", ".odt", ".ods", ".zip")),
)
OFFICE_TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".zip": "application/zip",
}
TEXT_TYPES = {".txt": "text/plain", ".csv": "text/csv", ".md": "text/markdown"}
ALLOWED_DESCRIPTION = "PDF, PNG, JPEG, Word, Excel, PowerPoint, OpenDocument, plain text or CSV"


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


def sniff_type(head: bytes, filename: str) -> str | None:
    """The MIME type the content shows, if it is one we accept for this file name."""
    extension = os.path.splitext(filename.lower())[1]
    for magic, mime, extensions in SIGNATURES:
        if head.startswith(magic):
            if extension not in extensions:
                return None
            return OFFICE_TYPES.get(extension, mime)
    if extension in TEXT_TYPES and b"\x00" not in head:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as error:
            # A multi-byte character cut at the end of the sniffed head is still text.
            if error.start < len(head) - 4:
                return None
        return TEXT_TYPES[extension]
    return None


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
        head = stream.read(4096)
        content_type = sniff_type(head, name)
        if not head:
            raise Invalid("The file is empty.", fields={"file": ["Choose a file that is not empty."]})
        if content_type is None:
            raise Invalid("This type of file is not accepted.", fields={"file": [f"Upload {ALLOWED_DESCRIPTION}."]})
        self.root.mkdir(parents=True, exist_ok=True)
        digest, size, temp_path = self._write_temp(head, stream)
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
