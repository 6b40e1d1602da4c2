"""The pipeline's rules: organisation numbers, stage moves and their history, the funnel."""

import datetime as dt

import pytest

from intranet import clock
from intranet.identity_numbers import normalise_org_number
from intranet.landlords import services
from intranet.landlords.funnel import funnel_report
from intranet.models import AuditEvent, Landlord, Refused, Stage, StageChange


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("556036-0793", "556036-0793"),
        ("5560360793", "556036-0793"),
        (" 556036 0793 ", "556036-0793"),
        ("212000-0142", "212000-0142"),
        ("556036-0794", None),  # wrong check digit
        ("55603-0793", None),
        ("556036-07933", None),
        ("abcdef-ghij", None),
        ("", None),
    ],
)
def test_organisation_numbers_are_checked_with_luhn(value, expected):
    assert normalise_org_number(value) == expected


# The moves the pipeline allows: forward one stage at a time, aside to paused or declined,
# and back (a demotion, with a reason) to an earlier stage, or out of an agreement, a pause
# or a decline.
ALLOWED = {
    "identified": {"contacted": "forward", "paused": "aside", "declined": "aside"},
    "contacted": {
        "meeting_booked": "forward",
        "paused": "aside",
        "declined": "aside",
        "identified": "back",
    },
    "meeting_booked": {
        "negotiating": "forward",
        "paused": "aside",
        "declined": "aside",
        "contacted": "back",
        "identified": "back",
    },
    "negotiating": {
        "agreement_signed": "forward",
        "paused": "aside",
        "declined": "aside",
        "meeting_booked": "back",
        "contacted": "back",
        "identified": "back",
    },
    "agreement_signed": {
        "paused": "back",
        "declined": "back",
        "negotiating": "back",
        "meeting_booked": "back",
        "contacted": "back",
        "identified": "back",
    },
    "paused": {
        "declined": "aside",
        "negotiating": "back",
        "meeting_booked": "back",
        "contacted": "back",
        "identified": "back",
    },
    "declined": {
        "paused": "back",
        "negotiating": "back",
        "meeting_booked": "back",
        "contacted": "back",
        "identified": "back",
    },
}
FORBIDDEN = [(a, b) for a in Stage.ALL for b in Stage.ALL if b not in ALLOWED[a]]
BACK = [(a, b) for a in Stage.ALL for b, kind in ALLOWED[a].items() if kind == "back"]
ON = [(a, b) for a in Stage.ALL for b, kind in ALLOWED[a].items() if kind != "back"]


def test_the_table_of_moves_is_the_pipelines_rule():
    assert services.MOVES == ALLOWED
    assert [move.stage for move in services.moves_from("contacted")] == [
        "meeting_booked",
        "paused",
        "declined",
        "identified",
    ]
    assert services.moves_from("castle") == [] and services.moves_from(None) == []


def _unchanged(landlord, stage):
    assert Landlord.get_by_id(landlord.id).stage == stage
    assert StageChange.select().where(StageChange.landlord == landlord.id).count() == 1
    assert AuditEvent.select().count() == 0


@pytest.mark.input_only
@pytest.mark.parametrize(("stage", "to_stage"), FORBIDDEN)
def test_a_move_outside_the_table_is_refused(
    app, make_user, make_pipeline_landlord, stage, to_stage
):
    landlord = make_pipeline_landlord(stage)
    with pytest.raises(Refused) as caught:
        services.move_stage(
            landlord.id,
            stage,
            to_stage,
            make_user("manager"),
            decline_reason="no_flats",
            back_reason="Ett skäl",
        )
    assert caught.value.field_name == "to_stage"
    _unchanged(landlord, stage)


@pytest.mark.input_only
@pytest.mark.parametrize("to_stage", ["", "castle", None])
def test_a_move_to_no_stage_is_refused(app, make_user, make_pipeline_landlord, to_stage):
    landlord = make_pipeline_landlord("contacted")
    with pytest.raises(Refused):
        services.move_stage(landlord.id, "contacted", to_stage, make_user("manager"))
    _unchanged(landlord, "contacted")


