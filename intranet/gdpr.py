"""Data protection: one person's data-access export, and anonymising those who moved out.

A *person* is a referral, the record the unit keeps of someone referred to it; a tenancy
makes them a resident. What else is stored about them hangs off the referral through
foreign keys (status history, matches, tenancies, rent, repayment plans, notices). Those
tables are found by walking the models' foreign keys, so a table added later that points
at a referral, a tenancy or a match is found too; a test fails until it has a section in
the export and a decision for each of its fields here. Other rows name people only in their
text (a case, a landlord's activity, someone else's notes), so they are found by the
person's name or personal identity number. One finder, ``footprint``, decides which rows are
a person's: the export shows what it finds and anonymising changes it, so the two agree.
"""

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from peewee import CharField, DecimalField, ForeignKeyField, TextField

from . import clock
from .database import for_update, write_transaction
from .models import (
    MODELS,
    Allocation,
    AllocationMove,
    AuditEvent,
    BankEntry,
    Case,
    CaseReply,
    ChargeChange,
    Checkpoint,
    Commissioner,
    CommissionerContact,
    CommissionerNotice,
    Flat,
    Instalment,
    Landlord,
    LeaseRequest,
    Match,
    MatchStatus,
    MoveInDateChange,
    Payment,
    PlanMonth,
    Referral,
    ReferralStatus,
    ReferralStatusChange,
    RentCharge,
    RentMoney,
    RentMonth,
    RepaymentPlan,
    Road,
    RoadMark,
    RuleOverride,
    ShareConsent,
    Tenancy,
    User,
)

# Ids per IN list: well under every database's limit on query parameters.
CHUNK = 500

# A referral in one of these statuses is still being worked on.
OPEN_REFERRAL = (
    ReferralStatus.RECEIVED,
    ReferralStatus.ASSESSING,
    ReferralStatus.WAITING,
    ReferralStatus.MATCHED,
)

# What replaces a person's name or number in someone else's free text.
NAME_REMOVED = "[namn borttaget]"
NUMBER_REMOVED = "[personnummer borttaget]"
# The name an anonymised referral shows: the first name, and the referral's id as last name.
ANONYMOUS_NAME = "Anonymiserad"


class UnknownPerson(LookupError):
    """No referral has the id asked for."""


# ---- the model graph ------------------------------------------------------------------


def foreign_keys(model) -> list:
    return [f for f in model._meta.sorted_fields if isinstance(f, ForeignKeyField)]


def models_about_a_person() -> list:
    """Every model whose foreign keys lead to a referral, directly or through other such
    models (a payment through its charge and tenancy), in the order of ``MODELS``."""
    about = {Referral}
    grew = True
    while grew:
        grew = False
        for model in MODELS:
            if model not in about and any(f.rel_model in about for f in foreign_keys(model)):
                about.add(model)
                grew = True
    return [m for m in MODELS if m in about and m is not Referral]


def _chunks(ids) -> list[list]:
    ordered = sorted(ids)
    return [ordered[i : i + CHUNK] for i in range(0, len(ordered), CHUNK)]


def linked_ids(referral_ids) -> dict:
    """The ids of every row about these referrals, per model, the referrals' own included."""
    ids = {Referral: set(referral_ids)}
    about = {Referral, *models_about_a_person()}
    pending = models_about_a_person()
    while pending:
        progressed = False
        for model in list(pending):
            links = [f for f in foreign_keys(model) if f.rel_model in about]
            if any(f.rel_model not in ids for f in links):
                continue  # a table it points at is not read yet
            found = set()
            for link in links:
                for part in _chunks(ids[link.rel_model]):
                    query = model.select(model.id).where(link.in_(part)).tuples()
                    found.update(row_id for (row_id,) in query)
            ids[model] = found
            pending.remove(model)
            progressed = True
        if not progressed:
            raise RuntimeError("the tables about a person point at each other in a circle")
    return ids


def _rows(model, ids) -> list:
    rows = []
    for part in _chunks(ids):
        rows += list(model.select().where(model.id.in_(part)))
    return sorted(rows, key=lambda row: row.id)


