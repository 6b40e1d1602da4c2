"""Importing a bank file: checked to be the unit's and to say each transaction once, each
payment matched to a tenancy by its OCR reference (or an extra reference the bank gave),
shown as a preview, then registered as rent payments in one transaction through the rent
ledger. Only what the bank says is a reversal reverses an imported payment; debits and
entries not yet booked are shown as skipped.

Every step reads and writes in a fixed number of queries per file, not per payment:
bulk selects, ``insert_many`` and set-wise updates (in chunks only past thousands of rows).
"""

import datetime as dt
import difflib
import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from flask import current_app
from flask_babel import gettext as _
from peewee import JOIN, Case, Cast, IntegrityError, Value, chunked, fn

from .. import clock, ocr
from ..bank.files import (
    BANKGIRO_ACCOUNT,
    DEDUCTION,
    PAYMENT,
    SKIPPED,
    BankFileError,
    BankTransaction,
    ParsedFile,
)
from ..database import write_transaction
from ..extensions import db
from ..models import (
    AuditEvent,
    BankEntry,
    BankImport,
    EntryState,
    ImportStatus,
    Payment,
    PaymentMethod,
    Referral,
    RentCharge,
    Tenancy,
)
from . import ledger, rules
from .services import open_month

# Rows per statement: well inside SQLite's and PostgreSQL's limits on parameters.
CHUNK = 2000
REQUEST_KEY = "bank-"


class ImportRefused(Exception):
    """An import or assignment refused for a reason the person can act on."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def bank_key(file_format: str, bank_reference: str) -> str:
    """What is unique per bank transaction: the format and the bank's reference."""
    return f"{file_format}:{bank_reference}"


# ---- the plan: what each payment would become -------------------------------------------


@dataclass
class Planned:
    """One transaction of the file and what it would become."""

    transaction: BankTransaction
    state: str
    tenancy_id: int | None = None
    note: str = ""


@dataclass
class Plan:
    parsed: ParsedFile
    rows: list[Planned] = field(default_factory=list)

    def count(self, *states) -> int:
        return sum(1 for row in self.rows if row.state in states)

    @property
    def counts(self) -> dict:
        """The five figures an import reports."""
        return {
            "matched": self.count(EntryState.MATCHED, EntryState.ASSIGNED),
            "unmatched": self.count(EntryState.UNMATCHED),
            "already_imported": self.count(EntryState.ALREADY_IMPORTED),
            "refused": self.count(EntryState.REFUSED),
            "skipped": self.count(EntryState.SKIPPED, EntryState.SET_ASIDE),
        }


def _in_chunks(query_for, values) -> list:
    """Rows of ``query_for(chunk)`` over ``values`` in chunks: one query up to ``CHUNK``."""
    values = sorted(set(values))
    found = []
    for part in chunked(values, CHUNK):
        found += list(query_for(part))
    return found


def _tenancies_by_reference(references) -> dict:
    valid = [r for r in references if ocr.is_valid(r)]
    rows = _in_chunks(
        lambda part: (
            Tenancy.select(Tenancy.id, Tenancy.payment_reference)
            .where(Tenancy.payment_reference.in_(part))
            .tuples()
        ),
        valid,
    )
    return {reference: tenancy_id for tenancy_id, reference in rows}


def imported_keys(keys) -> set:
    """Which of these bank keys an imported file already holds."""
    rows = _in_chunks(
        lambda part: (
            BankEntry.select(BankEntry.bank_key).where(BankEntry.bank_key.in_(part)).tuples()
        ),
        keys,
    )
    return {key for (key,) in rows}


def _unit_accounts() -> tuple[str, str]:
    """The unit's bankgiro number and bank account, as the files name them ("" if unset)."""
    config = current_app.config
    return ocr.account_key(config.get("BANKGIRO", "")), ocr.account_key(
        config.get("BANK_ACCOUNT", "")
    )