@pytest.mark.input_only
@pytest.mark.parametrize(("stage", "to_stage"), BACK)
def test_a_move_back_needs_a_reason_which_the_history_keeps(
    app, make_user, make_pipeline_landlord, stage, to_stage
):
    manager = make_user("manager")
    landlord = make_pipeline_landlord(stage)
    decline = {"decline_reason": "no_flats"} if to_stage == "declined" else {}
    for reason in ("", "   "):
        with pytest.raises(Refused) as caught:
            services.move_stage(
                landlord.id, stage, to_stage, manager, back_reason=reason, **decline
            )
        assert caught.value.field_name == "back_reason"
        _unchanged(landlord, stage)
    moved = services.move_stage(
        landlord.id, stage, to_stage, manager, back_reason="  Avtalet sades upp ", **decline
    )
    assert moved.stage == to_stage
    history = list(services.stage_history(landlord.id))
    assert [(c.from_stage, c.to_stage) for c in history] == [(None, stage), (stage, to_stage)]
    assert [c.reason for c in history] == ["", "Avtalet sades upp"]
    event = AuditEvent.get()
    assert (event.actor_id, event.action, event.subject_type, event.subject_id) == (
        manager.id,
        "moved_back",
        "landlord",
        landlord.id,
    )


@pytest.mark.input_only
@pytest.mark.parametrize(("stage", "to_stage"), ON)
def test_a_move_forward_or_aside_needs_no_reason(
    app, make_user, make_pipeline_landlord, stage, to_stage
):
    landlord = make_pipeline_landlord(stage)
    decline = {"decline_reason": "no_answer"} if to_stage == "declined" else {}
    moved = services.move_stage(landlord.id, stage, to_stage, make_user("manager"), **decline)
    assert moved.stage == to_stage
    assert [c.reason for c in services.stage_history(landlord.id)] == ["", ""]
    assert AuditEvent.select().count() == 0


def test_a_decline_reason_must_be_one_of_the_reasons(app, make_user, make_pipeline_landlord):
    landlord = make_pipeline_landlord("contacted")
    with pytest.raises(Refused) as caught:
        services.move_stage(
            landlord.id, "contacted", "declined", make_user("manager"), decline_reason="rude"
        )
    assert caught.value.field_name == "decline_reason"
    _unchanged(landlord, "contacted")


def test_editing_a_landlord_never_moves_it(app, make_pipeline_landlord):
    landlord = make_pipeline_landlord("contacted")
    with pytest.raises(ValueError):
        services.update_landlord(landlord.id, landlord.revision, stage="agreement_signed")
    _unchanged(landlord, "contacted")


def test_a_new_landlord_starts_its_history(app, make_user, make_pipeline_landlord):
    manager = make_user("manager")
    landlord = make_pipeline_landlord("contacted", actor=manager)
    history = list(StageChange.select().where(StageChange.landlord == landlord.id))
    assert [(c.from_stage, c.to_stage, c.changed_by_id) for c in history] == [
        (None, "contacted", manager.id)
    ]


def test_a_move_changes_the_stage_and_keeps_the_history(app, make_user, make_pipeline_landlord):
    manager = make_user("manager")
    clock.set_clock(dt.datetime(2026, 3, 1, 9, 0))
    landlord = make_pipeline_landlord("contacted", actor=manager)
    clock.set_clock(dt.datetime(2026, 3, 9, 10, 30))
    moved = services.move_stage(landlord.id, "contacted", "meeting_booked", manager)
    assert moved.stage == "meeting_booked"
    assert moved.stage_entered_at == dt.datetime(2026, 3, 9, 10, 30)
    assert moved.days_in_stage(dt.date(2026, 3, 12)) == 3
    moves = [(c.from_stage, c.to_stage) for c in services.stage_history(landlord.id)]
    assert moves == [(None, "contacted"), ("contacted", "meeting_booked")]


def test_declined_needs_a_reason(app, make_user, make_pipeline_landlord):
    manager = make_user("manager")
    landlord = make_pipeline_landlord("meeting_booked")
    with pytest.raises(services.PipelineError):
        services.move_stage(landlord.id, "meeting_booked", "declined", manager)
    assert Landlord.get_by_id(landlord.id).stage == "meeting_booked"
    moved = services.move_stage(
        landlord.id,
        "meeting_booked",
        "declined",
        manager,
        decline_reason="no_flats",
        decline_note="Inga nu",
    )
    assert (moved.declined_reason, moved.declined_note) == ("no_flats", "Inga nu")
    back = services.move_stage(
        landlord.id, "declined", "contacted", manager, back_reason="De har lägenheter nu"
    )
    assert back.declined_reason is None and back.declined_note == ""


