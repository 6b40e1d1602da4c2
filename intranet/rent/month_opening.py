"""Opening a month on the board: until the month is opened (by the nightly command, the
month's first write or this button), the board lists who it will charge, without writing."""

import datetime as dt

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _

from .. import clock, paging
from ..models import Role
from ..security import roles_required
from . import bp, rules, services
from .forms import OpenMonthForm

READERS = (Role.MANAGER, Role.STAFF)


def unopened(month, today):
    """The residents a month up to this one has not charged yet, read without writing."""
    if month > next_month(today):
        return (0, [])
    return services.unopened_rows(month, paging.PAGE_SIZE)


def next_month(today):
    """Next month can be opened early: its rent notices go out before it starts."""
    return rules.last_day(today) + dt.timedelta(days=1)


@bp.route("/months/<month>/open", methods=["POST"])
@roles_required(*READERS)
def open_month(month):
    parsed = rules.parse_month(month)
    if parsed is None or parsed > next_month(clock.today()):
        abort(404)
    form = OpenMonthForm()
    if form.validate_on_submit():
        services.open_month(parsed)
        flash(_("%(month)s is open: every resident has the month's rent.", month=month), "success")
    else:
        flash(_("The form had expired. Reload the page and send it again."), "error")
    return redirect(url_for("rent.board", month=parsed.strftime("%Y-%m")), 303)
