"""The rent board: a row per resident, everything done in place through htmx."""

import datetime as dt
import secrets

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from .. import clock, exports, paging
from ..audit.services import audited
from ..models import AuditEvent, Payment, Referral, RentCharge, Role, Tenancy
from ..referrals.services import PROTECTED, may_see_person
from ..rendering import render, wants_fragment
from ..security import roles_required
from . import board as month_board
from . import bp, ledger, month_opening, rules, services, stats
from .forms import BoardFilterForm, CheckpointForm, PaymentForm, ReverseForm
from .labels import CHECKPOINT_LABELS, STATE_LABELS, STATUS_LABELS

READERS = (Role.MANAGER, Role.STAFF)
# Rows a page of the board: a row carries up to three checkpoints, a reminder's form among
# them, and 40 keep the page under 100 KB on the busiest day at a city's scale.
BOARD_PAGE = 40
# Residents a page of rent over time: a row is 24 months wide.
STRIPS_PAGE = 25


def _month_param(month) -> str:
    return month.strftime("%Y-%m")


@bp.app_context_processor
def _month_links():
    def prev_month(month):
        return _month_param((month - dt.timedelta(days=1)).replace(day=1))

    def next_month(month):
        return _month_param(rules.last_day(month) + dt.timedelta(days=1))

    return {"prev_month": prev_month, "next_month": next_month}


def _board_filters(form, valid: bool) -> month_board.BoardFilters:
    """The filters the board's form asked for (none when the address was not valid)."""
    if not valid:
        return month_board.BoardFilters()
    contact, contact_name = form.contact_filter()
    return month_board.BoardFilters(
        contact=contact,
        contact_name=contact_name,
        status=form.status.data or None,
        action_today=bool(form.action_today.data),
    )


@bp.route("/")
@roles_required(*READERS)
@audited("rent board")
def board():
    today = clock.today()
    form = BoardFilterForm(formdata=_with_own_residents())
    month, valid = _board_month(form, today)
    filters, number = _board_filters(form, valid), paging.page_number()
    mine = current_user.role == Role.STAFF and filters.contact != current_user.id
    rows = month_board.month_rows(month, today, filters, BOARD_PAGE, (number - 1) * BOARD_PAGE)
    counts = month_board.month_counts(month, today)
    # How many the filters keep, from the counts (kept) where they say it: a contact
    # person's own board reads that person's counts.
    own = month_board.month_counts(month, today, filters.contact) if filters.contact else counts
    total = filters.counted_in(own)
    if total is None:
        total = month_board.month_count(month, today, filters)
    return render(
        "rent/board.html",
        block="rows",
        status=200 if valid else 400,
        form=form,
        month=month,
        rows=rows,
        page=paging.Page(rows, number, BOARD_PAGE, total),
        counts=counts,
        instalments=services.open_instalments([r.charge.tenancy_id for r in rows], month),
        unopened=month_opening.unopened(month, today),
        chosen_contact=form.chosen_contact() if valid else None,
        mine_url=url_for("rent.board", month=_month_param(month), contact=current_user.id)
        if mine and Tenancy.is_contact_person(current_user.id)
        else None,
        **_row_helpers(today),
    )


def _with_own_residents():
    """The board's address; a contact person opening it without choosing sees their own
    residents first (choosing "everyone" shows everyone)."""
    own = current_user.role == Role.STAFF and Tenancy.is_contact_person(current_user.id)
    if "contact" in request.args or not own:
        return request.args if request.args else None
    return MultiDict({**request.args.to_dict(), "contact": str(current_user.id)})


def _board_month(form, today):
    """The month the address asks for (this month without one), and whether the address
    was valid; a bad filter shows the whole month with the message."""
    if not request.args:
        return rules.month_of(today), True
    valid = form.validate()
    if not form.month.data:
        return rules.month_of(today), valid
    parsed = rules.parse_month(form.month.data)
    if parsed is None:
        form.month.errors = [_("Give the month as YYYY-MM, for example 2027-03.")]
        return rules.month_of(today), False
    return parsed, valid


def _row_helpers(today) -> dict:
    return {
        "today": today,
        "checkpoint_state": month_board.checkpoint_state,
        "new_key": lambda: secrets.token_urlsafe(16),
    }


def _charge_or_404(charge_id: int) -> RentCharge:
    """The month; 403 if its resident's record is protected from the one asking."""
    charge = RentCharge.get_or_none(RentCharge.id == charge_id)
    if charge is None:
        abort(404)
    _open_or_403(charge.tenancy_id)
    return charge


def _open_or_403(tenancy_id: int) -> None:
    tenancy = Tenancy.select(Tenancy, Referral).join(Referral).where(Tenancy.id == tenancy_id).get()
    if not may_see_person(tenancy.referral, current_user, [tenancy.contact_person_id]):
        abort(403)


