"""Rent services: opening a month, registering and reversing payments, the checkpoints."""

import datetime as dt
from decimal import Decimal

from flask_babel import gettext as _
from peewee import IntegrityError, fn

from .. import clock
from ..database import for_update, write_transaction
from ..extensions import db
from ..models import (
    Checkpoint,
    Flat,
    Payment,
    PaymentMethod,
    Referral,
    RentCharge,
    RentMoney,
    Tenancy,
    User,
)
from . import board, ledger, rules


class RentError(Exception):
    """A change refused for a reason the person can act on."""

    def __init__(self, message, field_name=None):
        super().__init__(message)
        self.message = message
        self.field_name = field_name


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
        (Tenancy.start_date <= rules.last_day(month))
        & (Tenancy.end_date.is_null() | (Tenancy.end_date >= month))
    )


def unopened(month: dt.date):
    """The tenancies active in ``month`` that have no charge for it yet (a query)."""
    charged = RentCharge.select(RentCharge.id).where(
        (RentCharge.tenancy == Tenancy.id) & (RentCharge.month == month)
    )
    return _active_in(month).where(~fn.EXISTS(charged))


def unopened_rows(month: dt.date, limit: int) -> tuple[int, list]:
    """For the board, without writing: how many residents have no charge for ``month`` yet,
    and the first ``limit`` of them by name with what the month will charge them."""
    query = unopened(month)
    count = query.count()
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
    # Once the month is open, one indexed question answers: nothing to write.
    if not unopened(month).exists():
        return 0
    rows = charge_rows(_active_in(month), [month], clock.now())
    if not rows:
        return 0
    with write_transaction():
        before = RentCharge.select().where(RentCharge.month == month).count()
        RentCharge.insert_many(rows).on_conflict_ignore().execute()
        ledger.opened(ledger.unbooked_charges(month))
        return RentCharge.select().where(RentCharge.month == month).count() - before


def register_payment(
    charge_id: int, actor: User, paid_on: dt.date, amount, method: str, request_key: str
) -> Payment:
    """Register a payment; the same form sent twice (a double click) registers it once."""
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
        new = ledger.NewPayment(
            tenancy.id, paid_on, amount, method, request_key, charge.id, actor.id
        )
        try:
            with db.atomic():
                (receipt,) = ledger.register([new])
                return Payment.get_by_id(receipt.payment_id)
        except IntegrityError:
            return Payment.get(Payment.request_key == request_key)


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


def create_plan(tenancy_id: int, actor: User, debt, instalments, note: str = ""):
    """A repayment plan: instalments [(due_on, amount)] that add up to the debt."""
    from ..models import Instalment, RepaymentPlan

    debt = Decimal(debt)
    if debt <= 0:
        raise RentError(_("The debt must be more than 0 kr."), "debt")
    if not instalments:
        raise RentError(_("Give at least one instalment."), "instalments")
    if any(Decimal(amount) <= 0 for _day, amount in instalments):
        raise RentError(_("Every instalment must be more than 0 kr."), "instalments")
    if any(day < clock.today() for day, _amount in instalments):
        raise RentError(_("An instalment cannot fall due in the past."), "instalments")
    if sum(Decimal(amount) for _day, amount in instalments) != debt:
        raise RentError(_("The instalments must add up to the debt."), "instalments")
    with write_transaction():
        plan = RepaymentPlan.create(
            tenancy=tenancy_id,
            debt=debt,
            note=note.strip(),
            created_by=actor,
            created_at=clock.now(),
        )
        for day, amount in sorted(instalments):
            Instalment.create(plan=plan, due_on=day, amount=Decimal(amount))
    return plan


def mark_instalment_paid(instalment_id: int, paid_on: dt.date) -> None:
    """An instalment is paid."""
    from ..models import Instalment

    if paid_on > clock.today():
        raise RentError(_("A payment cannot be dated in the future."), "paid_on")
    Instalment.update(paid_on=paid_on).where(
        (Instalment.id == instalment_id) & Instalment.paid_on.is_null()
    ).execute()


def open_instalments(tenancy_ids, month: dt.date) -> dict:
    """Unpaid instalments falling due in ``month``, per tenancy, in one query."""
    from ..models import Instalment, RepaymentPlan

    rows = (
        Instalment.select(Instalment, RepaymentPlan)
        .join(RepaymentPlan)
        .where(
            RepaymentPlan.tenancy.in_(list(tenancy_ids))
            & Instalment.paid_on.is_null()
            & (Instalment.due_on >= month)
            & (Instalment.due_on <= rules.last_day(month))
        )
    )
    result: dict = {}
    for instalment in rows:
        result.setdefault(instalment.plan.tenancy_id, []).append(instalment)
    return result


def notice_text(tenancy: Tenancy, month: dt.date, unpaid: list, plan=None) -> str:
    """The prefilled notice to the commissioner: resident, months unpaid, amount, the plan."""
    from ..formatting import format_amount

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
            amount=format_amount(sum((r.balance for r in unpaid), Decimal(0))),
        ),
    ]
    if plan is not None:
        lines.append(
            _(
                "Repayment plan: %(debt)s in %(count)s instalments",
                debt=format_amount(plan.debt),
                count=len(list(plan.instalments)),
            )
        )
        for instalment in sorted(plan.instalments, key=lambda i: i.due_on):
            lines.append(f"  {instalment.due_on.isoformat()}: {format_amount(instalment.amount)}")
    lines += ["", _("Contact person: %(name)s", name=tenancy.contact_person.display_name)]
    return "\n".join(str(line) for line in lines)


def record_notice(tenancy_id: int, month: dt.date, text: str, sent_on: dt.date, actor: User):
    """Record that the notice was sent to the commissioner, and when."""
    from ..models import CommissionerNotice

    if sent_on > clock.today():
        raise RentError(_("The date cannot be in the future."), "sent_on")
    if not text.strip():
        raise RentError(_("Write something."), "text")
    return CommissionerNotice.create(
        tenancy=tenancy_id, month=month, text=text.strip(), sent_on=sent_on, sent_by=actor
    )


def resident_rent(tenancy_id: int, today: dt.date) -> dict:
    """A resident's rent page: the last 12 months newest first, the unpaid ones, the plans,
    the notices sent to the commissioner and the rent money paid to the resident."""
    from peewee import prefetch

    from ..models import CommissionerNotice, Instalment, RepaymentPlan

    months = board.tenancy_rows(tenancy_id)[-12:][::-1]
    return {
        "months": months,
        "unpaid": [r for r in months if r.balance > 0 and r.status(today) == rules.NOT_PAID],
        "plans": prefetch(
            RepaymentPlan.select()
            .where(RepaymentPlan.tenancy == tenancy_id)
            .order_by(RepaymentPlan.created_at.desc()),
            Instalment,
        ),
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


def instalment_of(tenancy_id: int, instalment_id: int):
    """The instalment of one of the tenancy's repayment plans, or None."""
    from ..models import Instalment, RepaymentPlan

    return (
        Instalment.select()
        .join(RepaymentPlan)
        .where((Instalment.id == instalment_id) & (RepaymentPlan.tenancy == tenancy_id))
        .first()
    )
