"""Layering: a lower app never names a higher one.

Not by import, not by string (URL name, app label, ``apps.get_model``, dotted module path, template
path), not through a reverse relation a higher app's model puts on a lower app's model
(``cohort.enrolments``, ``enrolments__status``), and not by copying a higher app's status values
(``"enrolled"``): a value of a higher app's choices that no model at or below the app uses, written
where a choice field is compared, assigned or passed (``status="enrolled"``, ``x.status == ...``,
``..._STATUSES = (...)``).

Everything the scanner looks for is read from the project itself (the app registry, the URL
resolver, the models' choices), so moving a model between apps moves the rule with it. Each
kind of breach is a test of its own per app, and ``test_the_scan_catches_*`` prove the scanner
finds each kind in synthetic files.

What is scanned for an app: its Python files (migrations included: a lower app's migration may not
depend on a higher app either) and its templates, ``templates/<app>/`` at the top level plus any
``<app>/templates/``. ``config/`` and the top-level templates (``base.html``, error pages) are the
composition root that puts the apps together: they may name every app and are not scanned.
Docstrings are prose about the code, not references, and are not scanned.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db.models import ForeignObjectRel
from django.urls import URLResolver, get_resolver

pytestmark = pytest.mark.foundation
BASE_DIR = Path(__file__).resolve().parent.parent.parent
TEMPLATES_DIR = BASE_DIR / "templates"
# Bottom first. An app may name the ones before it, never the ones after it.
LAYERS = ["core", "accounts", "reminders", "programmes", "sessions", "measures", "facilitation"]
# Template folders under templates/ that are not named after their app: Django's auth views look in
# registration/, and accounts is the app that serves them.
TEMPLATE_FOLDER_OWNERS = {"registration": "accounts"}

KINDS = ["import", "url_name", "app_label", "template", "reverse_relation", "status_literal"]
# Breaches on main today, each with the change that removes it. Strict xfail: when a change makes
# its test pass, the run fails until the entry is deleted here, so none outlives its breach.
KNOWN_BREACHES: dict[tuple[str, str], str] = {}

# Status values of a higher app that a lower app may write as a literal, each with its reason.
STATUS_LITERAL_ALLOWLIST: dict[str, str] = {}
# Lookups whose bare reverse query name (filter(enrolments=...)) is a relation, not a parameter.
QUERY_CALLS = {"filter", "exclude", "get", "get_or_create", "update_or_create", "Q", "annotate", "aggregate"}
# Calls whose first argument is an app label.
LABEL_CALLS = {"get_model", "get_app_config", "get_models", "is_installed"}


@dataclass(frozen=True)
class Names:
    """What a lower app may not name: everything that belongs to the apps above it."""

    modules: frozenset[str] = frozenset()  # import roots and dotted paths: facilitation
    labels: frozenset[str] = frozenset()  # app labels: facilitation, group_sessions
    models: frozenset[str] = frozenset()  # "label.model" (lower case) and "label.permission"
    namespaces: frozenset[str] = frozenset()  # URL namespaces: facilitation
    accessors: frozenset[str] = frozenset()  # reverse accessors onto the lower app's models: enrolments
    query_names: frozenset[str] = frozenset()  # reverse query names: enrolments
    statuses: frozenset[str] = frozenset()  # distinctive choice values: enrolled
    choice_fields: frozenset[str] = frozenset()  # the fields holding them: status


@dataclass
class Findings:
    by_kind: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def add(self, kind: str, where: str, what: str) -> None:
        self.by_kind[kind].append(f"{where} {what}")


# --- What each app owns ---------------------------------------------------------------------
def app_config(app: str):
    return next(config for config in apps.get_app_configs() if config.name == app)


def local_app_names() -> list[str]:
    """The project's own apps, in INSTALLED_APPS order (those whose code lives in this repository)."""
    return [
        config.name
        for config in apps.get_app_configs()
        if Path(config.path).resolve().parent == BASE_DIR and ".venv" not in Path(config.path).parts
    ]


def url_namespaces() -> dict[str, set[str]]:
    """URL namespace -> the app whose urls module defines it, read from the resolver."""
    owners: dict[str, set[str]] = defaultdict(set)

    def walk(patterns) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                module = entry.urlconf_module
                if entry.namespace and hasattr(module, "__name__"):
                    owners[module.__name__.split(".")[0]].add(entry.namespace)
                walk(entry.url_patterns)

    walk(get_resolver().url_patterns)
    return owners