# ---- names and numbers in free text ----------------------------------------------------


def _words(text: str) -> str:
    return r"\s+".join(re.escape(word) for word in text.split())


@dataclass(frozen=True)
class Identity:
    """What names a person in free text: their full name and personal identity number."""

    first_name: str
    last_name: str
    personal_number: str | None

    def patterns(self) -> list[tuple[re.Pattern, str]]:
        """The person's name (first last, or last first) and number in any usual spelling,
        each with what replaces it."""
        found = []
        first, last = _words(self.first_name or ""), _words(self.last_name or "")
        if first and last:
            name = rf"(?<!\w)(?:{first}\s+{last}|{last},?\s+{first})(?!\w)"
            found.append((re.compile(name, re.IGNORECASE), NAME_REMOVED))
        number = self._number()
        if number:
            century, short, serial = number
            spelled = rf"(?<!\d)(?:{century})?{short}[-+ ]?{serial}(?!\d)"
            found.append((re.compile(spelled), NUMBER_REMOVED))
        return found

    def _number(self):
        match = re.fullmatch(r"(\d{2})?(\d{6})[-+]?(\d{4})", (self.personal_number or "").strip())
        if not match:
            return None
        return match.group(1) or "", match.group(2), match.group(3)

    def keys(self) -> set[str]:
        """Words a text must hold to mention the person: the first word of the last name, or
        the number's digits as one or two words."""
        keys = set()
        last_words = re.findall(r"\w+", (self.last_name or "").casefold())
        if last_words and (self.first_name or "").strip():
            keys.add(last_words[0])
        number = self._number()
        if number:
            century, short, serial = number
            for birth in {short, century + short}:
                keys.update({birth, birth + serial})
        return keys


class Scrubber:
    """Finds and removes a set of people's names and numbers in free text.

    Each text is split into words once and only the people whose key words it holds are
    looked for, so hundreds of people cost little more than one.
    """

    def __init__(self, identities):
        self.people = [identity.patterns() for identity in identities]
        self.index: dict = defaultdict(set)
        for number, identity in enumerate(identities):
            if self.people[number]:
                for key in identity.keys():
                    self.index[key].add(number)

    def _suspects(self, text: str) -> set:
        found = set()
        for word in re.findall(r"\w+", text.casefold()):
            found |= self.index.get(word, set())
        return found

    def mentions(self, text: str | None) -> bool:
        """Tell whether ``text`` names one of the people."""
        if not text:
            return False
        return any(
            pattern.search(text)
            for number in self._suspects(text)
            for pattern, _replacement in self.people[number]
        )

    def scrub(self, text: str) -> str:
        """``text`` with every mention of the people replaced."""
        for number in sorted(self._suspects(text)):
            for pattern, replacement in self.people[number]:
                text = pattern.sub(replacement, text)
        return text


def free_text_fields() -> list:
    """Every column of free text, where anyone's name may be written: the text fields,
    character fields of 300 characters or more, and the payer's name a bank gives with a
    payment. Not the audit log: it is append-only and carries ids, not names."""
    found = []
    for model in MODELS:
        if model is AuditEvent:
            continue
        for field in model._meta.sorted_fields:
            long_chars = isinstance(field, CharField) and (field.max_length or 0) >= 300
            payer = model is BankEntry and field.name == "payer"
            if isinstance(field, TextField) or long_chars or payer:
                found.append((model, field))
    return found


# ---- whose rows: one finder for the export and for anonymising ----------------------------


@dataclass
class Footprint:
    """The rows that are some people's: ``rows``, every row about their referrals (the
    referrals' own included), per model; ``texts``, every free text anywhere that names one
    of them, per (model, field), by row id; ``scrubber``, what takes them out of a text."""

    scrubber: Scrubber
    rows: dict
    texts: dict


def same_person(referral_id: int) -> list[int]:
    """The referral and every other with its personal identity number: one person, however
    many times referred (anonymising takes them together too)."""
    number = Referral.select(Referral.personal_number).where(Referral.id == referral_id).scalar()
    if not number:
        return [referral_id]
    query = Referral.select(Referral.id).where(Referral.personal_number == number).tuples()
    return sorted({referral_id, *(row_id for (row_id,) in query)})


