"""The rent board: a row per resident, everything done in place through htmx."""

import datetime as dt
import secrets

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import clock
from ..models import Payment, RentCharge, Role, Tenancy, User
from ..rendering import render, wants_fragment
from ..security import roles_required
from . import bp, export, rules, services, stats
from .forms import (
    BoardFilterForm,
    CheckpointForm,
    NoticeForm,
    PaymentForm,
    PlanForm,
    RentMoneyForm,
    ReverseForm,
)
from .labels import CHECKPOINT_LABELS, STATE_LABELS, STATUS_LABELS

READERS = (Role.MANAGER, Role.STAFF)


def _contacts():
    return (
        User.select(User.id, User.display_name)
        .where(
            User.id.in_(Tenancy.select(Tenancy.contact_person).where(Tenancy.end_date.is_null()))
        )
        .order_by(User.display_name)
    )


def _month_param(month) -> str:
    return month.strftime("%Y-%m")


@bp.app_context_processor
def _month_links():
    def prev_month(month):
        return _month_param((month - dt.timedelta(days=1)).replace(day=1))

    def next_month(month):
        return _month_param(rules.last_day(month) + dt.timedelta(days=1))

    return {"prev_month": prev_month, "next_month": next_month}


@bp.route("/")
@roles_required(*READERS)
def board():
    today = clock.today()
    form = BoardFilterForm(formdata=request.args if request.args else None, contacts=_contacts())
    month = rules.month_of(today)
    status_code = 200
    if request.args:
        valid = form.validate()
        if form.month.data:
            parsed = rules.parse_month(form.month.data)
            if parsed is None:
                form.month.errors = [_("Give the month as YYYY-MM, for example 2027-03.")]
                valid = False
            else:
                month = parsed
        if not valid:
            status_code = 400
    if month <= rules.month_of(today):
        services.open_month(month)
    rows = services.board_rows(month)
    shown = rows
    if status_code == 200:
        if form.contact.data:
            shown = [r for r in shown if r.charge.tenancy.contact_person_id == form.contact.data]
        if form.status.data:
            shown = [r for r in shown if r.status(today) == form.status.data]
        if form.action_today.data:
            shown = [
                r
                for r in shown
                if any(
                    services.checkpoint_state(r, k, today) == "due"
                    and today.day >= rules.CHECKPOINTS[k]
                    for k in rules.CHECKPOINTS
                )
            ]
    return render(
        "rent/board.html",
        block="rows",
        status=status_code,
        form=form,
        month=month,
        rows=shown,
        counts=services.counts(rows, today),
        instalments=services.open_instalments([r.charge.tenancy_id for r in rows], month),
        today=today,
        checkpoint_state=services.checkpoint_state,
        new_key=lambda: secrets.token_urlsafe(16),
    )


def _charge_or_404(charge_id: int) -> RentCharge:
    charge = RentCharge.get_or_none(RentCharge.id == charge_id)
    if charge is None:
        abort(404)
    return charge


def _row_response(charge, status=200, **forms):
    today = clock.today()
    rows = services.board_rows(charge.month)
    row = next(r for r in rows if r.charge.id == charge.id)
    context = {
        "row": row,
        "today": today,
        "counts": services.counts(rows, today),
        "checkpoint_state": services.checkpoint_state,
        "new_key": lambda: secrets.token_urlsafe(16),
        "month": charge.month,
        "oob": True,
        **forms,
    }
    return render_template("rent/_row_update.html", **context), status


def _done(charge, message):
    if wants_fragment():
        return _row_response(charge)
    flash(message, "success")
    return redirect(url_for("rent.board", month=charge.month.strftime("%Y-%m")), 303)


def _failed(charge, form_name, form):
    if wants_fragment():
        return _row_response(charge, 422, **{form_name: form})
    for errors in form.errors.values():
        for error in errors:
            flash(str(error), "error")
    return redirect(url_for("rent.board", month=charge.month.strftime("%Y-%m")), 303)


@bp.route("/charges/<int:charge_id>/payments", methods=["POST"])
@roles_required(*READERS)
def pay(charge_id):
    charge = _charge_or_404(charge_id)
    form = PaymentForm()
    if form.validate_on_submit():
        try:
            services.register_payment(
                charge.id,
                current_user,
                form.paid_on.data,
                form.amount.data,
                form.method.data,
                form.request_key.data,
            )
        except services.RentError as error:
            getattr(form, error.field_name or "amount").errors.append(error.message)
        else:
            return _done(charge, _("The payment is registered."))
    return _failed(charge, "payment_form", form)


