"""The residents' pages: the list, a resident with notice and move-out, their rent, outcomes."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import clock, exports, paging
from ..audit.services import audited
from ..formatting import format_money
from ..models import AuditEvent, Refused, RentCharge, Role, Tenancy
from ..referrals.services import may_open, may_see_person
from ..rendering import render
from ..rent import print_routes, rules
from ..rent import services as rent_services
from ..security import PUBLIC, policy_of, roles_required
from . import bp, history, services
from .forms import (
    CREDIT,
    CommissionerNoticeForm,
    MoveMoneyForm,
    MoveOutForm,
    NoticeForm,
    PlanForm,
    RentMoneyForm,
    ResidentFilterForm,
)

READERS = (Role.MANAGER, Role.STAFF)
# Sections other areas add to the resident's page (the road to a home of one's own): each a
# function of the tenancy and the page's forms that returns its template, its context and
# whether it showed notes about the person. Areas that build on residents register here,
# so that residents never imports them.
SECTIONS: list = []


def _tenancy_or_404(tenancy_id: int) -> Tenancy:
    """The tenancy with its people; 404 if there is none, 403 if the person's record is
    protected from the one asking."""
    tenancy = services.tenancy_with_people(tenancy_id)
    if tenancy is None:
        abort(404)
    if not may_see_person(tenancy.referral, current_user, [tenancy.contact_person_id]):
        abort(403)
    return tenancy


def _may_visit(endpoint: str) -> bool:
    """Whether the one asking may open ``endpoint``'s pages, by the same declaration that
    lets them in or not."""
    policy = policy_of(endpoint)
    return policy == PUBLIC or current_user.role in (policy or ())


def _links(tenancy) -> dict:
    """The resident's referral and flat, each only where the one asking may open it."""
    return {
        "may_open_referral": _may_visit("referrals.detail")
        and may_open(tenancy.referral, current_user),
        "may_open_flat": _may_visit("flats.detail"),
    }


def _filtered():
    """The list's filter from the address ((contact person id, part of a name), none when
    it was not valid), and whether it was valid (a bad one is not applied)."""
    form = ResidentFilterForm(formdata=request.args if request.args else None)
    valid = not request.args or form.validate()
    return form, form.contact_filter() if valid else (None, None), valid


@bp.route("/contact-names")
@roles_required(*READERS)
def contact_names_list():
    """The contact-person box's suggestions as one types: at most 20 names, as options."""
    text = request.args.get("contact_name", "")[:100]
    names = [user.display_name for user in Tenancy.contact_people_named(text)]
    return render_template("_name_options.html", names=names)


@bp.route("/")
@roles_required(*READERS)
@audited("residents list")
def index():
    form, (contact, contact_name), valid = _filtered()
    query = services.current_residents(contact, contact_name)
    page = paging.paginate(query, paging.page_number())
    past_end = page.number > page.pages
    params = {"contact": contact, "contact_name": contact_name}
    context = {
        "page": page,
        "form": form,
        "params": {key: value for key, value in params.items() if value},
        "chosen_contact": form.chosen_contact() if valid else None,
        "past_end": past_end,
    }
    status = 400 if not valid else 404 if past_end else 200
    return render_template("residents/index.html", **context), status


@bp.route("/export.<fmt>")
@roles_required(*READERS)
def export(fmt):
    _form, (contact, contact_name), valid = _filtered()
    if fmt not in exports.FORMATS or not valid:
        abort(404 if fmt not in exports.FORMATS else 400)
    AuditEvent.record(current_user, "exported", "residents", None, f"residents list {fmt}")
    rows = services.current_residents(contact, contact_name)
    header, table = services.residents_table(rows, current_user)
    return exports.download(fmt, "boende", _("Residents"), header, table)


@bp.route("/outcomes")
@roles_required(*READERS)
def outcomes():
    return render_template("residents/outcomes.html", report=services.outcome_report())


