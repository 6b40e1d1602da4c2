"""A resident's history on their page: every step taken with them, dated, with who took it
and the note written about it. The notes are read by the manager and the resident's contact
person; other staff see that a step happened and when, never its note; each reading is in
the audit log. The history is a page at a time, in the same queries however long it is."""

import datetime as dt

import pytest
from conftest import login
from helpers import add_flat, add_person, count_queries, open_rent_month

from intranet import clock
from intranet.models import (
    AuditEvent,
    CommissionerNotice,
    Match,
    Referral,
    ReferralStatusChange,
    RentCharge,
    Role,
    RuleOverride,
    Tenancy,
)
from intranet.referrals import services as referral_services
from intranet.rent import services as rent_services
from intranet.residents import history

EN = {"Accept-Language": "en"}

# One unique note for each kind of step, and the label the step shows under.
NOTES = {
    "status": ("Referral status", "Status-9f1 väntar på lägenhet i söder"),
    "override": ("Eligibility rule overridden", "Override-2b7 drogfri i fem månader"),
    "passed_over": ("Flat proposed", "PassedOver-3c8 den förste tackade nej"),
    "decline": ("Match declined", "Decline-4d9 för långt till jobbet"),
    "outcome": ("Moved out", "Outcome-5e1 flyttade till sin syster"),
    "reminder": ("Reminder (1st)", "Reminder-6f2 sms skickat"),
    "visit": ("Home visit (5th)", "Visit-7a3 lönen kom sent"),
    "visit_plan": ("Home visit (5th)", "VisitPlan-8b4 betalar den 10:e"),
    "meeting": ("Manager meeting (15th)", "Meeting-9c5 behöver stöd med ekonomin"),
    "meeting_plan": ("Manager meeting (15th)", "MeetingPlan-0d6 avbetalning i två delar"),
    "plan": ("Repayment plan", "Plan-1e7 två delbetalningar"),
    "notice": ("Notice to the commissioner", "Notice-2f8 hyran för mars är obetald"),
    "reversal": ("Payment reversed", "Reversal-3a9 registrerad på fel person"),
    "move": ("Money moved between months", "Move-4b0 betalningen gällde april"),
}


@pytest.fixture
def people(app, rent_world, make_user):
    contact, resident = rent_world
    return {
        "contact": contact,
        "manager": make_user(Role.MANAGER, display_name="Maria Chef"),
        "other": make_user(Role.STAFF, display_name="Annan Handläggare"),
        "resident": resident,
    }


@pytest.fixture
def story(people):
    """Sara, with one step of every kind behind her, each with its own note: an earlier
    flat she moved out of, a match declined before the flat she lives in now, and this
    month's reminder, home visit, meeting, plan, notice, a reversed payment, money moved."""
    contact, manager = people["contact"], people["manager"]
    sara = people["resident"]("Sara")
    person = sara.referral
    moment = dt.datetime(2026, 5, 2, 10, 0)
    ReferralStatusChange.record(
        person.id, "assessing", "waiting", contact, moment, reason=NOTES["status"][1]
    )
    referral_services.override_rule(person.id, "drug_free", NOTES["override"][1], manager)
    earlier = add_flat(sara.flat.landlord, "Förra gatan 1")
    Tenancy.create(
        flat=earlier,
        referral=person,
        contact_person=contact,
        start_date=dt.date(2026, 6, 1),
        rent=6000,
        notice_given_on=dt.date(2026, 10, 1),
        move_out_date=dt.date(2026, 11, 30),
        end_date=dt.date(2026, 11, 30),
        outcome="other",
        outcome_note=NOTES["outcome"][1],
    )
    declined = add_flat(sara.flat.landlord, "Nekade gatan 2")
    Match.create(
        flat=declined,
        referral=person,
        status="declined",
        proposed_by=contact,
        proposed_at=dt.datetime(2026, 12, 1, 9, 0),
        passed_over_reason=NOTES["passed_over"][1],
        declined_by_side="person",
        decline_reason="area",
        decline_note=NOTES["decline"][1],
        closed_at=dt.datetime(2026, 12, 3, 9, 0),
    )
    open_rent_month()
    march = RentCharge.get(RentCharge.tenancy == sara.id)
    rent_services.mark_checkpoint(march.id, "reminder", contact, NOTES["reminder"][1])
    rent_services.mark_checkpoint(
        march.id, "home_visit", contact, NOTES["visit"][1], NOTES["visit_plan"][1]
    )
    rent_services.mark_checkpoint(
        march.id, "manager_meeting", manager, NOTES["meeting"][1], NOTES["meeting_plan"][1]
    )
    paid = rent_services.register_payment(
        march.id, contact, dt.date(2027, 3, 4), 200, "swish", "k-reversed"
    )
    rent_services.reverse_payment(paid.id, contact, NOTES["reversal"][1])
    kept = rent_services.register_payment(
        march.id, contact, dt.date(2027, 3, 4), 100, "swish", "k-moved"
    )
    rent_services.move_money(sara.id, manager, march.id, None, 100, NOTES["move"][1])
    rent_services.create_plan(
        sara.id, manager, [march.id], [(dt.date(2027, 4, 25), 6200)], NOTES["plan"][1]
    )
    rent_services.record_notice(
        sara.id, march.month, NOTES["notice"][1], dt.date(2027, 3, 5), manager
    )
    assert kept.reversed_at is None
    return sara