def check_file(parsed: ParsedFile) -> None:
    """Refuse (``BankFileError``) a file that is not the unit's to import: Bankgirot's test
    file, a file for another account, or one for an account whose setting is not set; and a
    file that says one transaction twice."""
    bankgiro, account = _unit_accounts()
    if not bankgiro and not account:
        raise BankFileError(
            _(
                "The unit's bankgiro number (INTRANET_BANKGIRO) and bank account "
                "(INTRANET_BANK_ACCOUNT) are not set, so no bank file can be checked to be "
                "the unit's. The administrator sets them."
            )
        )
    if parsed.test_file:
        raise BankFileError(
            _("This is Bankgirot's test file (T in the opening record): it holds no payments."),
            1,
        )
    if not parsed.accounts:
        raise BankFileError(_("The file does not say which account it is for."))
    for named in parsed.accounts:
        unit, setting = (
            (bankgiro, "INTRANET_BANKGIRO")
            if named.kind == BANKGIRO_ACCOUNT
            else (account, "INTRANET_BANK_ACCOUNT")
        )
        if not unit:
            raise BankFileError(
                _(
                    "The file is for account %(account)s, and the unit's (%(setting)s) is not "
                    "set. The administrator sets it.",
                    account=named.number,
                    setting=setting,
                ),
                named.line,
            )
        if named.number.lstrip("0") != unit.lstrip("0"):
            raise BankFileError(
                _(
                    "The file is for account %(account)s, not the unit's %(unit)s: its "
                    "money did not come to the unit.",
                    account=named.number,
                    unit=unit,
                ),
                named.line,
            )
    first = {}
    for transaction in parsed.transactions:
        earlier = first.setdefault(transaction.bank_reference, transaction)
        if earlier is not transaction:
            raise BankFileError(
                _(
                    "Lines %(first)s and %(second)s have the same bank reference "
                    "%(reference)s: the file says one transaction twice.",
                    first=earlier.position,
                    second=transaction.position,
                    reference=transaction.bank_reference,
                ),
                transaction.line,
            )


def _references(transaction: BankTransaction) -> list[str]:
    return [r.strip() for r in (transaction.reference, *transaction.extra_references)]


def plan(parsed: ParsedFile) -> Plan:
    """What each transaction would become, without writing, once the file is checked to be
    the unit's (``check_file``): 2 queries, and one more when the file returns money."""
    check_file(parsed)
    tenancies = _tenancies_by_reference({r for t in parsed.transactions for r in _references(t)})
    keys = [bank_key(parsed.format, t.bank_reference) for t in parsed.transactions]
    seen = imported_keys(keys)
    result = Plan(parsed)
    today = clock.today()
    for transaction, key in zip(parsed.transactions, keys, strict=True):
        tenancy_id = next((tenancies[r] for r in _references(transaction) if r in tenancies), None)
        state, note = EntryState.MATCHED if tenancy_id else EntryState.UNMATCHED, ""
        if key in seen:
            state = EntryState.ALREADY_IMPORTED
        elif transaction.kind == SKIPPED:
            state, tenancy_id = EntryState.SKIPPED, None
        elif transaction.amount <= 0:
            state, note = EntryState.REFUSED, _("The amount must be more than 0 kr.")
        elif transaction.paid_on > today:
            state, note = EntryState.REFUSED, _("A payment cannot be dated in the future.")
        seen.add(key)
        result.rows.append(Planned(transaction, state, tenancy_id, note))
    _nothing_to_reverse(result.rows)
    return result


def _nothing_to_reverse(rows: list[Planned]) -> None:
    """Money the bank returned with no imported payment of that resident and amount to
    reverse (registered earlier, or in this file) is unmatched in the preview, as the
    import will leave it: one query, only when the file has returns."""
    returns = [r for r in rows if r.transaction.kind == DEDUCTION and r.state == EntryState.MATCHED]
    if not returns:
        return
    available = Counter(
        (tenancy_id, amount)
        for (tenancy_id, amount), payments in _reversible({r.tenancy_id for r in returns}).items()
        for _payment in payments
    )
    available.update(
        (r.tenancy_id, r.transaction.amount)
        for r in rows
        if r.transaction.kind == PAYMENT and r.state == EntryState.MATCHED
    )
    for row in returns:
        key = (row.tenancy_id, row.transaction.amount)
        if available[key] > 0:
            available[key] -= 1
        else:
            row.state, row.note = EntryState.UNMATCHED, _("No imported payment to reverse.")


def earlier_import(digest: str) -> BankImport | None:
    """The import of this very file (by its sha256), imported or waiting as a preview; a
    discarded preview does not count."""
    return (
        BankImport.select()
        .where((BankImport.sha256 == digest) & (BankImport.status != ImportStatus.DISCARDED))
        .order_by(BankImport.created_at.desc(), BankImport.id.desc())
        .first()
    )


