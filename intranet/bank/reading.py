"""Reading a bank file of either format into one shape: the formats' readers depend on the
shape in ``files`` and this module on them, so nothing imports in a circle."""

from flask_babel import gettext as _

from . import bgmax, camt054
from .files import BankFileError, ParsedFile, check_size


def parse_file(data: bytes) -> ParsedFile:
    """Read a bank file of either format, told apart by how it begins."""
    check_size(data)
    start = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if start.startswith(b"01BGMAX"):
        return bgmax.parse(data)
    if start.startswith(b"<"):
        return camt054.parse(data)
    if _utf16_bank_file(start):
        raise BankFileError(
            _("The file is in UTF-16; a bank file is Latin-1 (BgMax) or UTF-8 (camt.054)."), 1
        )
    raise BankFileError(_("This is not a bank file (BgMax or camt.054)."), 1)


def _utf16_bank_file(start: bytes) -> bool:
    """Whether the file is a bank file written in UTF-16: it says so with a byte-order
    mark, or its first characters read in UTF-16 are how a bank file begins."""
    if start[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return True
    for encoding in ("utf-16-le", "utf-16-be"):
        text = start[:40].decode(encoding, "replace").lstrip("\ufeff \t\r\n")
        if text.startswith(("01BGMAX", "<")):
            return True
    return False