def _detail_page(tenancy, status=200, **forms):
    number = paging.page_number("history") if request.method == "GET" else 1
    steps = history.resident_history(tenancy.referral, current_user, number)
    sections = [section(tenancy, forms) for section in SECTIONS]
    # One line a view; it says when notes were on the page, and which page of the history.
    read = steps.notes_shown or any(section.notes_shown for section in sections)
    detail = "resident page, notes read" if read else "resident page"
    if number > 1:
        detail += f", history page {number}"
    AuditEvent.record(current_user, "opened", "referral", tenancy.referral_id, detail)
    context = {
        "tenancy": tenancy,
        "history": steps,
        **_links(tenancy),
        "section_templates": [section.template for section in sections],
        "notice_form": forms.get("notice_form") or NoticeForm(formdata=None),
        "move_out_form": forms.get("move_out_form") or MoveOutForm(formdata=None),
    }
    for section in sections:
        context.update(section.context)
    # The history's older and newer entries come as a fragment to htmx; a form never does.
    block = "history" if request.method == "GET" else None
    return render("residents/detail.html", block=block, status=status, **context)


@bp.route("/<int:tenancy_id>")
@roles_required(*READERS)
def detail(tenancy_id):
    return _detail_page(_tenancy_or_404(tenancy_id))


@bp.route("/<int:tenancy_id>/notice", methods=["POST"])
@roles_required(*READERS)
def notice(tenancy_id):
    tenancy = _tenancy_or_404(tenancy_id)
    form = NoticeForm()
    if form.validate_on_submit():
        try:
            services.give_notice(tenancy.id, form.move_out_date.data)
        except Refused as error:
            form.move_out_date.errors.append(error.message)
        else:
            flash(_("The move-out date is set; the flat shows on the matching page."), "success")
            return redirect(url_for("residents.detail", tenancy_id=tenancy.id), 303)
    return _detail_page(tenancy, 422, notice_form=form)


@bp.route("/<int:tenancy_id>/move-out", methods=["POST"])
@roles_required(*READERS)
def move_out(tenancy_id):
    tenancy = _tenancy_or_404(tenancy_id)
    form = MoveOutForm()
    if form.validate_on_submit():
        try:
            services.move_out(
                tenancy.id,
                form.end_date.data,
                form.outcome.data,
                form.note.data or "",
                current_user,
            )
        except Refused as error:
            form.end_date.errors.append(error.message)
        else:
            flash(_("Moved out. The flat goes to move-out inspection."), "success")
            return redirect(url_for("residents.detail", tenancy_id=tenancy.id), 303)
    return _detail_page(tenancy, 422, move_out_form=form)


def _rent_page(tenancy, status=200, **forms):
    today = clock.today()
    page = rent_services.resident_rent(tenancy.id, today)
    plans, unpaid = page["plans"], page["unpaid"]
    notes_readable = history.may_read_notes(tenancy.referral, current_user)
    read = notes_readable and any(item["plan"].note for item in plans)
    detail = "rent page, notes read" if read else "rent page"
    AuditEvent.record(current_user, "opened", "referral", tenancy.referral_id, detail)
    text = rent_services.notice_text(
        tenancy, rules.month_of(today), unpaid, plans[0]["plan"] if plans else None
    )
    move_form = forms.get("move_form") or MoveMoneyForm(formdata=None)
    _move_choices(move_form, page)
    plan_form = forms.get("plan_form") or PlanForm(
        formdata=None, months=[r.charge.id for r in page["plannable"]]
    )
    _plannable_choices(plan_form, page["plannable"])
    context = {
        "tenancy": tenancy,
        "today": today,
        **page,
        "plan_form": plan_form,
        "move_form": move_form,
        "may_move_money": current_user.role == Role.MANAGER,
        "notes_readable": notes_readable,
        **_links(tenancy),
        "notice_form": forms.get("notice_form")
        or CommissionerNoticeForm(formdata=None, sent_on=today, text=text),
        "money_form": forms.get("money_form")
        or RentMoneyForm(formdata=None, paid_on=today, amount=tenancy.rent),
    }
    return render_template("residents/rent.html", **context), status


def _plannable_choices(form, rows) -> None:
    """The months a new plan may take over, each with what it owes."""
    form.months.choices = [
        (r.charge.id, f"{r.charge.month:%Y-%m}: {format_money(r.balance)}") for r in rows
    ]


def _move_choices(form, page) -> None:
    """Where money can be moved from (months holding money, the credit) and to (months
    that owe, the credit), each with its amount."""
    every, credit = page["every"], page["credit"]
    credit_choice = (CREDIT, _("Credit (%(amount)s)", amount=format_money(credit)))
    form.from_month.choices = [
        (str(r.charge.id), f"{r.charge.month:%Y-%m}: {format_money(r.paid)}")
        for r in every
        if r.paid > 0
    ] + ([credit_choice] if credit > 0 else [])
    form.to_month.choices = [
        (
            str(r.charge.id),
            _(
                "%(month)s: owes %(amount)s",
                month=f"{r.charge.month:%Y-%m}",
                amount=format_money(r.balance),
            ),
        )
        for r in every
        if r.balance > 0
    ] + [credit_choice]


