"""The authorization matrix (issue 13, build 8): every named URL, as every role, answers what the product should.

``tests/privacy/authorization_matrix.csv`` holds one row per URL name and a column per role
(``tests.support.world.ROLES``); its header says how to read a cell. One test builds the whole world once
(``tests.support.world``), requests every URL as every role, and fails listing every cell that differs and
every URL name missing from the file (or named there and gone from the urlconf).

How each URL is asked (the rule):

- ``GET`` rows: a GET, as the role, signed in with ``force_login`` (anonymous: no session).
- ``POST`` rows are the POST-only addresses. The cell is what an *empty* POST answers: a refusal for anyone who
  may not act (sign in, 403, 404), and for one who may, the form again with its errors (200, 400) or a redirect
  (302: done, or refused with a message). The same URL is also asked with a GET, which must never show or do
  anything: it answers 405 or the same refusal (the role check may come before or after the method check).
- Every request runs in a savepoint that is rolled back, and the client's cookies are put back after it, so
  no request (an empty POST that did something, a sign-out) changes the world the next one sees.

Cells: ``200`` ``400`` ``404`` ``403`` ``405`` as such; ``302`` a redirect somewhere other than the sign-in
page; ``login`` a redirect to the sign-in page. Set ``STEADY_MATRIX_WRITE=<path>`` to write what the product
answers now in the file's format (to review, never to copy blindly: the file says what it *should* answer).
"""

from __future__ import annotations

import csv
import os
import time
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import transaction
from django.shortcuts import resolve_url
from django.test import Client

from tests.support.world import ROLES, World, build_world, resolve_all

pytestmark = [pytest.mark.privacy, pytest.mark.django_db]

MATRIX = Path(__file__).with_name("authorization_matrix.csv")
REFUSALS = {"login", "403", "404"}


class LeanClient(Client):
    """The test client without recording every template and context it renders (most of a request's time)."""

    def request(self, **request: Any) -> Any:
        return self.handler(self._base_environ(**request))


def read_matrix(path: Path = MATRIX) -> dict[str, tuple[str, dict[str, str]]]:
    """URL name -> (method, {role: expected cell}); lines starting with # are the header's notes."""
    lines = [line for line in path.read_text().splitlines() if line.strip() and not line.startswith("#")]
    rows = list(csv.reader(lines, skipinitialspace=True))
    header = [cell.strip() for cell in rows[0]]
    assert header == ["url name", "method", *ROLES], f"the matrix's columns must be: url name, method, {ROLES}"
    matrix = {}
    for row in rows[1:]:
        name, method, *cells = (cell.strip() for cell in row)
        assert name not in matrix, f"{name} is in the matrix twice"
        matrix[name] = (method, dict(zip(ROLES, cells, strict=True)))
    return matrix


def cell(response: Any) -> str:
    if response.status_code == 302:
        return "login" if response["Location"].startswith(resolve_url(django_settings.LOGIN_URL) + "?") else "302"
    return str(response.status_code)


def ask(client: Client, method: str, path: str) -> str:
    """One request inside a rolled-back savepoint, with the client's cookies put back afterwards."""
    cookies = client.cookies
    client.cookies = type(cookies)(cookies)
    try:
        with transaction.atomic():
            response = client.get(path) if method == "GET" else client.post(path, {})
            transaction.set_rollback(True)
    finally:
        client.cookies = cookies
    return cell(response)


def clients_for(world: World) -> dict[str, Client]:
    clients = {}
    for role in ROLES:
        client = LeanClient(raise_request_exception=False)
        if world.people[role] is not None:
            client.force_login(world.people[role])
        clients[role] = client
    return clients


def write_matrix(path: Path, answers: dict[str, tuple[str, dict[str, str]]]) -> None:
    width = max(len(name) for name in answers) + 1
    lines = [", ".join([f"{'url name':<{width - 1}}", "method", *ROLES])]
    for name in sorted(answers):
        method, cells = answers[name]
        row = [f"{name:<{width - 1}}", f"{method:<6}", *(f"{cells[role]:<{len(role)}}" for role in ROLES)]
        lines.append(", ".join(row).rstrip())
    path.write_text("\n".join(lines) + "\n")


def test_every_url_answers_every_role_as_the_matrix_says(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    started = time.monotonic()
    matrix = read_matrix()
    world = build_world()
    paths = resolve_all(world)
    clients = clients_for(world)
    differences, answers = [], {}
    with world.clock():
        for name, path in paths.items():
            method = matrix[name][0] if name in matrix else "GET"
            got = {role: ask(clients[role], method, path) for role in ROLES}
            if name not in matrix and "405" in got.values():  # a new POST-only URL: show its POST answers
                method, got = "POST", {role: ask(clients[role], "POST", path) for role in ROLES}
            answers[name] = (method, got)
            if name not in matrix:
                continue
            expected = matrix[name][1]
            differences += [
                f"{name} {method} as {role}: expected {expected[role]}, got {got[role]}"
                for role in ROLES
                if got[role] != expected[role]
            ]
            if method == "POST":
                for role in ROLES:
                    get_answer = ask(clients[role], "GET", path)
                    if get_answer != "405" and not (get_answer in REFUSALS and get_answer == expected[role]):
                        differences.append(f"{name} GET (POST-only) as {role}: got {get_answer}")
    if target := os.environ.get("STEADY_MATRIX_WRITE"):
        write_matrix(Path(target), answers)
    missing = sorted(set(paths) - set(matrix))
    gone = sorted(set(matrix) - set(paths))
    checked = len(set(paths) & set(matrix))
    print(
        f"\nAuthorization matrix: {checked} URL names x {len(ROLES)} roles = {checked * len(ROLES)} cells checked "
        f"in {time.monotonic() - started:.1f} s"
    )
    problems = differences
    if missing:
        problems.append("URL names missing from authorization_matrix.csv: " + ", ".join(missing))
    if gone:
        problems.append("URL names in authorization_matrix.csv that no longer exist: " + ", ".join(gone))
    assert not problems, f"{len(problems)} differences from the matrix:\n" + "\n".join(problems)
