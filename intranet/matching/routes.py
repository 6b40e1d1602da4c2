"""The matching page, the plans, a match's steps and the move-in."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import clock, paging
from ..audit.services import audited
from ..models import Flat, Match, MoveInDateChange, Referral, Role
from ..referrals.services import days_waited, may_open, may_read_notes, needs_confirmation
from ..rendering import render
from ..security import roles_required
from . import board, bp, services
from .forms import (
    AdvanceForm,
    DeclineForm,
    MoveInDateForm,
    MoveInForm,
    ProposeForm,
    WithinForm,
)

READERS = (Role.MANAGER, Role.STAFF)


def _page_context(form: WithinForm, **extra):
    within = form.within.data if form.within.data is not None else 14
    frees = board.free_flats(within)
    # The waiting referrals' list reads its page of 50 and their count; all of them are
    # read only to rank them for a flat.
    referral_page = paging.paginate(
        board.waiting_referrals_query(), paging.page_number("referrals_page")
    )
    context = {
        "form": form,
        "within": within,
        "frees": frees,
        "free_page": paging.page_of(frees, paging.page_number("flats_page")),
        "referral_page": referral_page,
        "matches": paging.paginate(board.open_matches(), 1),
        "total_cost": sum(free.cost_so_far for free in frees),
        "propose_form": extra.pop("propose_form", None) or ProposeForm(formdata=None),
        "today": clock.today(),
        "needs_confirmation": needs_confirmation,
        "days_waited": days_waited,
    }
    flat_id = extra.pop("flat_id", None) or form.flat.data
    referral_id = extra.pop("referral_id", None) or form.referral.data
    shown = form.shown.data or board.RANKING_PAGE
    context["page_size"] = board.RANKING_PAGE
    context.update(_selection(frees, flat_id, referral_id, shown))
    # What the ranked people declined before, for the rows the ranking shows.
    ranked_people = [c.referral.id for c in context.get("ranking") or []]
    context["declines"] = board.previous_declines(ranked_people)
    context.update(extra)
    return context


def _selection(frees, flat_id, referral_id, shown) -> dict:
    """The flat or referral picked, and the first ``shown`` of the other side ranked for it."""
    chosen = {"ranking": None, "selected_flat": None, "selected_referral": None, "shown": shown}
    if flat_id:
        free = next((f for f in frees if f.flat.id == flat_id), None)
        if free is None:
            return {**chosen, "not_found": _("That flat is not free any more.")}
        kept = board.waiting()
        ranking = board.rank_for_flat(free, kept, limit=shown)
        return {**chosen, "selected_flat": free, "ranking": ranking, "ranked": len(kept.ids)}
    if referral_id:
        referral = board.waiting_referrals_query().where(Referral.id == referral_id).first()
        if referral is None:
            return {**chosen, "not_found": _("That referral is not waiting any more.")}
        if not may_open(referral, current_user):
            abort(403)
        ranking = board.rank_for_referral(referral, frees, limit=shown)
        return {**chosen, "selected_referral": referral, "ranking": ranking, "ranked": len(frees)}
    return chosen


@bp.route("/")
@roles_required(*READERS)
@audited("matching")
def index():
    form = WithinForm(formdata=request.args if request.args else None)
    status = 200
    if request.args and not form.validate():
        status = 400
        form = WithinForm(formdata=None)
        flash(_("The choice in the address was not valid and is not applied."), "error")
    return render("matching/index.html", block="ranking", status=status, **_page_context(form))


@bp.route("/propose", methods=["POST"])
@roles_required(*READERS)
@audited("matching, proposal")
def propose():
    form = ProposeForm()
    within_form = WithinForm(formdata=None)
    if not form.validate_on_submit():
        flash(_("The proposal was incomplete. Nothing was saved."), "error")
        return render("matching/index.html", status=422, **_page_context(within_form))
    free = next((f for f in board.free_flats(0) if f.flat.id == form.flat_id.data), None)
    referral = Referral.get_or_none(Referral.id == form.referral_id.data)
    if referral is not None and not may_open(referral, current_user):
        abort(403)
    if free is None or referral is None:
        flash(_("The flat is not free or the referral is not waiting. Nothing was saved."), "error")
        return render("matching/index.html", status=409, **_page_context(within_form))
    try:
        match = services.propose_match(
            free.flat.id, referral.id, current_user, form.passed_over_reason.data or ""
        )
    except services.MatchError as failure:
        if failure.field_name is None:
            flash(failure.message, "error")
            return render("matching/index.html", status=409, **_page_context(within_form))
        form.passed_over_reason.errors.append(failure.message)
        context = _page_context(
            within_form, flat_id=free.flat.id, propose_form=form, chosen_referral=referral.id
        )
        return render("matching/index.html", block="ranking", status=422, **context)
    flash(_("Proposed: the flat is reserved."), "success")
    return redirect(url_for("matching.match", match_id=match.id), 303)


@bp.route("/plan")
@roles_required(*READERS)
@audited("best plan")
def plan():
    frees = board.free_flats(0)
    kept = board.waiting()
    best, greedy = board.plans(frees, kept)
    return render_template(
        "matching/plan.html",
        best=best,
        greedy=greedy,
        frees=frees,
        waiting=len(kept.ids),
        pairs=paging.page_of(best.pairs, paging.page_number()),
    )


@bp.route("/plan/accept", methods=["POST"])
@roles_required(*READERS)
@audited("best plan, pair")
def accept_pair():
    form = ProposeForm()
    if not form.validate_on_submit():
        abort(400)
    referral = Referral.get_or_none(Referral.id == form.referral_id.data)
    if referral is not None and not may_open(referral, current_user):
        abort(403)
    try:
        match = services.propose_match(
            form.flat_id.data,
            form.referral_id.data,
            current_user,
            form.passed_over_reason.data or "",
            from_plan=True,
        )
    except services.MatchError as failure:
        flash(failure.message, "error")
        if failure.field_name == "passed_over_reason":
            # The flat's ranking, where the reason is given, or another person chosen.
            return redirect(url_for("matching.index", flat=form.flat_id.data), 303)
        return redirect(url_for("matching.plan"), 303)
    flash(_("Proposed: the flat is reserved."), "success")
    return redirect(url_for("matching.match", match_id=match.id), 303)


def _match_or_404(match_id: int) -> Match:
    match = (
        Match.select(Match, Flat, Referral)
        .join(Flat, on=(Match.flat == Flat.id))
        .switch(Match)
        .join(Referral, on=(Match.referral == Referral.id))
        .where(Match.id == match_id)
        .first()
    )
    if match is None:
        abort(404)
    if not may_open(match.referral, current_user):
        abort(403)
    return match


def _match_page(match, status=200, **forms):
    from ..models import AuditEvent

    notes_readable = may_read_notes(match.referral, current_user)
    detail = "match page, notes read" if notes_readable and match.decline_note else "match page"
    AuditEvent.record(current_user, "opened", "referral", match.referral_id, detail)
    context = {
        "notes_readable": notes_readable,
        "match": match,
        "advance_form": forms.get("advance_form") or AdvanceForm(formdata=None),
        "decline_form": forms.get("decline_form") or DeclineForm(formdata=None),
        "move_in_form": forms.get("move_in_form")
        or MoveInForm(
            formdata=None,
            rent=match.flat.rent_to_resident,
            contact_person=match.referral.responsible_id,
        ),
        "date_form": forms.get("date_form")
        or MoveInDateForm(formdata=None, revision=match.revision),
        "date_changes": list(MoveInDateChange.history(match.id)),
        "may_move_in": match.move_in_date is not None and match.move_in_date <= clock.today(),
        "next_step": services.NEXT_STEP.get(match.status),
        "declines": board.previous_declines([match.referral_id]).get(match.referral_id, []),
    }
    return render_template("matching/match.html", **context), status


@bp.route("/matches/<int:match_id>")
@roles_required(*READERS)
def match(match_id):
    return _match_page(_match_or_404(match_id))


@bp.route("/matches/<int:match_id>/advance", methods=["POST"])
@roles_required(*READERS)
def advance(match_id):
    match = _match_or_404(match_id)
    form = AdvanceForm()
    if form.validate_on_submit():
        try:
            services.advance_match(
                match.id, form.from_status.data, current_user, form.move_in_date.data
            )
        except services.MatchError as error:
            form.move_in_date.errors.append(error.message)
        else:
            flash(_("The match has taken its next step."), "success")
            return redirect(url_for("matching.match", match_id=match.id), 303)
    return _match_page(match, 422, advance_form=form)


@bp.route("/matches/<int:match_id>/decline", methods=["POST"])
@roles_required(*READERS)
def decline(match_id):
    match = _match_or_404(match_id)
    form = DeclineForm()
    if form.validate_on_submit():
        try:
            services.decline_match(
                match.id,
                form.from_status.data,
                form.side.data,
                form.reason.data,
                form.note.data or "",
                current_user,
            )
        except services.MatchError as error:
            form.form_errors.append(error.message)
        else:
            flash(_("Declined: the flat is free again and the person is waiting again."), "success")
            return redirect(url_for("matching.index"), 303)
    return _match_page(match, 422, decline_form=form)


@bp.route("/matches/<int:match_id>/move-in-date", methods=["POST"])
@roles_required(*READERS)
def change_move_in_date(match_id):
    match = _match_or_404(match_id)
    form = MoveInDateForm()
    if form.validate_on_submit():
        try:
            services.change_move_in_date(
                match.id, form.revision.data, form.move_in_date.data, form.reason.data, current_user
            )
        except services.MatchError as error:
            target = getattr(form, error.field_name or "", None)
            (target.errors if target is not None else form.form_errors).append(error.message)
        else:
            flash(_("The move-in day is changed."), "success")
            return redirect(url_for("matching.match", match_id=match.id), 303)
    return _match_page(match, 422, date_form=form)


@bp.route("/matches/<int:match_id>/move-in", methods=["POST"])
@roles_required(*READERS)
def move_in(match_id):
    match = _match_or_404(match_id)
    form = MoveInForm()
    if form.validate_on_submit():
        try:
            tenancy = services.move_in(
                match.id,
                current_user,
                form.contact_person.data,
                form.rent.data,
                form.rent_payer.data,
            )
        except services.MatchError as error:
            target = getattr(form, error.field_name or "", None)
            (target.errors if target is not None else form.form_errors).append(error.message)
        else:
            flash(_("Moved in: the tenancy has begun."), "success")
            return redirect(url_for("residents.detail", tenancy_id=tenancy.id), 303)
    return _match_page(match, 422, move_in_form=form)
