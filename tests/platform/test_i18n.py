"""Chinese first, English available — on the server too.

The English catalogue (locale/en/LC_MESSAGES/django.po) must hold every gettext string of the source
with a translation, the committed .mo must be the compiled .po (a fresh machine runs without gettext
tools), and a client asking for English (Accept-Language: en) gets English errors and enum labels
while the default stays Chinese. `./wuye messages` refreshes the catalogue and lists what is missing.
"""

from __future__ import annotations

import ast
import gettext
import io
import re
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "locale"
PO = LOCALE / "en" / "LC_MESSAGES" / "django.po"
MO = LOCALE / "en" / "LC_MESSAGES" / "django.mo"
# What makemessages leaves out: the faces have their own catalogues; tests are not user-visible.
IGNORED = [".venv/*", "node_modules/*", "frontend/*", "miniprogram/*", "tests/*", "locale/*"]
SKIPPED_TOP_LEVEL = {"locale", "node_modules", "frontend", "miniprogram", "tests"}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|%%|\{[\w:]*\}")

_FIELD = re.compile(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) (".*")$')


def parse_po(path: Path) -> list[dict]:
    """The entries of a .po file (header excluded): msgid, msgid_plural, msgstr / msgstr[n], flags."""
    entries: list[dict] = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry: dict = {"flags": set()}
        current = None
        for line in block.strip("\n").splitlines():
            if line.startswith("#,"):
                entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#~"):
                entry["obsolete"] = True
            elif (match := _FIELD.match(line)) is not None:
                current = match.group(1)
                entry[current] = ast.literal_eval(match.group(2))
            elif line.startswith('"') and current:
                entry[current] += ast.literal_eval(line)
        if entry.get("msgid") and not entry.get("obsolete"):
            entries.append(entry)
    return entries


def _key(entry: dict) -> str:
    return f"{entry['msgctxt']}\x04{entry['msgid']}" if "msgctxt" in entry else entry["msgid"]


def _translations(entry: dict) -> list[str]:
    return [value for field, value in sorted(entry.items()) if field.startswith("msgstr")]


def test_every_entry_is_translated_keeping_its_placeholders():
    entries = parse_po(PO)
    assert len(entries) > 500
    problems = []
    for entry in entries:
        if "fuzzy" in entry["flags"]:
            problems.append(f"fuzzy: {entry['msgid']}")
        for text in _translations(entry):
            if not text.strip():
                problems.append(f"untranslated: {entry['msgid']}")
            elif sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(entry["msgid"])):
                problems.append(f"placeholders differ: {entry['msgid']!r} → {text!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext tools (xgettext) are not installed")
def test_the_catalogue_holds_every_string_of_the_source(tmp_path, monkeypatch, settings):
    """makemessages into a copy of the catalogue: nothing new may appear (run ./wuye messages)."""
    # makemessages writes into the locale folder above each source file: run it in a mirror of the
    # tree (symlinks to the sources, a copy of locale/) so the committed catalogue stays untouched.
    mirror = tmp_path / "tree"
    mirror.mkdir()
    for entry in ROOT.iterdir():
        if entry.name not in SKIPPED_TOP_LEVEL and not entry.name.startswith("."):
            (mirror / entry.name).symlink_to(entry)
    shutil.copytree(LOCALE, mirror / "locale")
    settings.LOCALE_PATHS = [mirror / "locale"]
    monkeypatch.chdir(mirror)
    call_command("makemessages", locale=["en"], no_location=True, symlinks=True, ignore_patterns=IGNORED, verbosity=0)
    committed = {_key(e) for e in parse_po(PO)}
    fresh = parse_po(mirror / "locale" / "en" / "LC_MESSAGES" / "django.po")
    missing = [e["msgid"] for e in fresh if _key(e) not in committed]
    assert not missing, "Strings without English (run ./wuye messages, translate, commit .po and .mo):\n" + "\n".join(
        missing
    )
    stale = committed - {_key(e) for e in fresh}
    assert not stale, "Entries no longer in the source (run ./wuye messages):\n" + "\n".join(sorted(stale))


def test_the_compiled_catalogue_matches_the_po():
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    catalog = compiled._catalog
    expected: dict = {}
    for entry in parse_po(PO):
        key = _key(entry)
        if "msgid_plural" in entry:
            for field, value in entry.items():
                if field.startswith("msgstr["):
                    expected[(key, int(field[7:-1]))] = value
        else:
            expected[key] = entry["msgstr"]
    actual = {k: v for k, v in catalog.items() if k != ""}
    assert actual == expected, "locale/en/LC_MESSAGES/django.mo is stale: run ./wuye messages"


# Behaviour: the same requests answer in Chinese by default and in English when asked.


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("headers", "message"),
    [({}, "用户名或密码错误。"), ({"HTTP_ACCEPT_LANGUAGE": "en"}, "Incorrect username or password.")],
)
def test_a_login_error_speaks_the_clients_language(client_for, company_a, headers, message):
    response = client_for(company_a).post(
        "/api/v1/auth/login/", {"username": "cashier", "password": "nope"}, format="json", **headers
    )
    assert response.status_code == 401
    assert response.json()["message"] == message


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "已有同名的收费项目。"),
        ({"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9"}, "已有同名的收费项目。"),
        ({"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}, "A charge item with this name already exists."),
    ],
)
def test_a_billing_validation_error_speaks_the_clients_language(client_for, company_a, headers, message):
    admin = client_for(company_a, "admin")
    body = {"name": "物业费", "kind": "property", "mode": "building_area", "valid_from": "2025-01-01"}
    body["price"] = {"unit_price": "2.5"}
    assert admin.post("/api/v1/fee-items/", body, format="json").status_code == 201
    response = admin.post("/api/v1/fee-items/", body, format="json", **headers)
    assert response.status_code == 400
    assert message in response.json()["fields"]["name"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("headers", "header", "label"),
    [({}, "角色", "公司管理员"), ({"HTTP_ACCEPT_LANGUAGE": "en"}, "Role", "Company administrator")],
)
def test_enum_labels_and_column_titles_speak_the_clients_language(client_for, company_a, headers, header, label):
    response = client_for(company_a, "admin").get("/api/v1/users/?format=xlsx", **headers)
    assert response.status_code == 200, response.content
    rows = [list(row) for row in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)]
    assert header in rows[0]
    column = rows[0].index(header)
    assert label in [row[column] for row in rows[1:]]
