"""The flats list, registering an offer, a flat's page, status and checklist."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from peewee import JOIN

from .. import clock
from ..models import Flat, FlatStatusChange, Landlord, Role, User
from ..rendering import render, wants_fragment
from ..security import roles_required
from . import bp, services
from .forms import ChecklistForm, FlatEditForm, FlatFilterForm, FlatForm, StatusForm
from .labels import FLAT_STATUS_LABELS

READERS = (Role.MANAGER, Role.STAFF, Role.CARETAKER)
EDITORS = (Role.MANAGER, Role.STAFF)
KEEPERS = (Role.MANAGER, Role.CARETAKER)


def _flat_or_404(flat_id: int) -> Flat:
    flat = Flat.select(Flat, Landlord).join(Landlord).where(Flat.id == flat_id).first()
    if flat is None:
        abort(404)
    return flat


@bp.route("/")
@roles_required(*READERS)
def index():
    form = FlatFilterForm(formdata=request.args if request.args else None)
    status = 200
    filters = services.FlatFilters()
    if request.args and not form.validate():
        status = 400
    else:
        filters = services.FlatFilters(
            status=form.status.data or None,
            district=form.district.data or None,
            landlord_id=form.landlord.data or None,
            kind=form.kind.data or None,
        )
    today = clock.today()
    rows = []
    for flat in services.flats_list(filters):
        days, cost = services.vacancy(flat, bool(flat.occupied), today)
        rows.append((flat, bool(flat.occupied), days, cost))
    vacant = [row for row in rows if row[2] is not None]
    return render(
        "flats/index.html",
        block="table",
        status=status,
        form=form,
        rows=rows,
        vacant_count=len(vacant),
        vacant_cost=sum(row[3] for row in vacant),
    )


def _values(form) -> dict:
    return {
        "landlord": form.landlord.data,
        "address": form.address.data.strip(),
        "postcode": form.postcode.data,
        "district": form.district.data.strip(),
        "rooms": form.rooms.data,
        "size_m2": form.size_m2.data,
        "floor": form.floor.data,
        "elevator": bool(form.elevator.data),
        "rent_to_landlord": form.rent_to_landlord.data,
        "rent_to_resident": form.rent_to_resident.data,
        "kind": form.kind.data,
        "lease_start": form.lease_start.data,
        "lease_end": form.lease_end.data,
        "notice_months": form.notice_months.data,
        "note": (form.note.data or "").strip(),
    }


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*EDITORS)
def create():
    landlord_id = request.args.get("landlord", type=int)
    form = FlatForm(landlord=landlord_id) if landlord_id and not request.form else FlatForm()
    if form.validate_on_submit():
        try:
            flat = services.register_flat(current_user, **_values(form))
        except services.FlatError as error:
            form.landlord.errors.append(error.message)
        else:
            flash(_("The offered flat is registered."), "success")
            return redirect(url_for("flats.detail", flat_id=flat.id), 303)
    status = 422 if form.is_submitted() else 200
    return render_template("flats/form.html", form=form, flat=None), status


@bp.route("/<int:flat_id>/edit", methods=["GET", "POST"])
@roles_required(*EDITORS)
def edit(flat_id):
    flat = _flat_or_404(flat_id)
    form = FlatEditForm(
        obj=flat, landlord=flat.landlord_id, revision=flat.revision, current_landlord=flat.landlord
    )
    status = 200
    if form.validate_on_submit():
        try:
            services.update_flat(flat.id, int(form.revision.data), **_values(form))
        except services.StaleFlat:
            form.form_errors.append(
                _("Someone else changed this flat while you edited. Reload and try again.")
            )
            status = 409
        else:
            flash(_("The flat is saved."), "success")
            return redirect(url_for("flats.detail", flat_id=flat.id), 303)
    elif form.is_submitted():
        status = 422
    return render_template("flats/form.html", form=form, flat=flat), status


def _detail_context(flat, **forms):
    occupied = services.occupied_flat_ids().where(services.Tenancy.flat == flat.id).exists()
    days, cost = services.vacancy(flat, occupied)
    history = (
        FlatStatusChange.select(FlatStatusChange, User)
        .join(User, on=(FlatStatusChange.changed_by == User.id), join_type=JOIN.LEFT_OUTER)
        .where(FlatStatusChange.flat == flat.id)
        .order_by(FlatStatusChange.changed_at, FlatStatusChange.id)
    )
    return {
        "flat": flat,
        "occupied": occupied,
        "days_vacant": days,
        "vacancy_cost": cost,
        "history": history,
        "status_form": forms.get("status_form")
        or StatusForm(formdata=None, revision=flat.revision),
        "checklist_form": forms.get("checklist_form") or ChecklistForm(formdata=None, obj=flat),
        "next_statuses": sorted(services.TRANSITIONS.get(flat.status, ())),
    }


@bp.route("/<int:flat_id>")
@roles_required(*READERS)
def detail(flat_id):
    return render_template("flats/detail.html", **_detail_context(_flat_or_404(flat_id)))


@bp.route("/<int:flat_id>/status", methods=["POST"])
@roles_required(Role.MANAGER)
def change_status(flat_id):
    flat = _flat_or_404(flat_id)
    form = StatusForm()
    status = 422
    if form.validate_on_submit():
        try:
            services.change_status(
                flat.id, form.revision.data, form.to_status.data, current_user, form.note.data or ""
            )
        except services.StaleFlat as stale:
            form.to_status.errors.append(
                _(
                    "Someone else changed the flat in the meantime: it is now %(status)s.",
                    status=FLAT_STATUS_LABELS[stale.flat.status],
                )
            )
            status = 409
        except services.FlatError as error:
            form.to_status.errors.append(error.message)
        else:
            flash(_("The flat's status is changed."), "success")
            return redirect(url_for("flats.detail", flat_id=flat.id), 303)
    return render_template(
        "flats/detail.html", **_detail_context(_flat_or_404(flat.id), status_form=form)
    ), status


@bp.route("/<int:flat_id>/checklist", methods=["POST"])
@roles_required(*KEEPERS)
def checklist(flat_id):
    flat = _flat_or_404(flat_id)
    form = ChecklistForm()
    status = 422
    if form.validate_on_submit():
        items = {name: getattr(form, name).data for name in services.CHECKLIST}
        try:
            services.update_checklist(
                flat.id, form.revision.data, current_user, form.key_count.data, **items
            )
        except services.StaleFlat:
            form.form_errors.append(
                _("Someone else changed the flat in the meantime. Reload and try again.")
            )
            status = 409
        except services.FlatError as error:
            (
                getattr(form, error.field_name).errors if error.field_name else form.form_errors
            ).append(error.message)
        else:
            if not wants_fragment():
                flash(_("The checklist is saved."), "success")
                return redirect(url_for("flats.detail", flat_id=flat.id), 303)
            return render(
                "flats/detail.html", block="equipping", **_detail_context(_flat_or_404(flat.id))
            )
    context = _detail_context(_flat_or_404(flat.id), checklist_form=form)
    return render("flats/detail.html", block="equipping", status=status, **context)
