"""The files that hold the residents' data or the keys to it are readable by their owner
only (0600, folders the intranet makes 0700), whatever the umask of the process."""

import os
import stat
from pathlib import Path

import pytest
from conftest import TEST_CONFIG

from intranet import _secret_key, backup, create_app
from intranet.database import connection

UMASKS = [0o000, 0o022, 0o277]


@pytest.fixture(params=UMASKS, ids=[f"umask {u:03o}" for u in UMASKS])
def umask(request):
    """The process's umask set to each in turn, from the most open to one that would take
    the owner's own bits."""
    before = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(before)


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def _open_and_write(path):
    """Open the intranet on the SQLite file ``path`` and write, so SQLite makes its
    write-ahead log and its index beside it; the modes as they are while it is open."""
    create_app({**TEST_CONFIG, "DATABASE_URL": f"sqlite:///{path}"})
    with connection() as db:
        db.execute_sql("CREATE TABLE note (text TEXT)")
        db.execute_sql("INSERT INTO note VALUES ('Zelmira Quist')")
        return {suffix: mode(f"{path}{suffix}") for suffix in ("", "-wal", "-shm")}


def test_a_new_database_and_its_folders_are_the_owners_only(umask, tmp_path):
    path = tmp_path / "srv" / "instance" / "intranet.sqlite3"
    there = mode(tmp_path)
    assert _open_and_write(path) == {"": 0o600, "-wal": 0o600, "-shm": 0o600}
    assert mode(tmp_path / "srv") == mode(tmp_path / "srv" / "instance") == 0o700
    assert mode(tmp_path) == there  # a folder that was there is left as it was


def test_a_database_others_could_read_is_made_the_owners_only_at_start(tmp_path):
    path = tmp_path / "intranet.sqlite3"
    for name in (path, f"{path}-wal", f"{path}-shm"):
        open(name, "wb").close()
        os.chmod(name, 0o644)
    create_app({**TEST_CONFIG, "DATABASE_URL": f"sqlite:///{path}"})
    assert [mode(p) for p in (path, f"{path}-wal", f"{path}-shm")] == [0o600] * 3


def test_the_secret_key_kept_in_the_instance_folder_is_the_owners_only(
    umask, tmp_path, monkeypatch
):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    instance = tmp_path / "instance"
    key = _secret_key(str(instance))
    assert len(key) == 64
    assert mode(instance / "secret_key") == 0o600 and mode(instance) == 0o700
    assert _secret_key(str(instance)) == key
    assert [p.name for p in instance.iterdir()] == ["secret_key"]  # nothing left beside it
    os.chmod(instance / "secret_key", 0o644)
    assert _secret_key(str(instance)) == key
    assert mode(instance / "secret_key") == 0o600


def test_a_backup_is_the_owners_only(app, runner, umask, tmp_path):
    target = tmp_path / "intranet.backup"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert mode(target) == 0o600


def test_a_database_restored_into_a_new_file_is_the_owners_only(umask, tmp_path):
    source = tmp_path / "intranet.sqlite3"
    _open_and_write(source)
    copy = tmp_path / "copy.backup"
    backup.backup(f"sqlite:///{source}", copy)
    restored = tmp_path / "restored" / "intranet.sqlite3"
    backup.restore(f"sqlite:///{restored}", copy)
    assert mode(copy) == mode(restored) == 0o600
    assert mode(restored.parent) == 0o700


@pytest.mark.parametrize("unit", ["intranet.service", "intranet-daily.service"])
def test_the_systemd_units_make_every_file_the_owners_only(unit):
    text = (Path(__file__).resolve().parent.parent / "docs" / unit).read_text()
    service = text.split("[Service]", 1)[1].split("\n[", 1)[0]
    assert "\nUMask=0077\n" in service
