"""The flats list, registering an offer, a flat's page, status and checklist."""

from decimal import Decimal

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from playhouse.flask_utils import get_object_or_404

from .. import exports, paging
from ..database import record_id
from ..formatting import format_date, format_money, format_number, is_number
from ..models import Flat, FlatStatus, Landlord, Role
from ..rendering import render, wants_fragment
from ..security import roles_required
from . import bp, move_out, services
from .forms import (
    ChecklistForm,
    FlatEditForm,
    FlatFilterForm,
    FlatForm,
    MoveOutForm,
    StatusForm,
)
from .labels import FLAT_KIND_LABELS

READERS = (Role.MANAGER, Role.STAFF, Role.CARETAKER)
EDITORS = (Role.MANAGER, Role.STAFF)
KEEPERS = (Role.MANAGER, Role.CARETAKER)


def _flat_or_404(flat_id: int) -> Flat:
    return get_object_or_404(Flat.select(Flat, Landlord).join(Landlord), Flat.id == flat_id)


# ---- the list --------------------------------------------------------------------


def _list_filters():
    """The list's filters from the address: a bad value is not applied and is named above
    the table (400); the good ones still narrow the list."""
    form = FlatFilterForm(formdata=request.args if request.args else None)
    valid = form.validate() if request.args else True
    good = {field.name: field.data for field in form if not field.errors}
    filters = services.FlatFilters(
        status=good.get("status") or None,
        district=good.get("district") or None,
        landlord_id=good.get("landlord") or None,
        landlord_name=(good.get("landlord_name") or "").strip() or None,
        kind=good.get("kind") or None,
        vacant=bool(good.get("vacant")),
    )
    return form, filters, valid


@bp.route("/")
@roles_required(*READERS)
def index():
    form, filters, valid = _list_filters()
    page = services.flats_page(filters, paging.page_number())
    vacant_count, vacant_cost = services.vacancy_totals(filters)
    params = filters.as_params()
    chosen = (
        Landlord.get_or_none(Landlord.id == filters.landlord_id) if filters.landlord_id else None
    )
    return render(
        "flats/index.html",
        block="table",
        status=200 if valid else 400,
        form=form,
        filters=params,
        landlord_chosen=chosen,
        all_landlords=url_for(
            "flats.index", **{k: v for k, v in params.items() if k != "landlord"}
        ),
        page=page,
        vacant_count=vacant_count,
        vacant_cost=vacant_cost,
    )


@bp.route("/export.<fmt>")
@roles_required(*READERS)
def export(fmt):
    _form, filters, valid = _list_filters()
    if not valid:
        abort(400)
    header, table = services.flats_table(services.flats_list(filters))
    return exports.download(fmt, "lagenheter", _("Flats"), header, table)


@bp.route("/landlord-names")
@roles_required(*READERS)
def landlord_names_list():
    """The landlord box's suggestions as one types: at most 20 names, as options."""
    names = services.landlord_names(request.args.get("landlord_name", ""))
    return render_template("_name_options.html", names=names)


# ---- registering and editing the facts -------------------------------------------


def _values(form) -> dict:
    return {
        "landlord": form.landlord.data,
        "address": form.address.data.strip(),
        "postcode": form.postcode.data,
        "postal_town": form.postal_town.data.strip(),
        "district": form.district.data.strip(),
        "rooms": form.rooms.data,
        "size_m2": form.size_m2.data.quantize(Decimal("0.1")),
        "floor": form.floor.data,
        "elevator": bool(form.elevator.data),
        "rent_to_landlord": form.rent_to_landlord.data.quantize(Decimal("0.01")),
        "rent_to_resident": form.rent_to_resident.data.quantize(Decimal("0.01")),
        "kind": form.kind.data,
        "lease_start": form.lease_start.data,
        "lease_end": form.lease_end.data,
        "notice_months": form.notice_months.data,
        "note": (form.note.data or "").strip(),
    }


