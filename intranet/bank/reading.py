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
    if start[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in start[:200]:
        raise BankFileError(
            _("The file is in UTF-16; a bank file is Latin-1 (BgMax) or UTF-8 (camt.054)."), 1
        )
    raise BankFileError(
        _("The file is neither a BgMax file nor a camt.054 notification (ISO 20022 XML)."), 1
    )