def _opened(user) -> AuditEvent:
    """The one line in the audit log of ``user`` opening a page about a person."""
    return (
        AuditEvent.select()
        .where((AuditEvent.actor == user.id) & (AuditEvent.action == "opened"))
        .get()
    )


def _page(app, user, url):
    client = app.test_client()
    login(client, user)
    response = client.get(url, headers=EN)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_every_kind_of_step_is_in_the_history_with_its_note_and_who(app, people, story):
    steps = history.resident_history(story.referral, people["manager"])
    kinds = {e.kind for e in steps.entries}
    assert kinds == {
        "referral_status",
        "rule_override",
        "match_proposed",
        "match_declined",
        "moved_in",
        "notice_given",
        "moved_out",
        "reminder",
        "home_visit",
        "manager_meeting",
        "repayment_plan",
        "commissioner_notice",
        "payment_reversed",
        "money_moved",
    }
    written = {e.note for e in steps.entries} | {e.plan for e in steps.entries}
    assert {note for _label, note in NOTES.values()} <= written
    visit = next(e for e in steps.entries if e.kind == "home_visit")
    assert (visit.who, visit.what, visit.at.date()) == ("Johan Berg", "2027-03", clock.today())
    declined = next(e for e in steps.entries if e.kind == "match_declined")
    assert declined.what.startswith("Nekade gatan 2")
    assert [e.sort_key for e in steps.entries] == sorted(
        (e.sort_key for e in steps.entries), reverse=True
    )
    assert steps.entries[-1].kind == "referral_status"  # the oldest, May 2026


@pytest.mark.parametrize("who", ["manager", "contact"])
def test_the_manager_and_the_contact_person_read_the_notes(app, people, story, who):
    body = _page(app, people[who], f"/residents/{story.id}")
    for label, note in NOTES.values():
        assert label in body
        assert note in body, note
    line = _opened(people[who])
    assert (line.action, line.subject_id) == ("opened", story.referral_id)
    assert line.detail == "resident page, notes read"


def test_other_staff_see_the_steps_and_their_dates_but_no_note(app, people, story):
    body = _page(app, people["other"], f"/residents/{story.id}")
    for label, note in NOTES.values():
        assert label in body
        assert note not in body, note
    assert "2027-03-05" in body and "2026-12-03" in body
    assert "The notes are read by the manager" in body
    line = _opened(people["other"])
    assert line.detail == "resident page"


def test_the_responsible_staff_member_does_not_read_a_residents_notes(app, people, story):
    """The responsible staff member's right ends at move-in, as for a protected record."""
    Referral.update(responsible=people["other"]).where(Referral.id == story.referral_id).execute()
    body = _page(app, people["other"], f"/residents/{story.id}")
    assert NOTES["visit"][1] not in body


def test_the_responsible_staff_member_reads_the_notes_before_move_in(app, people):
    from intranet.models import Commissioner

    waiting = add_person(Commissioner.get(), "Vera", status="waiting", responsible=people["other"])
    assert history.may_read_notes(waiting, people["other"])
    assert history.may_read_notes(waiting, people["manager"])
    assert not history.may_read_notes(waiting, people["contact"])


