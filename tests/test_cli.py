"""The flask commands: users create and demo."""

import pytest

from intranet.auth.passwords import verify_password
from intranet.models import Role, User


def _verify(app, email, password):
    with app.app_context():
        return verify_password(User.by_email(email).password_hash, password)


def test_users_create_takes_the_password_from_the_environment(app, runner):
    result = runner.invoke(
        args=["users", "create", "--email", "Chef@Example.org", "--role", "manager"],
        env={"INTRANET_PASSWORD": "a long enough password"},
    )
    assert result.exit_code == 0, result.output
    user = User.by_email("chef@example.org")
    assert user.role == Role.MANAGER
    assert _verify(app, "chef@example.org", "a long enough password")


def test_users_create_prompts_for_the_password(app, runner):
    result = runner.invoke(
        args=["users", "create", "--email", "a@example.org", "--role", "staff"],
        input="typed at the prompt\ntyped at the prompt\n",
    )
    assert result.exit_code == 0, result.output
    assert _verify(app, "a@example.org", "typed at the prompt")


def test_users_create_refuses_bad_input(runner, make_landlord):
    env = {"INTRANET_PASSWORD": "a long enough password"}
    cases = [
        ["--email", "a@example.org", "--role", "owner"],
        ["--email", "a@example.org", "--role", "landlord"],
        ["--email", "a@example.org", "--role", "landlord", "--landlord", "999"],
        ["--email", "a@example.org", "--role", "staff", "--landlord", str(make_landlord().id)],
    ]
    for args in cases:
        result = runner.invoke(args=["users", "create", *args], env=env)
        assert result.exit_code != 0, args
    short = runner.invoke(
        args=["users", "create", "--email", "a@example.org", "--role", "staff"],
        env={"INTRANET_PASSWORD": "short"},
    )
    assert short.exit_code != 0
    assert User.select().count() == 0


def test_users_create_refuses_an_email_in_use(runner, make_user):
    make_user("staff", email="taken@example.org")
    result = runner.invoke(
        args=["users", "create", "--email", "taken@example.org", "--role", "staff"],
        env={"INTRANET_PASSWORD": "a long enough password"},
    )
    assert result.exit_code != 0
    assert User.select().count() == 1


def test_demo_loads_one_login_per_role_and_prints_them(app, runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    for role in Role.INTERNAL:
        assert User.select().where(User.role == role).count() == 1
        assert role in result.output
    # Three landlords have portal logins.
    landlord_users = list(User.select().where(User.role == Role.LANDLORD))
    assert len(landlord_users) == 3
    assert len({user.landlord_id for user in landlord_users}) == 3
    assert "demo-losenord-2026" in result.output
    assert "set up a second factor" in result.output


def test_demo_refuses_a_database_with_data_unless_asked_to_skip(runner):
    assert runner.invoke(args=["demo"]).exit_code == 0
    count = User.select().count()
    again = runner.invoke(args=["demo"])
    assert again.exit_code != 0
    skipped = runner.invoke(args=["demo", "--if-empty"])
    assert skipped.exit_code == 0
    assert "admin@demo.example" in skipped.output
    assert User.select().count() == count


def test_demo_logins_work(app, runner):
    from conftest import login

    runner.invoke(args=["demo"])
    client = app.test_client()
    response = login(client, "chef@demo.example", "demo-losenord-2026")
    # The demo's manager has no authenticator app yet: the first login sets one up, with
    # the enrolment code the demo printed.
    assert response.headers["Location"] == "/login/enrol"
    response = login(app.test_client(), "personal@demo.example", "demo-losenord-2026")
    assert response.headers["Location"] == "/"


def _census():
    from intranet.models import Flat, Landlord, Payment, Referral, RentCharge, Tenancy

    return {
        "landlords": Landlord.select().count(),
        "flats": Flat.select().count(),
        "referrals": Referral.select().count(),
        "lived_in": Tenancy.select().where(Tenancy.end_date.is_null()).count(),
        "charges": RentCharge.select().count(),
        "payments": Payment.select().count(),
    }


def test_the_demo_is_a_nearly_full_unit_with_three_years_of_rent(app, runner):
    from intranet.models import RentCharge

    assert runner.invoke(args=["demo"]).exit_code == 0
    census = _census()
    assert census["landlords"] == 30 and census["flats"] == 54 and census["referrals"] == 61
    assert census["lived_in"] == 42
    months = RentCharge.select(RentCharge.month).distinct().count()
    assert months == 36


def test_the_demo_at_scale_repeats_the_unit_and_is_the_same_every_time(app, runner):
    result = runner.invoke(args=["demo", "--scale", "3"])
    assert result.exit_code == 0, result.output
    census = _census()
    assert census["landlords"] == 90 and census["flats"] == 162 and census["lived_in"] == 126
    # Only the first unit's logins are printed; every unit has its own people.
    assert result.output.count("@demo.example") == 7
    assert User.select().where(User.role == Role.STAFF).count() == 3


def test_the_scaled_demo_is_deterministic(tmp_path):
    from intranet import clock, create_app
    from intranet.extensions import db
    from intranet.migrate import upgrade

    clock.set_clock(clock.now())  # both runs on one day, even across midnight
    results = []
    for attempt in range(2):
        path = tmp_path / f"demo{attempt}.sqlite3"
        app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": f"sqlite:///{path}"})
        with app.app_context():
            db.connect(reuse_if_open=True)
            upgrade()
            db.close()
        assert app.test_cli_runner().invoke(args=["demo", "--scale", "2"]).exit_code == 0
        from intranet.models import Flat, Payment, Referral

        with app.app_context():
            results.append(
                (
                    _census(),
                    [
                        (r.first_name, r.last_name, r.received_on)
                        for r in Referral.select().order_by(Referral.id)
                    ],
                    [(f.address, f.status) for f in Flat.select().order_by(Flat.id)],
                    [(p.paid_on, p.amount) for p in Payment.select().order_by(Payment.id)],
                )
            )
    assert results[0] == results[1]


@pytest.mark.parametrize("scale", ["0", "abc", "1001"])
def test_a_bad_scale_is_refused(runner, scale):
    result = runner.invoke(args=["demo", "--scale", scale])
    assert result.exit_code == 2 and "scale" in result.output
