"""Every download writes text that a spreadsheet would take for a formula as text."""

import csv
import io

import openpyxl
import pytest
from conftest import login
from security_world import build, fill_text, rules_of, urls

from intranet.models import Role

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@pytest.mark.parametrize("formula", ['=HYPERLINK("http://evil.example","x")', "@SUM(1+1)*cmd"])
def test_every_download_writes_formulas_as_text(app, make_user, make_landlord, formula):
    with app.app_context():
        world = build(make_user, make_landlord)
        fill_text(formula)
    client = app.test_client()
    login(client, world.users[Role.MANAGER])
    downloads = [
        url
        for rule in rules_of(app)
        if "GET" in rule.methods
        for _variant, url in urls(app, world, rule)
        if url.split("?")[0].endswith((".csv", ".xlsx"))
    ]
    assert len(downloads) >= 9
    unsafe, escaped = [], set()
    for url in downloads:
        response = client.get(url)
        assert response.status_code == 200, url
        for value in _cells(response):
            if isinstance(value, str) and value.startswith("'" + formula[:5]):
                escaped.add(url.split("?")[0])
            if isinstance(value, str) and value.startswith(FORMULA_STARTS):
                unsafe.append((url, value))
    assert not unsafe, "\n".join(map(str, unsafe[:20]))
    # The text reached the downloads that show names, as text.
    assert len(escaped) >= 5, escaped


def _cells(response):
    data = response.get_data()
    if data[:2] == b"PK":
        book = openpyxl.load_workbook(io.BytesIO(data))
        for sheet in book.worksheets:
            for row in sheet.iter_rows(values_only=True):
                yield from row
    else:
        for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))):
            yield from row
