"""Referral pages: the list, intake, a referral, commissioners, the audit log."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from peewee import JOIN, IntegrityError
from playhouse.flask_utils import get_object_or_404

from .. import clock, exports, paging
from ..audit.services import audited
from ..forms import comma_list
from ..identity_numbers import mask_personal_number
from ..models import (
    AuditEvent,
    Commissioner,
    CommissionerContact,
    Flat,
    Match,
    Referral,
    ReferralStatusChange,
    Role,
    RuleOverride,
    Tenancy,
    User,
)
from ..security import roles_required
from . import bp, services
from .forms import (
    CommissionerContactForm,
    CommissionerForm,
    OverrideForm,
    ReferralEditForm,
    ReferralFilterForm,
    ReferralForm,
    StatusForm,
)

READERS = (Role.MANAGER, Role.STAFF)


def _referral_or_404(referral_id: int) -> Referral:
    """The referral; 403 if the person's record is protected from the one asking."""
    referral = get_object_or_404(Referral, Referral.id == referral_id)
    if not services.may_open(referral, current_user):
        abort(403)
    return referral


def _values(form) -> dict:
    return {
        "received_on": form.received_on.data,
        "commissioner": form.commissioner.data,
        "handling_officer": form.handling_officer.data or None,
        "first_name": form.first_name.data.strip(),
        "last_name": form.last_name.data.strip(),
        "birth_date": form.birth_date.data,
        "gender": form.gender.data,
        "personal_number": form.personal_number.data or None,
        "protected_identity": bool(form.protected_identity.data),
        "target_group": form.target_group.data,
        "drug_free_since": form.drug_free_since.data,
        "occupation_kind": form.occupation_kind.data or "",
        "occupation_percent": form.occupation_percent.data,
        "min_rooms": form.min_rooms.data,
        "needs_step_free": bool(form.needs_step_free.data),
        "preferred_districts": comma_list(form.preferred_districts.data),
        "excluded_districts": comma_list(form.excluded_districts.data),
        "wished_move_in": form.wished_move_in.data,
        **({"responsible": form.responsible.data or None} if "responsible" in form else {}),
        "notes": (form.notes.data or "").strip(),
    }


def _responsible_for_the_manager(form):
    """Only the manager assigns the responsible staff member: the field is the manager's."""
    if current_user.role != Role.MANAGER:
        del form.responsible
    return form


def _list_filters():
    """The list's filters from the address, and whether they were valid (a bad one is
    named above the list and not applied)."""
    form = ReferralFilterForm(formdata=request.args if request.args else None)
    valid = form.validate() if request.args else True
    good = {field.name: field.data for field in form if not field.errors}
    filters = services.ReferralFilters(
        show=good.get("show") or "open",
        status=good.get("status") or None,
        responsible=good.get("responsible") or None,
        to_confirm=bool(good.get("confirm")),
    )
    return form, filters, valid


@bp.route("/")
@roles_required(*READERS)
@audited("referrals list")
def index():
    form, filters, valid = _list_filters()
    today = clock.today()
    page = paging.paginate(services.referrals_list(filters, today), paging.page_number())
    return render_template(
        "referrals/index.html",
        page=page,
        form=form,
        filters=filters.as_params(),
        show=filters.show,
        today=today,
        days_waited=services.days_waited,
        needs_confirmation=services.needs_confirmation,
    ), (200 if valid else 400)


@bp.route("/export.<fmt>")
@roles_required(*READERS)
def export(fmt):
    _form, filters, valid = _list_filters()
    if fmt not in exports.FORMATS or not valid:
        abort(404 if fmt not in exports.FORMATS else 400)
    today = clock.today()
    AuditEvent.record(current_user, "exported", "referrals", None, f"referrals list {fmt}")
    rows = services.referrals_list(filters, today)
    header, table = services.referrals_table(rows, today, current_user)
    return exports.download(fmt, "platsforfragningar", _("Referrals"), header, table)


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*READERS)
def create():
    form = _responsible_for_the_manager(ReferralForm())
    if form.validate_on_submit():
        referral = services.create_referral(current_user, **_values(form))
        flash(_("The referral is registered."), "success")
        return redirect(url_for("referrals.detail", referral_id=referral.id), 303)
    status = 422 if form.is_submitted() else 200
    if not form.is_submitted():
        form.received_on.data = clock.today()
    return render_template("referrals/form.html", form=form, referral=None), status


@bp.route("/<int:referral_id>/edit", methods=["GET", "POST"])
@roles_required(*READERS)
@audited("edit form", referral_arg="referral_id")
def edit(referral_id):
    referral = _referral_or_404(referral_id)
    form = ReferralEditForm(
        obj=referral,
        commissioner=referral.commissioner_id,
        handling_officer=referral.handling_officer_id or 0,
        responsible=referral.responsible_id or 0,
        revision=referral.revision,
    )
    form = _responsible_for_the_manager(form)
    status = 422 if form.is_submitted() else 200
    if form.validate_on_submit():
        try:
            services.update_referral(
                referral.id, int(form.revision.data), current_user, **_values(form)
            )
        except services.ReferralError as error:
            form.form_errors.append(error.message)
            status = 409
        else:
            flash(_("The referral is saved."), "success")
            return redirect(url_for("referrals.detail", referral_id=referral.id), 303)
    return render_template("referrals/form.html", form=form, referral=referral), status


