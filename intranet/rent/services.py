"""Rent services: opening a month, registering and reversing payments, the checkpoints."""

import datetime as dt
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import ngettext
from peewee import IntegrityError, fn

from .. import cache, clock
from ..database import for_update, write_transaction
from ..extensions import db
from ..formatting import format_money, format_number
from ..models import (
    Checkpoint,
    Flat,
    Payment,
    PaymentMethod,
    Referral,
    Refused,
    RentCharge,
    RentMoney,
    Tenancy,
    User,
)
from . import board, ledger, ledger_rules, rules


class RentError(Refused):
    """A change refused for a reason the person can act on."""


def charge_rows(tenancies, months, moment: dt.datetime) -> list[dict]:
    """The charge of each tenancy for each month it covers (pro rata), as rows to insert."""
    rows = []
    for tenancy in tenancies:
        for month in months:
            amount = rules.pro_rata(tenancy.rent, month, tenancy.start_date, tenancy.end_date)
            if amount > 0:
                rows.append(
                    {
                        "tenancy": tenancy.id,
                        "month": month,
                        "amount": amount,
                        # A first month that starts after its 1st falls due on move-in day.
                        "due_on": max(rules.due_date(month), tenancy.start_date),
                        "created_at": moment,
                    }
                )
    return rows


def _active_in(month: dt.date):
    """The tenancies that run during some part of ``month``."""
    return Tenancy.select().where(
        (Tenancy.start_date <= rules.last_day(month)) & Tenancy.lived_in_since(month)
    )


def unopened(month: dt.date):
    """The tenancies active in ``month`` that have no charge for it yet (a query)."""
    charged = RentCharge.select(RentCharge.id).where(
        (RentCharge.tenancy == Tenancy.id) & (RentCharge.month == month)
    )
    return _active_in(month).where(~fn.EXISTS(charged))


def is_open(month: dt.date) -> bool:
    """Whether every tenancy active in ``month`` has its charge. What it is read from
    changes only with the tenancies and the charges (a payment writes neither), so the
    answer is kept between requests until one of them is written: the first write of
    every request and every board ask it."""
    return cache.remembered(
        "month open",
        month,
        cache.changes("tenancy", "rent_charge"),
        lambda: not unopened(month).exists(),
    )


def unopened_rows(month: dt.date, limit: int) -> tuple[int, list]:
    """For the board, without writing: how many residents have no charge for ``month`` yet,
    and the first ``limit`` of them by name with what the month will charge them."""
    if is_open(month):
        return 0, []  # the month is open, as it is on most days: nothing more to read
    query = unopened(month)
    count = query.count()
    if not count:
        return 0, []  # the month is open, as it is on most days: nothing more to read
    tenancies = list(
        query.select(Tenancy, Referral, Flat, User)
        .join(Referral, on=(Tenancy.referral == Referral.id))
        .switch(Tenancy)
        .join(Flat, on=(Tenancy.flat == Flat.id))
        .switch(Tenancy)
        .join(User, on=(Tenancy.contact_person == User.id))
        .order_by(Referral.last_name, Referral.first_name, Tenancy.id)
        .limit(limit)
    )
    for tenancy in tenancies:
        tenancy.month_amount = rules.pro_rata(
            tenancy.rent, month, tenancy.start_date, tenancy.end_date
        )
    return count, tenancies


def open_month(month: dt.date) -> int:
    """Create the month's charge for every tenancy active in it, once; return how many are new.

    Safe to call again and from two places at once: the (tenancy, month)
    unique index keeps one charge each. The daily ``flask rent open-month``, the board's
    "open the month" button and the first write of a month call it; a page view never does.
    """
    # Once the month is open, nothing to write; the answer is kept (``is_open``).
    if is_open(month):
        return 0
    rows = charge_rows(_active_in(month), [month], clock.now())
    if not rows:
        return 0
    with write_transaction():
        before = RentCharge.select().where(RentCharge.month == month).count()
        RentCharge.insert_many(rows).on_conflict_ignore().execute()
        ledger.opened(ledger.unbooked_charges(month))
        return RentCharge.select().where(RentCharge.month == month).count() - before