def footprint(referral_ids) -> Footprint:
    """Every row that is these people's: the export shows these, and anonymising changes
    these and nothing else, so the two never disagree about what is a person's."""
    identities = []
    for part in _chunks(referral_ids):
        query = for_update(
            Referral.select(
                Referral.first_name, Referral.last_name, Referral.personal_number
            ).where(Referral.id.in_(part))
        )
        identities += [Identity(*row) for row in query.tuples()]
    scrubber = Scrubber(identities)
    texts = {}
    for model, field in free_text_fields():
        query = model.select(model.id, field).where(field.is_null(False) & (field != ""))
        found = {
            row_id: text for row_id, text in query.tuples().iterator() if scrubber.mentions(text)
        }
        if found:
            texts[(model, field)] = found
    return Footprint(scrubber, linked_ids(referral_ids), texts)


# ---- the data-access export -------------------------------------------------------------

# The export's section for each table about a person.
SECTIONS = {
    ReferralStatusChange: "status_history",
    RuleOverride: "rule_overrides",
    Match: "matches",
    MoveInDateChange: "move_in_date_changes",
    Tenancy: "tenancies",
    RentCharge: "rent_charges",
    Payment: "payments",
    Allocation: "payment_allocations",
    RentMonth: "rent_months",
    RentMoney: "rent_money",
    Checkpoint: "rent_checkpoints",
    RepaymentPlan: "repayment_plans",
    Instalment: "instalments",
    PlanMonth: "repayment_plan_months",
    AllocationMove: "payment_moves",
    ChargeChange: "rent_charge_changes",
    CommissionerNotice: "commissioner_notices",
    BankEntry: "bank_payments",
    Road: "road",
    RoadMark: "road_marks",
    ShareConsent: "consents_to_tell_the_landlord",
    LeaseRequest: "lease_requests",
}

# What the export says about the people and places its rows point at, beside their ids.
REFERENCED = {
    User: ("display_name",),
    Flat: ("address", "postcode", "postal_town", "district"),
    Commissioner: ("name",),
    CommissionerContact: ("name",),
    Landlord: ("name",),
}


def _plain(field, value):
    if value is None:
        return None
    if isinstance(field, DecimalField):
        places = Decimal(1).scaleb(-field.decimal_places)
        return str(Decimal(str(value)).quantize(places))
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def row_dict(row) -> dict:
    """Every column of a row by its column name: dates in ISO 8601, decimals as strings."""
    return {
        field.column_name: _plain(field, row.__data__.get(field.name))
        for field in type(row)._meta.sorted_fields
    }


def _references(rows) -> dict:
    wanted: dict = defaultdict(set)
    for row in rows:
        for field in foreign_keys(type(row)):
            value = row.__data__.get(field.name)
            if value is not None and field.rel_model in REFERENCED:
                wanted[field.rel_model].add(value)
    result = {}
    for model, columns in REFERENCED.items():
        if wanted.get(model):
            result[model._meta.table_name] = {
                str(row.id): {column: _plain(None, getattr(row, column)) for column in columns}
                for row in _rows(model, wanted[model])
            }
    return result


def _cases_naming(found: Footprint) -> tuple[list, list]:
    """The cases whose text or replies name the people, and all those cases' replies."""
    ids = set(found.texts.get((Case, Case.text), {}))
    replies_naming = found.texts.get((CaseReply, CaseReply.text), {})
    for part in _chunks(replies_naming):
        query = CaseReply.select(CaseReply.case).where(CaseReply.id.in_(part)).tuples()
        ids.update(case_id for (case_id,) in query)
    cases = _rows(Case, ids)
    replies = []
    for part in _chunks(ids):
        replies += list(CaseReply.select().where(CaseReply.case.in_(part)))
    return cases, sorted(replies, key=lambda row: row.id)


