"""Reading a licensed-wording item file (CSV or YAML) into item texts and options, before the service writes them."""

from __future__ import annotations

import csv
import io

import yaml
from django.utils.translation import gettext as _

from core.errors import DomainError


def item_file_read(*, text: str, filename: str) -> tuple[dict[int, str], list[tuple[int, str]] | None]:
    """Read an item file: CSV with ``number,text`` columns, or YAML with ``items`` (and optional ``options``)."""
    if filename.lower().endswith(".csv"):
        reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
        if not reader.fieldnames or not {"number", "text"} <= {f.strip().lower() for f in reader.fieldnames}:
            raise DomainError(_("The CSV file needs a header row with the columns number and text."))
        rows = [{k.strip().lower(): (v or "").strip() for k, v in row.items() if k} for row in reader]
        raw_items, raw_options = rows, None
    elif filename.lower().endswith((".yaml", ".yml")):
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise DomainError(_("The file is not valid YAML.")) from exc
        if not isinstance(data, dict) or not isinstance(data.get("items"), list):
            raise DomainError(_("The YAML file needs a list called items, each with a number and a text."))
        raw_items, raw_options = data["items"], data.get("options")
    else:
        raise DomainError(_("Choose a CSV or YAML file."))
    items: dict[int, str] = {}
    for row in raw_items:
        try:
            number = int(str(row.get("number")).strip())
        except (TypeError, ValueError, AttributeError) as exc:
            raise DomainError(_("Every item needs a whole number in the number column.")) from exc
        text_value = str(row.get("text") or "").strip()
        if not text_value:
            raise DomainError(_("Item %(number)d has no wording.") % {"number": number})
        if number in items:
            raise DomainError(_("Item %(number)d appears twice.") % {"number": number})
        items[number] = text_value
    options = None
    if raw_options is not None:
        try:
            options = [(int(o["value"]), str(o.get("label") or "").strip()) for o in raw_options]
        except (TypeError, ValueError, KeyError) as exc:
            raise DomainError(_("Every option needs a whole-number value and a label.")) from exc
    return items, options
