"""The flask commands: db upgrade/status/new, users create, rent open-month and import, demo,
gdpr export/anonymise, backup and restore."""

import datetime as dt
import json
import os
import re
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from . import clock
from .database import connection

db_cli = AppGroup("db", help="The database schema.")
users_cli = AppGroup("users", help="Accounts.")
gdpr_cli = AppGroup("gdpr", help="Data protection: a person's data, and anonymising.")


@db_cli.command("upgrade")
def db_upgrade():
    """Apply every pending migration."""
    from .migrate import upgrade

    with connection():
        applied = upgrade()
    for name in applied:
        click.echo(f"applied {name}")
    if not applied:
        click.echo("the schema is up to date")


@db_cli.command("status")
def db_status():
    """List the migrations and whether each is applied; exit 1 if any is pending."""
    from .migrate import runner

    with connection():
        rows = runner().status()
    for row in rows:
        mark = "x" if row.applied else " "
        click.echo(f"[{mark}] {row.name}")
    if any(not row.applied for row in rows):
        raise SystemExit(1)


@db_cli.command("new")
@click.argument("name")
def db_new(name):
    """Write an empty numbered migration file to fill in."""
    from .migrate import runner

    with connection():
        click.echo(runner().create(name))


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", "display_name", default=None, help="Display name (default: the email).")
@click.option(
    "--role",
    required=True,
    type=click.Choice(["admin", "manager", "staff", "caretaker", "landlord"]),
)
@click.option(
    "--landlord", "landlord_id", type=int, default=None, help="Landlord id, for landlord users."
)
def users_create(email, display_name, role, landlord_id):
    """Create an account. Password from INTRANET_PASSWORD, else a prompt."""
    from .admin.services import AccountError, create_user, issue_enrolment_code
    from .auth.passwords import MAX_LENGTH, MIN_LENGTH
    from .models import Landlord, Role

    password = os.environ.get("INTRANET_PASSWORD") or click.prompt(
        "Password", hide_input=True, confirmation_prompt=True
    )
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        raise click.UsageError(f"the password must be {MIN_LENGTH} to {MAX_LENGTH} characters")
    with connection():
        if role == Role.LANDLORD:
            if landlord_id is None or Landlord.get_or_none(Landlord.id == landlord_id) is None:
                raise click.UsageError(
                    "a landlord user needs --landlord with an existing landlord id"
                )
        elif landlord_id is not None:
            raise click.UsageError("only landlord users take --landlord")
        try:
            user = create_user(
                None,
                email=email,
                display_name=display_name or email,
                role=role,
                password=password,
                landlord_id=landlord_id,
            )
        except AccountError as error:
            raise click.ClickException(str(error)) from error
        issued = issue_enrolment_code(None, user.id)
    click.echo(f"created {user.email} ({user.role})")
    if issued:
        code, expires = issued
        click.echo(
            f"enrolment code {code}: give it to the person with the password; their role "
            f"sets up a second factor at the first log-in, and the code works once, until "
            f"{expires:%Y-%m-%d %H:%M}"
        )


@users_cli.command("approve")
@click.option("--email", required=True)
def users_approve(email):
    """Approve an account an administrator changed, on the server: for when no unit manager
    can (the only manager's phone was lost and an administrator reset it). Audited."""
    from .admin.services import AccountError, approve
    from .models import User

    with connection():
        user = User.by_email(email)
        if user is None:
            raise click.ClickException(f"no account has the email {email}")
        try:
            approve(None, user.id)
        except AccountError as error:
            raise click.ClickException(str(error)) from error
    click.echo(f"approved {user.email} ({user.role})")


@click.command("demo")
@with_appcontext
@click.option("--if-empty", is_flag=True, help="Do nothing, without error, when data exists.")
@click.option(
    "--scale",
    type=click.IntRange(1, 1000),
    default=1,
    show_default=True,
    help="How many units: 1 is one unit as it really is, 100 a city's worth.",
)
def demo(if_empty, scale):
    """Load the demo data into an empty database and print the logins."""
    from . import demo as demo_data
    from .auth.settings import setting

    with connection():
        if not demo_data.database_is_empty():
            if not if_empty:
                raise click.ClickException(
                    "the database is not empty; the demo loads only into an empty one"
                )
            click.echo("The database already has data; the demo was not loaded again.")
            logins = demo_data.existing_demo_logins()
            if not logins:
                return
        else:
            logins = demo_data.load_demo(scale)
        codes = demo_data.new_enrolment_codes([email for _role, email, _p in logins])
    click.echo("Demo logins:")
    for role, email, password in logins:
        code = f"  enrolment code {codes[email]}" if email in codes else ""
        click.echo(f"  {role:<10} {email:<28} {password}{code}".rstrip())
    required = current_app.config["TWO_FACTOR_REQUIRED_ROLES"]
    if required:
        click.echo(
            f"Roles {', '.join(required)} set up a second factor (an authenticator app) at "
            "their first login, with the enrolment code above (it works once, for "
            f"{setting('TWO_FACTOR_ENROLMENT_HOURS')} hours; `flask demo --if-empty` prints "
            "new ones for the accounts not yet set up); INTRANET_TWO_FACTOR_ROLES= make run "
            "turns the requirement off."
        )