@bp.route("/payments/<int:payment_id>/reverse", methods=["POST"])
@roles_required(*READERS)
def reverse(payment_id):
    payment = Payment.get_or_none(Payment.id == payment_id)
    if payment is None:
        abort(404)
    charge = RentCharge.get_by_id(payment.charge_id)
    form = ReverseForm()
    if form.validate_on_submit():
        try:
            services.reverse_payment(payment.id, current_user, form.reason.data)
        except services.RentError as error:
            form.reason.errors.append(error.message)
        else:
            return _done(charge, _("The payment is reversed."))
    return _failed(charge, "reverse_form", form)


@bp.route("/charges/<int:charge_id>/checkpoints/<kind>", methods=["POST"])
@roles_required(*READERS)
def checkpoint(charge_id, kind):
    charge = _charge_or_404(charge_id)
    if kind not in rules.CHECKPOINTS:
        abort(404)
    form = CheckpointForm()
    if form.validate_on_submit():
        services.mark_checkpoint(
            charge.id, kind, current_user, form.note.data or "", form.plan.data or ""
        )
        return _done(charge, _("Recorded."))
    return _failed(charge, "checkpoint_form", form)


def _board_table(month, today):
    rows = services.board_rows(month)
    header = [
        _("Resident"),
        _("Flat"),
        _("Contact person"),
        _("Due"),
        _("Paid"),
        _("Balance"),
        _("Status"),
    ]
    header += [str(label) for label in CHECKPOINT_LABELS.values()]
    table = []
    for row in rows:
        line = [
            f"{row.charge.tenancy.referral.first_name} {row.charge.tenancy.referral.last_name}",
            row.charge.tenancy.flat.district,
            row.charge.tenancy.contact_person.display_name,
            float(row.charge.amount),
            float(row.paid + row.credit_in),
            float(row.balance),
            str(STATUS_LABELS[row.status(today)]),
        ]
        line += [
            str(STATE_LABELS[services.checkpoint_state(row, kind, today)])
            for kind in rules.CHECKPOINTS
        ]
        table.append(line)
    return [str(h) for h in header], table


@bp.route("/export.<fmt>")
@roles_required(*READERS)
def export_board(fmt):
    month = rules.parse_month(request.args.get("month", "")) or rules.month_of(clock.today())
    if fmt not in ("csv", "xlsx"):
        abort(404)
    header, table = _board_table(month, clock.today())
    name = f"hyra-{month.strftime('%Y-%m')}.{fmt}"
    if fmt == "csv":
        return export.csv_response(name, header, table)
    return export.xlsx_response(name, [(month.strftime("%Y-%m"), header, table)])


def _stats_context():
    today = clock.today()
    settled = stats.settled_months(today)
    per_month = stats.per_month(settled)[-24:]
    return {
        "per_month": per_month,
        "bars": stats.chart_svg_bars(per_month),
        "strips": stats.strips(settled, 24, today),
        "phases": stats.risk_phases(settled),
        "worse": stats.getting_worse(settled),
    }


@bp.route("/stats")
@roles_required(*READERS)
def stats_page():
    return render_template("rent/stats.html", **_stats_context())


@bp.route("/stats.<fmt>")
@roles_required(*READERS)
def export_stats(fmt):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    context = _stats_context()
    header = [str(_("Month")), str(_("Residents"))] + [str(STATUS_LABELS[g]) for g in stats.GROUPS]
    table = [
        [r["month"].strftime("%Y-%m"), r["total"]] + [r[g] for g in stats.GROUPS]
        for r in context["per_month"]
    ]
    if fmt == "csv":
        return export.csv_response("hyra-statistik.csv", header, table)
    phase_header = [str(_("Months since move-in")), str(_("Months")), str(_("Late or not paid"))]
    phases = [[p["label"], p["months"], p["troubled"]] for p in context["phases"]]
    return export.xlsx_response(
        "hyra-statistik.xlsx",
        [(str(_("Per month")), header, table), (str(_("Risk phases")), phase_header, phases)],
    )


def _tenancy_or_404(tenancy_id: int) -> Tenancy:
    tenancy = Tenancy.with_people().where(Tenancy.id == tenancy_id).first()
    if tenancy is None:
        abort(404)
    return tenancy


