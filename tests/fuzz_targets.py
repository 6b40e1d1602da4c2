"""What the fuzzer posts: each POST endpoint as a role that may use it, with its form,
the address's arguments and a valid submission built from the demo world; and the hostile
values it puts in their place."""

import dataclasses
import datetime as dt
import io
from collections.abc import Callable

from bankfiles import Paid, bgmax
from hypothesis import strategies as st

from intranet import clock
from intranet.admin.forms import (
    ActiveForm,
    ApproveForm,
    DeactivateForm,
    LiftLockForm,
    ResetTwoFactorForm,
    UserCreateForm,
    UserEditForm,
)
from intranet.auth.forms import (
    EnrolForm,
    EnrolmentCodeForm,
    IdentityForm,
    LanguageForm,
    LoginForm,
    PasswordChangeForm,
    SecondStepForm,
    TurnOffForm,
)
from intranet.demo import DEMO_PASSWORD
from intranet.flats.forms import ChecklistForm, FlatEditForm, FlatForm, StatusForm
from intranet.flats.forms import MoveOutForm as FlatMoveOutForm
from intranet.landlords.forms import (
    ActivityForm,
    ContactForm,
    LandlordCreateForm,
    LandlordEditForm,
    MoveForm,
)
from intranet.matching.forms import (
    AdvanceForm,
    DeclineForm,
    MoveInDateForm,
    MoveInForm,
    ProposeForm,
)
from intranet.models import (
    Flat,
    Landlord,
    Match,
    Referral,
    User,
)
from intranet.portal.forms import (
    AcceptForm,
    CaseForm,
    CloseCaseForm,
    InviteForm,
    LeaseAnswerForm,
    OfferForm,
    ReplyForm,
)
from intranet.referrals.forms import (
    CommissionerContactForm,
    CommissionerForm,
    OverrideForm,
    ReferralEditForm,
    ReferralForm,
)
from intranet.referrals.forms import StatusForm as ReferralStatusForm
from intranet.rent.forms import (
    AssignForm,
    BankFileForm,
    CheckpointForm,
    ConfirmImportForm,
    DiscardImportForm,
    OpenMonthForm,
    PaymentForm,
    RemindersSentForm,
    ReverseForm,
    SetAsideForm,
)
from intranet.residents.forms import (
    CommissionerNoticeForm,
    MoveMoneyForm,
    MoveOutForm,
    NoticeForm,
    PlanForm,
    RentMoneyForm,
)
from intranet.road.forms import (
    AskForm,
    ConsentForm,
    HarmForm,
    MarkForm,
    SettingsForm,
    StepForm,
    TransferForm,
    WithdrawForm,
)

# POST endpoints the fuzzer leaves out, and why.
EXEMPT = {
    # The old addresses answer 308 to the new ones without reading the form; the new ones
    # are fuzzed below.
    "moved.create_plan",
    "moved.move_out",
    "moved.notice",
    "moved.record_notice",
    "moved.rent_money",
}

OMIT = object()  # "send no such field at all"

NO_DAY = ["2027-02-30", "2027-02-29", "2026-13-01", "2026-00-10", "0000-01-01", "10000-01-01"]
FAR_DAY = ["0001-01-01", "1899-12-31", "9999-12-31", "2100-01-01", "1970-01-01"]
NUMBERS = [
    "-1",
    "0",
    "-0",
    "1e309",
    "-1e309",
    "NaN",
    "Infinity",
    "1e-400",
    "9" * 40,
    "-" + "9" * 40,
    str(2**31),
    str(2**63),
    "1 000 000,01",
    "0,001",
    "12abc",
    "²",
    "١٢",
    "0x10",
    "+5",
    "5.",
    ".5",
]
TEXTS = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\u202e\u200b",
    "🏠" * 50,
    "x" * 5001,
    "å" * 20_000,
    "<script>alert(1)</script>",
    "'; DROP TABLE flat; --",
    "%s %(x)s {0}",
    "on",
    "true",
    "None",
    "[]",
]

hostile_value = st.one_of(
    st.sampled_from(TEXTS + NUMBERS + NO_DAY + FAR_DAY),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=40),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
)
hostile = st.one_of(hostile_value, st.lists(hostile_value, min_size=2, max_size=3), st.just(OMIT))


@dataclasses.dataclass
class Target:
    """How to post to one endpoint: as whom, with which form, at which address, from where."""

    role: str
    form: type | None
    url: Callable[[dict], dict]  # world -> the address's arguments: a valid value each
    base: Callable[[dict], dict] = lambda world: {}  # world -> a valid submission
    fresh_login: bool = False  # log in again before each example (logout, password)