def _shown(name, value) -> str:
    if name == "landlord":
        return value.name
    if name == "kind":
        return str(FLAT_KIND_LABELS.get(value, value))
    if name.startswith("rent_"):
        return format_money(value)
    if name.startswith("lease_"):
        return format_date(value) or "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if is_number(value):
        return format_number(value)
    return str(value) if value not in (None, "") else "—"


def _differences(form, flat: Flat, values: dict) -> str:
    """What is saved now where it differs from what the person sent, to show beside a 409."""
    lines = []
    for name, mine in values.items():
        saved = flat.landlord_id if name == "landlord" else getattr(flat, name)
        if saved != mine:
            shown = _shown(name, flat.landlord if name == "landlord" else saved)
            lines.append(f"{form[name].label.text}: {shown}")
    return "; ".join(lines)


def _keep_over_stale(form, saved: Flat, values: dict) -> None:
    """Keep what the person typed; the next save, at the new revision, overwrites."""
    form.revision.data = saved.revision
    form.form_errors.append(
        _(
            "Someone else saved this flat while you edited. Saved now: %(saved)s. "
            "Your changes are kept below: save again to replace theirs.",
            saved=_differences(form, saved, values) or _("the same values as yours"),
        )
    )


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*EDITORS)
def create():
    landlord_id = request.args.get("landlord", type=record_id)
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
    status = 422 if form.is_submitted() else 200
    if form.validate_on_submit():
        values = _values(form)
        try:
            services.update_flat(flat.id, int(form.revision.data), **values)
        except services.StaleFlat as stale:
            _keep_over_stale(form, _flat_or_404(stale.flat.id), values)
            status = 409
        except services.FlatError as error:
            form[error.field_name].errors.append(error.message)
        else:
            flash(_("The flat is saved."), "success")
            return redirect(url_for("flats.detail", flat_id=flat.id), 303)
    return render_template("flats/form.html", form=form, flat=flat), status


# ---- a flat's page, its status and checklist -----------------------------------------


def _detail_context(flat, status_form=None, checklist_form=None, move_out_form=None, saved=None):
    occupied = services.is_occupied(flat.id)
    days, cost = services.vacancy(flat, occupied)
    status_form = status_form or StatusForm(formdata=None)
    status_form.offer(services.next_statuses(flat.status))
    open_checklist = move_out.checklist_under_way(flat)
    if move_out_form is None:
        move_out_form = MoveOutForm(formdata=None, obj=open_checklist)
    if open_checklist is not None:
        move_out_form.key_count.description = move_out.keys_expected_text(open_checklist)
    return {
        "flat": flat,
        "occupied": occupied,
        "days_vacant": days,
        "vacancy_cost": cost,
        "history": services.history(flat.id),
        "status_form": status_form,
        "checklist_form": checklist_form or ChecklistForm(formdata=None, obj=flat),
        "may_keep": current_user.role in KEEPERS,
        "may_open_case": flat.status in FlatStatus.LEASED,
        "move_out": open_checklist,
        "move_out_keys": open_checklist and move_out.keys_summary(open_checklist),
        "move_out_keys_short": open_checklist and move_out.keys_short(open_checklist),
        "move_out_form": move_out_form,
        "inspections": move_out.finished_inspections(flat.id),
        "saved": saved,
    }


@bp.route("/<int:flat_id>")
@roles_required(*READERS)
def detail(flat_id):
    return render("flats/detail.html", **_detail_context(_flat_or_404(flat_id)))