def save_preview(planned: Plan, file_name: str, digest: str, actor) -> BankImport:
    """Store the file as an import in state "preview", nothing registered: 1 + 1 queries."""
    parsed = planned.parsed
    with db.atomic():
        bank_import = BankImport.create(
            file_name=file_name[:255],
            sha256=digest,
            format=parsed.format,
            imported_by=actor,
            created_at=clock.now(),
            payment_count=len(parsed.payments),
            payment_total=parsed.payment_total,
            deduction_count=len(parsed.deductions),
            deduction_total=parsed.deduction_total,
            ignored="\n".join(parsed.ignored),
            **planned.counts,
        )
        rows = [_entry_row(bank_import.id, parsed.format, row) for row in planned.rows]
        for part in chunked(rows, CHUNK):
            BankEntry.insert_many(part).execute()
    return bank_import


def _entry_row(import_id: int, file_format: str, row: Planned) -> dict:
    t = row.transaction
    return {
        "bank_import": import_id,
        "line": t.line,
        "part": t.part,
        "format": file_format,
        "bank_reference": t.bank_reference[:150],
        "paid_on": t.paid_on,
        "amount": t.amount,
        "reference": t.reference[:140],
        "payer": t.payer[:140],
        "kind": t.kind,
        "reason": t.reason,
        "deducted": t.deducted,
        "credit_notes": " ".join(f"{amount}:{code}" for amount, code in t.credit_notes)[:200],
        "extra_references": " ".join(t.extra_references)[:300],
        "tenancy": row.tenancy_id,
        "state": row.state,
        "note": row.note,
    }


# ---- registering -----------------------------------------------------------------------


def _months_of(tenancy_ids) -> dict:
    """Each tenancy's months as [(month, charge id)], oldest first: one query a chunk."""
    rows = _in_chunks(
        lambda part: (
            RentCharge.select(RentCharge.tenancy, RentCharge.month, RentCharge.id)
            .where(RentCharge.tenancy.in_(part))
            .tuples()
        ),
        tenancy_ids,
    )
    months = defaultdict(list)
    for tenancy_id, month, charge_id in rows:
        months[tenancy_id].append((month, charge_id))
    for charges in months.values():
        charges.sort()
    return months


def entered_on(months: list, paid_on: dt.date) -> int | None:
    """The month a bank payment is entered on, for the board to show it beside: the month
    it was paid in, else the latest before, else the first. Where its money goes is the
    ledger's rule, not this."""
    month = rules.month_of(paid_on)
    earlier = [charge_id for m, charge_id in months if m <= month]
    if earlier:
        return earlier[-1]
    return months[0][1] if months else None


def where_money_goes(bank_import: BankImport, entries: list) -> dict:
    """For the entries shown of a file: the months each payment pays (entry id → shares),
    by the ledger's rule. In a preview, as the file's payments would be registered, in the
    import's order; once imported, where the registered payments' money is now."""
    if bank_import.status == ImportStatus.PREVIEW:
        tenancy_ids = {
            e.tenancy_id for e in entries if e.tenancy_id and e.state in EntryState.TO_REGISTER
        }
        if not tenancy_ids:
            return {}
        waiting = (
            BankEntry.select(BankEntry.id, BankEntry.tenancy, BankEntry.amount, BankEntry.paid_on)
            .where(
                (BankEntry.bank_import == bank_import.id)
                & (BankEntry.kind == PAYMENT)
                & BankEntry.state.in_(EntryState.TO_REGISTER)
                & BankEntry.tenancy.in_(sorted(tenancy_ids))
            )
            .order_by(BankEntry.paid_on, BankEntry.line, BankEntry.part)
            .tuples()
        )
        return ledger.preview(list(waiting))
    paid = {e.payment_id: e.id for e in entries if e.payment_id and e.kind == PAYMENT}
    return {paid[p]: r.shares for p, r in ledger.receipts_of(list(paid)).items()}


