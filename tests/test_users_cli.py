"""On the server: `flask users create` prints the enrolment code a role with a second
factor needs, and needs no manager's approval (it makes the first manager); `flask users
approve` is the way back in when no manager can approve; `flask demo` prints the demo
logins' enrolment codes, so the first log-in after `make run` works."""

import re

from conftest import login, post_form

from intranet.models import AuditEvent, User

ENV = {"INTRANET_PASSWORD": "a long enough password"}
CODE = re.compile(r"enrolment code ([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})")


def _create(runner, email, role):
    return runner.invoke(args=["users", "create", "--email", email, "--role", role], env=ENV)


def test_creating_a_manager_prints_the_enrolment_code_that_sets_up_her_second_factor(app, runner):
    result = _create(runner, "chef@example.org", "manager")
    assert result.exit_code == 0, result.output
    code = CODE.search(result.output).group(1)
    user = User.by_email("chef@example.org")
    assert not user.awaits_approval, "made on the server: the first manager"
    assert user.enrolment_code_hash.startswith("$argon2id$")
    client = app.test_client()
    assert login(client, user, ENV["INTRANET_PASSWORD"]).headers["Location"] == "/login/enrol"
    response = post_form(client, "/login/enrol", {"enrolment_code": code})
    assert response.headers["Location"] == "/two-factor/set-up"


def test_a_role_without_a_second_factor_gets_no_code_and_logs_in(app, runner):
    result = _create(runner, "johan@example.org", "staff")
    assert result.exit_code == 0, result.output
    assert not CODE.search(result.output)
    assert (
        login(app.test_client(), "johan@example.org", ENV["INTRANET_PASSWORD"]).headers["Location"]
        == "/"
    )


def test_approving_on_the_server_is_audited(app, runner, make_user):
    from intranet.admin.services import update_user

    admin = make_user("admin")
    manager = make_user("manager")
    with app.app_context():
        update_user(
            admin,
            manager.id,
            manager.revision,
            email=manager.email,
            display_name=manager.display_name,
            role="manager",
            landlord_id=None,
            new_password="set by the admin",
        )
    assert User.get_by_id(manager.id).awaits_approval
    result = runner.invoke(args=["users", "approve", "--email", manager.email])
    assert result.exit_code == 0, result.output
    assert not User.get_by_id(manager.id).awaits_approval
    event = AuditEvent.get(AuditEvent.action == "user_approved")
    assert (event.actor_id, event.subject_id) == (None, manager.id)
    assert "on the server" in event.detail


def test_approving_on_the_server_refuses_what_is_not_waiting(runner, make_user):
    staff = make_user("staff")
    assert runner.invoke(args=["users", "approve", "--email", staff.email]).exit_code == 1
    assert runner.invoke(args=["users", "approve", "--email", "nobody@x.org"]).exit_code == 1
    assert not AuditEvent.select().where(AuditEvent.action == "user_approved").exists()


def test_the_demo_prints_an_enrolment_code_for_each_login_that_needs_one(app, runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    lines = {line.split()[1]: line for line in result.output.splitlines() if "@demo" in line}
    assert CODE.search(lines["admin@demo.example"]) and CODE.search(lines["chef@demo.example"])
    assert not CODE.search(lines["personal@demo.example"])
    code = CODE.search(lines["chef@demo.example"]).group(1)
    client = app.test_client()
    assert login(client, "chef@demo.example", "demo-losenord-2026").headers["Location"] == (
        "/login/enrol"
    )
    response = post_form(client, "/login/enrol", {"enrolment_code": code})
    assert response.headers["Location"] == "/two-factor/set-up"
    # Run again (make run on a database with data): new codes, the printed ones spent.
    again = runner.invoke(args=["demo", "--if-empty"])
    new = CODE.search(next(x for x in again.output.splitlines() if "chef@demo" in x)).group(1)
    assert new != code
    client = app.test_client()
    login(client, "chef@demo.example", "demo-losenord-2026")
    assert post_form(client, "/login/enrol", {"enrolment_code": code}).status_code == 422
    assert post_form(client, "/login/enrol", {"enrolment_code": new}).status_code == 303


def test_the_demo_without_a_second_factor_prints_no_codes(app, runner):
    app.config["TWO_FACTOR_REQUIRED_ROLES"] = ()
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert not CODE.search(result.output)
    assert (
        login(app.test_client(), "chef@demo.example", "demo-losenord-2026").headers["Location"]
        == "/"
    )