def _row_response(charge, status=200, **forms):
    """One row from its own queries, with the month's counts (and what a payment just
    did, ``receipt``) out of band."""
    today = clock.today()
    held = "reverse_form" in forms  # a refused reversal comes back open with the money
    (row,) = month_board.month_rows(charge.month, today, charge_id=charge.id, held=held)
    context = {
        "row": row,
        "counts": month_board.month_counts(charge.month, today),
        "instalments": services.open_instalments([charge.tenancy_id], charge.month),
        "month": charge.month,
        "oob": True,
        **_row_helpers(today),
        **forms,
    }
    return render_template("rent/_row_update.html", **context), status


def _done(charge, message, focus, receipt=None):
    """The row again, the keyboard's focus back on the control just used (``focus``); what
    the money did (``receipt``) is said in the counts' live region, or flashed."""
    if wants_fragment():
        return _row_response(charge, focus=focus, receipt=receipt)
    flash(f"{message} {receipt}" if receipt else message, "success")
    return redirect(url_for("rent.board", month=charge.month.strftime("%Y-%m")), 303)


def _failed(charge, form_name, form):
    if wants_fragment():
        return _row_response(charge, 422, **{form_name: form})
    for errors in form.errors.values():
        for error in errors:
            flash(str(error), "error")
    return redirect(url_for("rent.board", month=charge.month.strftime("%Y-%m")), 303)


@bp.route("/charges/<int:charge_id>/money")
@roles_required(*READERS)
@audited("rent board row, money", charge_arg="charge_id")
def month_money(charge_id):
    """The money a row's month holds, each payment with its reversal, and the month's
    instalments: sent into the row when its details are opened, or a page of its own."""
    charge = _charge_or_404(charge_id)
    today = clock.today()
    (row,) = month_board.month_rows(charge.month, today, charge_id=charge.id, held=True)
    instalments = services.open_instalments([charge.tenancy_id], charge.month)
    return render(
        "rent/month_money.html",
        block="money",
        row=row,
        row_instalments=instalments.get(charge.tenancy_id, []),
        in_row=wants_fragment(),
    )


@bp.route("/charges/<int:charge_id>/payments", methods=["GET"])
@roles_required(*READERS)
@audited("rent board row, payment form", charge_arg="charge_id")
def payment_form(charge_id):
    """A row's payment form: sent into the row when it is opened, or a page of its own
    without JavaScript (the board carries a link, not fifty forms)."""
    charge = _charge_or_404(charge_id)
    balance = month_board.month_rows(charge.month, clock.today(), charge_id=charge.id)[0].balance
    return render(
        "rent/row_form.html",
        block="form",
        heading=_("Register a payment"),
        charge=charge,
        charge_id=charge.id,
        payment=None,
        balance=balance,
        in_row=wants_fragment(),
        **_row_helpers(clock.today()),
    )


@bp.route("/charges/<int:charge_id>/payments", methods=["POST"])
@roles_required(*READERS)
@audited("rent board row, payment", charge_arg="charge_id")
def pay(charge_id):
    charge = _charge_or_404(charge_id)
    form = PaymentForm()
    if form.validate_on_submit():
        try:
            payment = services.register_payment(
                charge.id,
                current_user,
                form.paid_on.data,
                form.amount.data,
                form.method.data,
                form.request_key.data,
                confirmed=bool(form.confirmed.data),
            )
        except services.LargePayment as error:
            form.amount.errors.append(error.message)
            form.asks_to_confirm = True
            if not wants_fragment():
                return render_template("rent/confirm_payment.html", form=form, charge=charge), 422
        except services.RentError as error:
            getattr(form, error.field_name or "amount").errors.append(error.message)
        else:
            receipt = services.receipt_words(ledger.receipt_of(payment.id))
            return _done(charge, _("The payment is registered."), "pay", receipt)
    return _failed(charge, "payment_form", form)


def _row_of(payment, charge_id):
    """The board row a reversal was asked from (a month the payment paid), or the month it
    was entered on."""
    if charge_id is not None:
        charge = RentCharge.get_or_none(
            (RentCharge.id == charge_id) & (RentCharge.tenancy == payment.tenancy_id)
        )
        if charge is not None:
            return charge
    return RentCharge.get_by_id(payment.charge_id)


@bp.route("/payments/<int:payment_id>/reverse", methods=["GET"])
@roles_required(*READERS)
@audited("rent board row, reversal form", payment_arg="payment_id")
def reverse_form(payment_id):
    """A payment's reversal form, asked from the board row ``row`` (a month it paid): sent
    into the row, or a page of its own without JavaScript."""
    payment = Payment.get_or_none(Payment.id == payment_id)
    if payment is None:
        abort(404)
    _open_or_403(payment.tenancy_id)
    charge = _row_of(payment, request.args.get("row", type=int))
    return render(
        "rent/row_form.html",
        block="form",
        heading=_("Reverse a payment"),
        charge=charge,
        payment=payment,
        row_id=charge.id,
        in_row=wants_fragment(),
    )


