"""The pipeline board, a landlord's page, follow-ups and the funnel report."""

import datetime as dt
from urllib.parse import parse_qsl, urlencode

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from jinja2_fragments.flask import render_block
from playhouse.flask_utils import get_object_or_404
from werkzeug.datastructures import MultiDict

from .. import clock, paging
from ..audit.services import record_view
from ..forms import is_number
from ..models import Landlord, Role, Stage
from ..referrals.services import may_see_person
from ..rendering import render, wants_fragment
from ..road.services import requests_to_landlord
from ..security import roles_required
from . import bp, services
from .forms import (
    LANDLORD_PAGE,
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
DETAIL = "landlords/detail.html"
# The parts of a landlord's page (blocks of detail.html) a write changes besides the one its
# form is in: an answer in place sends them again, out of band.
AFTER_MOVE = ("facts", "flats", "history")
AFTER_ACTIVITY = ("facts", "stage")


def _landlord_or_404(landlord_id: int) -> Landlord:
    return get_object_or_404(services.landlords_with_owner(), Landlord.id == landlord_id)


def _read_filters(args) -> tuple[BoardFilterForm, services.BoardFilters, bool]:
    """The board's filters from URL parameters; invalid ones are reported, not applied."""
    form = BoardFilterForm(formdata=args if args else None)
    if args and not form.validate():
        return form, services.BoardFilters(), False
    return form, form.filters(), True


# ---- the board -------------------------------------------------------------------


@bp.route("/owner-names")
@roles_required(*READERS)
def owner_names_list():
    """The owner box's suggestions as one types: at most 20 names, as options."""
    names = services.owner_names(request.args.get("owner_name", "")[:100])
    return render_template("_name_options.html", names=names)


@bp.route("/owner-choices")
@roles_required(Role.MANAGER)
def owner_choices_list():
    """The landlord form's owner box's suggestions as one types: at most 20, as options."""
    names = services.owner_choices(request.args.get("owner_name", "")[:100])
    return render_template("_name_options.html", names=names)


@bp.route("/pipeline")
@roles_required(*READERS)
def pipeline():
    form, filters, valid = _read_filters(request.args)
    shown = _shown(request.args)
    return render(
        "landlords/pipeline.html",
        block="board",
        status=200 if valid else 400,
        form=form,
        filters=filters,
        columns=services.board(filters, shown),
        shown=shown,
        cards_step=services.CARDS,
        chosen_owner=form.chosen_owner() if valid else None,
        query_string=urlencode(filters.as_params()),
    )


def _shown(args) -> dict:
    """How many cards each column shows, from ``show_<stage>`` in the address."""
    shown = {}
    for stage in Stage.ALL:
        text = args.get(f"show_{stage}")
        if text is not None:
            if not is_number(text) or not 1 <= int(text) <= 1000:
                raise paging.PageError(_("The page in the address is not valid."))
            shown[stage] = int(text)
    return shown


def _board_url(query_string: str) -> str:
    return url_for("landlords.pipeline") + (f"?{query_string}" if query_string else "")


@bp.route("/<int:landlord_id>/stage", methods=["POST"])
@roles_required(Role.MANAGER)
def move(landlord_id):
    landlord = _landlord_or_404(landlord_id)
    query_string = request.form.get("board_query", "")[:500]
    _form, filters, _valid = _read_filters(MultiDict(parse_qsl(query_string)))
    form = MoveForm(card_id=landlord.id)
    on_page = form.shown_on.data == LANDLORD_PAGE
    if form.validate_on_submit():
        try:
            moved = services.move_stage(
                landlord.id,
                form.from_stage.data,
                form.to_stage.data,
                current_user,
                **form.values(),
            )
        except services.StageConflict as conflict:
            if on_page:
                return _page_conflict(conflict)
            return _move_conflict(conflict, filters, query_string)
        except services.PipelineError as error:
            form[error.field_name].errors.append(error.message)
        else:
            message = _(
                "%(name)s moved to %(stage)s.", name=moved.name, stage=STAGE_LABELS[moved.stage]
            )
            if on_page:
                return _saved(landlord.id, "stage", message, also=AFTER_MOVE)
            return _moved(moved, filters, query_string, message)
    if on_page:
        return _refused(landlord, "stage", move_form=form)
    context = {"card": landlord, "move_form": form, "query_string": query_string}
    template = "landlords/_card.html" if wants_fragment() else "landlords/move.html"
    return render_template(template, **context), 422


def _moved(moved, filters, query_string, message):
    flash(message, "success")
    if not wants_fragment():
        return redirect(_board_url(query_string), 303)
    return render_template(
        "landlords/_moved.html",
        card=moved,
        columns=services.board(filters),
        query_string=query_string,
    )


def _move_conflict(conflict, filters, query_string):
    flash(conflict.describe(), "error")
    if not wants_fragment():
        return redirect(_board_url(query_string), 303)
    # The board in this browser is out of date: send it whole, with the message.
    body = render_template(
        "landlords/_conflict.html",
        columns=services.board(filters),
        filters=filters,
        query_string=query_string,
    )
    return body, 409, {"HX-Retarget": "#board", "HX-Reswap": "outerHTML"}


def _page_conflict(conflict):
    """The landlord's page was out of date: every part that shows the stage, as it is now."""
    flash(conflict.describe(), "error")
    if not wants_fragment():
        return redirect(url_for("landlords.detail", landlord_id=conflict.landlord.id), 303)
    return _page_parts(conflict.landlord.id, "stage", AFTER_MOVE, 409)


# ---- a landlord ------------------------------------------------------------------


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.MANAGER)
def create():
    form = LandlordCreateForm()
    valid = form.validate_on_submit()
    duplicates = _namesakes(form) if valid else []
    if valid and not form.name.errors:
        landlord = services.create_landlord(current_user, **form.values())
        flash(_("%(name)s is added to the pipeline.", name=landlord.name), "success")
        return redirect(url_for("landlords.detail", landlord_id=landlord.id), 303)
    return _form_page(form, None, duplicates, 422 if form.is_submitted() else 200)


