"""Racing writes end in one clear winner, never in "database is locked"."""

import threading

from intranet.admin import services
from intranet.auth.services import authenticate
from intranet.extensions import db
from intranet.models import LoginThrottle, User


def _race(app, work, count=2):
    """Run ``work(i)`` in ``count`` threads released at once; return results or errors."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def run(i):
        with app.app_context():
            barrier.wait()
            try:
                results[i] = work(i)
            except Exception as error:  # noqa: BLE001 (the test inspects it)
                results[i] = error
            finally:
                db.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_two_edits_of_the_same_revision_have_one_winner(app, make_user):
    admin = make_user("admin")
    user = make_user("staff")

    def edit(i):
        return services.update_user(
            admin,
            user.id,
            user.revision,
            email=user.email,
            display_name=f"Edit {i}",
            role="staff",
            landlord_id=None,
            new_password="",
        )

    results = _race(app, edit)
    winners = [r for r in results if isinstance(r, User)]
    losers = [r for r in results if isinstance(r, services.StaleEdit)]
    assert len(winners) == 1 and len(losers) == 1, results
    fresh = User.get_by_id(user.id)
    assert fresh.display_name == winners[0].display_name
    assert fresh.revision == user.revision + 1


def test_concurrent_failed_logins_are_all_counted(app, make_user):
    user = make_user("staff")
    count = 4
    results = _race(app, lambda i: authenticate(user.email, "wrong", f"10.0.0.{i}"), count)
    assert not [r for r in results if isinstance(r, Exception)], results
    row = LoginThrottle.get(LoginThrottle.key == f"account:{user.email}")
    assert row.failures == count