class LargePayment(RentError):
    """A payment of more than three months' rent, typed by hand: asked about, not saved."""


def register_payment(
    charge_id: int,
    actor: User,
    paid_on: dt.date,
    amount,
    method: str,
    request_key: str,
    confirmed: bool = False,
) -> Payment:
    """Register a payment; the same form sent twice (a double click) registers it once. More
    than three months' rent is saved only ``confirmed``: the person is asked first."""
    amount = Decimal(amount)
    if amount <= 0:
        raise RentError(_("The amount must be more than 0 kr."), "amount")
    if paid_on > clock.today():
        raise RentError(_("A payment cannot be dated in the future."), "paid_on")
    if method not in PaymentMethod.ALL:
        raise RentError(_("Choose one of the options."), "method")
    with write_transaction():
        charge = for_update(RentCharge.select().where(RentCharge.id == charge_id)).get()
        tenancy = Tenancy.get_by_id(charge.tenancy_id)
        if tenancy.start_date > rules.last_day(charge.month) or (
            tenancy.end_date and tenancy.end_date < charge.month
        ):
            raise RentError(_("The tenancy is not active in this month."))
        existing = Payment.get_or_none(Payment.request_key == request_key)
        if existing is not None:
            return existing
        if not confirmed and ledger_rules.is_large(amount, tenancy.rent):
            raise LargePayment(
                _(
                    "%(amount)s is more than three months' rent (%(rent)s a month). Are you sure?",
                    amount=format_money(amount),
                    rent=format_money(tenancy.rent),
                ),
                "amount",
            )
        new = ledger.NewPayment(
            tenancy.id, paid_on, amount, method, request_key, charge.id, actor.id
        )
        try:
            with db.atomic():
                (receipt,) = ledger.register([new])
                return Payment.get_by_id(receipt.payment_id)
        except IntegrityError:
            return Payment.get(Payment.request_key == request_key)


def _month_name(month: dt.date) -> str:
    """A month as a sentence names it: "december 2026" (in the page's language)."""
    from flask_babel import format_date

    return format_date(month, "LLLL yyyy")


def receipt_words(receipt: ledger.Receipt) -> str:
    """Where a payment's money went, as the screen says it: "5 100,00 kr paid December 2026;
    0,00 kr left as credit." Every place that registers money shows this."""
    parts, credit = [], Decimal(0)
    for share in receipt.shares:
        if share.charge_id is None:
            credit += share.amount
            continue
        month = _month_name(share.month)
        if share.reason == ledger_rules.PLAN_INSTALMENT:
            parts.append(
                _(
                    "%(amount)s paid to the repayment plan (%(month)s)",
                    amount=format_money(share.amount),
                    month=month,
                )
            )
        else:
            parts.append(
                _("%(amount)s paid %(month)s", amount=format_money(share.amount), month=month)
            )
    paid = ", ".join(str(p) for p in parts) or str(_("no month paid"))
    return str(_("%(paid)s; %(credit)s left as credit.", paid=paid, credit=format_money(credit)))


def reverse_payment(payment_id: int, actor: User, reason: str) -> Payment:
    """Reverse a payment registered by mistake; it stays, marked, with who and why."""
    if not reason.strip():
        raise RentError(_("Say why the payment is reversed."), "reason")
    with write_transaction():
        payment = for_update(Payment.select().where(Payment.id == payment_id)).get()
        if payment.reversed_at is not None:
            raise RentError(_("The payment is already reversed."))
        ledger.reverse([payment_id], actor, reason.strip())
    return Payment.get_by_id(payment_id)


def reversal_words(receipt: ledger.Receipt) -> str:
    """What reversing a payment did, from where its money was: the months owed again."""
    months = sorted({share.month for share in receipt.shares if share.month})
    if not months:
        return str(_("No month held its money."))
    return str(
        _(
            "Owed again: %(months)s.",
            months=", ".join(_month_name(m) for m in months),
        )
    )


