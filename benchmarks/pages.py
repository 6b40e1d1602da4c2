"""Every page and htmx partial at scale 1 and scale 100: server time, queries, bytes.

A benchmark, not a test (``make bench``). It builds the demo at both scales once into
``instance/bench/`` (kept between runs), then asks each page ``REPEATS`` times as the
person who uses it, in process, and reports the median and 95th percentile of the server
time, the SQL queries of one request and the bytes of the answer, beside a floor: a route
that renders the base layout and does no database work of its own. It checks the targets
and writes the table as Markdown and JSON to ``benchmarks/results/``.
"""

import json
import logging
import os
import platform
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "instance" / "bench"
RESULTS = ROOT / "benchmarks" / "results"
SCALES = (1, 100)
REPEATS = {1: 15, 100: 7}
PASSWORD = "demo-losenord-2026"


class _Queries(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.count = 0

    def emit(self, record):
        self.count += 1


def _config(path: Path) -> dict:
    return {
        "SECRET_KEY": "bench",
        "DATABASE_URL": f"sqlite:///{path}",
        "TRUSTED_HOSTS": ["localhost"],
        # The demo's admin and manager have no authenticator app; the pages are timed.
        "TWO_FACTOR_REQUIRED_ROLES": (),
    }


def _build(path: Path, scale: int) -> None:
    """The demo at ``scale`` into a new database at ``path``. It is built beside its place
    and moved there when whole, so a run cut short leaves no half-built database that the
    next run would take as built."""
    from intranet import create_app
    from intranet.demo import load_demo
    from intranet.extensions import db
    from intranet.migrate import upgrade

    building = path.with_name(f"{path.name}.{os.getpid()}.building")
    building.unlink(missing_ok=True)
    started = time.perf_counter()
    with create_app(_config(building)).app_context():
        db.connect(reuse_if_open=True)
        upgrade()
        load_demo(scale)
        db.close()
    # The pool's connection closed too: the last to close writes the log into the file.
    db.obj.close_all()
    os.replace(building, path)
    print(f"built scale {scale} in {time.perf_counter() - started:.0f} s", file=sys.stderr)


def _app(scale: int):
    from intranet import create_app
    from intranet.extensions import db
    from intranet.migrate import upgrade

    BENCH.mkdir(parents=True, exist_ok=True)
    path = BENCH / f"scale-{scale}.sqlite3"
    if not path.exists():
        _build(path, scale)
    app = create_app(_config(path))
    with app.app_context():
        db.connect(reuse_if_open=True)
        # A database kept from an earlier run gets the migrations added since.
        upgrade()
        db.close()
    # Written into the file, for the callers that copy it (the load, the ledger's bench).
    db.obj.close_all()

    from flask import render_template

    from intranet.security import public

    @app.route("/_floor")
    @public
    def _floor():
        return render_template("_base.html")

    return app


def _pages(app) -> list[tuple[str, str, str, dict]]:
    """(name, who, url, headers) for every page and partial, with ids from this database."""
    from intranet.models import Flat, Landlord, Referral, Tenancy

    with app.app_context():
        tenancy = Tenancy.select().where(Tenancy.end_date.is_null()).order_by(Tenancy.id).first()
        flat = Flat.select().where(Flat.status == "ready").order_by(Flat.id).first()
        landlord = Landlord.select().order_by(Landlord.id).first()
        referral = Referral.select().order_by(Referral.id).first()
        waiting = (
            Referral.select().where(Referral.status == "waiting").order_by(Referral.id).first()
        )
    hx = {"HX-Request": "true"}
    return [
        ("floor", "manager", "/_floor", {}),
        ("start (manager)", "manager", "/", {}),
        ("start (staff)", "staff", "/", {}),
        ("start (caretaker)", "caretaker", "/", {}),
        ("start (admin)", "admin", "/", {}),
        ("pipeline", "manager", "/landlords/pipeline", {}),
        ("pipeline, filtered (htmx)", "manager", "/landlords/pipeline?overdue=1", hx),
        ("follow-ups", "staff", "/landlords/follow-ups", {}),
        ("funnel", "manager", "/landlords/funnel", {}),
        ("a landlord", "manager", f"/landlords/{landlord.id}", {}),
        ("flats", "manager", "/flats/", {}),
        ("flats, filtered (htmx)", "manager", "/flats/?status=ready", hx),
        ("flats, landlords named (htmx)", "manager", "/flats/landlord-names?landlord_name=a", hx),
        ("a flat", "manager", f"/flats/{flat.id}", {}),
        ("referrals", "manager", "/referrals/", {}),
        ("a referral", "manager", f"/referrals/{referral.id}", {}),
        ("matching", "manager", "/matching/", {}),
        ("matching, a flat ranked (htmx)", "manager", f"/matching/?flat={flat.id}", hx),
        ("matching, a referral ranked (htmx)", "manager", f"/matching/?referral={waiting.id}", hx),
        ("best plan", "manager", "/matching/plan", {}),
        ("residents", "manager", "/residents/", {}),
        ("a resident", "manager", f"/residents/{tenancy.id}", {}),
        ("a resident's rent", "manager", f"/residents/{tenancy.id}/rent", {}),
        ("outcomes", "manager", "/residents/outcomes", {}),
        ("conditions of the road", "manager", "/road/settings", {}),
        ("rent board", "manager", "/rent/", {}),
        ("rent board, own residents", "staff", "/rent/", {}),
        ("rent board, filtered (htmx)", "manager", "/rent/?status=paid_late", hx),
        ("rent over time", "manager", "/rent/stats", {}),
        ("cases", "manager", "/cases/", {}),
        ("yearly report", "manager", "/reports/year", {}),
        ("users", "admin", "/admin/users", {}),
        ("landlord portal", "landlord", "/portal/", {}),
    ]


EMAILS = {
    "manager": "chef@demo.example",
    "staff": "personal@demo.example",
    "caretaker": "vaktmastare@demo.example",
    "admin": "admin@demo.example",
    "landlord": "hyresvard@demo.example",
}


def _measure(app, scale: int) -> dict:
    clients = {}
    for who, email in EMAILS.items():
        client = app.test_client()
        form = client.get("/login", base_url="http://localhost").get_data(as_text=True)
        token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', form).group(1)
        data = {"email": email, "password": PASSWORD, "csrf_token": token}
        client.post("/login", data=data, base_url="http://localhost")
        clients[who] = client
    logger = logging.getLogger("peewee")
    logger.setLevel(logging.DEBUG)
    results = {}
    for name, who, url, headers in _pages(app):
        client = clients[who]
        client.get(url, headers=headers, base_url="http://localhost")  # warm up
        times = []
        for _ in range(REPEATS[scale]):
            started = time.perf_counter()
            response = client.get(url, headers=headers, base_url="http://localhost")
            times.append(time.perf_counter() - started)
        counter = _Queries()
        logger.addHandler(counter)
        response = client.get(url, headers=headers, base_url="http://localhost")
        logger.removeHandler(counter)
        assert response.status_code == 200, (scale, url, response.status_code)
        times.sort()
        results[name] = {
            "url": url,
            "htmx": bool(headers),
            "median_ms": round(statistics.median(times) * 1000, 1),
            "p95_ms": round(times[min(len(times) - 1, round(0.95 * (len(times) - 1)))] * 1000, 1),
            "queries": counter.count,
            "bytes": len(response.data),
        }
    logger.setLevel(logging.WARNING)
    return results


# The page each htmx partial updates.
PARTIAL_OF = {
    "pipeline, filtered (htmx)": "pipeline",
    "flats, filtered (htmx)": "flats",
    "matching, a flat ranked (htmx)": "matching",
    "matching, a referral ranked (htmx)": "matching",
    "rent board, filtered (htmx)": "rent board",
}


def _checks(runs: dict) -> dict:
    small, large = runs[1], runs[100]
    floor = {scale: runs[scale]["floor"]["median_ms"] for scale in SCALES}
    checks = {}
    for name in small:
        if name == "floor":
            continue
        a, b = small[name], large[name]
        result = {
            "same_queries": a["queries"] == b["queries"],
            "within_5x_floor_at_1": a["median_ms"] <= 5 * floor[1],
            "within_8x_floor_at_100": b["median_ms"] <= 8 * floor[100],
            # No page over 100 KB at any scale: a page shows a bounded number of rows.
            "under_100_kb": max(a["bytes"], b["bytes"]) <= 100_000,
        }
        if name in PARTIAL_OF:
            page = PARTIAL_OF[name]
            result["partial_under_15_percent"] = b["bytes"] < 0.15 * large[page]["bytes"]
        checks[name] = result
    return checks


def _markdown(runs: dict, checks: dict, machine: str) -> str:
    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} on {machine}; in-process server time over "
        f"{REPEATS[1]} (scale 1) and {REPEATS[100]} (scale 100) requests after a warm-up.",
        "",
        "| page | median ms (1 / 100) | p95 ms (1 / 100) | queries (1 / 100) "
        "| bytes (1 / 100) | targets |",
        "|---|---|---|---|---|---|",
    ]
    for name, small in runs[1].items():
        large = runs[100][name]
        missed = [key for key, ok in checks.get(name, {}).items() if not ok]
        verdict = (
            "—"
            if name == "floor"
            else ("all met" if not missed else "missed: " + ", ".join(missed))
        )
        lines.append(
            f"| {name} | {small['median_ms']} / {large['median_ms']} | {small['p95_ms']} / "
            f"{large['p95_ms']} | {small['queries']} / {large['queries']} | "
            f"{small['bytes']:,} / {large['bytes']:,} | {verdict} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    cores = os.cpu_count()
    machine = f"{platform.machine()}, {cores} cores, Python {platform.python_version()}"
    runs = {}
    for scale in SCALES:
        runs[scale] = _measure(_app(scale), scale)
    checks = _checks(runs)
    RESULTS.mkdir(parents=True, exist_ok=True)
    table = _markdown(runs, checks, machine)
    (RESULTS / "pages.md").write_text(table)
    (RESULTS / "pages.json").write_text(
        json.dumps({"machine": machine, "runs": runs, "checks": checks}, indent=2)
    )
    print(table)


if __name__ == "__main__":
    main()