def _register_payments(entries: list, actor, moment) -> tuple[list, list]:
    """Payment rows for the entries, each on its month; and the entries refused."""
    for month in sorted({rules.month_of(e.paid_on) for e in entries}):
        if month <= rules.month_of(clock.today()):
            open_month(month)
    months = _months_of({e.tenancy_id for e in entries})
    payments, refused = [], []
    for entry in sorted(entries, key=lambda e: (e.paid_on, e.line, e.part)):
        charge_id = entered_on(months.get(entry.tenancy_id, []), entry.paid_on)
        if charge_id is None:
            refused.append(entry)
            continue
        payments.append(
            ledger.NewPayment(
                entry.tenancy_id,
                entry.paid_on,
                Decimal(entry.amount),
                PaymentMethod.BANK,
                f"{REQUEST_KEY}{entry.id}",
                charge_id,
                getattr(actor, "id", actor),
            )
        )
    ledger.register(payments)
    return payments, refused


def _link_payments(scope) -> None:
    """Entries in ``scope`` with a payment now registered for them point at it: 1 query."""
    key = Value(REQUEST_KEY).concat(Cast(BankEntry.id, "TEXT"))
    payment = Payment.select(Payment.id).where(Payment.request_key == key)
    BankEntry.update(state=EntryState.REGISTERED, payment=payment).where(
        scope & BankEntry.state.in_(EntryState.TO_REGISTER) & fn.EXISTS(payment)
    ).execute()


def _reversible(tenancy_ids) -> dict:
    """The imported payments of these tenancies that money returned by the bank may
    reverse, by (tenancy, amount), the latest first: one query."""
    candidates = (
        BankEntry.select(BankEntry.tenancy, BankEntry.amount, BankEntry.payment)
        .join(Payment, on=(BankEntry.payment == Payment.id))
        .where(
            (BankEntry.kind == PAYMENT)
            & (BankEntry.state == EntryState.REGISTERED)
            & Payment.reversed_at.is_null()
            & BankEntry.tenancy.in_(sorted(tenancy_ids))
        )
        .order_by(BankEntry.paid_on.desc(), BankEntry.id.desc())
        .tuples()
    )
    available = defaultdict(list)
    for tenancy_id, amount, payment_id in candidates:
        available[(tenancy_id, Decimal(amount))].append(payment_id)
    return available


def _reverse_deductions(deductions: list, actor, moment) -> int:
    """Each deduction reverses the latest imported payment of its tenancy and amount;
    the ones without such a payment stay unmatched. Returns how many were reversed."""
    if not deductions:
        return 0
    available = _reversible({d.tenancy_id for d in deductions})
    reversed_by_entry = {}
    for deduction in deductions:
        found = available.get((deduction.tenancy_id, Decimal(deduction.amount)))
        if found:
            reversed_by_entry[deduction.id] = (found.pop(0), deduction.reason)
    by_reason = defaultdict(list)
    for payment_id, reason in reversed_by_entry.values():
        by_reason[reason or _("Returned by the bank")].append(payment_id)
    for reason, payment_ids in by_reason.items():
        ledger.reverse(payment_ids, actor, reason)
    if reversed_by_entry:
        BankEntry.update(
            state=EntryState.REVERSED,
            payment=Case(BankEntry.id, [(e, p) for e, (p, _r) in reversed_by_entry.items()]),
        ).where(BankEntry.id.in_(list(reversed_by_entry))).execute()
    return len(reversed_by_entry)


def _register(scope, actor, moment) -> int:
    """Register the payments and deductions in ``scope`` that have a tenancy; those the
    rules refuse are marked so. Returns how many are refused."""
    entries = list(
        BankEntry.select().where(
            scope & BankEntry.tenancy.is_null(False) & BankEntry.state.in_(EntryState.TO_REGISTER)
        )
    )
    payments = [e for e in entries if e.kind == PAYMENT]
    _registered, refused = _register_payments(payments, actor, moment)
    if refused:
        BankEntry.update(
            state=EntryState.REFUSED, note=_("No rent is charged to this resident yet.")
        ).where(BankEntry.id.in_([e.id for e in refused])).execute()
    _link_payments(scope)
    deductions = [e for e in entries if e.kind == DEDUCTION]
    _reverse_deductions(deductions, actor, moment)
    BankEntry.update(state=EntryState.UNMATCHED, note=_("No imported payment to reverse.")).where(
        scope & (BankEntry.kind == DEDUCTION) & BankEntry.state.in_(EntryState.TO_REGISTER)
    ).execute()
    return len(refused)