def record_rent_money(charge_id: int, actor: User, paid_on: dt.date, amount) -> RentMoney:
    """The unit paid the resident rent money for this month (commissioner-paid tenancies)."""
    if Decimal(amount) <= 0:
        raise RentError(_("The amount must be more than 0 kr."), "amount")
    if paid_on > clock.today():
        raise RentError(_("A payment cannot be dated in the future."), "paid_on")
    return RentMoney.create(
        charge=charge_id,
        paid_on=paid_on,
        amount=amount,
        registered_by=actor,
        registered_at=clock.now(),
    )


def mark_checkpoint(
    charge_id: int, kind: str, actor: User, note: str = "", plan: str = ""
) -> Checkpoint:
    """Record that a checkpoint of the routine is done; doing it twice keeps the first."""
    if kind not in rules.CHECKPOINTS:
        raise RentError(_("Choose one of the options."))
    try:
        with write_transaction():
            return Checkpoint.create(
                charge=charge_id,
                kind=kind,
                done_by=actor,
                done_at=clock.now(),
                note=note.strip(),
                plan=plan.strip(),
            )
    except IntegrityError:
        return Checkpoint.get((Checkpoint.charge == charge_id) & (Checkpoint.kind == kind))


def create_plan(tenancy_id: int, actor: User, charge_ids, instalments, note: str = ""):
    """A repayment plan for the debt of the months ``charge_ids``: instalments [(due_on,
    amount)] that add up to what those months still owe."""
    if not charge_ids:
        raise RentError(_("Choose the months the plan is for."), "months")
    if not instalments:
        raise RentError(_("Give at least one instalment."), "instalments")
    if any(Decimal(amount) <= 0 for _day, amount in instalments):
        raise RentError(_("Every instalment must be more than 0 kr."), "instalments")
    if any(day < clock.today() for day, _amount in instalments):
        raise RentError(_("An instalment cannot fall due in the past."), "instalments")
    try:
        return ledger.add_plan(tenancy_id, charge_ids, instalments, note.strip(), actor)
    except ledger.PlanRefused as error:
        if error.what == "sum":
            raise RentError(
                _(
                    "The instalments must add up to what the months owe: %(owed)s.",
                    owed=format_money(error.owed),
                ),
                "instalments",
            ) from error
        raise RentError(
            _("Choose months past their due day that still owe rent and are in no other plan."),
            "months",
        ) from error


def move_money(tenancy_id: int, actor: User, from_charge, to_charge, amount, reason: str):
    """The manager moves money between a resident's months (None: their credit), with a
    reason; audited. Returns what was moved, in words."""
    from ..models import AuditEvent

    amount = Decimal(amount)
    if amount <= 0:
        raise RentError(_("The amount must be more than 0 kr."), "amount")
    if not reason.strip():
        raise RentError(_("Say why the money is moved."), "reason")
    if from_charge == to_charge:
        raise RentError(_("Choose two different months."), "to_month")
    try:
        moved = ledger.move(tenancy_id, from_charge, to_charge, amount, reason.strip(), actor)
    except ValueError as error:
        raise RentError(_("Choose one of the options."), "from_month") from error
    if moved <= 0:
        raise RentError(
            _("Nothing could be moved: the month owes nothing, or holds no money."), "amount"
        )
    months = {
        c.id: f"{c.month:%Y-%m}"
        for c in RentCharge.select().where(RentCharge.id.in_([from_charge, to_charge]))
    }
    credit = str(_("the credit"))
    words = str(
        _(
            "%(amount)s moved from %(source)s to %(target)s.",
            amount=format_money(moved),
            source=months.get(from_charge, credit),
            target=months.get(to_charge, credit),
        )
    )
    tenancy = Tenancy.get_by_id(tenancy_id)
    AuditEvent.record(actor, "money_moved", "referral", tenancy.referral_id, f"{words} {reason}")
    return words


def open_instalments(tenancy_ids, month: dt.date) -> dict:
    """The instalments falling due in ``month`` with something left to pay, per tenancy:
    what a rent notice asks for beside the rent (3 queries)."""
    result: dict = {}
    for plan in ledger.instalments(tenancy_ids, clock.today()).values():
        for state in plan.instalments:
            if state.left > 0 and month <= state.due_on <= rules.last_day(month):
                result.setdefault(plan.tenancy_id, []).append(state)
    return result