def choice_values(models) -> tuple[set[str], set[str]]:
    values: set[str] = set()
    fields: set[str] = set()
    for model in models:
        for model_field in model._meta.get_fields():
            if getattr(model_field, "choices", None) and not model_field.is_relation:
                strings = {value for value, _label in model_field.flatchoices if isinstance(value, str) and value}
                if strings:
                    values |= strings
                    fields.add(model_field.name)
    return values, fields


def own_attribute_names(app_names: list[str]) -> set[str]:
    """Field names and reverse accessors that apps at or below a layer define among themselves."""
    names: set[str] = set()
    for app in app_names:
        for model in app_config(app).get_models():
            for model_field in model._meta.get_fields():
                if isinstance(model_field, ForeignObjectRel):
                    if model_field.related_model._meta.app_config.name in app_names:
                        names.add(model_field.get_accessor_name() or "")
                        names.add(model_field.name)
                else:
                    names.add(model_field.name)
    return names


@cache
def names_above(app: str) -> Names:
    index = LAYERS.index(app)
    lower_or_same, higher = LAYERS[: index + 1], LAYERS[index + 1 :]
    higher_configs = [app_config(name) for name in higher]
    higher_models = [model for config in higher_configs for model in config.get_models()]
    models = set()
    for model in higher_models:
        meta = model._meta
        models.add(meta.label_lower)
        models |= {f"{meta.app_label}.{action}_{meta.model_name}" for action in meta.default_permissions}
        models |= {f"{meta.app_label}.{codename}" for codename, _name in meta.permissions}
    # Reverse relations that higher apps' models put on this app's models.
    shadowed = own_attribute_names(lower_or_same)
    accessors, query_names = set(), set()
    for model in app_config(app).get_models():
        for relation in model._meta.get_fields():
            if isinstance(relation, ForeignObjectRel) and relation.related_model._meta.app_config.name in higher:
                accessor = relation.get_accessor_name()
                if accessor and not relation.hidden and accessor not in shadowed:
                    accessors.add(accessor)
                if not relation.hidden and relation.name not in shadowed:
                    query_names.add(relation.name)
    # A higher app's choice value is distinctive when no model at or below this layer uses it too.
    higher_values, higher_fields = choice_values(higher_models)
    own_values, _own_fields = choice_values(m for name in lower_or_same for m in app_config(name).get_models())
    namespaces = url_namespaces()
    return Names(
        modules=frozenset(higher),
        labels=frozenset(config.label for config in higher_configs),
        models=frozenset(models),
        namespaces=frozenset(ns for name in higher for ns in namespaces.get(name, ())),
        accessors=frozenset(accessors),
        query_names=frozenset(query_names),
        statuses=frozenset(higher_values - own_values - set(STATUS_LITERAL_ALLOWLIST)),
        choice_fields=frozenset(higher_fields),
    )


def app_files(app: str, base: Path = BASE_DIR, templates: Path = TEMPLATES_DIR) -> tuple[list[Path], list[Path]]:
    python = sorted((base / app).rglob("*.py"))
    folders = [templates / app, base / app / "templates"]
    folders += [templates / folder for folder, owner in TEMPLATE_FOLDER_OWNERS.items() if owner == app]
    found = sorted(path for folder in folders if folder.is_dir() for path in folder.rglob("*") if path.is_file())
    return python, found


# --- The scanner ----------------------------------------------------------------------------
URL_NAME = re.compile(r"^(\w+):(?:[\w{%-]|$)")  # "ns:name", and "ns:" or "ns:%s" built up in code
TEMPLATE_PATH = re.compile(r"^(\w+)/[\w./-]*\.(?:html|txt|ics|xml|json)$")  # templates/<app>/... belongs to <app>
DOTTED = re.compile(r"^(\w+)((?:\.\w+)+)$")
TEMPLATE_STRING = re.compile(r"""(["'])([^"'\n]*?)\1""")
TEMPLATE_TAG = re.compile(r"{%.*?%}", re.DOTALL)