def _texts_naming(found: Footprint, whole: dict) -> list[dict]:
    """Each free text that names the people in a row the export does not hold whole (a
    landlord's activity, a flat's note, someone else's notes): where it is, and the text
    alone, since the rest of the row is not theirs."""
    texts = []
    for (model, field), by_id in found.texts.items():
        for row_id, text in by_id.items():
            if row_id not in whole.get(model, ()):
                table, column = model._meta.table_name, field.column_name
                texts.append({"table": table, "id": row_id, "column": column, "text": text})
    return sorted(texts, key=lambda row: (row["table"], row["id"], row["column"]))


def _audit_events(ids: dict) -> list:
    """Audit events whose subject is the referral or one of the rows about them."""
    events = []
    for model, model_ids in ids.items():
        for part in _chunks(model_ids):
            events += list(
                AuditEvent.select().where(
                    (AuditEvent.subject_type == model._meta.table_name)
                    & AuditEvent.subject_id.in_(part)
                )
            )
    return sorted(events, key=lambda row: row.id)


def export_person(referral_id: int) -> dict:
    """Everything stored about one person, as one JSON-ready document; the export itself is
    recorded in the audit log."""
    with write_transaction():
        referral = Referral.get_or_none(Referral.id == referral_id)
        if referral is None:
            raise UnknownPerson(f"no person (referral) has the id {referral_id}")
        found = footprint(same_person(referral_id))
        others = _rows(Referral, found.rows[Referral] - {referral_id})
        document = {
            "export": {
                "what": "data-access export: everything the intranet stores about one person",
                "referral_id": referral_id,
                "made_at": clock.now().isoformat(timespec="seconds"),
            },
            "referral": row_dict(referral),
            # Referred again, or before: the same personal identity number.
            "other_referrals": [row_dict(row) for row in others],
        }
        every_row = [referral, *others]
        for model in models_about_a_person():
            rows = _rows(model, found.rows[model])
            every_row += rows
            document[SECTIONS.get(model, model._meta.table_name)] = [row_dict(r) for r in rows]
        cases, replies = _cases_naming(found)
        whole = {**found.rows, Case: {row.id for row in cases}, CaseReply: {r.id for r in replies}}
        events = _audit_events(found.rows)
        document["cases_naming_them"] = [row_dict(row) for row in cases]
        document["case_replies"] = [row_dict(row) for row in replies]
        document["texts_naming_them"] = _texts_naming(found, whole)
        document["audit_events"] = [row_dict(row) for row in events]
        document["references"] = _references(every_row + cases + replies + events)
        AuditEvent.record(
            None,
            "exported",
            "referral",
            referral_id,
            "data-access export from the command line (flask gdpr export)",
        )
    return document


# ---- anonymising ----------------------------------------------------------------------

KEEP = "keep"  # kept: the figures need it, or it says nothing about the person
BLANK = "blank"  # emptied ("")
NULL = "null"  # set to nothing
DEFAULT = "default"  # set back to the field's default
SCRUB = "scrub"  # kept, with the person's name and number taken out of it
BUMP = "bump"  # the revision, counted up so that a form open on the old row loses
STAMP = "stamp"  # when it was anonymised


def _anonymous_first_name(row) -> str:
    return ANONYMOUS_NAME


def _anonymous_last_name(row) -> str:
    return f"#{row.id}"


def _birth_year_only(row) -> dt.date:
    return dt.date(row.birth_date.year, 1, 1)


