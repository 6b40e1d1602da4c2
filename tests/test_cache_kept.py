"""A result kept by the tables it read (``cache.kept``): kept until one of them is written
to, by any path; a request reads the counts once and again after it writes; a kept result
that uses another kept result depends on what that one read; nothing read from the audit
log is kept. And the start pages built from kept blocks equal those built from nothing."""

import datetime as dt

import pytest
from helpers import count_queries

from intranet import cache, clock
from intranet.extensions import db
from intranet.main import today as start
from intranet.models import AuditEvent, Commissioner, Landlord, User


def _landlords() -> int:
    return Landlord.select().count()


def _names() -> list:
    return [landlord.name for landlord in Landlord.select().order_by(Landlord.id)]


def test_a_kept_result_is_read_again_only_after_a_table_it_read_is_written(app, make_landlord):
    landlord = make_landlord(name="Hus AB")
    with app.test_request_context():
        assert cache.kept("names", (), _names) == ["Hus AB"]
    with app.test_request_context(), count_queries() as log:
        assert cache.kept("names", (), _names) == ["Hus AB"]
    assert len(log) == 1  # the counts, and no landlord
    # A write to a table it did not read leaves it kept.
    Commissioner.create(name="Socialtjänsten", kind="social_services")
    with app.test_request_context(), count_queries() as log:
        assert cache.kept("names", (), _names) == ["Hus AB"]
    assert len(log) == 1
    # A write by plain SQL to the table it read is seen at once.
    db.execute_sql(f"UPDATE landlord SET name = 'Bo AB' WHERE id = {landlord.id}")
    with app.test_request_context():
        assert cache.kept("names", (), _names) == ["Bo AB"]


def test_a_request_that_writes_reads_what_it_wrote(app, make_landlord):
    """The counts a request read at its start are read again after its own write, so that
    the answer to a write never shows what was kept before it."""
    make_landlord()
    with app.test_request_context(), count_queries() as log:
        assert cache.kept("landlords", (), _landlords) == 1
        assert cache.kept("landlords", (), _landlords) == 1
        make_landlord(name="Andra")
        assert cache.kept("landlords", (), _landlords) == 2
    counts = [q for q in log if "change_count" in q]
    assert len(counts) == 2  # once at the start, once after the write


def test_a_kept_result_depends_on_what_the_kept_results_it_used_read(app, make_landlord):
    """The inner result is kept by a version of its own; when the outer one is computed
    while the inner is kept, the outer reads no landlord itself, yet must be read again
    when a landlord is written."""
    make_landlord()

    def inner():
        return cache.remembered("inner", (), cache.changes("landlord"), _landlords)

    with app.test_request_context():
        assert inner() == 1
        assert cache.kept("outer", (), lambda: inner() * 10) == 10
    make_landlord(name="Andra")
    with app.test_request_context():
        assert cache.kept("outer", (), lambda: inner() * 10) == 20


def test_a_result_read_from_the_audit_log_is_never_kept(app):
    def audited() -> int:
        return AuditEvent.select().count()

    with app.test_request_context():
        first = cache.kept("audited", (), audited)
    AuditEvent.create(at=clock.now(), action="viewed", subject_type="list", detail="x")
    with app.test_request_context():
        assert cache.kept("audited", (), audited) == first + 1


def test_a_kept_result_is_kept_apart_by_language(app, make_landlord):
    from flask_babel import gettext as _

    with app.test_request_context(headers={"Accept-Language": "en"}):
        english = cache.kept("word", (), lambda: _("Landlords") + str(_landlords()))
    with app.test_request_context(headers={"Accept-Language": "sv"}):
        swedish = cache.kept("word", (), lambda: _("Landlords") + str(_landlords()))
    assert english != swedish


def _blocks(app, email: str) -> list:
    with app.test_request_context():
        user = User.get(User.email == email)
        return [
            (b.key, b.title, b.count, b.items, b.facts, b.lead, b.listed)
            for b in start.blocks_for(user, clock.today())
        ]


# Writes by plain SQL, as any path may write: each touches what some start page shows.
WRITES = [
    "UPDATE flat SET status = 'equipping' WHERE id = "
    "(SELECT MIN(id) FROM flat WHERE status = 'ready')",
    "UPDATE referral SET status = 'waiting' WHERE id = "
    "(SELECT MAX(id) FROM referral WHERE status = 'received')",
    "UPDATE landlord SET stage = 'contacted' WHERE id = (SELECT MIN(id) FROM landlord)",
    "UPDATE \"case\" SET status = 'closed' WHERE id = "
    "(SELECT MIN(id) FROM \"case\" WHERE status = 'open')",
    "UPDATE tenancy SET move_out_date = {soon} WHERE id = "
    "(SELECT MIN(id) FROM tenancy WHERE end_date IS NULL AND move_out_date IS NULL)",
    "UPDATE flat SET status = 'ready', ready_since = {soon} WHERE id = "
    "(SELECT MIN(id) FROM flat WHERE status = 'equipping')",
]


@pytest.mark.parametrize("role", ["manager", "staff", "caretaker"])
def test_a_start_page_of_kept_blocks_equals_one_read_from_nothing(world_app, role):
    """The demo's start pages, kept, after each of writes to flats, referrals, landlords,
    cases and tenancies: equal each time to the same blocks read with nothing kept, and
    changed by some of the writes."""
    from demo_world import EMAILS

    app, _world = world_app
    email = EMAILS[role]
    cache.forget()
    pages = [_blocks(app, email)]
    soon = (clock.today() + dt.timedelta(days=5)).isoformat()
    for write in WRITES:
        db.execute_sql(write.format(soon=f"'{soon}'"))
        kept = _blocks(app, email)
        cache.forget()
        assert kept == _blocks(app, email), write
        pages.append(kept)
    assert len({repr(page) for page in pages}) > 1


def test_what_a_transaction_wrote_is_seen_after_it_commits(app, make_landlord):
    """Counts read inside a transaction are not the request's: on PostgreSQL a write is
    counted only at the commit, which the request does not see as a statement."""
    landlord = make_landlord(name="Hus AB")
    with app.test_request_context():
        assert cache.kept("names", (), _names) == ["Hus AB"]
        with db.atomic():
            db.execute_sql(f"UPDATE landlord SET name = 'Bo AB' WHERE id = {landlord.id}")
            assert cache.kept("names", (), _names) == ["Bo AB"]
            cache.changes("landlord")  # counted as the transaction sees it
        assert cache.kept("names", (), _names) == ["Bo AB"]
    with app.test_request_context():
        assert cache.kept("names", (), _names) == ["Bo AB"]


def test_a_transaction_rolled_back_leaves_nothing_kept(app, make_landlord):
    landlord = make_landlord(name="Hus AB")
    with app.test_request_context():
        with db.atomic() as transaction:
            db.execute_sql(f"UPDATE landlord SET name = 'Ångrat' WHERE id = {landlord.id}")
            assert cache.kept("names", (), _names) == ["Ångrat"]
            transaction.rollback()
        assert cache.kept("names", (), _names) == ["Hus AB"]