def docstring_nodes(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def call_name(node: ast.Call) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def names_a_choice_field(node: ast.AST, choice_fields: frozenset[str]) -> bool:
    if isinstance(node, ast.Attribute):
        return node.attr in choice_fields
    if isinstance(node, ast.Name):
        return node.id in choice_fields
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        return node.slice.value in choice_fields
    return False


def in_status_context(node: ast.AST, parents: dict[int, ast.AST], names: Names) -> bool:
    """A literal compared with, assigned to, or passed as a choice field (status=..., x.status == ...)."""
    child, parent = node, parents.get(id(node))
    # Climb out of containers: ("enrolled", "completed"), [*OTHERS, "enrolled"], frozenset({...}).
    while isinstance(parent, ast.List | ast.Tuple | ast.Set | ast.Starred) or (
        isinstance(parent, ast.Call) and call_name(parent) in {"tuple", "list", "set", "frozenset"}
    ):
        child, parent = parent, parents.get(id(parent))
    if isinstance(parent, ast.keyword):
        return bool(parent.arg) and any(part in names.choice_fields for part in parent.arg.split("__"))
    if isinstance(parent, ast.Compare):
        return any(names_a_choice_field(side, names.choice_fields) for side in [parent.left, *parent.comparators])
    if isinstance(parent, ast.Assign | ast.AnnAssign | ast.AugAssign):
        targets = parent.targets if isinstance(parent, ast.Assign) else [parent.target]
        text = " ".join(ast.unparse(target).lower() for target in targets)
        return any(choice_field in text for choice_field in names.choice_fields)
    if isinstance(parent, ast.Dict) and child in parent.values:
        key = parent.keys[parent.values.index(child)]
        return isinstance(key, ast.Constant) and key.value in names.choice_fields
    return False


def scan_python(path: Path, names: Names, base: Path = BASE_DIR) -> dict[str, list[str]]:
    tree = ast.parse(path.read_text(), filename=str(path))
    parents = {id(child): parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}
    docstrings = docstring_nodes(tree)
    found = Findings()
    relative = path.relative_to(base)
    for node in ast.walk(tree):
        where = f"{relative}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in names.modules:
                    found.add("import", where, f"import {alias.name}")
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] in names.modules:
                found.add("import", where, f"from {node.module} import ...")
        elif isinstance(node, ast.Attribute) and node.attr in names.accessors:
            found.add("reverse_relation", where, f".{node.attr}")
        elif isinstance(node, ast.Call):
            if call_name(node) in LABEL_CALLS and node.args and isinstance(node.args[0], ast.Constant):
                label = str(node.args[0].value)
                if label in names.labels:  # "label.Model" in one string is caught as a string below
                    found.add("app_label", where, f"{call_name(node)}({node.args[0].value!r}, ...)")
            for keyword in node.keywords:
                if keyword.arg and (
                    keyword.arg.split("__")[0] in names.query_names
                    and ("__" in keyword.arg or call_name(node) in QUERY_CALLS)
                ):
                    found.add("reverse_relation", where, f"{keyword.arg}=")
            for arg in node.args:
                if isinstance(arg, ast.Constant) and arg.value in names.query_names | names.accessors:
                    found.add("reverse_relation", where, f"{call_name(node)}({arg.value!r})")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            value = node.value
            if (match := URL_NAME.match(value)) and match.group(1) in names.namespaces:
                found.add("url_name", where, repr(value))
            if (match := DOTTED.match(value)) and (
                value.lower() in names.models
                or (match.group(1) in names.labels and match.group(2)[1:2].isupper())
                or (match.group(1) in names.modules and match.group(2)[1:2].islower())
            ):
                found.add("app_label", where, repr(value))
            if (match := TEMPLATE_PATH.match(value)) and match.group(1) in names.modules:
                found.add("template", where, repr(value))
            if value.split("__")[0] in names.query_names and "__" in value:
                found.add("reverse_relation", where, repr(value))
            if value in names.statuses and in_status_context(node, parents, names):
                found.add("status_literal", where, repr(value))
    return found.by_kind


