"""The pipeline board, a landlord's page, follow-ups and the funnel report."""

import datetime as dt
from urllib.parse import parse_qsl, urlencode

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from .. import clock
from ..formatting import format_datetime
from ..models import Flat, Landlord, LandlordContact, Role, Stage
from ..rendering import render, wants_fragment
from ..security import roles_required
from . import bp, services
from .forms import (
    ActivityForm,
    BoardFilterForm,
    ContactForm,
    LandlordCreateForm,
    LandlordEditForm,
    MoveForm,
    PeriodForm,
)
from .funnel import funnel_report
from .labels import STAGE_LABELS

READERS = (Role.MANAGER, Role.STAFF)


def _landlord_or_404(landlord_id: int) -> Landlord:
    landlord = services.landlords_with_owner().where(Landlord.id == landlord_id).first()
    if landlord is None:
        abort(404)
    return landlord


def _filters(form: BoardFilterForm) -> services.BoardFilters:
    return services.BoardFilters(
        owner_id=form.owner.data or None,
        kind=form.kind.data or None,
        overdue_only=bool(form.overdue.data),
        query=(form.q.data or "").strip(),
    )


def _read_filters(args) -> tuple[BoardFilterForm, services.BoardFilters, bool]:
    """The board's filters from URL parameters; invalid ones are reported, not applied."""
    form = BoardFilterForm(formdata=args if args else None)
    if args and not form.validate():
        return form, services.BoardFilters(), False
    return form, _filters(form), True


# ---- the board -------------------------------------------------------------------


@bp.route("/pipeline")
@roles_required(*READERS)
def pipeline():
    form, filters, valid = _read_filters(request.args)
    return render(
        "landlords/pipeline.html",
        block="board",
        status=200 if valid else 400,
        form=form,
        filters=filters,
        columns=services.board(filters),
        query_string=urlencode(filters.as_params()),
    )


def _board_url(query_string: str) -> str:
    return url_for("landlords.pipeline") + (f"?{query_string}" if query_string else "")


@bp.route("/<int:landlord_id>/stage", methods=["POST"])
@roles_required(Role.MANAGER)
def move(landlord_id):
    landlord = _landlord_or_404(landlord_id)
    query_string = request.form.get("board_query", "")[:500]
    filter_form = BoardFilterForm(formdata=MultiDict(parse_qsl(query_string)))
    filters = _filters(filter_form) if filter_form.validate() else services.BoardFilters()
    form = MoveForm()
    if form.validate_on_submit():
        try:
            moved = services.move_stage(
                landlord.id,
                form.from_stage.data,
                form.to_stage.data,
                current_user,
                reason=form.reason.data or None,
                note=form.note.data or "",
            )
        except services.StageConflict as conflict:
            return _move_conflict(conflict, filters, query_string)
        except services.PipelineError as error:
            getattr(form, error.field_name).errors.append(error.message)
        else:
            if not wants_fragment():
                flash(
                    _(
                        "%(name)s moved to %(stage)s.",
                        name=moved.name,
                        stage=STAGE_LABELS[moved.stage],
                    ),
                    "success",
                )
                return redirect(_board_url(query_string), 303)
            return render_template(
                "landlords/_moved.html",
                card=moved,
                columns=services.board(filters),
                query_string=query_string,
            )
    context = {"card": landlord, "move_form": form, "query_string": query_string}
    if wants_fragment():
        return render_template("landlords/_card.html", **context), 422
    return render_template("landlords/move.html", **context), 422


def _move_conflict(conflict, filters, query_string):
    change = conflict.last_change
    who = change.changed_by.display_name if change and change.changed_by_id else _("someone")
    message = _(
        "Not moved: %(who)s had already moved %(name)s to %(stage)s at %(time)s.",
        who=who,
        name=conflict.landlord.name,
        stage=STAGE_LABELS[conflict.landlord.stage],
        time=format_datetime(change.changed_at) if change else "",
    )
    flash(message, "error")
    if not wants_fragment():
        return redirect(_board_url(query_string), 303)
    # The board in this browser is out of date: send it whole, with the message.
    body = render_template(
        "landlords/_conflict.html",
        columns=services.board(filters),
        filters=filters,
        query_string=query_string,
    )
    response = make_response(body, 409)
    response.headers["HX-Retarget"] = "#board"
    response.headers["HX-Reswap"] = "outerHTML"
    return response


# ---- a landlord ------------------------------------------------------------------


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.MANAGER)
def create():
    form = LandlordCreateForm()
    duplicates = []
    if form.validate_on_submit():
        duplicates = list(services.Landlord.with_name(form.name.data))
        if duplicates and not form.confirm_duplicate.data:
            form.name.errors.append(_("A landlord with this name already exists."))
        else:
            landlord = services.create_landlord(current_user, **_landlord_values(form))
            flash(_("%(name)s is added to the pipeline.", name=landlord.name), "success")
            return redirect(url_for("landlords.detail", landlord_id=landlord.id), 303)
    status = 422 if form.is_submitted() else 200
    return render_template(
        "landlords/form.html", form=form, landlord=None, duplicates=duplicates
    ), status