def _mark_already_imported(import_id: int) -> None:
    """Transactions another import has registered since the preview are skipped."""
    key = BankEntry.format.concat(":").concat(BankEntry.bank_reference)
    earlier = BankEntry.alias("earlier")
    taken = earlier.select(earlier.bank_key).where(earlier.bank_key.is_null(False))
    BankEntry.update(state=EntryState.ALREADY_IMPORTED, note="").where(
        (BankEntry.bank_import == import_id)
        & (BankEntry.state != EntryState.ALREADY_IMPORTED)
        & key.in_(taken)
    ).execute()
    BankEntry.update(bank_key=key).where(
        (BankEntry.bank_import == import_id) & (BankEntry.state != EntryState.ALREADY_IMPORTED)
    ).execute()


def _recount(import_id: int) -> None:
    counts = dict(
        BankEntry.select(BankEntry.state, fn.COUNT(BankEntry.id))
        .where(BankEntry.bank_import == import_id)
        .group_by(BankEntry.state)
        .tuples()
    )
    BankImport.update(
        # A preview's matched entries are still to register; an import's are registered.
        matched=sum(
            counts.get(state, 0)
            for state in (*EntryState.TO_REGISTER, EntryState.REGISTERED, EntryState.REVERSED)
        ),
        unmatched=counts.get(EntryState.UNMATCHED, 0),
        already_imported=counts.get(EntryState.ALREADY_IMPORTED, 0),
        refused=counts.get(EntryState.REFUSED, 0),
        skipped=counts.get(EntryState.SKIPPED, 0) + counts.get(EntryState.SET_ASIDE, 0),
    ).where(BankImport.id == import_id).execute()


def confirm(import_id: int, actor) -> BankImport:
    """Register a previewed import's matched and assigned payments, in one transaction.

    Two people confirming the same preview at once end with one import: the status moves
    from "preview" in a conditional update, and the bank keys are unique in the database.
    """
    moment = clock.now()
    try:
        with write_transaction():
            claimed = (
                BankImport.update(
                    status=ImportStatus.IMPORTED, confirmed_at=moment, imported_by=actor
                )
                .where((BankImport.id == import_id) & (BankImport.status == ImportStatus.PREVIEW))
                .execute()
            )
            if not claimed:
                raise ImportRefused(_("This file is already imported."))
            _mark_already_imported(import_id)
            _register(BankEntry.bank_import == import_id, actor, moment)
            _recount(import_id)
            bank_import = BankImport.get_by_id(import_id)
            AuditEvent.record(
                actor,
                "imported",
                "bank_import",
                import_id,
                f"{bank_import.file_name} sha256={bank_import.sha256}",
            )
    except IntegrityError:
        raise ImportRefused(
            _(
                "Some of these payments were imported from another file at the same time. "
                "Nothing was registered; read the file again."
            )
        ) from None
    return bank_import


def assign(entry_id: int, tenancy_id: int, actor) -> BankEntry:
    """Assign an unmatched payment to a resident by hand: in a preview it is registered
    with the rest; in an imported file it is registered now."""
    entry = BankEntry.get_or_none(BankEntry.id == entry_id)
    if entry is None or entry.kind != PAYMENT:
        raise ImportRefused(_("Only a payment can be assigned to a resident."))
    _refuse_if_discarded(entry)
    if Tenancy.get_or_none(Tenancy.id == tenancy_id) is None:
        raise ImportRefused(_("Choose one of the options."))
    with write_transaction():
        assigned = (
            BankEntry.update(state=EntryState.ASSIGNED, tenancy=tenancy_id, note="")
            .where(
                (BankEntry.id == entry_id)
                & BankEntry.state.in_([EntryState.UNMATCHED, EntryState.ASSIGNED])
            )
            .execute()
        )
        if not assigned:
            raise ImportRefused(_("This payment is already resolved."))
        bank_import = BankImport.get_by_id(entry.bank_import_id)
        if bank_import.status == ImportStatus.IMPORTED:
            _register(BankEntry.id == entry_id, actor, clock.now())
            _recount(bank_import.id)
    return BankEntry.get_by_id(entry_id)


