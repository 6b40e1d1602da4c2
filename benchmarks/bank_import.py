"""How long a bank file of 10,000 payments takes to preview and to import (a benchmark, not
a test; ``make bench``).

Copies the scale-1 demo database (built into ``instance/bench/`` by ``pages.py``, or here
if missing) to a throwaway file, writes a BgMax file with the tests' builder (most payments
from the demo's residents, some with unknown references, some duplicates), then times the
preview (read, match, store) and the import (register) and checks the targets: under 5 s
and under 10 s.
"""

import datetime as dt
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "instance" / "bench"
PAYMENTS = 10_000
TARGETS = {"preview": 5.0, "import": 10.0}
sys.path.insert(0, str(ROOT / "tests"))


def _database() -> Path:
    """A copy of the scale-1 demo database, built first if there is none."""
    from intranet import create_app
    from intranet.extensions import db
    from intranet.migrate import upgrade

    source = BENCH / "scale-1.sqlite3"
    if not source.exists():
        BENCH.mkdir(parents=True, exist_ok=True)
        app = create_app(
            {"SECRET_KEY": "bench", "DATABASE_URL": f"sqlite:///{source}", "BANKGIRO": "5050-1055"}
        )
        with app.app_context():
            from intranet.demo import load_demo

            db.connect(reuse_if_open=True)
            upgrade()
            load_demo(1)
            db.close()
        db.obj.close_all()  # the log written into the file before it is copied
    copy = Path(tempfile.mkdtemp()) / "bank-bench.sqlite3"
    shutil.copy(source, copy)
    return copy


def _file(references: list[str]) -> bytes:
    from bankfiles import Paid, bgmax

    from intranet import clock

    today = clock.today()
    days = [today - dt.timedelta(days=n) for n in range(min(today.day, 3))]
    payments = [
        Paid(
            references[n % len(references)] if n % 10 else f"{n}",
            100 + n % 7,
            days[n % len(days)],
            payer=f"Betalare {n % 50}",
            serial=str(n + 1),
        )
        for n in range(PAYMENTS)
    ]
    return bgmax(payments)


def main() -> None:
    from intranet import create_app
    from intranet.bank import parse_file
    from intranet.extensions import db
    from intranet.migrate import upgrade
    from intranet.models import Tenancy
    from intranet.rent import bank_imports as imports

    path = _database()
    app = create_app(
        {"SECRET_KEY": "bench", "DATABASE_URL": f"sqlite:///{path}", "BANKGIRO": "5050-1055"}
    )
    with app.app_context():
        db.connect(reuse_if_open=True)
        upgrade()
        references = [
            t.payment_reference for t in Tenancy.select().where(Tenancy.end_date.is_null())
        ]
        data = _file(references)
        started = time.perf_counter()
        planned = imports.plan(parse_file(data))
        preview = imports.save_preview(planned, "bench.txt", imports.sha256(data), None)
        took = {"preview": time.perf_counter() - started}
        started = time.perf_counter()
        done = imports.confirm(preview.id, None)
        took["import"] = time.perf_counter() - started
        db.close()
    print(
        f"bank file of {PAYMENTS} payments ({len(data) / 1e6:.1f} MB, "
        f"{len(references)} residents): "
        f"{done.matched} matched, {done.unmatched} unmatched, "
        f"{done.already_imported} already imported, {done.refused} refused"
    )
    failed = False
    for name, seconds in took.items():
        ok = seconds < TARGETS[name]
        failed |= not ok
        verdict = "ok" if ok else "SLOW"
        print(f"  {name:<8} {seconds:6.2f} s (target under {TARGETS[name]:.0f} s) {verdict}")
    shutil.rmtree(path.parent, ignore_errors=True)
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