def _records(referral) -> dict:
    """What has happened to a referral: matches, tenancies, status moves and overrides."""
    return {
        "matches": list(
            Match.select(Match, Flat)
            .join(Flat)
            .where(Match.referral == referral.id)
            .order_by(Match.proposed_at.desc())
        ),
        "tenancies": list(
            Tenancy.select().where(Tenancy.referral == referral.id).order_by(Tenancy.start_date)
        ),
        "history": ReferralStatusChange.history(referral.id),
        "overrides": RuleOverride.select(RuleOverride, User)
        .join(User, on=(RuleOverride.decided_by == User.id))
        .where(RuleOverride.referral == referral.id)
        .order_by(RuleOverride.decided_at),
    }


def _detail(referral, status=200, **forms):
    records = _records(referral)
    notes_readable = services.may_read_notes(referral, current_user)
    notes_read = notes_readable and any(m.decline_note for m in records["matches"])
    detail = "referral page, notes read" if notes_read else ""
    AuditEvent.record(current_user, "opened", "referral", referral.id, detail)
    context = {
        "notes_readable": notes_readable,
        "referral": referral,
        "masked_number": mask_personal_number(referral.personal_number),
        **records,
        "status_form": forms.get("status_form")
        or StatusForm(formdata=None, from_status=referral.status),
        "override_form": forms.get("override_form") or OverrideForm(formdata=None),
        "needs_confirmation": services.needs_confirmation(referral),
        "days_waited": services.days_waited(referral),
    }
    return render_template("referrals/detail.html", **context), status


@bp.route("/<int:referral_id>")
@roles_required(*READERS)
def detail(referral_id):
    return _detail(_referral_or_404(referral_id))


@bp.route("/<int:referral_id>/status", methods=["POST"])
@roles_required(*READERS)
def set_status(referral_id):
    referral = _referral_or_404(referral_id)
    form = StatusForm()
    if form.validate_on_submit():
        try:
            services.set_status(
                referral.id,
                form.from_status.data,
                form.to_status.data,
                current_user,
                form.reason.data or "",
            )
        except services.ReferralError as error:
            target = form.reason if error.field_name == "reason" else form.to_status
            target.errors.append(error.message)
        else:
            flash(_("The status is changed."), "success")
            return redirect(url_for("referrals.detail", referral_id=referral.id), 303)
    return _detail(Referral.get_by_id(referral.id), 422, status_form=form)


@bp.route("/<int:referral_id>/contact", methods=["POST"])
@roles_required(*READERS)
def record_contact(referral_id):
    referral = _referral_or_404(referral_id)
    services.record_contact(referral.id)
    flash(_("Noted: the referral is still current."), "success")
    return redirect(url_for("referrals.detail", referral_id=referral.id), 303)


@bp.route("/<int:referral_id>/overrides", methods=["POST"])
@roles_required(Role.MANAGER)
def add_override(referral_id):
    referral = _referral_or_404(referral_id)
    form = OverrideForm()
    if not form.validate_on_submit():
        return _detail(referral, 422, override_form=form)
    services.override_rule(referral.id, form.rule.data, form.reason.data, current_user)
    flash(_("The override is recorded."), "success")
    return redirect(url_for("referrals.detail", referral_id=referral.id), 303)


@bp.route("/<int:referral_id>/audit")
@roles_required(Role.MANAGER)
@audited("who opened this")
def audit(referral_id):
    referral = _referral_or_404(referral_id)
    events = (
        AuditEvent.select(AuditEvent, User)
        .join(User, JOIN.LEFT_OUTER, on=(AuditEvent.actor == User.id))
        .where((AuditEvent.subject_type == "referral") & (AuditEvent.subject_id == referral.id))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    )
    page = paging.paginate(events, paging.page_number())
    return render_template("referrals/audit.html", referral=referral, page=page)


@bp.route("/commissioners", methods=["GET", "POST"])
@roles_required(*READERS)
def commissioners():
    form = CommissionerForm()
    status = 422 if form.is_submitted() else 200
    if form.validate_on_submit():
        try:
            Commissioner.create(
                name=form.name.data.strip(), kind=form.kind.data, created_at=clock.now()
            )
        except IntegrityError:
            form.name.errors.append(_("A commissioner with this name already exists."))
        else:
            flash(_("The commissioner is added."), "success")
            return redirect(url_for("referrals.commissioners"), 303)
    return _commissioners_page(form, status)


def _commissioners_page(form, status):
    rows = Commissioner.select().order_by(Commissioner.name)
    contacts = {}
    for contact in CommissionerContact.select().order_by(CommissionerContact.name):
        contacts.setdefault(contact.commissioner_id, []).append(contact)
    return render_template(
        "referrals/commissioners.html",
        form=form,
        rows=rows,
        contacts=contacts,
        contact_form=CommissionerContactForm(formdata=None),
    ), status


@bp.route("/commissioners/<int:commissioner_id>/contacts", methods=["POST"])
@roles_required(*READERS)
def add_commissioner_contact(commissioner_id):
    commissioner = get_object_or_404(Commissioner, Commissioner.id == commissioner_id)
    form = CommissionerContactForm()
    if not form.validate_on_submit():
        flash(" ".join(str(error) for errors in form.errors.values() for error in errors), "error")
        return _commissioners_page(CommissionerForm(formdata=None), 422)
    CommissionerContact.create(commissioner=commissioner, **form.values())
    flash(_("The contact is added."), "success")
    return redirect(url_for("referrals.commissioners"), 303)
