"""The printed rent notices and the 1st's reminder letters, one A4 page a resident, and
"Reminders sent", which logs the reminders for everyone at once."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import clock, paging
from ..audit.services import audited
from ..errors import bad_request
from ..forms import DAMAGED
from ..models import Role, Tenancy
from ..security import roles_required
from . import board, bp, notices, rules, services
from .forms import PrintFilterForm, RemindersSentForm

READERS = (Role.MANAGER, Role.STAFF)


def _month_asked(text: str | None):
    """The month in the address (this month without one), or None when it is not a month."""
    return rules.parse_month(text) if text else rules.month_of(clock.today())


def _filter_form():
    """The print page's filters from the address, and the month (None when not valid)."""
    form = PrintFilterForm(formdata=request.args or None, contacts=list(Tenancy.contact_people()))
    valid = form.validate() if request.args else True
    month = _month_asked(form.month.data)
    if month is None:
        form.month.errors = [_("Give the month as YYYY-MM, for example 2027-03.")]
    elif not form.month.data:
        form.month.data = f"{month:%Y-%m}"
    return form, (month if valid else None)


def _missing(month) -> str | None:
    """Why there is nothing to print for the month, or None."""
    if not notices.sender()["bankgiro"]:
        return _(
            "The unit's bankgiro number is not set, so no notice or reminder can be printed. "
            "The administrator sets it as INTRANET_BANKGIRO."
        )
    if not notices.month_is_open(month):
        return _(
            "%(month)s is not open yet: its rents are made when the month opens (on the "
            "rent board).",
            month=month.strftime("%Y-%m"),
        )
    return None


def _context(month, **more) -> dict:
    return {
        "month": month,
        "today": clock.today(),
        "sender": notices.sender(),
        "letters": [],
        "page": None,
        **more,
    }


def _month_letters(template: str, filters_for):
    """The print page of the month's letters, for everyone or one contact person's
    residents, ``notices.PRINT_PAGE_SIZE`` a page with the counts over all."""
    form, month = _filter_form()
    if month is None:
        return render_template(template, **_context(None, form=form)), 400
    message = _missing(month)
    if message:
        return render_template(template, **_context(month, form=form, message=message))
    size, number, today = notices.PRINT_PAGE_SIZE, paging.page_number(), clock.today()
    filters = filters_for(form.contact.data or None)
    rows = notices.letters(month, today, filters, size, (number - 1) * size)
    page = paging.Page(rows, number, size, board.month_count(month, today, filters))
    return render_template(template, **_context(month, form=form, letters=rows, page=page))


@bp.route("/notices")
@roles_required(*READERS)
@audited("rent notices, print")
def notices_print():
    return _month_letters(
        "rent/notices_print.html", lambda contact: board.BoardFilters(contact=contact)
    )


@bp.route("/reminders")
@roles_required(*READERS)
@audited("rent reminders, print")
def reminders_print():
    return _month_letters("rent/reminders_print.html", notices.reminders_due)


def resident_notice(tenancy, month_text: str | None):
    """One resident's rent notice for the month asked (the residents' area serves it,
    beside their rent page): the page and its status."""
    month = _month_asked(month_text)
    if month is None:
        message = _("Give the month as YYYY-MM, for example 2027-03.")
        return _one_notice(tenancy, None, message=message), 400
    message = _missing(month)
    if message:
        return _one_notice(tenancy, month, message=message), 200
    rows = notices.letters(month, clock.today(), board.BoardFilters(tenancy_id=tenancy.id))
    if not rows:
        message = _(
            "No rent is charged to this resident for %(month)s.", month=month.strftime("%Y-%m")
        )
    return _one_notice(tenancy, month, letters=rows, message=message), 200


def _one_notice(tenancy, month, **more):
    return render_template("rent/notices_print.html", **_context(month, tenancy=tenancy, **more))


@bp.route("/months/<month>/reminders-sent", methods=["POST"])
@roles_required(*READERS)
def reminders_sent(month):
    parsed = rules.parse_month(month)
    if parsed is None:
        abort(404)
    form = RemindersSentForm()
    if not form.validate_on_submit():
        return bad_request(str(DAMAGED))
    contact = form.contact.data
    try:
        logged = notices.mark_reminders_sent(parsed, current_user, contact)
    except services.RentError as error:
        return bad_request(error.message)
    flash(_("Reminders logged as sent: %(n)s.", n=logged), "success")
    if form.back.data == "board":
        return redirect(url_for("rent.board", month=month), 303)
    return redirect(url_for("rent.reminders_print", month=month, contact=contact or None), 303)
