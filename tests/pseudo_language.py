"""A pseudo language for the tests: every string that goes through translation comes out
between markers, so that a page's text can be read for what did not.

``install(monkeypatch)`` wraps the translations Flask-Babel and Flask-WTF hand out for a
request; the Swedish catalogue stays underneath, so the pages are the Swedish ones with
⟦markers⟧ around each translated run of words. Placeholders (``%(name)s``, ``{name}``) and
markup inside a translated string stay outside the markers: a value put into a sentence is
read on its own, as translated, as data, or as untranslated text.

``pieces_of`` collects what a person reads or hears in an answer (text, visually hidden
text, the labels and titles of elements, button values, the cells and sheet names of a
download); ``Data`` knows what came from the database, the settings or a form and is not
the interface's to translate; ``untranslated`` says what is left of a piece once the
translated runs, the data, and dates, numbers, amounts, e-mail addresses and URLs are taken
out; ``read`` does both for one answer.
"""

import csv
import inspect
import io
import re
import sys
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import flask_babel
import flask_wtf.i18n
from flask_babel.speaklater import LazyString
from peewee import CharField, TextField

OPEN, CLOSE = "\u27e6", "\u27e7"  # ⟦ and ⟧

# What a translated string may hold that is not words to translate: a %-placeholder
# (``%(name)s``, ``%d``; ``%%`` is a literal per cent and stays in the words), a
# str.format field, or a tag (a translated sentence with a link in it).
_HOLES = re.compile(
    r"%(?:\([^)]*\))?[#0+-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]"
    r"|\{[^{}]*\}"
    r"|<[^<>]*>"
)


def mark(text: str) -> str:
    """``text`` with each run of words between markers, its placeholders and tags left
    outside them so that formatting and markup still work."""
    if not isinstance(text, str) or not text:
        return text
    out, start = [], 0
    for hole in _HOLES.finditer(text):
        out.append(_marked_run(text[start : hole.start()]))
        out.append(hole.group())
        start = hole.end()
    out.append(_marked_run(text[start:]))
    return "".join(out)


def _marked_run(run: str) -> str:
    return f"{OPEN}{run}{CLOSE}" if run.strip() else run


class PseudoTranslations:
    """A translations object that marks what the one beneath it returns, and notes the
    messages the catalogue has no translation for."""

    def __init__(self, inner, untranslated: set):
        self._inner = inner
        self._untranslated = untranslated

    def _note(self, key, message):
        catalog = getattr(self._inner, "_catalog", None)
        if catalog is not None and key not in catalog:
            self._untranslated.add(message)

    def ugettext(self, message):
        self._note(message, message)
        return mark(self._inner.ugettext(message))

    def ungettext(self, singular, plural, n):
        self._note((singular, 0), singular)
        return mark(self._inner.ungettext(singular, plural, n))

    def upgettext(self, context, message):
        self._note(f"{context}\x04{message}", message)
        return mark(self._inner.upgettext(context, message))

    def unpgettext(self, context, singular, plural, n):
        self._note((f"{context}\x04{singular}", 0), singular)
        return mark(self._inner.unpgettext(context, singular, plural, n))

    gettext = ugettext
    ngettext = ungettext
    pgettext = upgettext
    npgettext = unpgettext

    def __getattr__(self, name):
        return getattr(self._inner, name)


def install(monkeypatch) -> set:
    """Mark every translation of this test's requests; returns the set that collects the
    messages the Swedish catalogue lacks (they show in English)."""
    untranslated: set = set()
    domain_translations = flask_babel.Domain.get_translations
    wtforms_translations = flask_wtf.i18n._get_translations

    def app_catalogue(domain):
        inner = domain_translations(domain)
        if flask_babel._get_current_context() is None:
            return inner  # outside the application: English, in the test as in production
        return PseudoTranslations(inner, untranslated)

    def wtforms_catalogue():
        inner = wtforms_translations()
        return None if inner is None else PseudoTranslations(inner, set())

    # Flask-Babel's gettext, ngettext, pgettext, the lazy strings and the Jinja i18n
    # extension's callables all ask Domain.get_translations; WTForms' own messages
    # (``This field is required.``) come through Flask-WTF's catalogue.
    monkeypatch.setattr(flask_babel.Domain, "get_translations", app_catalogue)
    monkeypatch.setattr(flask_wtf.i18n, "_get_translations", wtforms_catalogue)
    return untranslated


# ---- reading an answer ---------------------------------------------------------------