def test_the_rent_page_shows_a_plans_note_to_those_who_read_notes_only(app, people, story):
    url = f"/residents/{story.id}/rent"
    assert NOTES["plan"][1] in _page(app, people["contact"], url)
    assert NOTES["plan"][1] not in _page(app, people["other"], url)
    details = {
        e.actor_id: e.detail for e in AuditEvent.select().where(AuditEvent.detail ** "rent page%")
    }
    assert details == {
        people["contact"].id: "rent page, notes read",
        people["other"].id: "rent page",
    }


@pytest.mark.parametrize("role", [Role.CARETAKER, Role.LANDLORD, Role.ADMIN])
def test_the_caretaker_landlords_and_the_admin_see_no_resident_page(
    app, client, make_user, story, role
):
    login(client, make_user(role))
    for url in (f"/residents/{story.id}", f"/residents/{story.id}?history=2"):
        assert client.get(url).status_code == 403


def _busy(people, name: str, count: int) -> Tenancy:
    """A resident with ``count`` steps behind them, each with a note."""
    tenancy = people["resident"](name)
    person, contact = tenancy.referral_id, people["contact"]
    start = dt.datetime(2026, 1, 1, 8, 0)
    for n in range(count - 1):  # moving in is one
        moment = start + dt.timedelta(days=n)
        if n % 3 == 0:
            ReferralStatusChange.record(
                person, "waiting", "assessing", contact, moment, reason=f"steg {n}"
            )
        elif n % 3 == 1:
            RuleOverride.create(
                referral=person,
                rule="age",
                reason=f"steg {n}",
                decided_by=contact,
                decided_at=moment,
            )
        else:
            CommissionerNotice.create(
                tenancy=tenancy,
                month=dt.date(2026, 1, 1),
                text=f"steg {n}",
                sent_on=moment.date(),
                sent_by=contact,
            )
    return tenancy


def test_the_page_runs_the_same_queries_with_2_and_with_40_steps(app, client, people):
    few, many = _busy(people, "Few", 2), _busy(people, "Many", 40)
    login(client, people["contact"])

    def queries(tenancy):
        with count_queries() as log:
            assert client.get(f"/residents/{tenancy.id}").status_code == 200
        return len(log)

    assert history.resident_history(few.referral, people["contact"]).entries[1].note == "steg 0"
    assert queries(few) == queries(many)


def test_a_long_history_shows_a_page_and_links_to_the_older_entries(app, client, people):
    many = _busy(people, "Many", 40)
    login(client, people["contact"])
    url = f"/residents/{many.id}"
    first = client.get(url, headers=EN).get_data(as_text=True)
    # The newest: the move-in, then the steps from the 39th back.
    assert first.count("steg ") == history.PAGE_SIZE - 1
    assert ">steg 38<" in first and ">steg 0<" not in first
    assert f'href="{url}?history=2"' in first and "Older entries" in first
    body = client.get(f"{url}?history=2", headers=EN).get_data(as_text=True)
    assert body.count("steg ") == 40 - history.PAGE_SIZE
    assert ">steg 0<" in body and ">steg 38<" not in body
    assert f'href="{url}"' in body and "Newer entries" in body and "Older entries" not in body
    details = [e.detail for e in AuditEvent.select().order_by(AuditEvent.id)]
    assert details[-2:] == [
        "resident page, notes read",
        "resident page, notes read, history page 2",
    ]


def test_the_older_entries_come_as_a_fragment_to_htmx(app, client, people):
    many = _busy(people, "Many", 40)
    login(client, people["contact"])
    headers = {**EN, "HX-Request": "true", "HX-Target": "history"}
    response = client.get(f"/residents/{many.id}?history=2", headers=headers)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "HX-Request" in response.headers["Vary"]
    assert body.lstrip().startswith('<section id="history"') and "<html" not in body
    assert "steg 0" in body


@pytest.mark.parametrize("bad", ["0", "abc", "999999999"])
def test_a_bad_history_page_is_a_clear_400(app, client, people, story, bad):
    login(client, people["contact"])
    assert client.get(f"/residents/{story.id}?history={bad}").status_code == 400
