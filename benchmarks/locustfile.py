"""The load: the unit's people at work, for ``make load`` (locust, headless).

Managers, contact persons, caretakers and landlords log in through the form and then
read their pages and write as they do in a day: payments and home visits on the rent
board, activities on a landlord's page. Every write answered 2xx is appended to the file
named by ``LOAD_WRITES`` so that a check can find each of them in the database afterwards.
"""

import itertools
import os
import random
import re
import threading
import time
import uuid

from locust import HttpUser, between, events, task

PASSWORD = "demo-losenord-2026"
UNITS = int(os.environ.get("LOAD_UNITS", "100"))
TOKEN = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
CHECK = re.compile(r"/rent/charges/(\d+)/checkpoints/home_visit")
LANDLORD = re.compile(r'href="/landlords/(\d+)"')
_counter = itertools.count(1)
_lock = threading.Lock()


def _unit_email(local: str, unit: int) -> str:
    return f"{local}@demo.example" if unit == 1 else f"{local}.{unit}@demo.example"


def _today() -> str:
    """The unit's date, which the server's rules go by, whatever this machine's zone."""
    from intranet import clock

    clock.set_zone(os.environ.get("INTRANET_TIMEZONE", clock.DEFAULT_ZONE))
    return clock.today().isoformat()


def _record(kind: str, key: str) -> None:
    path = os.environ.get("LOAD_WRITES")
    if path:
        with _lock, open(path, "a") as handle:
            handle.write(f"{kind}\t{key}\n")


def _answered(response) -> bool:
    """Whether the server answered the write with success. A request cut off (the worker
    killed under it) has no answer: locust gives it status 0, which is not one."""
    return 200 <= response.status_code < 300


@events.request.add_listener
def _time(request_type, name, response_time, exception, response=None, **_kwargs):
    """Every request's method, name, time in ms, whether it failed, whether it ended on
    the login page though it asked for another (a session the server did not know) and
    when it was sent (seconds since the epoch), to the file named by ``LOAD_TIMES``: the
    run's percentiles are counted from it, the logins apart."""
    path = os.environ.get("LOAD_TIMES")
    if path:
        landed = getattr(response, "url", "") or ""
        lost = name != "/login" and landed.split("?")[0].endswith("/login")
        with _lock, open(path, "a") as handle:
            handle.write(
                f"{request_type}\t{name}\t{response_time:.1f}\t{int(bool(exception))}"
                f"\t{'login' if lost else ''}\t{time.time() - response_time / 1000:.3f}\n"
            )


class Person(HttpUser):
    abstract = True
    wait_time = between(0.5, 2.0)
    local = "chef"

    def on_start(self):
        unit = next(_counter) % UNITS + 1
        page = self.client.get("/login").text
        self.client.post(
            "/login",
            data={
                "email": _unit_email(self.local, unit),
                "password": PASSWORD,
                "csrf_token": TOKEN.search(page).group(1),
            },
        )
        self.token = TOKEN.search(self.client.get("/").text).group(1)

    def post(self, url, data, name, **kwargs):
        return self.client.post(
            url,
            data={"csrf_token": self.token, **data},
            headers={"HX-Request": "true"},
            name=name,
            **kwargs,
        )


class Manager(Person):
    weight = 2
    local = "chef"

    @task(4)
    def start_page(self):
        self.client.get("/")

    @task(3)
    def pipeline(self):
        self.client.get("/landlords/pipeline")

    @task(2)
    def flats(self):
        self.client.get("/flats/")

    @task(2)
    def rent(self):
        self.client.get("/rent/?contact=0")

    @task(1)
    def matching(self):
        self.client.get("/matching/")

    @task(2)
    def log_activity(self):
        board = self.client.get("/landlords/follow-ups").text + self.client.get("/").text
        ids = LANDLORD.findall(board)
        if not ids:
            return
        landlord = random.choice(ids)
        summary = f"Samtal {uuid.uuid4().hex[:10]}"
        data = {"kind": "call", "occurred_on": _today(), "summary": summary}
        response = self.post(
            f"/landlords/{landlord}/activities", data, "/landlords/[id]/activities"
        )
        if _answered(response):
            _record("activity", summary)


class Staff(Person):
    weight = 5
    local = "personal"

    @task(3)
    def start_page(self):
        self.client.get("/")

    @task(2)
    def residents(self):
        self.client.get("/residents/")

    @task(1)
    def referrals(self):
        self.client.get("/referrals/")

    @task(4)
    def pay(self):
        board = self.client.get("/rent/?status=not_yet_paid", name="/rent/?status=…").text
        charges = re.findall(r"/rent/charges/(\d+)/payments", board)
        if not charges:
            return
        key = uuid.uuid4().hex
        data = {
            "paid_on": _today(),
            "amount": "100",
            "method": "swish",
            "request_key": key,
        }
        response = self.post(
            f"/rent/charges/{random.choice(charges)}/payments", data, "/rent/charges/[id]/payments"
        )
        if _answered(response):
            _record("payment", key)

    @task(1)
    def home_visit(self):
        board = self.client.get("/rent/?action_today=y", name="/rent/?action_today=y").text
        charges = CHECK.findall(board)
        if not charges:
            return
        charge = random.choice(charges)
        data = {"note": "Hemma, allt bra", "plan": ""}
        response = self.post(
            f"/rent/charges/{charge}/checkpoints/home_visit", data, "/rent/…/checkpoints"
        )
        if _answered(response):
            _record("checkpoint", charge)


class Caretaker(Person):
    weight = 2
    local = "vaktmastare"

    @task(3)
    def start_page(self):
        self.client.get("/")

    @task(2)
    def equipping(self):
        self.client.get("/flats/?status=equipping")

    @task(1)
    def cases(self):
        self.client.get("/cases/")


class Landlord(Person):
    weight = 1

    def on_start(self):
        self.local = random.choice(["hyresvard", "hyresvard2", "hyresvard3"])
        page = self.client.get("/login").text
        self.client.post(
            "/login",
            data={
                "email": f"{self.local}@demo.example",
                "password": PASSWORD,
                "csrf_token": TOKEN.search(page).group(1),
            },
        )

    @task
    def portal(self):
        self.client.get("/portal/")