def _resident_page(tenancy, status=200, **forms):
    from ..models import AuditEvent, CommissionerNotice, RentMoney, RepaymentPlan

    AuditEvent.record(current_user, "opened", "referral", tenancy.referral_id, "rent page")
    today = clock.today()
    months = services.tenancy_rows(tenancy.id)[-12:][::-1]
    unpaid = [r for r in months if r.balance > 0 and r.status(today) == rules.NOT_PAID]
    plans = list(
        RepaymentPlan.select()
        .where(RepaymentPlan.tenancy == tenancy.id)
        .order_by(RepaymentPlan.created_at.desc())
    )
    notices = list(
        CommissionerNotice.select()
        .where(CommissionerNotice.tenancy == tenancy.id)
        .order_by(CommissionerNotice.sent_on.desc())
    )
    rent_money = list(
        RentMoney.select()
        .join(RentCharge)
        .where(RentCharge.tenancy == tenancy.id)
        .order_by(RentMoney.paid_on.desc())
    )
    context = {
        "tenancy": tenancy,
        "months": months,
        "today": today,
        "plans": plans,
        "notices": notices,
        "rent_money": rent_money,
        "plan_form": forms.get("plan_form")
        or PlanForm(formdata=None, debt=sum((r.balance for r in unpaid), 0)),
        "notice_form": forms.get("notice_form")
        or NoticeForm(
            formdata=None,
            sent_on=today,
            text=services.notice_text(
                tenancy, rules.month_of(today), unpaid, plans[0] if plans else None
            ),
        ),
        "money_form": forms.get("money_form")
        or RentMoneyForm(formdata=None, paid_on=today, amount=tenancy.rent),
    }
    return render_template("rent/resident.html", **context), status


@bp.route("/residents/<int:tenancy_id>")
@roles_required(*READERS)
def resident(tenancy_id):
    return _resident_page(_tenancy_or_404(tenancy_id))


@bp.route("/residents/<int:tenancy_id>/plans", methods=["POST"])
@roles_required(*READERS)
def create_plan(tenancy_id):
    tenancy = _tenancy_or_404(tenancy_id)
    form = PlanForm()
    if form.validate_on_submit():
        try:
            services.create_plan(
                tenancy.id, current_user, form.debt.data, form.parsed(), form.note.data or ""
            )
        except ValueError as line:
            form.instalments.errors.append(
                _("Line %(line)s is not a date and an amount.", line=line.args[0])
            )
        except services.RentError as error:
            getattr(form, error.field_name or "instalments").errors.append(error.message)
        else:
            flash(_("The repayment plan is saved."), "success")
            return redirect(url_for("rent.resident", tenancy_id=tenancy.id), 303)
    return _resident_page(tenancy, 422, plan_form=form)


@bp.route("/instalments/<int:instalment_id>/paid", methods=["POST"])
@roles_required(*READERS)
def instalment_paid(instalment_id):
    from ..models import Instalment

    instalment = Instalment.get_or_none(Instalment.id == instalment_id)
    if instalment is None:
        abort(404)
    services.mark_instalment_paid(instalment.id, clock.today())
    flash(_("The instalment is marked paid."), "success")
    return redirect(url_for("rent.resident", tenancy_id=instalment.plan.tenancy_id), 303)


@bp.route("/residents/<int:tenancy_id>/notices", methods=["POST"])
@roles_required(*READERS)
def record_notice(tenancy_id):
    tenancy = _tenancy_or_404(tenancy_id)
    form = NoticeForm()
    if form.validate_on_submit():
        try:
            services.record_notice(
                tenancy.id,
                rules.month_of(clock.today()),
                form.text.data,
                form.sent_on.data,
                current_user,
            )
        except services.RentError as error:
            getattr(form, error.field_name or "text").errors.append(error.message)
        else:
            flash(_("The notice to the commissioner is recorded as sent."), "success")
            return redirect(url_for("rent.resident", tenancy_id=tenancy.id), 303)
    return _resident_page(tenancy, 422, notice_form=form)


@bp.route("/charges/<int:charge_id>/rent-money", methods=["POST"])
@roles_required(*READERS)
def rent_money(charge_id):
    charge = _charge_or_404(charge_id)
    tenancy = _tenancy_or_404(charge.tenancy_id)
    form = RentMoneyForm()
    if form.validate_on_submit():
        try:
            services.record_rent_money(charge.id, current_user, form.paid_on.data, form.amount.data)
        except services.RentError as error:
            getattr(form, error.field_name or "amount").errors.append(error.message)
        else:
            flash(_("The rent money paid to the resident is recorded."), "success")
            return redirect(url_for("rent.resident", tenancy_id=tenancy.id), 303)
    return _resident_page(tenancy, 422, money_form=form)