def scan_template(path: Path, names: Names, base: Path = BASE_DIR) -> dict[str, list[str]]:
    found = Findings()
    text = path.read_text(errors="replace")
    relative = path.relative_to(base)

    def line(offset: int) -> str:
        return f"{relative}:{text.count(chr(10), 0, offset) + 1}"

    for match in TEMPLATE_STRING.finditer(text):
        value = match.group(2)
        if (url := URL_NAME.match(value)) and url.group(1) in names.namespaces:
            found.add("url_name", line(match.start()), repr(value))
        if (template := TEMPLATE_PATH.match(value)) and template.group(1) in names.modules:
            found.add("template", line(match.start()), repr(value))
    for accessor in names.accessors:
        for match in re.finditer(rf"\.{re.escape(accessor)}\b", text):
            found.add("reverse_relation", line(match.start()), f".{accessor}")
    for query_name in names.query_names:
        for match in re.finditer(rf"\b{re.escape(query_name)}__\w", text):
            found.add("reverse_relation", line(match.start()), f"{query_name}__")
    fields = "|".join(re.escape(name) for name in sorted(names.choice_fields))
    for tag in TEMPLATE_TAG.finditer(text) if fields else ():
        if re.search(rf"\.({fields})\b", tag.group()):
            for literal in TEMPLATE_STRING.finditer(tag.group()):
                if literal.group(2) in names.statuses:
                    found.add("status_literal", line(tag.start()), repr(literal.group(2)))
    return found.by_kind


@cache
def breaches(app: str) -> dict[str, list[str]]:
    names = names_above(app)
    python, templates = app_files(app)
    result: dict[str, list[str]] = defaultdict(list)
    for path in python:
        for kind, found in scan_python(path, names).items():
            result[kind] += found
    for path in templates:
        for kind, found in scan_template(path, names).items():
            result[kind] += found
    return result


# --- The rules ------------------------------------------------------------------------------
def test_layers_are_the_installed_local_apps_in_order() -> None:
    local = local_app_names()
    assert len(LAYERS) == len(set(LAYERS)), "an app sits in more than one layer"
    assert set(LAYERS) == set(local), "every local app in INSTALLED_APPS sits in exactly one layer"
    assert local == LAYERS, "LAYERS and INSTALLED_APPS list the apps in the same order, bottom first"


CASES = [
    pytest.param(
        app,
        kind,
        id=f"{app}-{kind}",
        marks=[pytest.mark.xfail(strict=True, reason=reason)] if (reason := KNOWN_BREACHES.get((app, kind))) else [],
    )
    for app in LAYERS
    for kind in KINDS
]


@pytest.mark.parametrize(("app", "kind"), CASES)
def test_app_names_no_higher_layer(app: str, kind: str) -> None:
    assert breaches(app)[kind] == [], f"{app} names an app above it ({kind})"


def test_names_above_are_read_from_the_project() -> None:
    """The lists the scanner uses are not empty by accident (move-proof: no model named here)."""
    bottom = names_above(LAYERS[0])
    assert set(LAYERS[1:]) <= bottom.modules
    assert {app_config(app).label for app in LAYERS[1:]} <= bottom.labels
    assert {"facilitation", "sessions"} <= bottom.namespaces | set(url_namespaces())
    assert names_above(LAYERS[-1]) == Names()
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    from_higher = {
        relation.get_accessor_name()
        for relation in user_model._meta.get_fields()
        if isinstance(relation, ForeignObjectRel)
        and not relation.hidden
        and relation.related_model._meta.app_config.name in LAYERS
        and LAYERS.index(relation.related_model._meta.app_config.name) > LAYERS.index("accounts")
    }
    assert from_higher and from_higher <= names_above("accounts").accessors | own_attribute_names(LAYERS[:2])
    assert names_above("accounts").statuses and "status" in names_above("accounts").choice_fields


# --- The scanner proves itself on synthetic files --------------------------------------------
SYNTHETIC = Names(
    modules=frozenset({"upper"}),
    labels=frozenset({"upper"}),
    models=frozenset({"upper.place", "upper.view_place"}),
    namespaces=frozenset({"upper"}),
    accessors=frozenset({"places"}),
    query_names=frozenset({"places"}),
    statuses=frozenset({"enrolled", "waitlisted"}),
    choice_fields=frozenset({"status"}),
)


