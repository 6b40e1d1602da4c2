"""The daily screens on a laptop and a phone, in Chromium, on the demo world: every main page
fits its width with no sideways scroll of the page, its forms keep every label's words whole
and every field wide enough for its longest ordinary value, axe-core finds nothing serious or
critical on it, and on a laptop each control the keyboard reaches shows its focus. With
``INTRANET_SCREENSHOTS=1`` each page's screenshot is kept under ``test-artifacts/screens/``
(a full-page picture of every page at both widths costs the walk about a fifth of its time)."""

import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from conftest import browser_login, serve_copy
from demo_world import EMAILS, WORLD_MOMENT
from helpers import FOCUS_SHOWN
from playwright.sync_api import expect

from intranet import clock
from intranet.demo import DEMO_PASSWORD
from intranet.extensions import db
from intranet.models import User

ARTEFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screens"
SCREENSHOTS = os.environ.get("INTRANET_SCREENSHOTS") == "1"
WIDTHS = {"laptop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}

# Each role's main pages, by name; ``{…}`` names an object of the demo world.
PAGES = {
    "manager": [
        ("start", "/"),
        ("pipeline", "/landlords/pipeline"),
        ("landlord", "/landlords/{landlord}"),
        ("follow-ups", "/landlords/follow-ups"),
        ("funnel", "/landlords/funnel"),
        ("flats", "/flats/"),
        ("flat", "/flats/{flat}"),
        ("referrals", "/referrals/"),
        ("referral", "/referrals/{waiting_referral}"),
        ("matching", "/matching/"),
        ("match", "/matching/matches/{accepted_match}"),
        ("plan", "/matching/plan"),
        ("residents", "/residents/"),
        ("resident", "/residents/{tenancy}"),
        ("rent-board", "/rent/"),
        ("resident-rent", "/residents/{tenancy}/rent"),
        ("rent-stats", "/rent/stats"),
        ("bank-imports", "/rent/imports"),
        ("bank-import", "/rent/imports/{bank_import}"),
        ("cases", "/cases/"),
        ("case", "/cases/{own_case}"),
        ("year-report", "/reports/year"),
        ("audit", "/audit/"),
        # The forms a manager fills in.
        ("new-landlord", "/landlords/new"),
        ("edit-landlord", "/landlords/{landlord}/edit"),
        ("invite", "/landlords/{taking_landlord}/invite"),
        ("new-flat", "/flats/new"),
        ("edit-flat", "/flats/{flat}/edit"),
        ("new-case", "/flats/{flat}/cases/new"),
        ("new-referral", "/referrals/new"),
        ("edit-referral", "/referrals/{waiting_referral}/edit"),
        ("commissioners", "/referrals/commissioners"),
        ("password", "/account/password"),
        ("second-factor", "/account/two-factor"),
    ],
    "staff": [
        ("start", "/"),
        ("rent-board", "/rent/"),
        ("resident-rent", "/residents/{tenancy}/rent"),
        ("residents", "/residents/"),
        ("referrals", "/referrals/"),
        ("matching", "/matching/"),
    ],
    "caretaker": [
        ("start", "/"),
        ("flats", "/flats/"),
        ("flat", "/flats/{flat}"),
        ("cases", "/cases/"),
    ],
    "landlord": [
        ("portal", "/portal/"),
        ("unit", "/portal/units/{own_flat}"),
        ("case", "/portal/cases/{own_case}"),
        ("new-case", "/portal/cases/new?unit={own_flat}"),
        ("offer", "/portal/offer"),
    ],
    "admin": [
        ("start", "/"),
        ("users", "/admin/users"),
        ("new-user", "/admin/users/new"),
        ("edit-user", "/admin/users/{staff}/edit"),
    ],
    "visitor": [
        ("login", "/login"),
    ],
}

# The widest a page may be beyond its window, in CSS pixels: none.
OVERFLOW_JS = """() => {
  const root = document.documentElement;
  const width = root.clientWidth;
  const culprits = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.right > width + 1 && box.width > 0) {
      let inside = false;
      for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
        const style = getComputedStyle(up);
        if (['auto', 'scroll', 'hidden', 'clip'].includes(style.overflowX)) {
          inside = true;
          break;
        }
      }
      const name = el.tagName.toLowerCase() + (el.className ? '.' + el.className : '');
      if (!inside) culprits.push(name);
    }
  }
  return {scroll: root.scrollWidth - width, culprits: culprits.slice(0, 5)};
}"""


# Forms at a readable width: no label breaks inside a word, and each field is wide enough
# for its longest ordinary value (an amount "10 000,00", a date, a street address, the option a
# select shows).
CRAMPED_JS = """() => {
  const canvas = document.createElement('canvas').getContext('2d');
  const width = (el, text) => {
    const style = getComputedStyle(el);
    canvas.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    return canvas.measureText(text).width;
  };
  const shown = el => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden';
  const found = [];
  for (const label of document.querySelectorAll('form label')) {
    // A label kept for screen readers only (clipped to a pixel) has no words to break.
    if (!shown(label) || label.closest('.visually-hidden') || label.clientWidth <= 1) continue;
    const room = label.clientWidth;
    for (const word of label.textContent.split(/\\s+/).filter(Boolean)) {
      if (room && width(label, word) > room + 1) found.push(`label "${word}" in ${room}px`);
    }
  }
  const skip = ['checkbox', 'radio', 'hidden', 'submit', 'button', 'file'];
  for (const field of document.querySelectorAll('form input, form select')) {
    if (!shown(field) || skip.includes(field.type)) continue;
    const style = getComputedStyle(field);
    const padding = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
    let longest = 'Storgatan 10';
    if (field.tagName === 'SELECT') {
      const chosen = field.selectedOptions[0];
      longest = chosen ? chosen.textContent.trim() : '';  // the arrow is in the padding
    } else if (field.type === 'date') longest = '2026-12-31 WW';
    else if (['decimal', 'numeric'].includes(field.inputMode) || field.type === 'number')
      longest = '10 000,00';
    const needed = width(field, longest) + padding;
    // A field as wide as its whole form can be no wider (a long name on a phone).
    const full = field.offsetWidth + 2 >= field.closest('form').clientWidth;
    if (!full && field.clientWidth + 1 < needed)
      found.push(`${field.name} ${Math.round(field.clientWidth)}px < ${Math.round(needed)}px`);
  }
  return found.slice(0, 8);
}"""


@pytest.fixture(scope="module")
def demo_server(_sqlite_world, tmp_path_factory):
    """The demo world served on a free local port, one copy for the module's browser tests."""
    template, world = _sqlite_world
    for server in serve_copy(template, tmp_path_factory.mktemp("layout") / "demo.sqlite3"):
        server.world = world
        yield server


@pytest.fixture(autouse=True)
def _world_clock():
    """The demo world's own moment, whenever in the run the page is opened."""
    clock.set_clock(WORLD_MOMENT)


def _user(server, actor) -> User:
    """The demo's ``actor``, ready to log in: this module logs the same people in several
    times a minute, more often than their app shows a new code, so the last code they used
    is forgotten first."""
    with server.app.app_context():
        User.update(totp_last_step=None).where(User.email == EMAILS[actor]).execute()
        user = User.get(User.email == EMAILS[actor])
    db.close()
    return user


def _context(browser, width):
    viewport = WIDTHS[width]
    phone = width == "phone"
    return browser.new_context(
        viewport=viewport,
        is_mobile=phone,
        has_touch=phone,
        locale="sv-SE",
        timezone_id="Europe/Stockholm",
    )


def _visit(page, server, actor):
    """Log in as ``actor`` (a visitor does not) and yield each main page's name once the page
    has loaded."""
    if actor in EMAILS:
        browser_login(page, server, _user(server, actor), DEMO_PASSWORD)
        page.wait_for_load_state("networkidle")
    for name, template in PAGES[actor]:
        url = server.url + template.format(**server.world)
        response = page.goto(url)
        assert (response.status, page.url) == (200, url), (actor, name)
        page.wait_for_load_state("networkidle")
        yield name


def _unseen_focus(page, stops: int = 40) -> list[str]:
    """Tab through the page's first ``stops`` controls; those that do not show their focus."""
    page.bring_to_front()
    unseen = []
    for _ in range(stops):
        page.keyboard.press("Tab")
        if not page.evaluate(FOCUS_SHOWN):
            unseen.append(page.evaluate("document.activeElement.outerHTML.slice(0, 80)"))
    return unseen


def _serious(axe, page) -> list:
    """axe-core's serious and critical findings on the page as it stands."""
    return [
        (violation["id"], violation["impact"], [node["target"] for node in violation["nodes"]][:3])
        for violation in axe.run(page).response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


@pytest.mark.browser
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("actor", PAGES)
def test_every_main_page_fits_its_width_and_passes_axe(browser, demo_server, actor, width):
    folder = ARTEFACTS / width
    folder.mkdir(parents=True, exist_ok=True)
    axe = Axe()
    context = _context(browser, width)
    page = context.new_page()
    too_wide, findings, unseen, cramped = {}, {}, {}, {}
    try:
        for name in _visit(page, demo_server, actor):
            if SCREENSHOTS:
                page.screenshot(path=folder / f"{actor}-{name}.png", full_page=True)
            measured = page.evaluate(OVERFLOW_JS)
            if measured["scroll"] > 0:
                too_wide[name] = measured
            squeezed = page.evaluate(CRAMPED_JS)
            if squeezed:
                cramped[name] = squeezed
            serious = _serious(axe, page)
            if serious:
                findings[name] = serious
            missing = _unseen_focus(page) if width == "laptop" else []
            if missing:
                unseen[name] = missing
    finally:
        context.close()
    assert (too_wide, findings, unseen, cramped) == ({}, {}, {}, {})


# The middle heights of the header's name, menu links and tools: one row on a laptop.
HEADER_ROWS_JS = """() => {
  const items = document.querySelectorAll(
    '.header-wide .brand, .header-wide nav li, .header-wide .header-tools > *'
  );
  return [...items].filter(el => el.getBoundingClientRect().height).map(el => {
    const box = el.getBoundingClientRect();
    return Math.round(box.top + box.height / 2);
  });
}"""


@pytest.mark.browser
@pytest.mark.parametrize("actor", ["manager", "admin", "landlord"])
def test_the_header_is_one_row_on_a_laptop(browser, demo_server, actor):
    context = _context(browser, "laptop")
    page = context.new_page()
    try:
        next(_visit(page, demo_server, actor))
        middles = page.evaluate(HEADER_ROWS_JS)
    finally:
        context.close()
    assert len(middles) >= 4 and max(middles) - min(middles) <= 4


@pytest.mark.browser
def test_on_a_phone_the_menu_opens_and_switches_language_without_javascript(browser, demo_server):
    context = browser.new_context(
        viewport=WIDTHS["phone"], java_script_enabled=False, locale="sv-SE", is_mobile=True
    )
    page = context.new_page()
    try:
        browser_login(page, demo_server, _user(demo_server, "staff"), DEMO_PASSWORD)
        expect(page.get_by_role("link", name="Hyra", exact=True)).to_be_hidden()
        page.get_by_text("Meny", exact=True).click()
        page.get_by_role("link", name="Hyra", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Hyra")
        page.get_by_text("Meny", exact=True).click()
        page.get_by_role("button", name="English").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Rent")
        page.get_by_text("Menu", exact=True).click()
        page.get_by_role("button", name="Svenska").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Hyra")
    finally:
        context.close()