def other_ids(world, name):
    """Ids for an address argument beside the valid one: another landlord's, none, huge."""
    others = world.get("other", {}).get(name)
    return [v for v in (others, 0, 999_999, 2**31, 2**63, 10**30) if v is not None]


def _road_revision(tenancy_id) -> int:
    from intranet.models import Road

    road = Road.get_or_none(Road.tenancy == tenancy_id)
    return road.revision if road else 0


def _today(offset=0):
    return (clock.today() + dt.timedelta(days=offset)).isoformat()


def _flat_base(world):
    flat = Flat.get_by_id(world["flat"])
    return {
        "landlord": str(world["taking_landlord"]),
        "address": "Provgatan 1",
        "postcode": "123 45",
        "postal_town": "Farsta",
        "district": "Farsta",
        "rooms": "2",
        "size_m2": "54,5",
        "floor": "0",
        "rent_to_landlord": "6000",
        "rent_to_resident": "6200",
        "kind": "training",
        "lease_start": "2026-01-01",
        "lease_end": "",
        "notice_months": "3",
        "note": "",
        "revision": str(flat.revision),
    }


def _landlord_base(world):
    landlord = Landlord.get_by_id(world["landlord"])
    return {
        "name": "Provbolaget AB",
        "org_number": "556036-0793",
        "kind": "private",
        "website": "https://example.org",
        "districts": "Farsta, Älvsjö",
        "owner_name": "",
        "expected_flats": "3",
        "next_follow_up": _today(7),
        "notes": "",
        "stage": "identified",
        "revision": str(landlord.revision),
    }


def _referral_base(world):
    referral = Referral.get_by_id(world["referral"])
    return {
        "received_on": _today(-3),
        "commissioner": str(world["commissioner"]),
        "handling_officer": "0",
        "first_name": "Prov",
        "last_name": "Person",
        "birth_date": "1990-05-05",
        "gender": "other",
        "personal_number": "",
        "target_group": "crime",
        "drug_free_since": "2025-01-01",
        "occupation_kind": "work",
        "occupation_percent": "75",
        "min_rooms": "1",
        "preferred_districts": "Farsta",
        "excluded_districts": "",
        "wished_move_in": "",
        "responsible": "0",
        "notes": "",
        "revision": str(referral.revision),
    }


def _user_base(world):
    user = User.get_by_id(world["user"])
    return {
        "email": "prov@example.org",
        "display_name": "Prov Person",
        "role": "staff",
        "landlord": "0",
        "password": "a long enough password",
        "new_password": "",
        "revision": str(user.revision),
    }


def _match_base(world):
    match = Match.get_by_id(world["match"])
    return {
        "from_status": match.status,
        "move_in_date": _today(14),
        "side": "unit",
        "reason": "other",
        "note": "",
        "contact_person": str(world["staff"]),
        "rent": "6200",
        "rent_payer": "resident",
    }