# Attributes whose words a person reads or hears: assistive names and descriptions,
# tooltips, hints in empty fields, image texts, and what htmx asks before it sends.
SPOKEN_ATTRIBUTES = (
    "aria-label",
    "aria-description",
    "aria-roledescription",
    "aria-valuetext",
    "aria-placeholder",
    "title",
    "placeholder",
    "alt",
    "label",  # an <optgroup>'s, an <option>'s
    "hx-confirm",
    "hx-prompt",
    "data-confirm",
    # and whatever the style sheets print with ``content: attr(...)`` (a rent row's labels
    # on a narrow screen)
    *sorted(
        {
            name
            for sheet in (Path(__file__).resolve().parent.parent / "static").glob("*.css")
            for name in re.findall(r"attr\(\s*([\w-]+)", sheet.read_text(encoding="utf-8"))
        }
    ),
)
# An <input> whose value is its label.
BUTTON_INPUTS = {"submit", "button", "reset"}
# Content that is not shown as text. <template> is kept: htmx shows it later.
UNSEEN = {"script", "style"}
VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


class _Reader(HTMLParser):
    """Collects (where, text) from a page: text nodes, marked "hidden text" inside an
    element of class ``visually-hidden``, and the spoken attributes. What the page marks
    ``translate="no"`` (a file format's name, a checksum's, a technical note) is the same
    in every language and is left out."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.pieces: list[tuple[str, str]] = []
        self.open: list[tuple[str, bool, bool]] = []

    def _hidden(self) -> bool:
        return any(hidden for _tag, hidden, _fixed in self.open)

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        for name in SPOKEN_ATTRIBUTES:
            if values.get(name):
                self.pieces.append((name, values[name]))
        if tag == "input" and (values.get("type") or "").lower() in BUTTON_INPUTS:
            if values.get("value"):
                self.pieces.append(("button value", values["value"]))
        if tag not in VOID:
            classes = (values.get("class") or "").split()
            fixed = values.get("translate") == "no"
            self.open.append((tag, "visually-hidden" in classes, fixed))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.open:
            self.open.pop()

    def handle_endtag(self, tag):
        for index in range(len(self.open) - 1, -1, -1):
            if self.open[index][0] == tag:
                del self.open[index:]
                break

    def handle_data(self, data):
        if any(tag in UNSEEN or fixed for tag, _hidden, fixed in self.open):
            return
        self.pieces.append(("hidden text" if self._hidden() else "text", data))


def pieces_of(response) -> list[tuple[str, str]]:
    """What a person reads in an answer: (where, text) with its white space squeezed."""
    if 300 <= response.status_code < 400 or response.status_code == 204:
        return []  # a browser follows a redirect and never shows its body
    kind = response.mimetype or ""
    if kind == "text/html":
        reader = _Reader()
        reader.feed(response.get_data(as_text=True))
        reader.close()
        found = reader.pieces
    elif kind == "text/csv":
        rows = csv.reader(
            io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"
        )
        found = [("download cell", cell) for row in rows for cell in row]
    elif kind.endswith("spreadsheetml.sheet"):
        found = _xlsx_pieces(response.get_data())
    else:
        found = []
    squeezed = [(where, " ".join(text.split())) for where, text in found]
    return [(where, text) for where, text in squeezed if text]


_XML_TEXT = re.compile(r"<t(?: [^>]*)?>([^<]*)</t>")
_SHEET_NAME = re.compile(r'<sheet [^>]*name="([^"]*)"')


def _xlsx_pieces(data: bytes) -> list[tuple[str, str]]:
    import html

    found = []
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        for name in book.namelist():
            xml = book.read(name).decode("utf-8", "replace")
            if name == "xl/workbook.xml":
                found += [("sheet name", html.unescape(n)) for n in _SHEET_NAME.findall(xml)]
            elif name == "xl/sharedStrings.xml" or name.startswith("xl/worksheets/"):
                found += [("download cell", html.unescape(t)) for t in _XML_TEXT.findall(xml)]
    return found


# ---- what is data ----------------------------------------------------------------------

# Columns the application writes itself, in English or in codes: what a page shows of
# them must come through a label, so they are not data.
CODE_WRITTEN = {
    ("AuditEvent", "action"),
    ("AuditEvent", "subject_type"),
    ("AuditEvent", "detail"),
    ("User", "approval_reasons"),
    ("User", "role"),
    ("User", "language"),
}


def code_words() -> set[str]:
    """The codes the application stores and shows through labels: the constants of the
    models' vocabularies (``ReferralStatus.RECEIVED``) and the keys of every table of
    translated labels in the application's modules."""
    from intranet import models

    found = set()
    for _name, value in vars(models).items():
        if inspect.isclass(value) and not hasattr(value, "_meta"):
            found |= {v for k, v in vars(value).items() if k.isupper() and isinstance(v, str)}
    for name, module in list(sys.modules.items()):
        if not name.startswith("intranet") or module is None:
            continue
        for value in vars(module).values():
            if isinstance(value, dict) and value and all(isinstance(k, str) for k in value):
                if any(isinstance(v, LazyString) for v in value.values()):
                    found |= set(value)
    return found