def synthetic(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / "lower" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def kinds_found(path: Path) -> dict[str, int]:
    scan = scan_template if path.suffix in {".html", ".txt"} else scan_python
    return {kind: len(found) for kind, found in scan(path, SYNTHETIC, path.parent.parent).items() if found}


@pytest.mark.parametrize(
    ("kind", "source", "count"),
    [
        ("import", "import upper.models\nfrom upper.services import place_create\n", 2),
        ("url_name", 'redirect("upper:place_detail")\nURL = reverse("upper:home")\nreverse(f"upper:{name}")\n', 3),
        ("template", 'render(request, "upper/place_detail.html", {})\nTEMPLATE = "upper/email/place.txt"\n', 2),
        (
            "app_label",
            'ForeignKey("upper.Place", on_delete=CASCADE)\napps.get_model("upper", "Place")\n'
            'apps.get_model("upper.Place")\nimport_module("upper.services")\nuser.has_perm("upper.view_place")\n',
            5,
        ),
        (
            "reverse_relation",
            "cohort.places.all()\nCohort.objects.filter(places__status=s)\nQ(places=p)\n"
            'qs.prefetch_related("places")\nCount("places__id")\n',
            5,
        ),
        (
            "status_literal",
            'x.filter(status="enrolled")\nif place.status == "waitlisted": pass\n'
            'PLACE_STATUSES = ("enrolled", "waitlisted")\nq(places__status__in=["enrolled"])\n{"status": "enrolled"}\n',
            6,
        ),
    ],
)
def test_the_scan_catches_each_kind_in_python(tmp_path: Path, kind: str, source: str, count: int) -> None:
    found = kinds_found(synthetic(tmp_path, "bad.py", source))
    assert found[kind] == count


@pytest.mark.parametrize(
    ("kind", "source", "count"),
    [
        ("url_name", '<a href="{% url \'upper:place_detail\' pk=1 %}">x</a>\n{% url "upper:home" as home %}\n', 2),
        ("template", '{% include "upper/partials/place.html" %}\n{% extends "upper/base.html" %}\n', 2),
        ("reverse_relation", "{% for place in cohort.places.all %}{{ place }}{% endfor %}\n", 1),
        ("status_literal", '{% if place.status == "waitlisted" %}on the list{% endif %}\n', 1),
    ],
)
def test_the_scan_catches_each_kind_in_templates(tmp_path: Path, kind: str, source: str, count: int) -> None:
    found = kinds_found(synthetic(tmp_path, "page.html", source))
    assert found[kind] == count


def test_the_scan_leaves_lawful_code_alone(tmp_path: Path) -> None:
    """Own and lower names, prose, and a higher status word outside a status context are not breaches."""
    clean = synthetic(
        tmp_path,
        "clean.py",
        '"""Places are made by ``upper.services`` (a docstring is prose)."""\n'
        "import lower.models\n"
        'redirect("lower:home")\n'
        'ForeignKey("lower.Cohort", on_delete=CASCADE)\n'
        'x.filter(status="planning", kind="enrolled")\n'
        'message = "enrolled"\n'
        "cohort.group_sessions.all()\n"
        'reverse("admin:index")\n'
        'render(request, "lower/page.html")\n'
        'message = "Sessions: upper/lower.html"\n'
        'event.add("status", "CONFIRMED")\n',
    )
    page = synthetic(
        tmp_path,
        "page.html",
        "{% url 'lower:home' %} {{ cohort.places_count }} {% if cohort.status == 'running' %}enrolled{% endif %}\n",
    )
    assert kinds_found(clean) == {}
    assert kinds_found(page) == {}


def test_the_scan_reads_app_files_from_both_template_homes(tmp_path: Path) -> None:
    (tmp_path / "lower").mkdir()
    (tmp_path / "lower" / "views.py").write_text("")
    (tmp_path / "templates" / "lower").mkdir(parents=True)
    (tmp_path / "templates" / "lower" / "page.html").write_text("")
    (tmp_path / "templates" / "upper").mkdir()
    (tmp_path / "templates" / "upper" / "page.html").write_text("")
    python, templates = app_files("lower", base=tmp_path, templates=tmp_path / "templates")
    assert [path.name for path in python] == ["views.py"]
    assert [path.relative_to(tmp_path).as_posix() for path in templates] == ["templates/lower/page.html"]