def test_a_move_from_a_stage_already_left_is_refused(app, make_user, make_pipeline_landlord):
    first, second = make_user("manager", display_name="Maria"), make_user("manager")
    landlord = make_pipeline_landlord("contacted")
    services.move_stage(landlord.id, "contacted", "meeting_booked", first)
    with pytest.raises(services.StageConflict) as caught:
        services.move_stage(landlord.id, "contacted", "paused", second)
    assert caught.value.landlord.stage == "meeting_booked"
    assert caught.value.last_change.changed_by.display_name == "Maria"
    assert Landlord.get_by_id(landlord.id).stage == "meeting_booked"
    assert StageChange.select().where(StageChange.landlord == landlord.id).count() == 2


def test_moving_to_the_same_stage_is_refused(app, make_user, make_pipeline_landlord):
    landlord = make_pipeline_landlord("contacted")
    with pytest.raises(services.PipelineError):
        services.move_stage(landlord.id, "contacted", "contacted", make_user("manager"))


def test_an_activity_with_a_next_step_sets_the_follow_up(app, make_user, make_pipeline_landlord):
    landlord = make_pipeline_landlord()
    services.log_activity(
        landlord.id,
        make_user("staff"),
        kind="call",
        occurred_on=dt.date(2026, 5, 4),
        summary="Ringde",
        next_step="Boka möte",
        next_step_on=dt.date(2026, 5, 11),
    )
    assert Landlord.get_by_id(landlord.id).next_follow_up == dt.date(2026, 5, 11)
    services.log_activity(
        landlord.id,
        make_user("staff"),
        kind="note",
        occurred_on=dt.date(2026, 5, 5),
        summary="Anteckning",
    )
    assert Landlord.get_by_id(landlord.id).next_follow_up == dt.date(2026, 5, 11)


def test_follow_ups_are_the_owners_overdue_and_this_weeks(app, make_user, make_pipeline_landlord):
    owner, other = make_user("staff"), make_user("staff")
    today = dt.date(2026, 11, 25)  # a Wednesday; the week ends on Sunday the 29th
    clock.set_clock(today)
    due = {
        "overdue": today - dt.timedelta(days=3),
        "today": today,
        "sunday": dt.date(2026, 11, 29),
        "next week": dt.date(2026, 11, 30),
    }
    for name, day in due.items():
        make_pipeline_landlord(name=name, owner=owner.id, next_follow_up=day)
    make_pipeline_landlord(name="someone else's", owner=other.id, next_follow_up=today)
    make_pipeline_landlord(name="paused", owner=owner.id, next_follow_up=today, stage="paused")
    declined = make_pipeline_landlord(name="declined", owner=owner.id, next_follow_up=today)
    services.move_stage(declined.id, "identified", "declined", owner, decline_reason="no_flats")
    names = [landlord.name for landlord in services.follow_ups_for(owner, today)]
    assert names == ["overdue", "paused", "today", "sunday"]


def test_the_funnel_measures_conversion_and_time_in_stage(app, make_user, make_pipeline_landlord):
    manager = make_user("manager")
    clock.set_clock(dt.datetime(2026, 1, 1, 9))
    a = make_pipeline_landlord("identified", actor=manager)
    b = make_pipeline_landlord("identified", actor=manager)
    clock.set_clock(dt.datetime(2026, 1, 11, 9))
    services.move_stage(a.id, "identified", "contacted", manager)
    services.move_stage(b.id, "identified", "contacted", manager)
    clock.set_clock(dt.datetime(2026, 1, 31, 9))
    services.move_stage(a.id, "contacted", "meeting_booked", manager)
    services.move_stage(b.id, "contacted", "declined", manager, decline_reason="no_answer")
    report = funnel_report(dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    by_stage = {row.stage: row for row in report.conversions}
    assert (by_stage["identified"].entered, by_stage["identified"].converted) == (2, 2)
    assert (by_stage["contacted"].entered, by_stage["contacted"].converted) == (2, 1)
    assert by_stage["contacted"].rate == 0.5
    assert (by_stage["meeting_booked"].entered, by_stage["meeting_booked"].converted) == (1, 0)
    assert by_stage["negotiating"].entered == 0
    assert report.median_days["identified"] == 10
    assert report.median_days["contacted"] == 20
    assert report.per_stage == {"meeting_booked": 1, "declined": 1}
    assert report.declined_reasons["no_answer"] == 1
    outside = funnel_report(dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert all(row.entered == 0 for row in outside.conversions)