def _namesakes(form, landlord_id: int | None = None) -> list[Landlord]:
    """Other landlords with the form's name; unless confirmed, the name field says so."""
    duplicates = services.namesakes(form.name.data, landlord_id)
    if duplicates and not form.confirm_duplicate.data:
        form.name.errors.append(_("A landlord with this name already exists."))
    return duplicates


def _form_page(form, landlord, duplicates, status):
    return render_template(
        "landlords/form.html",
        form=form,
        landlord=landlord,
        duplicates=duplicates,
        # Without JavaScript the box still offers the first names.
        owner_choices=services.owner_choices(""),
    ), status


@bp.route("/<int:landlord_id>/edit", methods=["GET", "POST"])
@roles_required(Role.MANAGER)
def edit(landlord_id):
    landlord = _landlord_or_404(landlord_id)
    form = LandlordEditForm(
        obj=landlord,
        owner_name=services.owner_text(landlord.owner) if landlord.owner_id else "",
        revision=landlord.revision,
        saved_follow_up=landlord.next_follow_up,
    )
    status = 422 if form.is_submitted() else 200
    valid = form.validate_on_submit()
    duplicates = _namesakes(form, landlord.id) if valid else []
    if valid and not form.name.errors:
        try:
            services.update_landlord(landlord.id, int(form.revision.data), **form.values())
        except services.StaleEdit:
            form.form_errors.append(
                _("Someone else changed this landlord while you edited. Reload and try again.")
            )
            status = 409
        else:
            flash(_("%(name)s is saved.", name=form.name.data.strip()), "success")
            return redirect(url_for("landlords.detail", landlord_id=landlord.id), 303)
    return _form_page(form, landlord, duplicates, status)


# The most requests to take over a lease a landlord's page lists, newest first.
LEASE_REQUESTS_SHOWN = 50


def _record_names_shown(context) -> None:
    """The requests on a whole landlord's page name residents: when the viewer sees one,
    the view is in the audit log, as the residents list's is."""
    if any(
        may_see_person(r.tenancy.referral, current_user, [r.tenancy.contact_person_id])
        for r in context["lease_requests"]
    ):
        record_view("landlord page, requests to take over a lease")