rent_cli = AppGroup("rent", help="The rent routine's daily jobs: opening a month, bank files.")


@rent_cli.command("open-month")
@click.option("--month", default="", help="YYYY-MM; this month in the unit's time if left out.")
def open_month(month):
    """Create the month's rent charges for every resident (run daily by a timer)."""
    from .rent import rules
    from .rent import services as rent_services

    chosen = rules.parse_month(month) if month else rules.month_of(clock.today())
    if chosen is None:
        raise click.BadParameter(
            "give the month as YYYY-MM, for example 2027-03", param_hint="--month"
        )
    with connection():
        opened = rent_services.open_month(chosen)
    click.echo(f"{chosen:%Y-%m}: {opened} rent charges opened")


@rent_cli.command("import")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Only read and match the file; save nothing.")
def import_bank_file(path, dry_run):
    """Register the rent payments in a bank file (BgMax or camt.054) from the bank.

    Prints how many payments matched a resident, how many did not (they wait on the
    import's page to be assigned by hand), how many an earlier file already had, how many
    the rules refused and how many were skipped (not money paid to the unit), and the
    records read past. A file that cannot be read, or is not the unit's, exits 1 with the
    reason and line; so does anything but a regular file (a device or a pipe).
    """
    from .bank import BankFileError, parse_file
    from .rent import bank_imports as imports

    try:
        data = _read_bank_file(path)
    except BankFileError as error:
        click.echo(f"{path}: refused: {error.described()}", err=True)
        raise SystemExit(1) from None
    name, digest = Path(path).name, imports.sha256(data)
    with connection():
        earlier = imports.earlier_import(digest)
        if earlier is not None and earlier.status == "imported":
            click.echo(
                f"{name}: already imported on {earlier.confirmed_at:%Y-%m-%d} (file "
                f"{earlier.file_name}): {earlier.matched} matched, {earlier.unmatched} "
                f"unmatched, {earlier.already_imported} already imported, {earlier.refused} "
                f"refused, {earlier.skipped} skipped. Nothing was saved."
            )
            return
        try:
            parsed = parse_file(data)
            planned = imports.plan(parsed)
        except BankFileError as error:
            click.echo(f"{path}: refused: {error.described()}", err=True)
            raise SystemExit(1) from None
        counts = planned.counts
        if not dry_run:
            preview = earlier or imports.save_preview(planned, name, digest, None)
            try:
                done = imports.confirm(preview.id, None)
            except imports.ImportRefused as error:
                raise click.ClickException(error.message) from None
            counts = {key: getattr(done, key) for key in counts}
    for line in parsed.ignored:
        click.echo(f"{name}: {line}")
    click.echo(
        f"{'Dry run: ' if dry_run else ''}{name} ({parsed.format}): "
        f"{counts['matched']} matched, {counts['unmatched']} unmatched, "
        f"{counts['already_imported']} already imported, {counts['refused']} refused, "
        f"{counts['skipped']} skipped" + (". Nothing was saved." if dry_run else "")
    )


