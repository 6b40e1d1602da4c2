"""The yearly report: the page, its print view, its .xlsx and the records behind a figure."""

from flask import abort, render_template, request
from flask_login import current_user

from .. import clock, exports, paging
from ..audit.services import audited
from ..models import Role
from ..security import roles_required
from . import bp, year

READERS = (Role.MANAGER, Role.STAFF)


def _year_or_message():
    """The year in the address, or the message saying what is wrong with it."""
    try:
        return year.check_year(request.args.get("year"), clock.today()), None
    except year.YearError as error:
        return None, str(error)


def _bad_year(message: str, template: str = "reports/year.html"):
    return render_template(template, report=None, message=message, today=clock.today()), 400


@bp.route("/year")
@roles_required(*READERS)
@audited("yearly report")
def year_page():
    number, message = _year_or_message()
    if message:
        return _bad_year(message)
    report = year.kept_report(number, current_user._get_current_object())
    return render_template("reports/year.html", report=report, today=clock.today())


@bp.route("/year/print")
@roles_required(*READERS)
@audited("yearly report, print")
def year_print():
    number, message = _year_or_message()
    if message:
        return _bad_year(message)
    report = year.kept_report(number, current_user._get_current_object())
    return render_template("reports/year_print.html", report=report, today=clock.today())


@bp.route("/year.xlsx")
@roles_required(*READERS)
@audited("yearly report .xlsx")
def year_xlsx():
    number, message = _year_or_message()
    if message:
        return _bad_year(message)
    report = year.kept_report(number, current_user._get_current_object())
    return exports.xlsx_response(f"verksamhetsberattelse-{number}.xlsx", year.sheets(report))


@bp.route("/year/records")
@roles_required(*READERS)
@audited("yearly report records")
def year_records():
    number, message = _year_or_message()
    if message:
        return _bad_year(message)
    number_of_page = paging.page_number()
    report = year.kept_report(number, current_user._get_current_object())
    figure, part = request.args.get("figure", ""), request.args.get("part")
    records = year.records_for(report, figure, part, clock.today())
    if records is None:
        abort(404)
    return render_template(
        "reports/records.html",
        report=report,
        title=year.figure_title(report, figure, part),
        records=records,
        page=paging.page_of(records.rows, number_of_page),
        params={"year": report.year, "figure": figure, "part": part},
    )
