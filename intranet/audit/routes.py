"""The manager's audit log."""

from flask import request

from .. import paging
from ..models import Role
from ..rendering import render
from ..security import roles_required
from . import bp, services
from .forms import AuditFilterForm


@bp.route("/")
@roles_required(Role.MANAGER)
@services.audited("audit log")
def index():
    form = AuditFilterForm(formdata=request.args or None, users=services.users())
    valid = not request.args or form.validate()
    filters = services.LogFilters()
    if valid:
        filters = services.LogFilters(
            form.person.data, form.user.data or None, form.since.data, form.until.data
        )
    page = paging.paginate(services.events(filters), paging.page_number())
    return render(
        "audit/index.html", block="events", status=200 if valid else 400, form=form, page=page
    )