def _landlord_values(form) -> dict:
    values = {
        "name": form.name.data.strip(),
        "org_number": form.org_number.data or None,
        "kind": form.kind.data,
        "website": (form.website.data or "").strip(),
        "districts": ", ".join(
            part.strip() for part in (form.districts.data or "").split(",") if part.strip()
        ),
        "owner": form.owner.data or None,
        "expected_flats": form.expected_flats.data,
        "next_follow_up": form.next_follow_up.data,
        "notes": (form.notes.data or "").strip(),
    }
    if hasattr(form, "stage"):
        values["stage"] = form.stage.data
    return values


@bp.route("/<int:landlord_id>/edit", methods=["GET", "POST"])
@roles_required(Role.MANAGER)
def edit(landlord_id):
    landlord = _landlord_or_404(landlord_id)
    form = LandlordEditForm(
        obj=landlord,
        owner=landlord.owner_id or 0,
        revision=landlord.revision,
        saved_follow_up=landlord.next_follow_up,
    )
    status = 200
    duplicates = []
    if form.validate_on_submit():
        duplicates = [
            other
            for other in services.Landlord.with_name(form.name.data)
            if other.id != landlord.id
        ]
        if duplicates and not form.confirm_duplicate.data:
            form.name.errors.append(_("A landlord with this name already exists."))
            status = 422
        else:
            try:
                services.update_landlord(
                    landlord.id, int(form.revision.data), **_landlord_values(form)
                )
            except services.StaleEdit:
                form.form_errors.append(
                    _("Someone else changed this landlord while you edited. Reload and try again.")
                )
                status = 409
            else:
                flash(_("%(name)s is saved.", name=form.name.data.strip()), "success")
                return redirect(url_for("landlords.detail", landlord_id=landlord.id), 303)
    elif form.is_submitted():
        status = 422
    return render_template(
        "landlords/form.html", form=form, landlord=landlord, duplicates=duplicates
    ), status


def _detail_context(landlord, **forms):
    return {
        "landlord": landlord,
        "contacts": LandlordContact.select()
        .where(LandlordContact.landlord == landlord.id)
        .order_by(LandlordContact.name),
        "activities": services.timeline(landlord.id),
        "history": services.stage_history(landlord.id),
        "flats": Flat.select().where(Flat.landlord == landlord.id).order_by(Flat.address),
        "activity_form": forms.get("activity_form") or ActivityForm(formdata=None),
        "contact_form": forms.get("contact_form") or ContactForm(formdata=None),
        "move_form": MoveForm(formdata=None),
        "takes_flats": landlord.stage in Stage.TAKES_FLATS,
    }


@bp.route("/<int:landlord_id>")
@roles_required(*READERS)
def detail(landlord_id):
    landlord = _landlord_or_404(landlord_id)
    return render_template("landlords/detail.html", **_detail_context(landlord))


@bp.route("/<int:landlord_id>/activities", methods=["POST"])
@roles_required(*READERS)
def log_activity(landlord_id):
    landlord = _landlord_or_404(landlord_id)
    form = ActivityForm()
    if not form.validate_on_submit():
        context = _detail_context(landlord, activity_form=form)
        return render("landlords/detail.html", block="activities", status=422, **context)
    services.log_activity(
        landlord.id,
        current_user,
        kind=form.kind.data,
        occurred_on=form.occurred_on.data,
        summary=form.summary.data.strip(),
        outcome=(form.outcome.data or "").strip(),
        next_step=(form.next_step.data or "").strip(),
        next_step_on=form.next_step_on.data,
    )
    if not wants_fragment():
        flash(_("The activity is logged."), "success")
        return redirect(url_for("landlords.detail", landlord_id=landlord.id) + "#activities", 303)
    landlord = _landlord_or_404(landlord.id)
    context = _detail_context(landlord)
    return render("landlords/detail.html", block="activities", oob=True, **context)


@bp.route("/<int:landlord_id>/contacts", methods=["POST"])
@roles_required(Role.MANAGER)
def add_contact(landlord_id):
    landlord = _landlord_or_404(landlord_id)
    form = ContactForm()
    if not form.validate_on_submit():
        context = _detail_context(landlord, contact_form=form)
        return render("landlords/detail.html", block="contacts", status=422, **context)
    services.add_contact(
        landlord.id,
        name=form.name.data.strip(),
        title=(form.title.data or "").strip(),
        phone=(form.phone.data or "").strip(),
        email=(form.email.data or "").strip().lower(),
    )
    if not wants_fragment():
        flash(_("The contact is added."), "success")
        return redirect(url_for("landlords.detail", landlord_id=landlord.id) + "#contacts", 303)
    return render("landlords/detail.html", block="contacts", **_detail_context(landlord))


# ---- follow-ups and the funnel ---------------------------------------------------


@bp.route("/follow-ups")
@roles_required(*READERS)
def follow_ups():
    today = clock.today()
    rows = list(services.follow_ups_for(current_user, today))
    return render_template("landlords/follow_ups.html", rows=rows, today=today)


@bp.route("/funnel")
@roles_required(*READERS)
def funnel():
    form = PeriodForm(formdata=request.args if request.args else None)
    today = clock.today()
    status = 200
    start, end = today - dt.timedelta(days=365), today
    if request.args and not form.validate():
        status = 400
    else:
        start, end = form.start.data or start, form.end.data or end
        form.start.data, form.end.data = start, end
    report = funnel_report(start, end)
    return render_template("landlords/funnel.html", form=form, report=report), status