@bp.route("/payments/<int:payment_id>/reverse", methods=["POST"])
@roles_required(*READERS)
@audited("rent board row, reversal", payment_arg="payment_id")
def reverse(payment_id):
    payment = Payment.get_or_none(Payment.id == payment_id)
    if payment is None:
        abort(404)
    _open_or_403(payment.tenancy_id)
    charge = _row_of(payment, request.form.get("row", type=int))
    form = ReverseForm()
    if form.validate_on_submit():
        held = ledger.receipt_of(payment.id)
        try:
            services.reverse_payment(payment.id, current_user, form.reason.data)
        except services.RentError as error:
            form.reason.errors.append(error.message)
        else:
            words = services.reversal_words(held)
            return _done(charge, _("The payment is reversed."), "details", words)
    form.payment_id = payment.id
    return _failed(charge, "reverse_form", form)


@bp.route("/charges/<int:charge_id>/checkpoints/<kind>", methods=["GET"])
@roles_required(*READERS)
@audited("rent board row, checkpoint form", charge_arg="charge_id")
def checkpoint_form(charge_id, kind):
    """A checkpoint's form (how things are, the plan agreed): sent into the row when it is
    opened, or a page of its own without JavaScript."""
    charge = _charge_or_404(charge_id)
    if kind not in rules.CHECKPOINTS:
        abort(404)
    return render(
        "rent/row_form.html",
        block="form",
        heading=CHECKPOINT_LABELS[kind],
        charge=charge,
        charge_id=charge.id,
        kind=kind,
        payment=None,
        in_row=wants_fragment(),
    )


@bp.route("/charges/<int:charge_id>/checkpoints/<kind>", methods=["POST"])
@roles_required(*READERS)
@audited("rent board row, checkpoint", charge_arg="charge_id")
def checkpoint(charge_id, kind):
    charge = _charge_or_404(charge_id)
    if kind not in rules.CHECKPOINTS:
        abort(404)
    form = CheckpointForm()
    if form.validate_on_submit():
        services.mark_checkpoint(
            charge.id, kind, current_user, form.note.data or "", form.plan.data or ""
        )
        return _done(charge, _("Recorded."), kind)
    return _failed(charge, "checkpoint_form", form)


def _board_table(month, today):
    rows = month_board.month_rows(month, today)
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
        tenancy = row.charge.tenancy
        if not may_see_person(tenancy.referral, current_user, [tenancy.contact_person_id]):
            table.append([str(PROTECTED)] + [""] * (len(header) - 1))
            continue
        line = [
            f"{row.charge.tenancy.referral.first_name} {row.charge.tenancy.referral.last_name}",
            row.charge.tenancy.flat.district,
            row.charge.tenancy.contact_person.display_name,
            exports.kronor(row.charge.amount),
            exports.kronor(row.paid),
            exports.kronor(row.balance),
            str(STATUS_LABELS[row.status(today)]),
        ]
        line += [
            str(STATE_LABELS[month_board.checkpoint_state(row, kind, today)])
            for kind in rules.CHECKPOINTS
        ]
        table.append(line)
    return [str(h) for h in header], table


@bp.route("/export.<fmt>")
@roles_required(*READERS)
def export_board(fmt):
    month = rules.parse_month(request.args.get("month", "")) or rules.month_of(clock.today())
    if fmt not in exports.FORMATS:
        abort(404)
    AuditEvent.record(current_user, "exported", "rent", None, f"rent board {month:%Y-%m} {fmt}")
    header, table = _board_table(month, clock.today())
    label = month.strftime("%Y-%m")
    return exports.download(fmt, f"hyra-{label}", label, header, table)


def _stats_context():
    seen = stats.overview(clock.today())
    per_month, strips = list(seen.per_month), list(seen.strips)
    return {
        "per_month": per_month,
        "bars": stats.chart_svg_bars(per_month),
        "strips": paging.page_of(strips, paging.page_number(), STRIPS_PAGE),
        "strip_months": [month for month, _status in strips[0]["cells"]] if strips else [],
        "phases": list(seen.phases),
        "worse": list(seen.worse),
        "worse_shown": paging.PAGE_SIZE,
    }


@bp.route("/stats")
@roles_required(*READERS)
@audited("rent over time")
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
        return exports.csv_response("hyra-statistik.csv", header, table)
    phase_header = [str(_("Months since move-in")), str(_("Months")), str(_("Late or not paid"))]
    phases = [[p["label"], p["months"], p["troubled"]] for p in context["phases"]]
    return exports.xlsx_response(
        "hyra-statistik.xlsx",
        [(str(_("Per month")), header, table), (str(_("Risk phases")), phase_header, phases)],
    )
