"""The flask commands: users create and demo."""

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
    assert login(client, "chef@demo.example", "demo-losenord-2026").status_code == 303
