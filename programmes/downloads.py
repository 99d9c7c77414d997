"""Serving a material's file, for this app's views and for the participants' material pages."""

from __future__ import annotations

from django.http import FileResponse, Http404

from programmes.models import Material
from programmes.uploads import CONTENT_TYPES


def material_file_response(material: Material) -> FileResponse:
    """Return the material's file with the type its signature showed (the caller has checked access)."""
    if not material.file:
        raise Http404
    try:
        handle = material.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    name = material.file_name or material.file.name.rsplit("/", 1)[-1]
    inline = material.file_type in ("pdf", "png", "jpg", "mp3", "m4a")
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=name,
        content_type=CONTENT_TYPES.get(material.file_type, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
