"""Read and check a measure file (``measures/data/*.yaml``) into a plain, frozen definition.

The file is the register: items, options, scales and their scoring, licence and
source. Checking happens here, before anything is written, so a bad file loads
nothing. ``rules_from_definition`` turns a definition into the pure scoring rules.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from measures.scoring import Band, ItemRule, MeasureRules, ScaleRule

FORMAT_NAME = "steady-measure"
SUPPORTED_FORMAT_VERSIONS = (1,)
DATA_DIR = Path(__file__).resolve().parent / "data"


class DefinitionError(ValueError):
    """The measure file is not a valid definition; the message says what and where."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class OptionDef:
    value: int
    label: str


@dataclass(frozen=True)
class ItemDef:
    number: int
    text: str
    options: str
    reverse: bool
    risk_min: int | None


@dataclass(frozen=True)
class ScaleDef:
    code: str
    name: str
    method: str
    items: tuple[int, ...]
    max_missing: int
    decimals: int
    higher_is_better: bool
    bands: tuple[Band, ...]
    conversion: dict[int, Decimal] | None
    reliable_change: Decimal | None
    notes: str


@dataclass(frozen=True)
class MeasureDef:
    code: str
    version: int
    name: str
    short_name: str
    instructions: str
    licence: str
    source_citation: str
    source_urls: tuple[str, ...]
    reproduction_notes: str
    wording_shipped: bool
    wording_verified: bool
    option_sets: dict[str, tuple[OptionDef, ...]]
    items: tuple[ItemDef, ...]
    scales: tuple[ScaleDef, ...]
    hash: str


def _need(data: dict, key: str, where: str) -> Any:
    if key not in data or data[key] in (None, ""):
        raise DefinitionError(f"{where}: '{key}' is missing.")
    return data[key]


