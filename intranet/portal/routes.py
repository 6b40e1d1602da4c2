"""Portal pages for landlords (with the requests to take over a lease); case pages for the
unit; invitations."""

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user
from playhouse.flask_utils import get_object_or_404

from .. import paging
from ..database import record_id
from ..models import AuditEvent, Case, CaseKind, Flat, Landlord, Role
from ..road import services as road
from ..security import public, roles_required, start_session_clock
from . import bp, services
from .forms import (
    AcceptForm,
    CaseForm,
    CloseCaseForm,
    InviteForm,
    LeaseAnswerForm,
    OfferForm,
    ReplyForm,
)

STAFF = (Role.MANAGER, Role.STAFF, Role.CARETAKER)


def _landlord_id() -> int:
    if not current_user.landlord_id:
        abort(403)
    return current_user.landlord_id


def _or_404(found):
    """What a lookup found; nothing found, or not the person's to see, is a 404."""
    if found is None:
        abort(404)
    return found


def _portal_context(landlord: Landlord, read_only: bool):
    unit_list = services.units(landlord.id)
    return {
        "landlord": landlord,
        "units": unit_list,
        "summary": services.lease_summary(unit_list),
        "contacts": services.contacts_for(landlord),
        "cases": list(services.cases_for(landlord.id)),
        "lease_requests": list(road.landlords_requests(landlord.id)),
        "read_only": read_only,
    }


# ---- the landlord's portal ----------------------------------------------------------


@bp.route("/portal/")
@roles_required(Role.LANDLORD)
def index():
    landlord = Landlord.get_by_id(_landlord_id())
    return render_template("portal/index.html", **_portal_context(landlord, read_only=False))


@bp.route("/portal/preview/<int:landlord_id>")
@roles_required(Role.MANAGER, Role.STAFF)
def preview(landlord_id):
    landlord = get_object_or_404(Landlord, Landlord.id == landlord_id)
    return render_template("portal/index.html", **_portal_context(landlord, read_only=True))


@bp.route("/portal/units/<int:flat_id>")
@roles_required(Role.LANDLORD)
def unit(flat_id):
    flat = _or_404(services.unit_for(_landlord_id(), flat_id))
    state = next(u for u in services.units(_landlord_id()) if u.flat.id == flat.id)
    cases = list(services.cases_for(_landlord_id()).where(Case.flat == flat.id))
    return render_template("portal/unit.html", unit=state, cases=cases)


@bp.route("/portal/cases/new", methods=["GET", "POST"])
@roles_required(Role.LANDLORD)
def new_case():
    flat = _or_404(services.unit_for(_landlord_id(), request.args.get("unit", type=record_id) or 0))
    action = url_for("portal.new_case", unit=flat.id)
    return _new_case(flat, action, _("The case is sent to the unit."), "portal.case")


def _new_case(flat, action, sent, case_endpoint):
    """The case form for ``flat``; a valid one opens the case and shows it."""
    form = CaseForm()
    warned = False
    if form.validate_on_submit():
        try:
            case = services.open_case(
                current_user, flat, form.kind.data, form.text.data, form.send_anyway.data
            )
        except services.PortalError as error:
            form.text.errors.append(error.message)
            warned = isinstance(error, services.PersonalDataInText)
        else:
            flash(sent, "success")
            return redirect(url_for(case_endpoint, case_id=case.id), 303)
    status = 422 if form.is_submitted() else 200
    page = render_template(
        "portal/case_form.html",
        form=form,
        flat=flat,
        action=action,
        for_landlord=current_user.role != Role.LANDLORD,
        warned=warned,
    )
    return page, status


def _case_page(case, template, status=200, reply_form=None, warned=False, close_form=None):
    return render_template(
        template,
        case=case,
        replies=list(services.replies(case.id)),
        reply_form=reply_form or ReplyForm(formdata=None),
        close_form=close_form or CloseCaseForm(formdata=None),
        for_landlord=current_user.role != Role.LANDLORD,
        warned=warned,
    ), status


@bp.route("/portal/cases/<int:case_id>")
@roles_required(Role.LANDLORD)
def case(case_id):
    found = _or_404(services.case_for(case_id, _landlord_id()))
    return _case_page(found, "portal/case.html")


def _reply(found, template, after):
    form = ReplyForm()
    warned = False
    if form.validate_on_submit():
        try:
            services.reply(current_user, found.id, form.text.data, form.send_anyway.data)
        except services.PortalError as error:
            form.text.errors.append(error.message)
            warned = isinstance(error, services.PersonalDataInText)
        else:
            flash(_("Your reply is added."), "success")
            return redirect(after, 303)
    return _case_page(services.case_for(found.id), template, 422, form, warned)


@bp.route("/portal/cases/<int:case_id>/reply", methods=["POST"])
@roles_required(Role.LANDLORD)
def reply(case_id):
    found = _or_404(services.case_for(case_id, _landlord_id()))
    return _reply(found, "portal/case.html", url_for("portal.case", case_id=found.id))


@bp.route("/portal/offer", methods=["GET", "POST"])
@roles_required(Role.LANDLORD)
def offer():
    form = OfferForm()
    if form.validate_on_submit():
        services.offer_flat(
            current_user,
            _landlord_id(),
            address=form.address.data.strip(),
            district=(form.district.data or "").strip(),
            rooms=form.rooms.data,
            size_m2=form.size_m2.data,
            rent=form.rent.data,
            available_from=form.available_from.data,
            note=(form.note.data or "").strip(),
        )
        flash(_("Thank you. The unit has your offer and will contact you."), "success")
        return redirect(url_for("portal.index"), 303)
    status = 422 if form.is_submitted() else 200
    return render_template("portal/offer.html", form=form), status