def _refuse_if_discarded(entry: BankEntry) -> None:
    status = BankImport.get_by_id(entry.bank_import_id).status
    if status == ImportStatus.DISCARDED:
        raise ImportRefused(_("This file was discarded: read it again to register from it."))


def discard(import_id: int, actor, reason: str) -> BankImport:
    """Put away a preview with a reason: nothing of it is registered, and the same file can
    be read again. Audited."""
    reason = (reason or "").strip()
    if not reason:
        raise ImportRefused(_("Say why the file is discarded."))
    with write_transaction():
        done = (
            BankImport.update(status=ImportStatus.DISCARDED, discard_reason=reason[:2000])
            .where((BankImport.id == import_id) & (BankImport.status == ImportStatus.PREVIEW))
            .execute()
        )
        if not done:
            raise ImportRefused(_("Only a file not yet imported can be discarded."))
        AuditEvent.record(actor, "discarded", "bank_import", import_id, reason[:500])
    return BankImport.get_by_id(import_id)


def set_aside(entry_id: int, actor, reason: str) -> BankEntry:
    """Set aside an unmatched payment that is not rent (a supplier's refund, a gift), with a
    reason: it is registered on nobody's rent. Audited."""
    reason = (reason or "").strip()
    if not reason:
        raise ImportRefused(_("Say why this payment is not rent."))
    entry = BankEntry.get_or_none(BankEntry.id == entry_id)
    if entry is not None:
        _refuse_if_discarded(entry)
    with write_transaction():
        done = (
            BankEntry.update(state=EntryState.SET_ASIDE, note=reason[:2000], tenancy=None)
            .where(
                (BankEntry.id == entry_id)
                & (BankEntry.kind == PAYMENT)
                & BankEntry.state.in_([EntryState.UNMATCHED, EntryState.ASSIGNED])
            )
            .execute()
        )
        if not done:
            raise ImportRefused(_("This payment is already resolved."))
        entry = BankEntry.get_by_id(entry_id)
        _recount(entry.bank_import_id)
        AuditEvent.record(actor, "set_aside", "bank_entry", entry_id, reason[:500])
    return entry


# ---- what the pages show ----------------------------------------------------------------


def residents_to_choose() -> list:
    """Every resident a payment can be assigned to (ongoing tenancies and those ended in the
    last year), by name, with rent and reference: one query."""
    since = clock.today() - dt.timedelta(days=365)
    return list(
        Tenancy.select(Tenancy, Referral)
        .join(Referral, on=(Tenancy.referral == Referral.id))
        .where(Tenancy.lived_in_since(since))
        .order_by(Referral.last_name, Referral.first_name, Tenancy.id)
    )


def _name(text: str) -> str:
    return " ".join(sorted(text.casefold().replace(",", " ").split()))


def suggestions(entry: BankEntry, residents: list, limit: int = 3) -> list:
    """Residents an unmatched payment may be from: the same amount as their monthly rent,
    and a name like the payer's (compared with difflib), best first."""
    payer = _name(entry.payer or "")
    scored = []
    for tenancy in residents:
        person = tenancy.referral
        likeness = (
            difflib.SequenceMatcher(
                None, payer, _name(f"{person.first_name} {person.last_name}")
            ).ratio()
            if payer
            else 0
        )
        same_rent = Decimal(tenancy.rent) == Decimal(entry.amount)
        score = likeness + (0.5 if same_rent else 0)
        if likeness >= 0.6 or same_rent:
            scored.append((-score, tenancy.id, tenancy))
    return [tenancy for _s, _i, tenancy in sorted(scored, key=lambda s: s[:2])[:limit]]


def entries_page(import_id: int, number: int, size: int = 50):
    """A page of an import's transactions, the ones needing a hand first, with their
    resident: one query (and one count)."""
    from .. import paging

    needs_hand = Case(None, [(BankEntry.state == EntryState.UNMATCHED, 0)], 1)
    query = (
        BankEntry.select(BankEntry, Tenancy, Referral)
        .join(Tenancy, join_type=JOIN.LEFT_OUTER, on=(BankEntry.tenancy == Tenancy.id))
        .join(Referral, join_type=JOIN.LEFT_OUTER, on=(Tenancy.referral == Referral.id))
        .where(BankEntry.bank_import == import_id)
        .order_by(needs_hand, BankEntry.line, BankEntry.part)
    )
    return paging.paginate(query, number, size)
