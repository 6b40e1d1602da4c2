"""The road's pages: its forms on the resident's page, the lease handed over, the settings."""

from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import clock
from ..models import AuditEvent, LeaseRequest, Refused, RoadStep, Role
from ..referrals.services import may_read_notes
from ..security import roles_required
from . import bp, facts, services
from .forms import (
    AskForm,
    ConsentForm,
    HarmForm,
    MarkForm,
    SettingsForm,
    StepForm,
    TransferForm,
    WithdrawForm,
    settings_chosen,
    settings_form,
)

PLANNERS = (Role.MANAGER, Role.STAFF)
STEPS = RoadStep.ON_THE_ROAD


@dataclass(frozen=True)
class Section:
    """The road's part of the resident's page (``residents.routes.SECTIONS``)."""

    template: str
    context: dict
    notes_shown: bool


def road_section(tenancy, forms: dict) -> Section:
    """The road on the resident's page, with its forms as the request left them."""
    context = road_context(tenancy, **forms)
    # The road's plan, its marks' notes and a request's recommendation are notes.
    shown = context["road_notes"] and (
        context["road"].road is not None or bool(context["road_requests"])
    )
    return Section("road/_road.html", context, bool(shown))


def road_context(tenancy, **forms) -> dict:
    """What the resident's page shows of the road, and the forms the one asking may use."""
    progress = facts.progress_of(tenancy, clock.today())
    road = progress.road
    editor = services.may_edit_road(tenancy, current_user)
    manager = current_user.role == Role.MANAGER
    step_form = forms.get("step_form") or StepForm(
        formdata=None,
        step=progress.step if road else "",
        target_month=road.target_month.strftime("%Y-%m") if road and road.target_month else "",
        note=road.note if road and editor else "",
        revision=road.revision if road else 0,
    )
    requests = services.requests_of(tenancy.id) if editor else []
    return {
        "road": progress,
        "road_marks": services.marks(road),
        "road_editor": editor,
        "road_notes": editor and may_read_notes(tenancy.referral, current_user),
        "road_manager": manager,
        "road_requests": [(r, services.shared_of(r)) for r in requests],
        "why_not_ask": services.why_not_ask(progress),
        "asks_landlord": services.asks_landlord(progress.step),
        "transfer_due": services.transfer_due(progress.request, clock.today()),
        "step_form": step_form,
        "mark_form": forms.get("mark_form") or MarkForm(formdata=None, on_date=clock.today()),
        "consent_form": forms.get("consent_form") or ConsentForm(formdata=None),
        "harm_form": forms.get("harm_form") or HarmForm(formdata=None),
        "withdraw_form": forms.get("withdraw_form") or WithdrawForm(formdata=None),
        "ask_form": forms.get("ask_form") or AskForm(formdata=None),
    }


def _tenancy(tenancy_id: int, editor_only: bool = True):
    """The tenancy as the resident's page opens it; only its planners may change the road."""
    from ..residents.routes import _tenancy_or_404

    tenancy = _tenancy_or_404(tenancy_id)
    if editor_only and not services.may_edit_road(tenancy, current_user):
        abort(403)
    return tenancy


def _refused(tenancy, form, form_name: str, error: Refused):
    """The resident's page again, with the reason beside the field it belongs to."""
    from ..residents.routes import _detail_page

    target = getattr(form, error.field_name or "", None)
    if target is None or not hasattr(target, "errors") or isinstance(target.errors, dict):
        target = next(f for f in form if f.type not in ("CSRFTokenField", "HiddenField"))
    if not isinstance(target.errors, list):
        target.errors = list(target.errors)
    target.errors.append(error.message)
    return _detail_page(tenancy, 422, **{form_name: form})


def _invalid(tenancy, form, form_name: str):
    from ..residents.routes import _detail_page

    return _detail_page(tenancy, 422, **{form_name: form})


def _back(tenancy, message: str):
    flash(message, "success")
    return redirect(url_for("residents.detail", tenancy_id=tenancy.id) + "#road", 303)


@bp.route("/<int:tenancy_id>/step", methods=["POST"])
@roles_required(*PLANNERS)
def step(tenancy_id):
    tenancy = _tenancy(tenancy_id)
    form = StepForm()
    if not form.validate_on_submit():
        return _invalid(tenancy, form, "step_form")
    try:
        services.set_step(
            tenancy.id,
            form.step.data,
            form.month(),
            form.note.data or "",
            current_user,
            int(form.revision.data),
        )
    except Refused as error:
        return _refused(tenancy, form, "step_form", error)
    return _back(tenancy, _("The next step is saved."))


@bp.route("/<int:tenancy_id>/mark", methods=["POST"])
@roles_required(*PLANNERS)
def mark(tenancy_id):
    tenancy = _tenancy(tenancy_id)
    form = MarkForm()
    if not form.validate_on_submit():
        return _invalid(tenancy, form, "mark_form")
    try:
        services.mark(
            tenancy.id,
            form.condition.data,
            form.state.data,
            form.on_date.data,
            form.note.data or "",
            current_user,
        )
    except Refused as error:
        return _refused(tenancy, form, "mark_form", error)
    return _back(tenancy, _("The condition is marked."))


