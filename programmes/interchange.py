"""One file per programme version: the YAML that ``export_programme`` writes and ``import_programme`` reads.

The built-in programme (``programmes/data/cft-healthcare-staff.yaml``) is a
file in this same format. Reading keeps each mapping's line number, so an
error can say where in the file the problem is.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import yaml
from django.utils.translation import gettext as _

FORMAT_NAME = "steady-programme"
FORMAT_VERSION = 1
SUPPORTED_FORMAT_VERSIONS = (1,)

# What a new version copies, what the edit forms change, and what travels in a file (besides identity).
PROGRAMME_CONTENT_FIELDS = (
    "name",
    "summary",
    "audience",
    "weekly_session_count",
    "session_minutes",
    "default_capacity",
    "max_capacity",
    "booster_offsets_weeks",
    "neutral_label",
    "pre_group_checkin_required",
    "join_closes_after_week",
)
PROGRAMME_FIELDS = ("family", "version", *PROGRAMME_CONTENT_FIELDS)
PLAN_CONTENT_FIELDS = (
    "title",
    "aims",
    "opening_practice",
    "main_practice",
    "home_practice",
    "facilitator_guidance",
    "intensity",
    "intensity_preparation",
    "needs_two_facilitators",
)
PLAN_FIELDS = ("kind", "number", *PLAN_CONTENT_FIELDS)
AGENDA_FIELDS = ("title", "minutes", "notes")
MATERIAL_FIELDS = ("title", "kind", "audience", "release", "content", "url")
PACK_FIELDS = ("version", "title", "introduction")
SECTION_FIELDS = ("topic", "heading", "body")

# Fields a file must have; the rest may be left out and default to empty.
REQUIRED = {
    "programme": ("family", "version", "name", "weekly_session_count", "session_minutes", "session_plans"),
    "session plan": ("kind", "number", "title", "intensity", "agenda"),
    "agenda item": ("title", "minutes"),
    "material": ("title", "kind", "audience", "release"),
    "information pack": ("version", "title", "sections"),
    "information pack section": ("topic", "heading", "body"),
}


class ImportFormatError(ValueError):
    """The file cannot be read as a programme; ``line`` is 1-based, or None when unknown."""

    def __init__(self, message: str, *, line: int | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.field = field


class LineDict(dict):
    """A mapping from the file that remembers the line it started on and the line of each key."""

    line: int = 0
    key_lines: dict[str, int]


class _LineLoader(yaml.SafeLoader):
    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> LineDict:
        mapping = LineDict(super().construct_mapping(node, deep=True))
        mapping.line = node.start_mark.line + 1
        mapping.key_lines = {str(key_node.value): key_node.start_mark.line + 1 for key_node, _value in node.value}
        return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _LineLoader.construct_mapping)


def line_of(mapping: Any, key: str | None = None) -> int | None:
    if not isinstance(mapping, LineDict):
        return None
    if key is not None and key in mapping.key_lines:
        return mapping.key_lines[key]
    return mapping.line


def parse(text: str) -> LineDict:
    """Read and check the file's shape; return the top-level mapping or raise ImportFormatError."""
    try:
        data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        message = _("This is not valid YAML (%(problem)s).") % {"problem": exc.problem}
        raise ImportFormatError(message, line=line) from exc
    except yaml.YAMLError as exc:
        raise ImportFormatError(_("This is not valid YAML.")) from exc
    if not isinstance(data, LineDict):
        raise ImportFormatError(_("This is not a Steady programme file: it should start with 'format:'."), line=1)
    if data.get("format") != FORMAT_NAME:
        raise ImportFormatError(
            _("This is not a Steady programme file: 'format' should be '%(name)s'.") % {"name": FORMAT_NAME},
            line=line_of(data, "format"),
            field="format",
        )
    if "format_version" not in data:
        raise ImportFormatError(_("The field 'format_version' is missing."), line=line_of(data), field="format_version")
    if data["format_version"] not in SUPPORTED_FORMAT_VERSIONS:
        supported = ", ".join(str(v) for v in SUPPORTED_FORMAT_VERSIONS)
        raise ImportFormatError(
            _("'format_version' is %(found)s, which this version of Steady cannot read (it reads %(supported)s).")
            % {"found": repr(data["format_version"]), "supported": supported},
            line=line_of(data, "format_version"),
            field="format_version",
        )
    programme = _need_mapping(data, "programme", "file")
    _check(programme, "programme")
    plans = _need_list(programme, "session_plans", "programme")
    for plan in plans:
        _check(plan, "session plan")
        for item in _need_list(plan, "agenda", "session plan"):
            _check(item, "agenda item")
        for material in _optional_list(plan, "materials", "session plan"):
            _check(material, "material")
            if "file" in material and material["file"] is not None:
                file = _need_mapping(material, "file", "material")
                for key in ("name", "data"):
                    if key not in file:
                        raise ImportFormatError(
                            _("The material's file is missing the field '%(field)s'.") % {"field": key},
                            line=line_of(file),
                            field=key,
                        )
    if "information_pack" in programme and programme["information_pack"] is not None:
        pack = _need_mapping(programme, "information_pack", "programme")
        _check(pack, "information pack")
        for section in _need_list(pack, "sections", "information pack"):
            _check(section, "information pack section")
    return data


