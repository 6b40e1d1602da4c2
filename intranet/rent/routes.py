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
from . import bp, rules, services
from .forms import BoardFilterForm, CheckpointForm, PaymentForm, ReverseForm

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
