"""Bank files on the rent pages: upload, a preview before anything is saved as paid,
confirming it, assigning unmatched payments by hand, and the history of imports."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from peewee import JOIN
from werkzeug.exceptions import RequestEntityTooLarge

from .. import paging
from ..audit.services import audited
from ..bank import MAX_FILE_BYTES, BankFileError, parse_file
from ..formatting import format_number
from ..models import BankImport, EntryState, ImportStatus, Role, User
from ..security import roles_required
from . import bank_imports as imports
from . import bp, ledger, ledger_rules, services
from .forms import AssignForm, BankFileForm, ConfirmImportForm, DiscardImportForm, SetAsideForm

READERS = (Role.MANAGER, Role.STAFF)
# A bank file of 10 MB and the rest of its form: more than other forms may send.
UPLOAD_ENDPOINT = "rent.bank_imports"
UPLOAD_MAX_REQUEST_BYTES = MAX_FILE_BYTES + 256 * 1024


@bp.url_value_preprocessor
def _room_for_a_bank_file(endpoint, _values):
    """Runs before the CSRF check reads the form: the upload may send a 10 MB file."""
    if endpoint == UPLOAD_ENDPOINT:
        request.max_content_length = current_app.config.get(
            "BANK_FILE_MAX_REQUEST_BYTES", UPLOAD_MAX_REQUEST_BYTES
        )


def _history_page(form, status=200):
    page = paging.paginate(
        BankImport.select(BankImport, User)
        .join(User, join_type=JOIN.LEFT_OUTER, on=(BankImport.imported_by == User.id))
        .order_by(BankImport.created_at.desc(), BankImport.id.desc()),
        paging.page_number(),
    )
    return render_template("rent/imports.html", form=form, page=page), status


@bp.route("/imports", methods=["GET", "POST"])
@roles_required(*READERS)
def bank_imports():
    try:
        form = BankFileForm()
    except RequestEntityTooLarge:
        return _history_page(None, 413)
    if not form.validate_on_submit():
        return _history_page(form, 422 if request.method == "POST" else 200)
    data = form.file.data.read(MAX_FILE_BYTES + 1)
    digest = imports.sha256(data)
    earlier = imports.earlier_import(digest)
    if earlier is not None:
        flash(_already_read(earlier), "info")
        return redirect(url_for("rent.bank_import", import_id=earlier.id), 303)
    try:
        planned = imports.plan(parse_file(data))
    except BankFileError as error:
        form.file.errors.append(error.described())
        return _history_page(form, 422)
    name = form.file.data.filename or "bank-file"
    preview = imports.save_preview(planned, name, digest, current_user)
    return redirect(url_for("rent.bank_import", import_id=preview.id), 303)


def _already_read(earlier: BankImport) -> str:
    if earlier.status == ImportStatus.PREVIEW:
        return _(
            "This file was already read (file %(name)s) and waits here to be registered.",
            name=earlier.file_name,
        )
    return _(
        "This file was already imported on %(date)s (file %(name)s); here is its result.",
        date=earlier.confirmed_at.strftime("%Y-%m-%d"),
        name=earlier.file_name,
    )


def _import_or_404(import_id: int) -> BankImport:
    bank_import = BankImport.get_or_none(BankImport.id == import_id)
    if bank_import is None:
        abort(404)
    return bank_import


def _entry_or_404(bank_import: BankImport, entry_id: int):
    entry = bank_import.entries.where(imports.BankEntry.id == entry_id).first()
    if entry is None:
        abort(404)
    return entry


def _import_page(
    bank_import, status=200, error=None, assign_form=None, assigned_entry=None, discard_form=None
):
    residents = imports.residents_to_choose()
    entries = imports.entries_page(bank_import.id, paging.page_number())
    suggested = {
        e.id: imports.suggestions(e, residents)
        for e in entries.rows
        if e.state in (EntryState.UNMATCHED, EntryState.ASSIGNED)
        and e.kind == "payment"
        and bank_import.status != ImportStatus.DISCARDED
    }
    money = imports.where_money_goes(bank_import, entries.rows)
    return render_template(
        "rent/import.html",
        bank_import=bank_import,
        entries=entries,
        pays={
            entry_id: services.receipt_words(ledger.Receipt(entry_id, shares))
            for entry_id, shares in money.items()
        },
        is_large=ledger_rules.is_large,
        suggested=suggested,
        confirm_form=ConfirmImportForm(),
        discard_form=discard_form or DiscardImportForm(),
        assign_form=assign_form,
        assigned_entry=assigned_entry,
        error=error,
        preview=bank_import.status == ImportStatus.PREVIEW,
    ), status


@bp.route("/imports/<int:import_id>")
@roles_required(*READERS)
@audited("bank import")
def bank_import(import_id):
    return _import_page(_import_or_404(import_id))


@bp.route("/imports/<int:import_id>/confirm", methods=["POST"])
@roles_required(*READERS)
@audited("bank import, confirm")
def confirm_import(import_id):
    bank_import = _import_or_404(import_id)
    if not ConfirmImportForm().validate_on_submit():
        return _import_page(bank_import, 400, _("The form had expired. Reload the page."))
    try:
        done = imports.confirm(bank_import.id, current_user)
    except imports.ImportRefused as error:
        return _import_page(_import_or_404(import_id), 409, error.message)
    flash(
        ngettext(
            "%(count)s payment is registered.",
            "%(count)s payments are registered.",
            done.matched,
            count=format_number(done.matched),
        ),
        "success",
    )
    return redirect(url_for("rent.bank_import", import_id=import_id), 303)


@bp.route("/imports/<int:import_id>/entries/<int:entry_id>/assign", methods=["POST"])
@roles_required(*READERS)
@audited("bank import, assign")
def assign_entry(import_id, entry_id):
    bank_import = _import_or_404(import_id)
    entry = _entry_or_404(bank_import, entry_id)
    form = AssignForm(residents=imports.residents_to_choose())
    if form.validate_on_submit() and form.chosen():
        try:
            imports.assign(entry.id, form.chosen(), current_user)
        except imports.ImportRefused as error:
            return _import_page(bank_import, 409, error.message)
        flash(_("The payment is assigned."), "success")
        return redirect(url_for("rent.bank_import", import_id=import_id), 303)
    return _import_page(bank_import, 422, _("Choose a resident."), form, entry.id)


@bp.route("/imports/<int:import_id>/discard", methods=["POST"])
@roles_required(*READERS)
@audited("bank import, discard")
def discard_import(import_id):
    bank_import = _import_or_404(import_id)
    form = DiscardImportForm()
    if not form.validate_on_submit():
        return _import_page(bank_import, 422, _("Say why the file is discarded."), None, None, form)
    try:
        imports.discard(bank_import.id, current_user, form.reason.data)
    except imports.ImportRefused as error:
        return _import_page(_import_or_404(import_id), 409, error.message)
    flash(_("The file is discarded; nothing of it was registered."), "success")
    return redirect(url_for("rent.bank_import", import_id=import_id), 303)


@bp.route("/imports/<int:import_id>/entries/<int:entry_id>/set-aside", methods=["POST"])
@roles_required(*READERS)
@audited("bank import, set aside")
def set_aside_entry(import_id, entry_id):
    bank_import = _import_or_404(import_id)
    entry = _entry_or_404(bank_import, entry_id)
    form = SetAsideForm()
    if not form.validate_on_submit():
        return _import_page(bank_import, 422, _("Say why this payment is not rent."))
    try:
        imports.set_aside(entry.id, current_user, form.reason.data)
    except imports.ImportRefused as error:
        return _import_page(bank_import, 409, error.message)
    flash(_("The payment is set aside as not rent."), "success")
    return redirect(url_for("rent.bank_import", import_id=import_id), 303)
