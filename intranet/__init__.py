"""The training-apartment unit's intranet: the application factory."""

import os
import secrets
from pathlib import Path

from flask import Flask

# A checkout keeps templates, static files and migrations beside the package; a wheel
# ships them inside it (setup.py's build step).
_CHECKOUT = Path(__file__).resolve().parent.parent
ROOT = (
    _CHECKOUT
    if (_CHECKOUT / "templates").is_dir()
    else Path(__file__).resolve().parent / "_shipped"
)


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").lower() in ("1", "true", "yes", "on")


def _env_list(name: str, default: tuple) -> tuple:
    """A comma-separated setting; unset gives ``default``, set but empty gives none."""
    value = os.environ.get(name)
    if value is None:
        return default
    return tuple(item.strip() for item in value.split(",") if item.strip())


def _secret_key(instance_path: str) -> str:
    """SECRET_KEY from the environment, else one kept in the instance folder."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    from .database import keep_private, write_private

    path = Path(instance_path) / "secret_key"
    if not path.exists():
        write_private(path, secrets.token_hex(32))
    keep_private(path)
    return path.read_text().strip()


def default_config(instance_path: str) -> dict:
    """Every setting with its default, overridden by the environment."""
    hosts = os.environ.get("INTRANET_TRUSTED_HOSTS", "127.0.0.1,localhost")
    return {
        "DATABASE_URL": os.environ.get(
            "DATABASE_URL", f"sqlite:///{Path(instance_path) / 'intranet.sqlite3'}"
        ),
        "TRUSTED_HOSTS": [h.strip() for h in hosts.split(",") if h.strip()],
        "MAX_CONTENT_LENGTH": _env_int("INTRANET_MAX_REQUEST_BYTES", 2 * 1024 * 1024),
        "MAX_FORM_MEMORY_SIZE": 512 * 1024,
        "SESSION_COOKIE_SECURE": _env_flag("INTRANET_SECURE_COOKIES"),
        "REMEMBER_COOKIE_SECURE": _env_flag("INTRANET_SECURE_COOKIES"),
        "SESSION_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "IDLE_TIMEOUT_MINUTES": _env_int("INTRANET_IDLE_MINUTES", 30),
        "SESSION_MAX_HOURS": _env_int("INTRANET_SESSION_HOURS", 12),
        "REFERRAL_CONFIRM_AFTER_DAYS": _env_int("INTRANET_CONFIRM_AFTER_DAYS", 30),
        # Wrong passwords or codes for one account from one address before that address
        # is locked out of it (the owner elsewhere is not), and from all addresses together
        # before the account is locked for everyone.
        "LOGIN_MAX_FAILURES_PER_ADDRESS_AND_ACCOUNT": 5,
        "LOGIN_MAX_FAILURES_PER_ACCOUNT_ALL_ADDRESSES": 50,
        # How long an administrator's enrolment code may wait to be used, and how long a
        # set-up may take from the enrolment code (or the password) to the first code.
        "TWO_FACTOR_ENROLMENT_HOURS": 72,
        "TWO_FACTOR_SET_UP_MINUTES": 15,
        "LOGIN_MAX_FAILURES_PER_ADDRESS": 20,
        "LOGIN_WINDOW_MINUTES": 15,
        "LOGIN_LOCK_MINUTES": 15,
        # Roles that must log in with a second factor (an authenticator app's code).
        "TWO_FACTOR_REQUIRED_ROLES": _env_list("INTRANET_TWO_FACTOR_ROLES", ("admin", "manager")),
        # How long the code may take after a correct password, and the name the app shows.
        "TWO_FACTOR_PENDING_MINUTES": 5,
        "TWO_FACTOR_ISSUER": os.environ.get("INTRANET_TWO_FACTOR_ISSUER", "Träningslägenheter"),
        # argon2id cost; tests lower it, production keeps the library's defaults.
        "ARGON2_TIME_COST": 3,
        "ARGON2_MEMORY_COST": 65536,
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,
        # Printed on the rent notices and reminders: where the rent is paid, and who sends them.
        "BANKGIRO": os.environ.get("INTRANET_BANKGIRO", "").strip(),
        # The unit's bank account (IBAN, or the bank's own account number): a camt.054
        # notification for any other account is refused.
        "BANK_ACCOUNT": os.environ.get("INTRANET_BANK_ACCOUNT", "").strip(),
        "UNIT_NAME": os.environ.get("INTRANET_UNIT_NAME", "").strip(),
        "UNIT_ADDRESS": os.environ.get("INTRANET_UNIT_ADDRESS", "").strip(),
        "BABEL_DEFAULT_LOCALE": "sv",
        # The unit's clock: "today", the 1st/5th/15th and "paid on time" follow this zone.
        "TIMEZONE": os.environ.get("INTRANET_TIMEZONE", "Europe/Stockholm"),
        # How many reverse proxies (nginx) stand in front and set X-Forwarded-For/-Proto:
        # the login throttle must count the person's address, not the proxy's.
        "PROXY_COUNT": _env_int("INTRANET_PROXY_COUNT", 0),
    }


def _check_bankgiro(number: str) -> None:
    """A bankgiro number that is set must be one: a mistyped one on the rent notices would
    send the residents' rent elsewhere, so it stops the start."""
    from .ocr import is_bankgiro_number

    if number and not is_bankgiro_number(number):
        raise ValueError(
            f"INTRANET_BANKGIRO {number!r} is not a bankgiro number: 7 or 8 digits with a dash "
            "before the last four (5050-1055), the last one a right check digit"
        )


