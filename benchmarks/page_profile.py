"""Where one page's time goes: ``make profile PAGE="pipeline" [SCALE=100]``.

Serves the benchmark's demo database at ``SCALE`` (built by ``make bench`` into
``instance/bench/``, or here on first use) in process, logs in as the page's person, asks
for the page once to warm up and then ``REPEATS`` times under cProfile. It prints the
functions that took the most time (cumulative and own), and every SQL statement of one
request with its time, the slowest first. ``PAGE`` is a name from ``make bench``'s table
("start (manager)", "matching, a flat ranked (htmx)") or an address ("/flats/?status=ready",
asked as the manager).
"""

import cProfile
import io
import logging
import os
import pstats
import sys
import time

from pages import EMAILS, PASSWORD, _app, _pages

REPEATS = 5


class _Timed(logging.Handler):
    """Each SQL statement peewee runs, with the time since the one before it finished."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.statements = []
        self.last = time.perf_counter()

    def emit(self, record):
        now = time.perf_counter()
        self.statements.append((now - self.last, record.getMessage()[:300]))
        self.last = now


def _client(app, who: str):
    import re

    client = app.test_client()
    form = client.get("/login", base_url="http://localhost").get_data(as_text=True)
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', form).group(1)
    data = {"email": EMAILS[who], "password": PASSWORD, "csrf_token": token}
    client.post("/login", data=data, base_url="http://localhost")
    return client


def main() -> None:
    page = os.environ.get("PAGE") or (sys.argv[1] if len(sys.argv) > 1 else "")
    scale = int(os.environ.get("SCALE") or 100)
    app = _app(scale)
    known = {name: (who, url, headers) for name, who, url, headers in _pages(app)}
    if page in known:
        who, url, headers = known[page]
    elif page.startswith("/"):
        who, url, headers = "manager", page, {}
    else:
        print(f"PAGE must be an address or one of: {', '.join(sorted(known))}", file=sys.stderr)
        sys.exit(2)
    client = _client(app, who)
    ask = lambda: client.get(url, headers=headers, base_url="http://localhost")  # noqa: E731
    first = ask()
    print(f"{page} at scale {scale}: {url} as {who}: {first.status_code}, {len(first.data)} bytes")
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for _ in range(REPEATS):
        ask()
    profiler.disable()
    mean = (time.perf_counter() - started) / REPEATS * 1000
    print(f"{mean:.1f} ms a request: the mean of {REPEATS}, slowed by the profiler")
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order).print_stats(25)
        print(f"\n--- the 25 functions with the most {order} time over {REPEATS} requests ---")
        print(out.getvalue().split("\n\n", 1)[-1])
    timed = _Timed()
    logger = logging.getLogger("peewee")
    logger.setLevel(logging.DEBUG)
    logger.addHandler(timed)
    timed.last = time.perf_counter()
    ask()
    logger.removeHandler(timed)
    print(f"--- {len(timed.statements)} SQL statements of one request, the slowest first ---")
    print("(each time is from the statement before it finished until this one was sent:")
    print(" the time of the query before it and the Python work between them)")
    for seconds, sql in sorted(timed.statements, reverse=True):
        print(f"{seconds * 1000:8.1f} ms  {sql}")


if __name__ == "__main__":
    main()
