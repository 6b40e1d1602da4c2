"""Small helpers the tests share."""

import contextlib
import logging


class _QueryLog(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.queries = []

    def emit(self, record):
        sql = record.msg[0] if isinstance(record.msg, tuple) else str(record.msg)
        self.queries.append(sql)


@contextlib.contextmanager
def count_queries():
    """Collect the SQL statements peewee runs inside the block."""
    logger = logging.getLogger("peewee")
    handler = _QueryLog()
    old_level = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    try:
        yield handler.queries
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)


def add_flat(landlord, address: str, **fields):
    """A flat of ``landlord`` at ``address``, ready, with plain facts unless given."""
    from intranet.models import Flat

    values = {
        "landlord": landlord,
        "address": address,
        "postcode": "12345",
        "district": "Farsta",
        "rooms": 1,
        "size_m2": 40,
        "floor": 0,
        "rent_to_landlord": 6000,
        "rent_to_resident": 6200,
        "status": "ready",
    }
    return Flat.create(**{**values, **fields})


def add_person(commissioner, first_name: str, **fields):
    """A referred person from ``commissioner``, moved in unless told otherwise."""
    import datetime as dt

    from intranet.models import Referral

    values = {
        "received_on": dt.date(2026, 1, 1),
        "commissioner": commissioner,
        "first_name": first_name,
        "last_name": "Ek",
        "birth_date": dt.date(1990, 1, 1),
        "gender": "other",
        "target_group": "crime",
        "status": "moved_in",
    }
    return Referral.create(**{**values, **fields})


def add_resident(landlord, commissioner, contact, name: str, rent=6200, start=None, **flat):
    """A resident living in a flat of their own, with ``contact`` as contact person."""
    import datetime as dt

    from intranet.models import Tenancy

    home = add_flat(landlord, flat.pop("address", f"{name}gatan 1"), rent_to_resident=rent, **flat)
    return Tenancy.create(
        flat=home,
        referral=add_person(commissioner, name),
        contact_person=contact,
        start_date=start or dt.date(2027, 1, 1),
        rent=rent,
    )


def open_rent_month(month=None) -> int:
    """Open a month's rent (this month by default), as the nightly command does."""
    from intranet import clock
    from intranet.rent import rules, services

    return services.open_month(month or rules.month_of(clock.today()))


# Whether the focused element shows it: an outline or Pico's focus ring (a box shadow). The
# browser's own parts of a date field (its calendar button) draw their own ring; past the page's
# last control the focus leaves the page (the body) before it comes round to the first.
FOCUS_SHOWN = """() => {
  const el = document.activeElement;
  if (el === document.body) return true;
  if (el.type === 'date' && !el.matches(':focus')) return true;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  return outline || style.boxShadow !== 'none';
}"""


def tab_to(page, name: str, limit: int = 150) -> None:
    """Press Tab until the focused element's text (its hidden words too; a select's or a
    field's id) starts with ``name``, checking on the way that every element the keyboard
    reaches shows its focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "document.activeElement.tagName === 'SELECT' || !document.activeElement.textContent"
            " ? document.activeElement.id : document.activeElement.textContent"
        )
        assert page.evaluate(FOCUS_SHOWN), f"no visible focus on {focused!r}"
        if focused.strip().startswith(name):
            return
    raise AssertionError(f"Tab never reached {name!r}")