# Per table about a person, what anonymising does to each field. The README lists them.
DECISIONS = {
    Referral: {
        "id": KEEP,
        "received_on": KEEP,
        "commissioner": KEEP,
        "handling_officer": KEEP,
        "first_name": _anonymous_first_name,
        "last_name": _anonymous_last_name,
        "birth_date": _birth_year_only,
        "gender": KEEP,
        "personal_number": NULL,
        "protected_identity": KEEP,
        "target_group": KEEP,
        "drug_free_since": NULL,
        "occupation_kind": BLANK,
        "occupation_percent": NULL,
        "min_rooms": DEFAULT,
        "needs_step_free": DEFAULT,
        "preferred_districts": BLANK,
        "excluded_districts": BLANK,
        "wished_move_in": NULL,
        "notes": BLANK,
        "responsible": KEEP,
        "status": KEEP,
        "status_changed_at": KEEP,
        "status_reason": SCRUB,
        "last_contact_on": KEEP,
        "created_at": KEEP,
        "revision": BUMP,
        "anonymised_at": STAMP,
    },
    ReferralStatusChange: {
        "id": KEEP,
        "referral": KEEP,
        "from_status": KEEP,
        "to_status": KEEP,
        "changed_at": KEEP,
        "changed_by": KEEP,
        # The yearly report counts declines and withdrawals by their reason.
        "reason": SCRUB,
    },
    RuleOverride: {
        "id": KEEP,
        "referral": KEEP,
        "rule": KEEP,
        "reason": BLANK,
        "decided_by": KEEP,
        "decided_at": KEEP,
    },
    Match: {
        "id": KEEP,
        "flat": KEEP,
        "referral": KEEP,
        "status": KEEP,
        "score": KEEP,
        "passed_over_reason": BLANK,
        "move_in_date": KEEP,
        "proposed_at": KEEP,
        "proposed_by": KEEP,
        "declined_by_side": KEEP,
        "decline_reason": KEEP,
        "decline_note": BLANK,
        "closed_at": KEEP,
        "revision": BUMP,
    },
    MoveInDateChange: {
        "id": KEEP,
        "match": KEEP,
        "from_date": KEEP,
        "to_date": KEEP,
        "changed_at": KEEP,
        "changed_by": KEEP,
        "reason": BLANK,
    },
    Tenancy: {
        "id": KEEP,
        "flat": KEEP,
        "referral": KEEP,
        "contact_person": KEEP,
        "start_date": KEEP,
        "rent": KEEP,
        "rent_payer": KEEP,
        "notice_given_on": KEEP,
        "move_out_date": KEEP,
        "end_date": KEEP,
        "outcome": KEEP,
        "outcome_note": BLANK,
        "created_at": KEEP,
        "revision": BUMP,
        # Made from the tenancy's id; it names no one, and the bank's files point to it.
        "payment_reference": KEEP,
    },
    RentCharge: {
        "id": KEEP,
        "tenancy": KEEP,
        "month": KEEP,
        "amount": KEEP,
        "due_on": KEEP,
        "created_at": KEEP,
    },
    Payment: {
        "id": KEEP,
        "tenancy": KEEP,
        "charge": KEEP,
        "paid_on": KEEP,
        "amount": KEEP,
        "method": KEEP,
        "registered_by": KEEP,
        "registered_at": KEEP,
        "request_key": KEEP,
        "reversed_at": KEEP,
        "reversed_by": KEEP,
        "reversal_reason": BLANK,
    },
    Allocation: {
        "id": KEEP,
        "payment": KEEP,
        "tenancy": KEEP,
        "charge": KEEP,
        "amount": KEEP,
        "day": KEEP,
        "reason": KEEP,
    },
    RentMonth: {
        "id": KEEP,
        "charge": KEEP,
        "tenancy": KEEP,
        "month": KEEP,
        "due_on": KEEP,
        "charged": KEEP,
        "paid_by_due": KEEP,
        "paid_by_limit": KEEP,
        "paid_total": KEEP,
        "settled_on": KEEP,
    },
    RentMoney: {
        "id": KEEP,
        "charge": KEEP,
        "paid_on": KEEP,
        "amount": KEEP,
        "registered_by": KEEP,
        "registered_at": KEEP,
    },
    Checkpoint: {
        "id": KEEP,
        "charge": KEEP,
        "kind": KEEP,
        "done_at": KEEP,
        "done_by": KEEP,
        "note": BLANK,
        "plan": BLANK,
    },
    RepaymentPlan: {
        "id": KEEP,
        "tenancy": KEEP,
        "debt": KEEP,
        "note": BLANK,
        "created_by": KEEP,
        "created_at": KEEP,
    },
    Instalment: {
        "id": KEEP,
        "plan": KEEP,
        "due_on": KEEP,
        "amount": KEEP,
    },
    PlanMonth: {"id": KEEP, "plan": KEEP, "charge": KEEP},
    AllocationMove: {
        "id": KEEP,
        "payment": KEEP,
        "tenancy": KEEP,
        "from_charge": KEEP,
        "to_charge": KEEP,
        "amount": KEEP,
        "reason": BLANK,
        "moved_by": KEEP,
        "moved_at": KEEP,
    },
    ChargeChange: {
        "id": KEEP,
        "charge": KEEP,
        "tenancy": KEEP,
        "old_amount": KEEP,
        "new_amount": KEEP,
        "reason": BLANK,
        "changed_by": KEEP,
        "changed_at": KEEP,
    },
    CommissionerNotice: {
        "id": KEEP,
        "tenancy": KEEP,
        "month": KEEP,
        # The letter itself: the person's name, months and amounts in words.
        "text": BLANK,
        "sent_on": KEEP,
        "sent_by": KEEP,
    },
    BankEntry: {
        "id": KEEP,
        "bank_import": KEEP,
        "line": KEEP,
        "part": KEEP,
        "format": KEEP,
        "bank_reference": KEEP,
        "bank_key": KEEP,
        "paid_on": KEEP,
        "amount": KEEP,
        "reference": KEEP,
        # The payer's name and the bank's words about the payment.
        "payer": BLANK,
        "kind": KEEP,
        "reason": BLANK,
        "deducted": KEEP,
        "credit_notes": KEEP,
        "extra_references": KEEP,
        "tenancy": KEEP,
        "payment": KEEP,
        "state": KEEP,
        "note": BLANK,
    },
    Road: {
        "id": KEEP,
        "tenancy": KEEP,
        "step": KEEP,
        "target_month": KEEP,
        "note": BLANK,
        "updated_by": KEEP,
        "updated_at": KEEP,
        "revision": BUMP,
    },
    RoadMark: {
        "id": KEEP,
        "road": KEEP,
        "subject": KEEP,
        "state": KEEP,
        "on_date": KEEP,
        "note": BLANK,
        "marked_by": KEEP,
        "marked_at": KEEP,
    },
    ShareConsent: {
        "id": KEEP,
        "tenancy": KEEP,
        "given_on": KEEP,
        "recorded_by": KEEP,
        "recorded_at": KEEP,
        "harm_assessed_by": KEEP,
        "harm_assessed_at": KEEP,
        "harm_note": BLANK,
        "withdrawn_by": KEEP,
        "withdrawn_at": KEEP,
        "withdrawal_note": BLANK,
    },
    LeaseRequest: {
        "id": KEEP,
        "tenancy": KEEP,
        "flat": KEEP,
        "landlord": KEEP,
        "consent": KEEP,
        "asked_by": KEEP,
        "asked_at": KEEP,
        "recommendation": BLANK,
        # What the landlord was told: the person's name among it.
        "shared": BLANK,
        "answer": KEEP,
        "answer_on": KEEP,
        "answer_note": BLANK,
        "answered_by": KEEP,
        "answered_at": KEEP,
        "withdrawn_at": KEEP,
        "transferred_by": KEEP,
        "transferred_at": KEEP,
        "inventory": KEEP,
        "inventory_note": BLANK,
        "money_note": BLANK,
        "revision": BUMP,
    },
}