TARGETS = {
    "admin.create_user": Target("admin", UserCreateForm, lambda w: {}, _user_base),
    "admin.edit_user": Target("admin", UserEditForm, lambda w: {"user_id": w["user"]}, _user_base),
    "admin.deactivate_user": Target(
        "admin",
        DeactivateForm,
        lambda w: {"user_id": w["user"]},
        lambda w: {**_user_base(w), "confirmed": "y"},
    ),
    "admin.reactivate_user": Target(
        "admin", ActiveForm, lambda w: {"user_id": w["user"]}, _user_base
    ),
    "auth.login": Target(
        None,
        LoginForm,
        lambda w: {},
        lambda w: {"email": "personal@demo.example", "password": DEMO_PASSWORD, "next": "/"},
    ),
    "auth.logout": Target("staff", None, lambda w: {}, fresh_login=True),
    "auth.change_password": Target(
        "staff",
        PasswordChangeForm,
        lambda w: {},
        lambda w: {
            "current_password": DEMO_PASSWORD,
            "new_password": "another long password",
            "confirm_password": "another long password",
        },
        fresh_login=True,
    ),
    "auth.set_language": Target(
        "staff", LanguageForm, lambda w: {}, lambda w: {"language": "en", "next": "/flats/"}
    ),
    "flats.create": Target("staff", FlatForm, lambda w: {}, _flat_base),
    "flats.edit": Target("staff", FlatEditForm, lambda w: {"flat_id": w["flat"]}, _flat_base),
    "flats.change_status": Target(
        "manager",
        StatusForm,
        lambda w: {"flat_id": w["offered_flat"]},
        lambda w: {
            "revision": str(Flat.get_by_id(w["offered_flat"]).revision),
            "from_status": Flat.get_by_id(w["offered_flat"]).status,
            "to_status": "viewed",
            "note": "",
        },
    ),
    "flats.move_out_checklist": Target(
        "caretaker",
        FlatMoveOutForm,
        lambda w: {"flat_id": w["flat"]},
        lambda w: {
            "revision": str(Flat.get_by_id(w["flat"]).revision),
            "keys_returned": "y",
            "key_count": "3",
            "inspection_done": "y",
            "damage": "",
            "cleaned": "y",
            "missing_bedding": "y",
            "finish": "y",
        },
    ),
    "flats.checklist": Target(
        "caretaker",
        ChecklistForm,
        lambda w: {"flat_id": w["flat"]},
        lambda w: {
            "revision": str(Flat.get_by_id(w["flat"]).revision),
            "has_furniture": "y",
            "keys_handed_over": "y",
            "key_count": "3",
        },
    ),
    "landlords.create": Target("manager", LandlordCreateForm, lambda w: {}, _landlord_base),
    "landlords.edit": Target(
        "manager", LandlordEditForm, lambda w: {"landlord_id": w["landlord"]}, _landlord_base
    ),
    "landlords.move": Target(
        "manager",
        MoveForm,
        lambda w: {"landlord_id": w["landlord"]},
        lambda w: {
            "from_stage": Landlord.get_by_id(w["landlord"]).stage,
            "to_stage": "contacted",
            "decline_reason": "",
            "decline_note": "",
            "shown_on": "board",
            "board_query": "",
        },
    ),
    "landlords.log_activity": Target(
        "staff",
        ActivityForm,
        lambda w: {"landlord_id": w["landlord"]},
        lambda w: {
            "kind": "call",
            "occurred_on": _today(),
            "summary": "Ringde",
            "outcome": "",
            "next_step": "Möte",
            "next_step_on": _today(5),
        },
    ),
    "landlords.add_contact": Target(
        "manager",
        ContactForm,
        lambda w: {"landlord_id": w["landlord"]},
        lambda w: {"name": "Anna", "title": "VD", "phone": "08-123", "email": "a@example.org"},
    ),
    "matching.propose": Target(
        "staff",
        ProposeForm,
        lambda w: {},
        lambda w: {
            "flat_id": str(w["ready_flat"]),
            "referral_id": str(w["waiting_referral"]),
            "passed_over_reason": "",
        },
    ),
    "matching.accept_pair": Target(
        "staff",
        ProposeForm,
        lambda w: {},
        lambda w: {"flat_id": str(w["ready_flat"]), "referral_id": str(w["waiting_referral"])},
    ),
    "matching.advance": Target(
        "staff", AdvanceForm, lambda w: {"match_id": w["match"]}, _match_base
    ),
    "matching.decline": Target(
        "staff", DeclineForm, lambda w: {"match_id": w["match"]}, _match_base
    ),
    "matching.move_in": Target(
        "staff", MoveInForm, lambda w: {"match_id": w["accepted_match"]}, _match_base
    ),
    "matching.change_move_in_date": Target(
        "staff",
        MoveInDateForm,
        lambda w: {"match_id": w["accepted_match"]},
        lambda w: {
            "revision": str(Match.get_by_id(w["accepted_match"]).revision),
            "move_in_date": _today(),
            "reason": "Flyttade in tidigare",
        },
    ),
    "portal.new_case": Target(
        "landlord",
        CaseForm,
        lambda w: {},
        lambda w: {"kind": "fault", "text": "Kranen droppar", "unit": str(w["own_flat"])},
    ),
    "portal.reply": Target(
        "landlord", ReplyForm, lambda w: {"case_id": w["own_case"]}, lambda w: {"text": "Tack"}
    ),
    "portal.answer_lease_request": Target(
        "landlord",
        LeaseAnswerForm,
        lambda w: {"request_id": w["lease_request"]},
        lambda w: {"answer": "later", "answer_on": _today(30), "note": ""},
    ),
    "road.step": Target(
        "manager",
        StepForm,
        lambda w: {"tenancy_id": w["tenancy"]},
        lambda w: {
            "step": "take_over",
            "target_month": (clock.today() + dt.timedelta(days=62)).strftime("%Y-%m"),
            "note": "Vill bo kvar",
            "revision": str(_road_revision(w["tenancy"])),
        },
    ),
    "road.mark": Target(
        "manager",
        MarkForm,
        lambda w: {"tenancy_id": w["tenancy"]},
        lambda w: {"condition": "assessment", "state": "ready", "on_date": _today(), "note": ""},
    ),
    "road.consent": Target(
        "manager",
        ConsentForm,
        lambda w: {"tenancy_id": w["tenancy"]},
        lambda w: {"given_on": _today(), "confirmed": "y"},
    ),
    "road.withdraw": Target(
        "manager",
        WithdrawForm,
        lambda w: {"tenancy_id": w["tenancy"]},
        lambda w: {"note": "", "confirmed": "y"},
    ),
    "road.harm": Target(
        "manager",
        HarmForm,
        lambda w: {"tenancy_id": w["tenancy"]},
        lambda w: {"note": "Ingen risk"},
    ),
    "road.ask": Target(
        "manager",
        AskForm,
        lambda w: {"tenancy_id": w["tenancy"]},
        lambda w: {"recommendation": "Rekommenderas", "confirmed": "y"},
    ),
    "road.transfer": Target(
        "manager",
        TransferForm,
        lambda w: {"request_id": w["lease_request"]},
        lambda w: {"inventory": "left", "inventory_note": "", "money_note": "", "confirmed": "y"},
    ),
    "road.settings": Target(
        "manager",
        SettingsForm,
        lambda w: {},
        lambda w: {"take_over-rent_on_time": "y", "take_over-rent_on_time-months": "12"},
    ),
    "portal.offer": Target(
        "landlord",
        OfferForm,
        lambda w: {},
        lambda w: {
            "address": "Erbjudna gatan 2",
            "district": "Farsta",
            "rooms": "2",
            "size_m2": "50",
            "note": "",
            "rent": "6000",
            "available_from": _today(30),
        },
    ),
    "portal.staff_reply": Target(
        "staff", ReplyForm, lambda w: {"case_id": w["own_case"]}, lambda w: {"text": "Vi kommer"}
    ),
    "portal.close": Target(
        "staff", CloseCaseForm, lambda w: {"case_id": w["own_case"]}, lambda w: {"confirmed": "y"}
    ),
    "portal.staff_new_case": Target(
        "caretaker",
        CaseForm,
        lambda w: {"flat_id": w["own_flat"]},
        lambda w: {"kind": "inspection", "text": "Besiktning klar"},
    ),
    "portal.invite": Target(
        "manager",
        InviteForm,
        lambda w: {"landlord_id": w["landlord"]},
        lambda w: {"display_name": "Ny Hyresvärd", "email": "ny@example.org"},
    ),
    "portal.accept": Target(
        None,
        AcceptForm,
        lambda w: {"token": w["token"]},
        lambda w: {"password": "a long enough password", "confirm": "a long enough password"},
    ),
    "referrals.create": Target("staff", ReferralForm, lambda w: {}, _referral_base),
    "referrals.edit": Target(
        "staff", ReferralEditForm, lambda w: {"referral_id": w["referral"]}, _referral_base
    ),
    "referrals.set_status": Target(
        "staff",
        ReferralStatusForm,
        lambda w: {"referral_id": w["referral"]},
        lambda w: {
            "from_status": Referral.get_by_id(w["referral"]).status,
            "to_status": "assessing",
            "reason": "",
        },
    ),
    "referrals.record_contact": Target(
        "staff", None, lambda w: {"referral_id": w["waiting_referral"]}
    ),
    "referrals.add_override": Target(
        "manager",
        OverrideForm,
        lambda w: {"referral_id": w["waiting_referral"]},
        lambda w: {"rule": "rooms", "reason": "Bedömt rimligt"},
    ),
    "referrals.commissioners": Target(
        "staff",
        CommissionerForm,
        lambda w: {},
        lambda w: {"name": "Socialtjänsten Prov", "kind": "social_services"},
    ),
    "referrals.add_commissioner_contact": Target(
        "staff",
        CommissionerContactForm,
        lambda w: {"commissioner_id": w["commissioner"]},
        lambda w: {"name": "Handläggare", "phone": "08-1", "email": "h@example.org"},
    ),
    "rent.open_month": Target(
        "staff", OpenMonthForm, lambda w: {"month": clock.today().strftime("%Y-%m")}
    ),
    "rent.reminders_sent": Target(
        "staff",
        RemindersSentForm,
        lambda w: {"month": clock.today().strftime("%Y-%m")},
        lambda w: {"contact": "", "back": "reminders"},
    ),
    "admin.reset_two_factor": Target("admin", ResetTwoFactorForm, lambda w: {"user_id": w["user"]}),
    "admin.lift_lock": Target("admin", LiftLockForm, lambda w: {"user_id": w["user"]}),
    "admin.approve_user": Target("manager", ApproveForm, lambda w: {"user_id": w["user"]}),
    # Without a password step first, the code is refused whatever it is; the code step's
    # own cases are in tests/test_two_factor.py.
    "auth.login_code": Target(None, SecondStepForm, lambda w: {}, lambda w: {"code": "123456"}),
    "auth.login_enrol": Target(
        None, EnrolmentCodeForm, lambda w: {}, lambda w: {"enrolment_code": "abcd-efgh-jkmn"}
    ),
    "auth.set_up": Target(None, EnrolForm, lambda w: {}, lambda w: {"code": "123456"}),
    "auth.enrol": Target(
        "staff", IdentityForm, lambda w: {}, lambda w: {"password": DEMO_PASSWORD}, fresh_login=True
    ),
    "auth.turn_off_two_factor": Target(
        "staff", TurnOffForm, lambda w: {}, lambda w: {"password": DEMO_PASSWORD}, fresh_login=True
    ),
    "rent.pay": Target(
        "staff",
        PaymentForm,
        lambda w: {"charge_id": w["charge"]},
        lambda w: {"paid_on": _today(), "amount": "1000", "method": "swish", "request_key": "k"},
    ),
    "rent.reverse": Target(
        "staff",
        ReverseForm,
        lambda w: {"payment_id": w["payment"]},
        lambda w: {"reason": "Fel person", "confirmed": "y"},
    ),
    "rent.checkpoint": Target(
        "staff",
        CheckpointForm,
        lambda w: {"charge_id": w["charge"], "kind": "reminder"},
        lambda w: {"note": "Hur är det?", "plan": "Betalar på fredag"},
    ),
    "rent.bank_imports": Target(
        "staff",
        BankFileForm,
        lambda w: {},
        lambda w: {"file": (io.BytesIO(bgmax([Paid("100000181", 100, clock.today())])), "bg.txt")},
    ),
    "rent.confirm_import": Target(
        "staff", ConfirmImportForm, lambda w: {"import_id": w["bank_import"]}
    ),
    "rent.assign_entry": Target(
        "staff",
        AssignForm,
        lambda w: {"import_id": w["bank_import"], "entry_id": w["bank_entry"]},
        lambda w: {"tenancy": str(w["tenancy"])},
    ),
    "rent.discard_import": Target(
        "staff",
        DiscardImportForm,
        lambda w: {"import_id": w["bank_import"]},
        lambda w: {"reason": "Fel dag"},
    ),
    "rent.set_aside_entry": Target(
        "staff",
        SetAsideForm,
        lambda w: {"import_id": w["bank_import"], "entry_id": w["bank_entry"]},
        lambda w: {"reason": "Återbetalning från leverantör"},
    ),
    "residents.notice": Target(
        "staff",
        NoticeForm,
        lambda w: {"tenancy_id": w["tenancy"]},
        lambda w: {"move_out_date": _today(60)},
    ),
    "residents.move_out": Target(
        "staff",
        MoveOutForm,
        lambda w: {"tenancy_id": w["tenancy"]},
        lambda w: {"end_date": _today(), "outcome": "own_lease", "note": "", "confirmed": "y"},
    ),
    "residents.create_plan": Target(
        "staff",
        PlanForm,
        lambda w: {"tenancy_id": w["tenancy"]},
        lambda w: {
            "months": str(w["owed_charge"]),
            "instalments": f"{_today(10)} {w['owed']}",
            "note": "",
        },
    ),
    "residents.move_money": Target(
        "manager",
        MoveMoneyForm,
        lambda w: {"tenancy_id": w["tenancy"]},
        lambda w: {
            "from_month": str(w["charge"]),
            "to_month": "credit",
            "amount": "100",
            "reason": "Fel månad",
        },
    ),
    "residents.record_notice": Target(
        "staff",
        CommissionerNoticeForm,
        lambda w: {"tenancy_id": w["tenancy"]},
        lambda w: {"text": "Hyran är obetald", "sent_on": _today()},
    ),
    "residents.rent_money": Target(
        "staff",
        RentMoneyForm,
        lambda w: {"tenancy_id": w["tenancy"], "charge_id": w["charge"]},
        lambda w: {"paid_on": _today(), "amount": "6200"},
    ),
}