def _to_rent_page(tenancy_id: int, message: str):
    flash(message, "success")
    return redirect(url_for("residents.rent", tenancy_id=tenancy_id), 303)


@bp.route("/<int:tenancy_id>/rent")
@roles_required(*READERS)
def rent(tenancy_id):
    return _rent_page(_tenancy_or_404(tenancy_id))


@bp.route("/<int:tenancy_id>/rent/plans", methods=["POST"])
@roles_required(*READERS)
def create_plan(tenancy_id):
    tenancy = _tenancy_or_404(tenancy_id)
    form = PlanForm()
    _plannable_choices(form, rent_services.resident_rent(tenancy.id, clock.today())["plannable"])
    if form.validate_on_submit():
        try:
            rent_services.create_plan(
                tenancy.id, current_user, form.months.data, form.parsed(), form.note.data or ""
            )
        except ValueError as line:
            form.instalments.errors.append(
                _("Line %(line)s is not a date and an amount.", line=line.args[0])
            )
        except rent_services.RentError as error:
            getattr(form, error.field_name or "instalments").errors.append(error.message)
        else:
            return _to_rent_page(tenancy.id, _("The repayment plan is saved."))
    return _rent_page(tenancy, 422, plan_form=form)


@bp.route("/<int:tenancy_id>/rent/moves", methods=["POST"])
@roles_required(Role.MANAGER)
def move_money(tenancy_id):
    tenancy = _tenancy_or_404(tenancy_id)
    form = MoveMoneyForm()
    _move_choices(form, rent_services.resident_rent(tenancy.id, clock.today()))
    if form.validate_on_submit():
        try:
            words = rent_services.move_money(
                tenancy.id,
                current_user,
                form.charge_of(form.from_month),
                form.charge_of(form.to_month),
                form.amount.data,
                form.reason.data,
            )
        except rent_services.RentError as error:
            getattr(form, error.field_name or "amount").errors.append(error.message)
        else:
            return _to_rent_page(tenancy.id, words)
    return _rent_page(tenancy, 422, move_form=form)


@bp.route("/<int:tenancy_id>/rent/notice")
@roles_required(*READERS)
@audited("rent notice, print", tenancy_arg="tenancy_id")
def rent_notice(tenancy_id):
    return print_routes.resident_notice(_tenancy_or_404(tenancy_id), request.args.get("month"))


@bp.route("/<int:tenancy_id>/rent/notices", methods=["POST"])
@roles_required(*READERS)
def record_notice(tenancy_id):
    tenancy = _tenancy_or_404(tenancy_id)
    form = CommissionerNoticeForm()
    if form.validate_on_submit():
        try:
            rent_services.record_notice(
                tenancy.id,
                rules.month_of(clock.today()),
                form.text.data,
                form.sent_on.data,
                current_user,
            )
        except rent_services.RentError as error:
            target = getattr(form, error.field_name or "", None)
            (target.errors if target is not None else form.form_errors).append(error.message)
        else:
            return _to_rent_page(
                tenancy.id, _("The notice to the commissioner is recorded as sent.")
            )
    return _rent_page(tenancy, 422, notice_form=form)


@bp.route("/<int:tenancy_id>/rent/charges/<int:charge_id>/rent-money", methods=["POST"])
@roles_required(*READERS)
def rent_money(tenancy_id, charge_id):
    tenancy = _tenancy_or_404(tenancy_id)
    charge = RentCharge.get_or_none(
        (RentCharge.id == charge_id) & (RentCharge.tenancy == tenancy.id)
    )
    if charge is None:
        abort(404)
    form = RentMoneyForm()
    if form.validate_on_submit():
        try:
            rent_services.record_rent_money(
                charge.id, current_user, form.paid_on.data, form.amount.data
            )
        except rent_services.RentError as error:
            getattr(form, error.field_name or "amount").errors.append(error.message)
        else:
            return _to_rent_page(tenancy.id, _("The rent money paid to the resident is recorded."))
    return _rent_page(tenancy, 422, money_form=form)