@bp.route("/<int:flat_id>/status", methods=["POST"])
@roles_required(Role.MANAGER)
def change_status(flat_id):
    flat = _flat_or_404(flat_id)
    form = StatusForm()
    status = 422
    if form.validate_on_submit():
        try:
            services.change_status(
                flat.id,
                form.revision.data,
                form.to_status.data,
                current_user,
                form.note.data or "",
                seen_status=form.from_status.data,
            )
        except services.StaleFlat as stale:
            what = services.what_changed(stale.flat, form.from_status.data)
            form.form_errors.append(_("Not changed: %(what)s", what=what))
            status = 409
        except services.FlatError as error:
            form.to_status.errors.append(error.message)
        else:
            flash(_("The flat's status is changed."), "success")
            return redirect(url_for("flats.detail", flat_id=flat.id), 303)
    # The page comes back with the flat as it is now, and the note and choice kept.
    context = _detail_context(_flat_or_404(flat.id), status_form=form)
    return render("flats/detail.html", block="flat_state", status=status, **context)


@bp.route("/<int:flat_id>/checklist", methods=["POST"])
@roles_required(*KEEPERS)
def checklist(flat_id):
    flat = _flat_or_404(flat_id)
    form = ChecklistForm()
    status = 422
    if form.validate_on_submit():
        items = {name: getattr(form, name).data for name in services.CHECKLIST}
        try:
            flat = services.update_checklist(
                flat.id, form.revision.data, current_user, form.key_count.data, **items
            )
        except services.StaleFlat as stale:
            form.form_errors.append(
                _(
                    "Not saved: %(what)s Tick again and save.",
                    what=services.what_changed(stale.flat, services.FlatStatus.EQUIPPING),
                )
            )
            status = 409
        except services.FlatError as error:
            (form[error.field_name].errors if error.field_name else form.form_errors).append(
                error.message
            )
        else:
            return _checklist_saved(flat)
    context = _detail_context(_flat_or_404(flat.id), checklist_form=form)
    return render("flats/detail.html", block="flat_state", status=status, **context)


def _checklist_saved(flat):
    saved = (
        _("The checklist is complete: the flat is ready.")
        if flat.status == services.FlatStatus.READY
        else _("The checklist is saved.")
    )
    if not wants_fragment():
        flash(saved, "success")
        return redirect(url_for("flats.detail", flat_id=flat.id), 303)
    context = _detail_context(_flat_or_404(flat.id), saved=saved)
    return render("flats/detail.html", block="flat_state", **context)


@bp.route("/<int:flat_id>/move-out", methods=["POST"])
@roles_required(*KEEPERS)
def move_out_checklist(flat_id):
    flat = _flat_or_404(flat_id)
    form = MoveOutForm()
    status = 422
    if form.validate_on_submit():
        finish = bool(form.finish.data)
        try:
            flat = move_out.save_move_out(
                flat.id, form.revision.data, current_user, form.values(), finish=finish
            )
        except services.StaleFlat as stale:
            form.form_errors.append(
                _(
                    "Not saved: %(what)s Fill in again and save.",
                    what=services.what_changed(stale.flat, FlatStatus.MOVED_OUT),
                )
            )
            status = 409
        except move_out.Unfinished as unfinished:
            for name, message in unfinished.reasons.items():
                form[name].errors.append(message)
        except services.FlatError as error:
            (form[error.field_name].errors if error.field_name else form.form_errors).append(
                error.message
            )
        else:
            return _move_out_saved(flat, finish)
    context = _detail_context(_flat_or_404(flat.id), move_out_form=form)
    return render("flats/detail.html", block="flat_state", status=status, **context)


def _move_out_saved(flat, finished: bool):
    if not finished:
        saved = _("The move-out checklist is saved.")
    elif flat.status == FlatStatus.READY:
        saved = _("The move-out checklist is finished: the flat is ready.")
    else:
        saved = _(
            "The move-out checklist is finished: the flat is being equipped with what is missing."
        )
    if not wants_fragment():
        flash(saved, "success")
        return redirect(url_for("flats.detail", flat_id=flat.id), 303)
    context = _detail_context(_flat_or_404(flat.id), saved=saved)
    return render("flats/detail.html", block="flat_state", **context)