# ---- the requests to take over a lease ------------------------------------------------


def _lease_request_page(found, form, status=200):
    """A request as the landlord sees it: what the unit shared, and the answer or the form.
    Each drawing of it shows the resident's facts, so each is in the audit log."""
    AuditEvent.record(
        current_user, "viewed", "lease_request", found.id, "lease request in the portal"
    )
    page = render_template(
        "portal/request.html", lease_request=found, shared=road.shared_of(found), form=form
    )
    return page, status


@bp.route("/portal/requests/<int:request_id>")
@roles_required(Role.LANDLORD)
def lease_request(request_id):
    found = _or_404(road.landlords_request(_landlord_id(), request_id))
    return _lease_request_page(found, LeaseAnswerForm(formdata=None))


@bp.route("/portal/requests/<int:request_id>/answer", methods=["POST"])
@roles_required(Role.LANDLORD)
def answer_lease_request(request_id):
    landlord_id = _landlord_id()
    found = _or_404(road.landlords_request(landlord_id, request_id))
    form = LeaseAnswerForm()
    if form.validate_on_submit():
        try:
            road.answer(
                found.id,
                landlord_id,
                form.answer.data,
                form.answer_on.data,
                form.note.data or "",
                current_user,
            )
        except road.RoadError as error:
            target = getattr(form, error.field_name or "", None)
            (target.errors if target is not None else form.form_errors).append(error.message)
        else:
            flash(_("Your answer is sent to the unit."), "success")
            return redirect(url_for("portal.lease_request", request_id=found.id), 303)
    # As it stands now: withdrawn meanwhile, it is gone.
    found = _or_404(road.landlords_request(landlord_id, found.id))
    return _lease_request_page(found, form, 422)


# ---- the unit's side of cases ----------------------------------------------------------


@bp.route("/cases/")
@roles_required(*STAFF)
def cases():
    fixed = services.kind_for(current_user)
    kind = fixed or request.args.get("kind") or None
    if kind is not None and kind not in CaseKind.ALL:
        abort(400)
    page = paging.paginate(services.cases_for(status="open", kind=kind), paging.page_number())
    return render_template("portal/cases.html", page=page, kind=kind, kind_is_fixed=bool(fixed))


@bp.route("/cases/<int:case_id>")
@roles_required(*STAFF)
def staff_case(case_id):
    found = _or_404(services.staff_case_for(case_id, current_user))
    return _case_page(found, "portal/staff_case.html")


@bp.route("/cases/<int:case_id>/reply", methods=["POST"])
@roles_required(*STAFF)
def staff_reply(case_id):
    found = _or_404(services.staff_case_for(case_id, current_user))
    return _reply(found, "portal/staff_case.html", url_for("portal.staff_case", case_id=found.id))


@bp.route("/cases/<int:case_id>/close", methods=["POST"])
@roles_required(*STAFF)
def close(case_id):
    found = _or_404(services.staff_case_for(case_id, current_user))
    form = CloseCaseForm()
    if not form.validate_on_submit():
        return _case_page(found, "portal/staff_case.html", 422, close_form=form)
    services.close_case(current_user, found.id)
    flash(_("The case is closed."), "success")
    return redirect(url_for("portal.staff_case", case_id=found.id), 303)


@bp.route("/flats/<int:flat_id>/cases/new", methods=["GET", "POST"])
@roles_required(*STAFF)
def staff_new_case(flat_id):
    flat = get_object_or_404(Flat, (Flat.id == flat_id) & Flat.status.in_(services.LEASED))
    action = url_for("portal.staff_new_case", flat_id=flat.id)
    sent = _("The case is opened; the landlord sees it in the portal.")
    return _new_case(flat, action, sent, "portal.staff_case")


# ---- invitations -------------------------------------------------------------------------


@bp.route("/landlords/<int:landlord_id>/invite", methods=["GET", "POST"])
@roles_required(Role.MANAGER)
def invite(landlord_id):
    landlord = get_object_or_404(Landlord, Landlord.id == landlord_id)
    form = InviteForm()
    link = None
    status = 200
    if form.validate_on_submit():
        try:
            token = services.invite(
                current_user, landlord.id, form.email.data, form.display_name.data
            )
        except services.PortalError as error:
            form.email.errors.append(error.message)
            status = 422
        else:
            link = url_for("portal.accept", token=token, _external=True)
    elif form.is_submitted():
        status = 422
    return render_template("portal/invite.html", form=form, landlord=landlord, link=link), status


@bp.route("/invite/<token>", methods=["GET", "POST"])
@public
def accept(token):
    if len(token) > 100:
        abort(404)
    try:
        invitation = services.invitation_for(token)
    except services.PortalError as error:
        return render_template("portal/invitation_invalid.html", message=error.message), 410
    form = AcceptForm()
    if form.validate_on_submit():
        try:
            user = services.accept_invitation(token, form.password.data)
        except services.PortalError as error:
            return render_template("portal/invitation_invalid.html", message=error.message), 410
        session.clear()  # a new session for the new account
        login_user(user)
        start_session_clock()
        flash(_("Welcome. Your account is ready."), "success")
        return redirect(url_for("portal.index"), 303)
    status = 422 if form.is_submitted() else 200
    return render_template("portal/accept.html", form=form, invitation=invitation), status