def _detail_context(landlord, **forms):
    lease_requests = requests_to_landlord(landlord.id, LEASE_REQUESTS_SHOWN + 1)
    return {
        "lease_requests": lease_requests[:LEASE_REQUESTS_SHOWN],
        "more_lease_requests": len(lease_requests) > LEASE_REQUESTS_SHOWN,
        "landlord": landlord,
        "contacts": services.contacts(landlord.id),
        "activities": services.timeline(landlord.id),
        "history": services.stage_history(landlord.id),
        "flats": services.flats(landlord.id),
        "activity_form": forms.get("activity_form") or ActivityForm(formdata=None),
        "contact_form": forms.get("contact_form") or ContactForm(formdata=None),
        "move_form": forms.get("move_form"),
        "takes_flats": landlord.stage in Stage.TAKES_FLATS,
    }


@bp.route("/<int:landlord_id>")
@roles_required(*READERS)
def detail(landlord_id):
    landlord = _landlord_or_404(landlord_id)
    context = _detail_context(landlord)
    _record_names_shown(context)
    return render_template("landlords/detail.html", **context)


@bp.route("/<int:landlord_id>/activities", methods=["POST"])
@roles_required(*READERS)
def log_activity(landlord_id):
    landlord = _landlord_or_404(landlord_id)
    form = ActivityForm()
    if not form.validate_on_submit():
        return _refused(landlord, "activities", activity_form=form)
    services.log_activity(landlord.id, current_user, **form.values())
    # The next follow-up may have moved: the facts and the stage card show it too.
    return _saved(landlord.id, "activities", _("The activity is logged."), also=AFTER_ACTIVITY)


@bp.route("/<int:landlord_id>/contacts", methods=["POST"])
@roles_required(Role.MANAGER)
def add_contact(landlord_id):
    landlord = _landlord_or_404(landlord_id)
    form = ContactForm()
    if not form.validate_on_submit():
        return _refused(landlord, "contacts", contact_form=form)
    services.add_contact(landlord.id, **form.values())
    return _saved(landlord.id, "contacts", _("The contact is added."))


def _refused(landlord, block, **forms):
    context = _detail_context(landlord, **forms)
    if not wants_fragment():
        _record_names_shown(context)  # the whole page again
    return render(DETAIL, block=block, status=422, **context)


def _saved(landlord_id, block, message, also=()):
    """After a write on a landlord's page: the page again (without JavaScript), or the
    block whose form was sent and, out of band, ``also``: the other parts of the page that
    show what changed, and the message."""
    flash(message, "success")
    if not wants_fragment():
        return redirect(url_for("landlords.detail", landlord_id=landlord_id) + f"#{block}", 303)
    return _page_parts(landlord_id, block, also)


def _page_parts(landlord_id, block, also, status=200):
    """``block`` of the landlord's page, then each part of ``also`` and the messages, out of
    band: everything the last change may have changed, drawn from the database again."""
    context = _detail_context(_landlord_or_404(landlord_id))
    parts = [render_block(DETAIL, block, **context)]
    parts += [render_block(DETAIL, part, oob=True, **context) for part in also]
    parts.append(render_template("landlords/_messages.html"))
    response = make_response("".join(parts), status)
    response.headers.add("Vary", "HX-Request")
    return response


# ---- follow-ups and the funnel ---------------------------------------------------


@bp.route("/follow-ups")
@roles_required(*READERS)
def follow_ups():
    today = clock.today()
    page = paging.paginate(services.follow_ups_for(current_user, today), paging.page_number())
    return render_template("landlords/follow_ups.html", page=page, today=today)


@bp.route("/funnel")
@roles_required(*READERS)
def funnel():
    form = PeriodForm(formdata=request.args if request.args else None)
    if request.args and not form.validate():
        today = clock.today()
        report = funnel_report(today - dt.timedelta(days=365), today)
        return render_template("landlords/funnel.html", form=form, report=report), 400
    # Without a choice the report covers the last year up to today.
    today = clock.today()
    form.start.data = form.start.data or today - dt.timedelta(days=365)
    form.end.data = form.end.data or today
    report = funnel_report(form.start.data, form.end.data)
    return render_template("landlords/funnel.html", form=form, report=report)
