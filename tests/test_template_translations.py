"""The templates' ``_`` and ``ngettext`` translate as Flask-Babel's do, in the request's
language, with the translations looked up once for each template rendered."""

import pytest
from flask import render_template_string

from intranet import i18n

PAGE = (
    "{{ _('Resident') }}|{{ ngettext('%(count)s day', '%(count)s days', 3, count=3) }}"
    "|{{ _('<b>%(name)s</b>', name='<i>') }}"
)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("sv", "Boende|3 dagar|<b>&lt;i&gt;</b>"),
        ("en", "Resident|3 days|<b>&lt;i&gt;</b>"),
    ],
)
def test_a_template_speaks_the_requests_language(app, language, expected):
    with app.test_request_context(headers={"Accept-Language": language}):
        assert render_template_string(PAGE) == expected


def test_the_translations_are_looked_up_once_a_template(app, monkeypatch):
    looked_up = []
    original = i18n.get_translations

    def counted():
        looked_up.append(1)
        return original()

    monkeypatch.setattr(i18n, "get_translations", counted)
    with app.test_request_context(headers={"Accept-Language": "sv"}):
        page = render_template_string("{% for i in range(50) %}{{ _('Resident') }}{% endfor %}")
    assert page == "Boende" * 50
    assert len(looked_up) == 1