def _read_bank_file(path: str) -> bytes:
    """A regular file's bytes, at most the limit read from it whatever its size says."""
    import stat

    from .bank import MAX_FILE_BYTES, BankFileError

    not_regular = BankFileError("not a regular file (a device, a pipe or a folder)")
    try:
        # Asked before opening: opening a pipe would wait for a writer.
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise not_regular
        with open(path, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise not_regular
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise BankFileError(f"cannot be read ({error.strerror})") from None
    if len(data) > MAX_FILE_BYTES:
        raise BankFileError("the file is larger than 10 MB")
    return data


@rent_cli.command("verify")
@click.option("--fix", is_flag=True, help="Rewrite the summaries that differ (audited).")
def verify_ledger(fix):
    """Recompute every month's rent summary from its charge and the money allocated to it,
    and print each one that differs from the stored summary (exit 1 if any, unless fixed).
    The nightly timer runs it."""
    from .models import AuditEvent
    from .rent import ledger

    with connection():
        differences = ledger.verify(fix=fix)
        for difference in differences:
            expected = difference.expected
            click.echo(
                f"charge {difference.charge_id} ({expected['month']:%Y-%m}, tenancy "
                f"{expected['tenancy']}): stored {_summary_text(difference.stored)}, "
                f"from the ledger {_summary_text(expected)}"
            )
        if fix and differences:
            AuditEvent.record(
                None, "fixed", "rent_month", None, f"{len(differences)} month summaries rewritten"
            )
    click.echo(
        f"{len(differences)} month summaries differ"
        + (" (rewritten)" if fix and differences else "")
    )
    if differences and not fix:
        raise SystemExit(1)


def _summary_text(summary) -> str:
    if summary is None:
        return "nothing"
    return (
        f"charged {summary['charged']}, paid by the due day {summary['paid_by_due']}, "
        f"by the 15th {summary['paid_by_limit']}, in all {summary['paid_total']}, "
        f"settled {summary['settled_on'] or '—'}"
    )


@gdpr_cli.command("export")
@click.option(
    "--person",
    "referral_id",
    type=int,
    required=True,
    help="The person's referral id (a resident's too: their tenancy points at it).",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write the JSON to this file (readable by its owner only); else to standard output.",
)
def gdpr_export(referral_id, output):
    """Everything stored about one person, as JSON (a data-access request).

    The export is recorded in the audit log.
    """
    from . import gdpr

    with connection():
        if gdpr.Referral.get_or_none(gdpr.Referral.id == referral_id) is None:
            raise click.ClickException(f"no person (referral) has the id {referral_id}")
        # Opened before the export is made and audited: a file that cannot be written is an
        # error with nothing exported.
        file = _private_file(output) if output is not None else None
        try:
            document = gdpr.export_person(referral_id)
        except BaseException as error:
            if file is not None:
                file.close()
            if isinstance(error, gdpr.UnknownPerson):
                raise click.ClickException(str(error)) from error
            raise
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    if file is None:
        click.echo(text, nl=False)
        return
    with file:
        file.write(text)
    click.echo(f"wrote everything stored about referral {referral_id} to {output}", err=True)


def _private_file(path: str):
    """``path`` opened for writing, readable by its owner only."""
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.chmod(path, 0o600)
    except OSError as error:
        raise click.ClickException(f"cannot write {path}: {error.strerror}") from error
    return os.fdopen(handle, "w", encoding="utf-8")


def _cutoff(_ctx, _param, value):
    from . import clock

    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value or ""):
        raise click.BadParameter(f"give the date as YYYY-MM-DD (such as 2023-01-01), not {value!r}")
    try:
        day = dt.date.fromisoformat(value)
    except ValueError as error:
        raise click.BadParameter(f"{value} is not a date in the calendar") from error
    if day > clock.today():
        raise click.BadParameter(f"{value} is in the future; no one has moved out by then")
    return day


@gdpr_cli.command("anonymise")
@click.option(
    "--moved-out-before",
    "cutoff",
    required=True,
    callback=_cutoff,
    metavar="YYYY-MM-DD",
    help="Take the people whose tenancies all ended before this day.",
)
@click.option("--dry-run", is_flag=True, help="Only count them; change nothing.")
def gdpr_anonymise(cutoff, dry_run):
    """Remove the personal details of people who moved out before a date.

    Only people whose tenancies all ended before it and who have no open referral, match
    or tenancy. The amounts, dates, statuses and outcomes the rent statistics and the
    yearly report count are kept. One transaction, recorded in the audit log; people
    anonymised before are skipped.
    """
    from . import gdpr

    with connection():
        plan = gdpr.anonymise(cutoff, dry_run=dry_run)
    who = f"{plan.people} people ({len(plan.referral_ids)} referrals)"
    when = f"whose tenancies all ended before {cutoff.isoformat()}"
    if dry_run:
        click.echo(f"Dry run: {who} {when} would be anonymised. Nothing was changed.")
    else:
        click.echo(f"Anonymised {who} {when}.")


@click.command("backup")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False))
def backup_command(path):
    """Copy the whole database to the file PATH, while the intranet runs.

    SQLite: its online backup API. PostgreSQL: pg_dump --format=custom. The file is
    readable by its owner only and replaces PATH only once it is complete.
    """
    from . import backup

    url = current_app.config["DATABASE_URL"]
    try:
        backup.backup(url, Path(path))
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"backed up {backup.shown(url)} to {path}")


@click.command("restore")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Replace a database that already has data.")
def restore_command(path, force):
    """Replace the whole database with the backup in PATH.

    Refused, with nothing changed, when the database has any row in any table (the
    migrations' own list aside) unless --force is given. Stop the intranet first.
    """
    from . import backup

    url = current_app.config["DATABASE_URL"]
    try:
        backup.restore(url, Path(path), force=force)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"restored {path} into {backup.shown(url)}")


def init_app(app) -> None:
    """Register the commands."""
    app.cli.add_command(db_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(rent_cli)
    app.cli.add_command(demo)
    app.cli.add_command(gdpr_cli)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