@dataclass
class Data:
    """The strings a page may show that are not the interface's words: what people typed
    or imported (the text columns of the database), the settings a page prints, the
    languages' own names and what a test sent in a form."""

    values: set = field(default_factory=set)
    skipped: dict = field(default_factory=lambda: defaultdict(set))

    @classmethod
    def of(cls, app, sent=()) -> "Data":
        from intranet.i18n import LANGUAGES
        from intranet.models import MODELS

        codes = code_words()
        data = cls()
        for model in MODELS:
            columns = [
                f
                for f in model._meta.sorted_fields
                if isinstance(f, CharField | TextField)
                and (model.__name__, f.name) not in CODE_WRITTEN
            ]
            if not columns:
                continue
            values = defaultdict(set)
            for row in model.select(*columns).tuples():
                for column, value in zip(columns, row, strict=True):
                    if value and value not in codes:
                        values[column.name].add(value)
            for name, found in values.items():
                # A column of nothing but identifiers holds codes (``open``, ``bgmax``)
                # even where no table of labels names them: a page must say them in words.
                if not all(IDENTIFIER.fullmatch(value) for value in found):
                    for value in found:
                        data.add(value, f"{model.__name__}.{name}")
        for name in ("UNIT_NAME", "UNIT_ADDRESS", "BANKGIRO", "BANK_ACCOUNT"):
            value = str(app.config.get(name) or "")
            # A letter's address block prints the address a line per comma.
            for part in [value, *value.split(",")]:
                if part.strip():
                    data.add(part.strip(), f"config {name}")
        # Each language's name in its own language, in the switcher: never translated.
        for name in LANGUAGES.values():
            data.add(name, "language name")
        for value in sent:
            data.add(value, "form input")
        return data

    def add(self, value: str, source: str) -> None:
        for text in [value, *value.splitlines()]:
            text = " ".join(text.split())
            if LETTER.search(text):
                self.values.add(text)
                self.sources.setdefault(text, source)
                self._pattern = None

    def __post_init__(self):
        self.sources: dict[str, str] = {}
        self._pattern = None

    def pattern(self) -> re.Pattern:
        if self._pattern is None:
            ordered = sorted(self.values, key=len, reverse=True)
            self._pattern = re.compile(
                r"(?<!\w)(?:" + "|".join(map(re.escape, ordered)) + r")(?!\w)"
            )
        return self._pattern

    def strip(self, text: str) -> str:
        """``text`` without the data in it; notes what was taken as data."""

        def skip(match):
            self.skipped[match.group()].add(self.sources.get(match.group(), "?"))
            return " "

        return self.pattern().sub(skip, text) if self.values else text


LETTER = re.compile(r"[^\W\d_]")
IDENTIFIER = re.compile(r"[a-z][a-z0-9_]*")
_MARKED = re.compile(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}")
# Things written the same in every language, taken out by their shape.
_SHAPES = re.compile(
    r"""
      https?://\S+                                  # a URL
    | [\w.+-]+@[\w-]+(?:\.[\w-]+)+                  # an e-mail address
    | (?<![\w/])/[\w./?=&%-]*                       # a path on this site
    | \d{4}-\d{2}(?:-\d{2})?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?   # a date, a month, a moment
    | \d{1,2}:\d{2}                                 # a time
    | [−-]?\d[\d\s\u00a0\u202f]*(?:[.,]\d+)?\s*kr\b  # an amount in kronor
    | \d+(?:[.,]\d+)?\s*m²                         # an area
    | (?<!\w)(?=[0-9a-f]*\d)[0-9a-f]{8,}             # a checksum, or the start of one
    | \d+                                           # a number
    """,
    re.VERBOSE,
)


def untranslated(text: str, data: Data) -> str:
    """What is left of ``text`` that has letters in it and did not go through translation,
    or "" when nothing is."""
    rest = _MARKED.sub(" ", text)
    if not LETTER.search(rest):
        return ""
    # A translated run cut short (``label|truncate``) has lost one of its markers.
    rest = re.sub(f"{OPEN}[^{CLOSE}]*$|^[^{OPEN}]*{CLOSE}", " ", rest)
    rest = data.strip(rest)
    rest = _SHAPES.sub(" ", rest)
    rest = " ".join(rest.split())
    return rest if LETTER.search(rest) else ""


@dataclass
class Finding:
    actor: str
    url: str
    htmx: bool
    where: str
    text: str
    piece: str


class Reader:
    """Reads answers for untranslated pieces, each different answer and piece once (the
    same error page comes back many times, the same piece on many pages)."""

    def __init__(self, data: Data):
        self.data = data
        self.answers: dict = {}
        self.verdicts: dict[str, str] = {}

    def read(self, response, actor, url, htmx) -> list[Finding]:
        """The untranslated pieces of one answer."""
        key = (response.status_code, response.mimetype, response.get_data())
        if key not in self.answers:
            self.answers[key] = pieces_of(response)
        found = []
        for where, piece in self.answers[key]:
            if piece not in self.verdicts:
                self.verdicts[piece] = untranslated(piece, self.data)
            if self.verdicts[piece]:
                found.append(Finding(actor, url, htmx, where, self.verdicts[piece], piece))
        return found
