"""The flask commands: db upgrade/status/new, users create, rent open-month, demo."""

import os

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from . import clock
from .database import connection

db_cli = AppGroup("db", help="The database schema.")
users_cli = AppGroup("users", help="Accounts.")


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
    from .admin.services import AccountError, create_user
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
    click.echo(f"created {user.email} ({user.role})")


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
    click.echo("Demo logins:")
    for role, email, password in logins:
        click.echo(f"  {role:<10} {email:<28} {password}")
    required = current_app.config["TWO_FACTOR_REQUIRED_ROLES"]
    if required:
        click.echo(
            f"Roles {', '.join(required)} set up a second factor (an authenticator app) at "
            "their first login; INTRANET_TWO_FACTOR_ROLES= make run turns the requirement off."
        )


rent_cli = AppGroup("rent", help="The rent routine's daily jobs.")


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


def init_app(app) -> None:
    """Register the commands."""
    app.cli.add_command(db_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(rent_cli)
    app.cli.add_command(demo)