def notice_text(tenancy: Tenancy, month: dt.date, unpaid: list, plan=None) -> str:
    """The prefilled notice to the commissioner: resident, months unpaid, amount, the plan."""
    person = tenancy.referral
    lines = [
        _("Notice of unpaid rent"),
        "",
        _("Resident: %(name)s", name=f"{person.first_name} {person.last_name}"),
        _(
            "Months unpaid: %(months)s",
            months=", ".join(r.charge.month.strftime("%Y-%m") for r in unpaid) or "—",
        ),
        _(
            "Amount owed: %(amount)s",
            amount=format_money(sum((r.balance for r in unpaid), Decimal(0))),
        ),
    ]
    if plan is not None:
        instalments = len(list(plan.instalments))
        lines.append(
            ngettext(
                "Repayment plan: %(debt)s in %(count)s instalment",
                "Repayment plan: %(debt)s in %(count)s instalments",
                instalments,
                debt=format_money(plan.debt),
                count=format_number(instalments),
            )
        )
        for instalment in sorted(plan.instalments, key=lambda i: i.due_on):
            lines.append(f"  {instalment.due_on.isoformat()}: {format_money(instalment.amount)}")
    lines += ["", _("Contact person: %(name)s", name=tenancy.contact_person.display_name)]
    return "\n".join(str(line) for line in lines)


def debt(rows, today: dt.date) -> Decimal:
    """What a resident owes on ``today``: the unpaid part of the months already due, in a
    repayment plan or not (``rows`` are the tenancy's months, ``board.tenancy_rows``)."""
    return sum((r.balance for r in rows if r.balance > 0 and r.charge.due_on < today), Decimal(0))


def record_notice(tenancy_id: int, month: dt.date, text: str, sent_on: dt.date, actor: User):
    """Record that the notice of debt was sent to the commissioner, and when: only for a
    resident who owes rent."""
    from ..models import CommissionerNotice

    if sent_on > clock.today():
        raise RentError(_("The date cannot be in the future."), "sent_on")
    if not text.strip():
        raise RentError(_("Write something."), "text")
    if debt(board.tenancy_rows(tenancy_id), clock.today()) <= 0:
        raise RentError(_("Nothing is owed: a notice of debt is for a resident who owes rent."))
    return CommissionerNotice.create(
        tenancy=tenancy_id, month=month, text=text.strip(), sent_on=sent_on, sent_by=actor
    )


def resident_rent(tenancy_id: int, today: dt.date) -> dict:
    """A resident's rent page: the last 12 months newest first, the unpaid ones, the months
    a new repayment plan may take over, the plans with their instalments as the money says,
    the notices sent to the commissioner and the rent money paid to the resident."""
    from ..models import CommissionerNotice, RepaymentPlan

    every = board.tenancy_rows(tenancy_id)
    months = every[-12:][::-1]
    states = ledger.instalments([tenancy_id], today)
    plans = list(
        RepaymentPlan.select()
        .where(RepaymentPlan.tenancy == tenancy_id)
        .order_by(RepaymentPlan.created_at.desc())
    )
    return {
        "months": months,
        "every": every,
        "credit": every[0].credit if every else Decimal(0),
        "debt": debt(every, today),
        "unpaid": [r for r in months if r.balance > 0 and r.status(today) == rules.NOT_PAID],
        "plannable": [
            r for r in every if ledger_rules.plannable(r.balance, r.charge.due_on, r.plan_id, today)
        ],
        "plans": [
            {
                "plan": plan,
                "months": [f"{r.charge.month:%Y-%m}" for r in every if r.plan_id == plan.id],
                "instalments": states[plan.id].instalments if plan.id in states else [],
            }
            for plan in plans
        ],
        "notices": list(
            CommissionerNotice.select()
            .where(CommissionerNotice.tenancy == tenancy_id)
            .order_by(CommissionerNotice.sent_on.desc())
        ),
        "rent_money": list(
            RentMoney.select()
            .join(RentCharge)
            .where(RentCharge.tenancy == tenancy_id)
            .order_by(RentMoney.paid_on.desc())
        ),
    }
