"""The project's files: translations complete, vendored files unmodified."""

import base64
import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from intranet.assets import VENDOR

ROOT = Path(__file__).resolve().parent.parent


def test_every_string_has_a_swedish_translation():
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "translations.py"), "check"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("name", sorted(VENDOR))
def test_vendored_files_match_their_recorded_hash(name):
    asset = VENDOR[name]
    path = ROOT / "static" / asset["path"]
    digest = base64.b64encode(hashlib.sha384(path.read_bytes()).digest()).decode()
    assert asset["integrity"] == f"sha384-{digest}"
    assert any(p.name.startswith("LICENSE") for p in path.parent.iterdir())
