"""The rent ledger's migrations on the scale-100 demo: how long booking every payment
already registered takes, and the memory it needs, and whether ``verify`` then finds no
month that differs.

A benchmark, not a test (``make bench``). It copies the scale-100 database that
``benchmarks/pages.py`` builds (building it if need be), reverts the ledger's migrations
(0014 and the ones after it) on the copy, then applies them again in a child process that
reports its own time and peak memory, and runs ``flask rent verify``'s check on the result.
It says how many months the migrations listed as changed group under the ledger's rule.
"""

import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from pages import BENCH, _app, _config  # noqa: E402

FIRST = "0014_rent_ledger"


def _copy() -> Path:
    _app(100)  # builds instance/bench/scale-100.sqlite3 if it is not there
    copy = BENCH / "ledger-migration.sqlite3"
    shutil.copy(BENCH / "scale-100.sqlite3", copy)
    return copy


def _revert(path: Path) -> list:
    from playhouse.migrations import Runner

    from intranet import create_app
    from intranet.extensions import db
    from intranet.migrate import MIGRATIONS_DIR

    with create_app(_config(path)).app_context():
        db.connect(reuse_if_open=True)
        reverted = Runner(db.obj, directory=str(MIGRATIONS_DIR)).down(FIRST)
        db.close()
    return reverted


def _apply(path: str) -> None:
    """In the child: apply the migrations again and report time, memory and verify."""
    from playhouse.migrations import Runner

    from intranet import create_app
    from intranet.extensions import db
    from intranet.migrate import MIGRATIONS_DIR
    from intranet.models import Payment, RentCharge
    from intranet.rent import ledger

    with create_app(_config(Path(path))).app_context():
        db.connect(reuse_if_open=True)
        started = time.perf_counter()
        applied = Runner(db.obj, directory=str(MIGRATIONS_DIR)).up()
        seconds = time.perf_counter() - started
        differences = len(ledger.verify())
        report = {
            "applied": applied,
            "seconds": round(seconds, 1),
            "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "payments": Payment.select().count(),
            "months": RentCharge.select().count(),
            "verify_differences": differences,
        }
        db.close()
    print(json.dumps(report))


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--apply":
        _apply(sys.argv[2])
        return
    copy = _copy()
    reverted = _revert(copy)
    child = subprocess.run(
        [sys.executable, __file__, "--apply", str(copy)],
        capture_output=True,
        text=True,
        check=True,
    )
    lines = child.stdout.strip().splitlines()
    report = json.loads(lines[-1])
    report["reverted"] = reverted
    listed = next((line for line in lines if line.startswith("rent ledger: ")), "none listed")
    print(
        f"The ledger's migrations on the scale-100 demo ({report['payments']:,} payments, "
        f"{report['months']:,} rent months): {report['seconds']} s, peak memory "
        f"{report['peak_mb']} MB, verify differences {report['verify_differences']}; "
        f"{listed}."
    )
    copy.unlink()
    if report["verify_differences"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
