"""Reading an ISO 20022 XML message safely: parsed with defusedxml, which refuses a
document type declaration (so neither entity expansion nor external entities can be used
against the server), its encoding checked, and its elements found by their plain names in
the message's namespace."""

import re

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring
from flask_babel import gettext as _

from .files import BankFileError

DECLARED = re.compile(rb"^\s*<\?xml[^>]*encoding=[\"']([A-Za-z0-9._-]+)[\"']")


class Tree:
    """Finding children by their plain names in the document's namespace."""

    def __init__(self, namespace: str):
        self.ns = namespace

    def path(self, path: str) -> str:
        return "/".join(f"{{{self.ns}}}{part}" for part in path.split("/"))

    def find(self, element, *paths):
        """The first of ``paths`` found under ``element`` (which may be None), or None."""
        for path in paths if element is not None else ():
            found = element.find(self.path(path))
            if found is not None:
                return found
        return None

    def findall(self, element, path: str) -> list:
        return element.findall(self.path(path))

    def text(self, element, *paths) -> str:
        """The first text, stripped, that one of ``paths`` holds; "" when none holds any."""
        for path in paths:
            found = self.find(element, path)
            if found is not None and (found.text or "").strip():
                return found.text.strip()
        return ""


def document(data: bytes):
    """The message's root element; ``BankFileError`` for a file that is not UTF-8 as it
    says, declares a document type or entities, or is not well-formed XML."""
    declared = DECLARED.match(data)
    if declared is None or declared.group(1).lower() in (b"utf-8", b"utf8"):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            raise BankFileError(
                _("The file is not UTF-8, which its XML declaration says it is."), line
            ) from None
    try:
        return fromstring(data, forbid_dtd=True)
    except DefusedXmlException:
        raise BankFileError(
            _("The file declares a document type or entities, which a bank file never has.")
        ) from None
    except ParseError as error:
        raise BankFileError(
            _("The file is not well-formed XML (%(problem)s).", problem=str(error).split(":")[0]),
            error.position[0],
        ) from None