@bp.route("/<int:tenancy_id>/consent", methods=["POST"])
@roles_required(*PLANNERS)
def consent(tenancy_id):
    tenancy = _tenancy(tenancy_id)
    form = ConsentForm()
    if not form.validate_on_submit():
        return _invalid(tenancy, form, "consent_form")
    try:
        services.record_consent(tenancy.id, form.given_on.data, current_user)
    except Refused as error:
        return _refused(tenancy, form, "consent_form", error)
    return _back(tenancy, _("The resident's consent is recorded."))


@bp.route("/<int:tenancy_id>/consent/withdraw", methods=["POST"])
@roles_required(*PLANNERS)
def withdraw(tenancy_id):
    tenancy = _tenancy(tenancy_id)
    form = WithdrawForm()
    if not form.validate_on_submit():
        return _invalid(tenancy, form, "withdraw_form")
    try:
        sent = services.withdraw_consent(tenancy.id, form.note.data or "", current_user)
    except Refused as error:
        return _refused(tenancy, form, "withdraw_form", error)
    if sent:
        message = _(
            "The consent is withdrawn and the landlord no longer sees the request. What had "
            "been shared is listed under the requests."
        )
    else:
        message = _("The consent is withdrawn. Nothing had been shared with the landlord.")
    return _back(tenancy, message)


@bp.route("/<int:tenancy_id>/harm", methods=["POST"])
@roles_required(Role.MANAGER)
def harm(tenancy_id):
    tenancy = _tenancy(tenancy_id)
    form = HarmForm()
    if not form.validate_on_submit():
        return _invalid(tenancy, form, "harm_form")
    try:
        services.assess_harm(tenancy.id, form.note.data, current_user)
    except Refused as error:
        return _refused(tenancy, form, "harm_form", error)
    return _back(tenancy, _("The assessment is recorded."))


@bp.route("/<int:tenancy_id>/ask", methods=["POST"])
@roles_required(Role.MANAGER)
def ask(tenancy_id):
    tenancy = _tenancy(tenancy_id)
    form = AskForm()
    if not form.validate_on_submit():
        return _invalid(tenancy, form, "ask_form")
    try:
        services.ask_landlord(tenancy.id, form.recommendation.data, current_user)
    except Refused as error:
        return _refused(tenancy, form, "ask_form", error)
    return _back(tenancy, _("The request is sent; the landlord sees it in the portal."))


def _transfer_page(request, tenancy, form, status=200):
    """The page names the resident: every drawing of it is in the audit log."""
    AuditEvent.record(current_user, "opened", "referral", tenancy.referral_id, "lease transfer")
    progress = facts.progress_of(tenancy, clock.today())
    page = render_template(
        "road/transfer.html",
        lease_request=request,
        tenancy=tenancy,
        progress=progress,
        form=form,
        due=services.transfer_due(request, clock.today()),
    )
    return page, status


@bp.route("/requests/<int:request_id>/transfer", methods=["GET", "POST"])
@roles_required(Role.MANAGER)
def transfer(request_id):
    request = LeaseRequest.get_or_none(LeaseRequest.id == request_id)
    if request is None:
        abort(404)
    tenancy = _tenancy(request.tenancy_id)
    form = TransferForm()
    if not form.is_submitted():
        return _transfer_page(request, tenancy, TransferForm(formdata=None))
    if not form.validate_on_submit():
        return _transfer_page(request, tenancy, form, 422)
    try:
        services.transfer_lease(
            request.id,
            form.inventory.data,
            form.inventory_note.data or "",
            form.money_note.data or "",
            current_user,
        )
    except Refused as error:
        field = getattr(form, error.field_name or "", None) or form.inventory
        field.errors = [*field.errors, error.message]
        return _transfer_page(request, tenancy, form, 422)
    flash(
        _(
            "The resident has their own lease. The flat has left the unit's stock: the start "
            "page lists it as a flat to replace."
        ),
        "success",
    )
    return redirect(url_for("residents.detail", tenancy_id=tenancy.id), 303)


@bp.route("/settings", methods=["GET", "POST"])
@roles_required(Role.MANAGER)
def settings():
    posted = SettingsForm()
    if not posted.is_submitted():
        return render_template(
            "road/settings.html", form=settings_form(facts.requirements()), steps=STEPS
        )
    if posted.validate():
        try:
            services.save_requirements(settings_chosen(posted), current_user)
        except Refused as error:
            target = getattr(posted, error.field_name or "", None) or posted.csrf_token
            target.errors = [*target.errors, error.message]
        else:
            flash(_("The conditions are saved."), "success")
            return redirect(url_for("road.settings"), 303)
    return render_template("road/settings.html", form=posted, steps=STEPS), 422