def _check_bank_account(number: str) -> None:
    """A bank account that is set must be one: an IBAN with its check digits right, or an
    account number of the bank (digits, spaces and dashes)."""
    from .ocr import is_bank_account

    if number and not is_bank_account(number):
        raise ValueError(
            f"INTRANET_BANK_ACCOUNT {number!r} is neither an IBAN (SE45 5000 0000 0583 9825 "
            "7466) nor a bank account number (digits, with spaces or dashes)"
        )


def _set_timezone(app) -> None:
    """Keep the unit's time; an unknown zone stops the start rather than shift every date."""
    from zoneinfo import ZoneInfoNotFoundError

    from . import clock

    name = app.config["TIMEZONE"]
    try:
        clock.set_zone(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"INTRANET_TIMEZONE {name!r} is not a known time zone") from error
    app.config["BABEL_DEFAULT_TIMEZONE"] = name


def create_app(config: dict | None = None) -> Flask:
    """Build the application: defaults, then instance config, then ``config``."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.update(default_config(app.instance_path))
    app.config.from_pyfile("config.py", silent=True)
    if config:
        app.config.update(config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(app.instance_path)
    _check_bankgiro(app.config["BANKGIRO"])
    _check_bank_account(app.config["BANK_ACCOUNT"])
    _set_timezone(app)
    if app.config["PROXY_COUNT"] > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    app.config["PERMANENT_SESSION_LIFETIME"] = app.config["SESSION_MAX_HOURS"] * 3600

    from . import cli, database, errors, formatting, i18n, security, templating
    from .extensions import babel, csrf, htmx, login_manager

    database.init_app(app)
    login_manager.init_app(app)
    csrf.init_app(app)
    htmx.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    i18n.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    formatting.init_app(app)
    templating.init_app(app)
    cli.init_app(app)

    from .admin import bp as admin_bp
    from .audit import bp as audit_bp
    from .auth import bp as auth_bp
    from .flats import bp as flats_bp
    from .landlords import bp as landlords_bp
    from .main import bp as main_bp
    from .matching import bp as matching_bp
    from .portal import bp as portal_bp
    from .referrals import bp as referrals_bp
    from .rent import bp as rent_bp
    from .reports import bp as reports_bp
    from .residents import bp as residents_bp
    from .residents import moved_bp
    from .road import bp as road_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(audit_bp)
    app.register_blueprint(landlords_bp)
    app.register_blueprint(flats_bp)
    app.register_blueprint(referrals_bp)
    app.register_blueprint(matching_bp)
    app.register_blueprint(portal_bp)
    app.register_blueprint(residents_bp)
    app.register_blueprint(rent_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(moved_bp)
    app.register_blueprint(road_bp)
    return app
