"""Catalog exports are safe to open: text a spreadsheet would run as a formula is written as text.

Covers ``manage.py export_catalog`` (xlsx and CSV) and the admin's export button (django-import-export).
"""

import csv
import io
import zipfile

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse
from import_export.mixins import BaseExportMixin, BaseImportMixin
from openpyxl import load_workbook

from xinyipi.catalog.services import matter_create
from xinyipi.catalog.tests.factories import material_data, matter_data
from xinyipi.core.admin_formats import SAFE_FORMATS

pytestmark = pytest.mark.django_db

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
NAME = '=HYPERLINK("http://127.0.0.1/","点此")'
LEGAL_BASIS = "+1+cmd|' /C calc'!A0"
CONSULT_PHONE = "-2+3"
MATERIAL_NAME = "@SUM(1,2)"


@pytest.fixture
def hostile_matter(department, bureau_admin):
    return matter_create(
        actor=bureau_admin,
        data=matter_data(department, name=NAME, legal_basis=LEGAL_BASIS, consult_phone=CONSULT_PHONE),
        materials=[material_data("001", name=MATERIAL_NAME)],
    )


def _xlsx_cells(content):
    book = load_workbook(io.BytesIO(content) if isinstance(content, bytes) else content)
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def _assert_xlsx_safe(cells, expected):
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = {c.value for c in cells if isinstance(c.value, str)}
    assert expected <= texts  # kept as written, typed as text


def _assert_csv_safe(text, expected):
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert not [c for c in cells if c.startswith(TRIGGERS)]
    assert {"'" + v for v in expected} <= set(cells)


def test_export_catalog_xlsx_writes_formula_like_text_as_text(tmp_path, hostile_matter):
    target = tmp_path / "catalog.xlsx"
    call_command("export_catalog", str(target), stdout=io.StringIO())
    _assert_xlsx_safe(_xlsx_cells(target), {NAME, LEGAL_BASIS, CONSULT_PHONE, MATERIAL_NAME})


def test_export_catalog_csv_prefixes_a_quote_to_formula_like_text(tmp_path, hostile_matter):
    target = tmp_path / "catalog.zip"
    call_command("export_catalog", str(target), stdout=io.StringIO())
    with zipfile.ZipFile(target) as archive:
        text = "".join(archive.read(name).decode("utf-8-sig") for name in archive.namelist())
    _assert_csv_safe(text, {NAME, LEGAL_BASIS, CONSULT_PHONE, MATERIAL_NAME})


def _admin_export(client, url_name, resource_prefix, fields, file_format):
    data = {"format": str(file_format), "resource": "0"}
    data.update({f"{resource_prefix}_{name}": "on" for name in fields})
    response = client.post(reverse(url_name), data)
    assert response.status_code == 200, response.content[:500]
    return response.content


@pytest.mark.parametrize(
    ("url_name", "prefix", "fields", "expected"),
    [
        (
            "admin:catalog_matter_export",
            "matterresource",
            ["code", "name", "legal_basis", "consult_phone"],
            {NAME, LEGAL_BASIS, CONSULT_PHONE},
        ),
        ("admin:catalog_material_export", "materialresource", ["matter", "code", "name"], {MATERIAL_NAME}),
    ],
)
def test_admin_export_writes_formula_like_text_as_text(
    client, bureau_admin, hostile_matter, url_name, prefix, fields, expected
):
    client.force_login(bureau_admin)
    csv_content = _admin_export(client, url_name, prefix, fields, 0)
    _assert_csv_safe(csv_content.decode("utf-8-sig"), expected)
    xlsx_content = _admin_export(client, url_name, prefix, fields, 1)
    _assert_xlsx_safe(_xlsx_cells(xlsx_content), expected)


def test_admin_csv_export_then_import_finds_the_matter_unchanged(client, bureau_admin, hostile_matter):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(bureau_admin)
    fields = ["code", "name", "department", "legal_basis", "statutory_days", "promised_days", "consult_phone"]
    content = _admin_export(client, "admin:catalog_matter_export", "matterresource", fields, 0)
    upload = SimpleUploadedFile("m.csv", content, content_type="text/csv")
    response = client.post(
        reverse("admin:catalog_matter_import"), {"import_file": upload, "format": "0", "resource": "0"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    # The dry run finds the row unchanged (skipped): every quote the export added was taken off again.
    assert page.count('<tr class="skip">') == 1
    assert '<tr class="update">' not in page and "errorlist" not in page


def test_every_admin_import_export_offers_only_the_safe_formats():
    offending = {}
    for model, model_admin in admin.site._registry.items():
        offered = []
        if isinstance(model_admin, BaseExportMixin):
            offered += model_admin.get_export_formats()
        if isinstance(model_admin, BaseImportMixin):
            offered += model_admin.get_import_formats()
        unsafe = [f.__name__ for f in offered if f not in SAFE_FORMATS]
        if unsafe:
            offending[model._meta.label] = unsafe
    assert offending == {}