def _check(mapping: Any, what: str) -> None:
    if not isinstance(mapping, dict):
        raise ImportFormatError(
            _("Each %(what)s should be a set of 'field: value' lines.") % {"what": what}, line=line_of(mapping)
        )
    named = what
    if what == "session plan" and mapping.get("kind") and mapping.get("number"):
        named = f"{what} ({mapping['kind']} {mapping['number']})"
    elif mapping.get("title") or mapping.get("topic"):
        named = f"{what} '{mapping.get('title') or mapping.get('topic')}'"
    for field in REQUIRED[what]:
        if field not in mapping or mapping[field] is None:
            raise ImportFormatError(
                _("The %(what)s is missing the field '%(field)s'.") % {"what": named, "field": field},
                line=line_of(mapping),
                field=field,
            )


def _need_kind(parent: LineDict, key: str, what: str, *, kind: type, wrong: str):
    """``parent[key]`` when it is a ``kind``; else refuse, saying it is missing or, in ``wrong``, what it should be."""
    value = parent.get(key)
    if not isinstance(value, kind):
        if value is None:
            message = _("The %(what)s is missing the field '%(field)s'.") % {"what": what, "field": key}
        else:
            message = wrong % {"field": key}
        raise ImportFormatError(message, line=line_of(parent, key), field=key)
    return value


def _need_mapping(parent: LineDict, key: str, what: str) -> LineDict:
    return _need_kind(parent, key, what, kind=dict, wrong=_("'%(field)s' should be a set of 'field: value' lines."))


def _need_list(parent: LineDict, key: str, what: str) -> list:
    return _need_kind(parent, key, what, kind=list, wrong=_("'%(field)s' should be a list."))


def _optional_list(parent: LineDict, key: str, what: str) -> list:
    if parent.get(key) is None:
        return []
    return _need_list(parent, key, what)


@dataclass
class FileBlob:
    name: str
    data: bytes


def decode_file(entry: dict) -> FileBlob:
    try:
        data = base64.b64decode(entry["data"], validate=True)
    except (ValueError, TypeError) as exc:
        raise ImportFormatError(_("A material's file data is not valid base64."), line=line_of(entry, "data")) from exc
    return FileBlob(name=str(entry["name"]), data=data)


def encode_file(name: str, data: bytes) -> dict:
    return {"name": name, "data": base64.b64encode(data).decode("ascii")}


class _Dumper(yaml.SafeDumper):
    pass


def _str_presenter(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # Multi-line text as a literal block, so the file reads like the screen.
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str_presenter)


def dump(data: dict) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