def undecided_fields() -> list[str]:
    """Fields of the tables about a person without a decision here, and decisions for fields
    that no longer exist; anonymising refuses to run while there are any."""
    problems = []
    for model in [Referral, *models_about_a_person()]:
        decided = DECISIONS.get(model, {})
        names = {field.name for field in model._meta.sorted_fields}
        label = model.__name__
        problems += [f"{label}.{name} (no decision)" for name in sorted(names - set(decided))]
        problems += [f"{label}.{name} (no such field)" for name in sorted(set(decided) - names)]
    return problems


@dataclass
class Plan:
    """Who anonymising would take: the referrals, and how many people they are."""

    referral_ids: list
    people: int


def _busy(cutoff: dt.date):
    """The condition on a referral that still has something open, or a tenancy that did not
    end before ``cutoff``."""
    recent = Tenancy.select(Tenancy.referral).where(Tenancy.lived_in_since(cutoff))
    open_matches = Match.select(Match.referral).where(Match.status.in_(MatchStatus.OPEN))
    return (
        Referral.status.in_(OPEN_REFERRAL) | Referral.id.in_(recent) | Referral.id.in_(open_matches)
    )


def plan(cutoff: dt.date) -> Plan:
    """The people whose tenancies all ended before ``cutoff`` and who have nothing open.

    A person is a referral; referrals with the same personal identity number are one person,
    taken together or not at all: not while any of them is open, and with their closed
    referrals that never became a tenancy, whose details would otherwise still name them.
    """
    fresh = Referral.anonymised_at.is_null()
    moved_out = (
        Referral.select(Referral.id, Referral.personal_number)
        .where(fresh & Referral.id.in_(Tenancy.select(Tenancy.referral)) & ~_busy(cutoff))
        .tuples()
    )
    chosen = dict(moved_out)
    numbers = {number for number in chosen.values() if number}
    for part in _chunks(numbers):
        same_person = fresh & Referral.personal_number.in_(part)
        query = Referral.select(Referral.id, Referral.personal_number, _busy(cutoff).alias("busy"))
        blocked = set()
        for referral_id, number, busy in query.where(same_person).tuples():
            if busy:
                blocked.add(number)
            else:
                chosen[referral_id] = number
        for referral_id in [rid for rid, number in chosen.items() if number in blocked]:
            del chosen[referral_id]
    numbered = {number for number in chosen.values() if number}
    unnumbered = sum(1 for number in chosen.values() if not number)
    return Plan(sorted(chosen), len(numbered) + unnumbered)


