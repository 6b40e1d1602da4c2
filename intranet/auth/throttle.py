"""The log-in throttle: failed passwords and codes counted in the database, so that every
process sees the same counts.

Three counts, each with its own limit within one window: an account from one address
(five: a person who mistypes, or someone guessing from there), an account from all
addresses together (fifty: the ceiling on guessing from many addresses, which also locks
the owner out), and an address whatever account it tries (twenty). Another address
failing for an account locks that address out of it, not the owner.
"""

import datetime as dt

from flask import current_app

from ..database import for_update, write_transaction
from ..models import LoginThrottle
from .settings import setting

Keys = list[tuple[str, int]]


def keys_for(email: str, address: str) -> Keys:
    """The counts an attempt at ``email`` from ``address`` goes into, with their limits:
    the account from this address, the account from everywhere, the address."""
    address = address or "unknown"
    return [
        (
            LoginThrottle.pair_key(email, address),
            setting("LOGIN_MAX_FAILURES_PER_ADDRESS_AND_ACCOUNT"),
        ),
        (
            LoginThrottle.account_key(email),
            setting("LOGIN_MAX_FAILURES_PER_ACCOUNT_ALL_ADDRESSES"),
        ),
        (LoginThrottle.address_key(address), current_app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"]),
    ]


def _locks(rows, moment: dt.datetime):
    """The one statement of a lock in force: of the rows that ``rows`` picks, those locked
    at ``moment`` (a lock holds until its moment, not at it), with their keys and ends.
    The log-in's check and the administrator's list both ask it."""
    return LoginThrottle.select(LoginThrottle.key, LoginThrottle.locked_until).where(
        rows & (LoginThrottle.locked_until > moment)
    )


def locked_until(keys: Keys, moment: dt.datetime) -> dt.datetime | None:
    """The latest lock in force on any of ``keys``, or None."""
    rows = _locks(LoginThrottle.key.in_([k for k, _ in keys]), moment)
    return max((row.locked_until for row in rows), default=None)


def attempt(keys: Keys, moment: dt.datetime) -> tuple[bool, dt.datetime | None]:
    """One attempt at a password or code, counted before it is checked (``reserve``): a
    key already locked answers at once, without a write."""
    locked = locked_until(keys, moment)
    if locked:
        return False, locked
    return reserve(keys, moment)


def _locked_row(key: str, moment: dt.datetime) -> LoginThrottle:
    """The key's row, locked until the transaction ends, made if it is missing.

    FOR UPDATE cannot lock a row that does not exist yet, so it is inserted first (two
    first failures would both insert). A log-in that succeeds at the same moment may
    delete the row between the insert and the lock (``forgive``, on PostgreSQL's read
    committed), so the two are tried again until the row is there."""
    for _try in range(10):
        LoginThrottle.insert(
            key=key, failures=0, window_started_at=moment
        ).on_conflict_ignore().execute()
        row = for_update(LoginThrottle.select().where(LoginThrottle.key == key)).first()
        if row is not None:
            return row
    raise RuntimeError(f"the login throttle's row {key!r} keeps disappearing")


def reserve(keys: Keys, moment: dt.datetime) -> tuple[bool, dt.datetime | None]:
    """Count an attempt on every key *before* its password or code is checked.

    Counting after the check would let parallel attempts, in any number of processes,
    all pass the lock check while the first ones are still being verified. Counted first,
    under the rows' lock, no more attempts than the limit are ever checked. Returns whether
    the attempt may go on, and the lock it set on reaching a limit (or the lock in force).
    """
    config = current_app.config
    window = dt.timedelta(minutes=config["LOGIN_WINDOW_MINUTES"])
    lock = dt.timedelta(minutes=config["LOGIN_LOCK_MINUTES"])
    rows = []
    with write_transaction():
        for key, limit in keys:
            rows.append((_locked_row(key, moment), limit))
        # Asked again under the rows' lock: another process may have locked a key since.
        locked = locked_until(keys, moment)
        if locked:
            return False, locked
        for row, limit in rows:
            if moment - row.window_started_at > window:
                row.failures, row.window_started_at, row.locked_until = 0, moment, None
            row.failures += 1
            if row.failures >= limit:
                row.locked_until = moment + lock
                locked = max(filter(None, [locked, row.locked_until]))
            row.save()
    return True, locked


def give_back(keys: Keys) -> None:
    """Take back the attempt just counted on each key: it was no failure (a right password
    while the code is still owed)."""
    with write_transaction():
        for key, limit in keys:
            _take_off(key, 1, limit)


def forgive(keys: Keys) -> None:
    """A log-in succeeded: forget the account's failures from this address (they are
    taken off its count from everywhere too) and give the address its attempt back."""
    (pair, _pair_limit), (account, account_limit), (address, address_limit) = keys
    with write_transaction():
        row = for_update(LoginThrottle.select().where(LoginThrottle.key == pair)).first()
        from_here = row.failures if row else 1
        LoginThrottle.delete().where(LoginThrottle.key == pair).execute()
        _take_off(account, from_here, account_limit)
        _take_off(address, 1, address_limit)


def _take_off(key: str, count: int, limit: int) -> None:
    """Take ``count`` failures off ``key``; below the limit it is no longer locked, and a
    row with none left goes."""
    row = LoginThrottle.key == key
    LoginThrottle.update(failures=LoginThrottle.failures - count).where(row).execute()
    LoginThrottle.delete().where(row & (LoginThrottle.failures <= 0)).execute()
    LoginThrottle.update(locked_until=None).where(row & (LoginThrottle.failures < limit)).execute()


def locks_of(emails, moment: dt.datetime) -> dict[str, dt.datetime]:
    """The accounts among ``emails`` locked now, from some address or from all, each with
    the latest lock: one query however many accounts."""
    locks = {}
    for row in _locks(LoginThrottle.for_accounts(emails), moment):
        email = row.key.split(":", 1)[1].split(" ", 1)[0]
        locks[email] = max(filter(None, [locks.get(email), row.locked_until]))
    return locks


def account_locked_until(email: str, moment: dt.datetime) -> dt.datetime | None:
    """Until when the account is locked at ``moment``, from some address or from all;
    None when it is not."""
    return locks_of([email], moment).get(email)


def lift(email: str) -> int:
    """Forget every failure counted for the account, from everywhere and from each address;
    return how many counts there were (the addresses' own counts stay)."""
    return LoginThrottle.delete().where(LoginThrottle.for_accounts([email])).execute()
