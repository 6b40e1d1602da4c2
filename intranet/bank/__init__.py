"""Bank files: the incoming payments a bank delivers (BgMax, camt.054), read into one shape,
matched to tenancies by their OCR reference and registered as rent payments."""

from .files import MAX_FILE_BYTES, BankFileError, BankTransaction, ParsedFile
from .reading import parse_file

__all__ = ["MAX_FILE_BYTES", "BankFileError", "BankTransaction", "ParsedFile", "parse_file"]