def _apply(model, ids, moment: dt.datetime) -> None:
    """Do the decisions for ``model`` to the rows ``ids``."""
    fixed, per_row = {}, {}
    for name, rule in DECISIONS[model].items():
        field = model._meta.fields[name]
        if callable(rule):
            per_row[field] = rule
        elif rule == BLANK:
            fixed[field] = ""
        elif rule == NULL:
            fixed[field] = None
        elif rule == DEFAULT:
            fixed[field] = field.default() if callable(field.default) else field.default
        elif rule == BUMP:
            fixed[field] = field + 1
        elif rule == STAMP:
            fixed[field] = moment
    for part in _chunks(ids):
        if fixed:
            model.update(fixed).where(model.id.in_(part)).execute()
        if per_row:
            for row in model.select().where(model.id.in_(part)):
                values = {field: rule(row) for field, rule in per_row.items()}
                model.update(values).where(model.id == row.id).execute()


def _scrub(found: Footprint) -> None:
    """Take the people's names and numbers out of every free text that names them."""
    for (model, field), by_id in found.texts.items():
        for row_id, text in by_id.items():
            model.update({field: found.scrubber.scrub(text)}).where(model.id == row_id).execute()


def anonymise(cutoff: dt.date, dry_run: bool = False) -> Plan:
    """Remove the personal details of the people ``plan`` finds, in one transaction with one
    audit event; a dry run only counts them."""
    problems = undecided_fields()
    if problems:
        raise RuntimeError("no anonymisation decision for " + ", ".join(problems))
    if dry_run:
        return plan(cutoff)
    with write_transaction():
        chosen = plan(cutoff)
        found = footprint(chosen.referral_ids)
        # The texts first, as the finder read them: the decisions then empty some of them.
        _scrub(found)
        moment = clock.now()
        for model, ids in found.rows.items():
            _apply(model, ids, moment)
        AuditEvent.record(
            None,
            "anonymised",
            "referrals",
            None,
            f"{chosen.people} people ({len(chosen.referral_ids)} referrals) anonymised, "
            f"tenancies all ended before {cutoff.isoformat()} (flask gdpr anonymise)",
        )
    return chosen
