"""Keep the Swedish catalogue in step with the code.

python scripts/translations.py update   extract the strings and merge them into sv's .po
python scripts/translations.py check    exit 1 if a string lacks a Swedish translation
python scripts/translations.py compile  write the .mo files the application reads
"""

import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE_DIR = ROOT / "intranet" / "translations"
PO = CATALOGUE_DIR / "sv" / "LC_MESSAGES" / "messages.po"
PYBABEL = [sys.executable, "-m", "babel.messages.frontend", "--quiet"]


def extract(target: Path) -> None:
    """Extract every translatable string of the code and templates into ``target``."""
    subprocess.run(
        [
            *PYBABEL,
            "extract",
            "--no-location",
            "--sort-output",
            "-F",
            str(ROOT / "babel.cfg"),
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            # The eligibility rules' sentences, made only when they are shown.
            "-k",
            "_say:2",
            "-k",
            "say",
            "-k",
            "lazy_ngettext:1,2",
            "-o",
            str(target),
            str(ROOT),
        ],
        check=True,
        cwd=ROOT,
    )


def missing() -> list[str]:
    """The strings in the code that have no Swedish translation."""
    with tempfile.TemporaryDirectory() as tmp:
        pot = Path(tmp) / "messages.pot"
        extract(pot)
        with pot.open("rb") as handle:
            wanted = [m.id for m in read_po(handle) if m.id]
    with PO.open("rb") as handle:
        catalogue = read_po(handle)
    return [
        str(msgid)
        for msgid in wanted
        if catalogue.get(msgid) is None
        or not catalogue.get(msgid).string
        or catalogue.get(msgid).fuzzy
    ]


def main(command: str) -> int:
    if command == "update":
        with tempfile.TemporaryDirectory() as tmp:
            pot = Path(tmp) / "messages.pot"
            extract(pot)
            subprocess.run(
                [
                    *PYBABEL,
                    "update",
                    "--no-fuzzy-matching",
                    "-i",
                    str(pot),
                    "-d",
                    str(CATALOGUE_DIR),
                    "-l",
                    "sv",
                ],
                check=True,
            )
        return 0
    if command == "check":
        gaps = missing()
        for msgid in gaps:
            print(f"no Swedish for: {msgid!r}")
        return 1 if gaps else 0
    if command == "compile":
        subprocess.run([*PYBABEL, "compile", "-d", str(CATALOGUE_DIR)], check=True)
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else ""))