def _int(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise DefinitionError(f"{where}: {value!r} is not a whole number.")
    return value


def _decimal(value: Any, where: str) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise DefinitionError(f"{where}: {value!r} is not a number.") from exc


def parse_definition(text: str, *, name: str = "measure file") -> MeasureDef:
    """Parse and check a measure file; raise ``DefinitionError`` naming the first problem."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise DefinitionError(f"{name}: not valid YAML ({exc}).") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
        raise DefinitionError(f"{name}: not a {FORMAT_NAME} file.")
    if data.get("format_version") not in SUPPORTED_FORMAT_VERSIONS:
        raise DefinitionError(f"{name}: format_version {data.get('format_version')!r} is not supported.")
    code = str(_need(data, "code", name))
    where = f"{name} ({code})"
    wording_shipped = bool(_need(data, "wording_shipped", where) is True)

    option_sets: dict[str, tuple[OptionDef, ...]] = {}
    for set_code, options in (_need(data, "option_sets", where) or {}).items():
        parsed = tuple(
            OptionDef(value=_int(o.get("value"), f"{where} option set {set_code}"), label=str(o.get("label") or ""))
            for o in options
        )
        values = [o.value for o in parsed]
        if len(parsed) < 2 or len(set(values)) != len(values):
            raise DefinitionError(f"{where}: option set {set_code} needs two or more different values.")
        if sorted(values) != list(range(min(values), max(values) + 1)):
            raise DefinitionError(f"{where}: option set {set_code} must run in steps of one.")
        option_sets[str(set_code)] = tuple(sorted(parsed, key=lambda o: o.value))

    default_options = data.get("default_options")
    items: list[ItemDef] = []
    for raw in _need(data, "items", where):
        number = _int(_need(raw, "number", f"{where} item"), f"{where} item")
        item_where = f"{where} item {number}"
        options = str(raw.get("options") or default_options or "")
        if options not in option_sets:
            raise DefinitionError(f"{item_where}: option set {options!r} is not defined.")
        text = str(raw.get("text") or "").strip()
        if wording_shipped and not text:
            raise DefinitionError(f"{item_where}: the wording is missing.")
        if not wording_shipped and text:
            raise DefinitionError(f"{item_where}: a licensed measure ships no item wording.")
        risk_min = raw.get("risk_min")
        if risk_min is not None:
            risk_min = _int(risk_min, item_where)
            if risk_min not in {o.value for o in option_sets[options]}:
                raise DefinitionError(f"{item_where}: risk_min {risk_min} is not one of its options.")
        items.append(ItemDef(number, text, options, bool(raw.get("reverse", False)), risk_min))
    numbers = [i.number for i in items]
    if numbers != list(range(1, len(items) + 1)):
        raise DefinitionError(f"{where}: items must be numbered 1 to {len(items)} in order.")
    item_count = _int(_need(data, "item_count", where), where)
    if item_count != len(items):
        raise DefinitionError(f"{where}: item_count is {item_count} but the file lists {len(items)} items.")

    scales: list[ScaleDef] = []
    for raw in _need(data, "scales", where):
        scale_code = str(_need(raw, "code", f"{where} scale"))
        scale_where = f"{where} scale {scale_code}"
        method = str(raw.get("method", "sum"))
        if method not in ("sum", "mean"):
            raise DefinitionError(f"{scale_where}: method must be sum or mean.")
        scale_items = raw.get("items", "all")
        members = tuple(numbers) if scale_items == "all" else tuple(_int(n, scale_where) for n in scale_items)
        if not members or not set(members) <= set(numbers) or len(set(members)) != len(members):
            raise DefinitionError(f"{scale_where}: its items must be distinct item numbers of this measure.")
        bands = tuple(
            Band(
                min=_decimal(_need(b, "min", scale_where), scale_where),
                max=_decimal(_need(b, "max", scale_where), scale_where),
                label=str(_need(b, "label", scale_where)),
            )
            for b in raw.get("bands") or ()
        )
        if any(b.min > b.max for b in bands):
            raise DefinitionError(f"{scale_where}: a band's min is above its max.")
        conversion = None
        if raw.get("conversion"):
            conversion = {_int(k, scale_where): _decimal(v, scale_where) for k, v in raw["conversion"].items()}
        reliable = raw.get("reliable_change")
        scales.append(
            ScaleDef(
                code=scale_code,
                name=str(_need(raw, "name", scale_where)),
                method=method,
                items=members,
                max_missing=_int(raw.get("max_missing", 0), scale_where),
                decimals=_int(raw.get("decimals", 0), scale_where),
                higher_is_better=bool(_need(raw, "higher_is_better", scale_where) is True),
                bands=bands,
                conversion=conversion,
                reliable_change=None if reliable is None else _decimal(reliable, scale_where),
                notes=str(raw.get("notes") or "").strip(),
            )
        )
    if len({s.code for s in scales}) != len(scales):
        raise DefinitionError(f"{where}: two scales share a code.")

    canonical = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)
    return MeasureDef(
        code=code,
        version=_int(_need(data, "version", where), where),
        name=str(_need(data, "name", where)),
        short_name=str(_need(data, "short_name", where)),
        instructions=str(data.get("instructions") or "").strip(),
        licence=str(_need(data, "licence", where)).strip(),
        source_citation=str(_need(data, "source_citation", where)).strip(),
        source_urls=tuple(str(u) for u in data.get("source_urls") or ()),
        reproduction_notes=str(data.get("reproduction_notes") or "").strip(),
        wording_shipped=wording_shipped,
        wording_verified=bool(data.get("wording_verified", False) is True),
        option_sets=option_sets,
        items=tuple(items),
        scales=tuple(scales),
        hash=hashlib.sha256(canonical.encode()).hexdigest(),
    )


def builtin_paths() -> list[Path]:
    """The measure files that ship with Steady, in name order."""
    return sorted(DATA_DIR.glob("*.yaml"))


def rules_from_definition(definition: MeasureDef) -> MeasureRules:
    """Return the pure scoring rules of a definition (used by tests and by the loader's self-check)."""
    items = {}
    for item in definition.items:
        values = [o.value for o in definition.option_sets[item.options]]
        items[item.number] = ItemRule(
            number=item.number,
            min_value=min(values),
            max_value=max(values),
            reverse=item.reverse,
            risk_min=item.risk_min,
            allowed=frozenset(values),
        )
    scales = tuple(
        ScaleRule(
            code=s.code,
            items=s.items,
            method=s.method,  # type: ignore[arg-type]
            max_missing=s.max_missing,
            decimals=s.decimals,
            bands=s.bands,
            conversion=s.conversion,
        )
        for s in definition.scales
    )
    return MeasureRules(code=definition.code, items=items, scales=scales)
