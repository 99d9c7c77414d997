"""Check an uploaded material file: an allowed type, at most 20 MB, and bytes that match its name.

The extension alone proves nothing, so the first bytes of the file (its
signature) must say the same thing as the name.
"""

from __future__ import annotations

import zipfile
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

MAX_BYTES = 20 * 1024 * 1024
ALLOWED = ("pdf", "docx", "mp3", "m4a", "png", "jpg")
EXTENSIONS = {"pdf": "pdf", "docx": "docx", "mp3": "mp3", "m4a": "m4a", "png": "png", "jpg": "jpg", "jpeg": "jpg"}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "mp3": "audio/mpeg",
    "m4a": "audio/mp4",
    "png": "image/png",
    "jpg": "image/jpeg",
}
M4A_BRANDS = {b"M4A ", b"M4B ", b"mp41", b"mp42", b"isom", b"iso2", b"dash"}


def _mp3_frame(head: bytes) -> bool:
    return len(head) >= 2 and head[0] == 0xFF and (head[1] & 0xE0) == 0xE0


def sniff(head: bytes, upload: UploadedFile | None = None) -> str | None:
    """Return the type that the file's first bytes show (one of ``ALLOWED``), or None."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"ID3") or _mp3_frame(head):
        return "mp3"
    if head[4:8] == b"ftyp" and head[8:12] in M4A_BRANDS:
        return "m4a"
    if head.startswith(b"PK\x03\x04") and upload is not None and _is_word_document(upload):
        return "docx"
    return None


def _is_word_document(upload: UploadedFile) -> bool:
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError):
        return False
    finally:
        upload.seek(0)
    return "[Content_Types].xml" in names and "word/document.xml" in names


def validate_material_file(upload: UploadedFile) -> str:
    """Return the file's type, or raise ValidationError saying why the file is refused."""
    extension = PurePath(upload.name or "").suffix.lower().lstrip(".")
    named = EXTENSIONS.get(extension)
    if named is None:
        raise ValidationError(
            _("Steady accepts PDF, Word (.docx), MP3, M4A, PNG and JPG files. “%(name)s” is not one of those."),
            params={"name": upload.name},
            code="file_type",
        )
    if upload.size is not None and upload.size > MAX_BYTES:
        raise ValidationError(
            _("That file is %(size)s MB; the largest Steady accepts is 20 MB. Try compressing it first."),
            params={"size": f"{upload.size / (1024 * 1024):.1f}"},
            code="file_size",
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    found = sniff(head, upload)
    if found != named:
        raise ValidationError(
            _(
                "“%(name)s” is called a .%(extension)s file, but its contents are not. "
                "Save it again as a real %(expected)s file and upload that."
            ),
            params={"name": upload.name, "extension": extension, "expected": named.upper()},
            code="file_content",
        )
    return found
