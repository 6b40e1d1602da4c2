"""``flask rent import``: the nightly import of the bank's file, its counts, the dry run,
and a refused file."""

import datetime as dt

import pytest
from bankfiles import Paid, bgmax, bgmax_records, camt054

from intranet.models import AuditEvent, BankEntry, BankImport, Payment


@pytest.fixture
def sara(rent_world):
    _staff, resident = rent_world
    return resident("Sara")


def _write(tmp_path, data, name="bg.txt"):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def _file(sara):
    return bgmax(
        [
            Paid(sara.payment_reference, 6200, dt.date(2027, 3, 2), payer="Sara Ek"),
            Paid("123", 500, dt.date(2027, 3, 2), payer="Okänd"),
        ]
    )


def test_the_import_registers_and_prints_its_counts(runner, sara, tmp_path):
    result = runner.invoke(args=["rent", "import", _write(tmp_path, _file(sara))])
    assert result.exit_code == 0, result.output
    assert "1 matched, 1 unmatched, 0 already imported, 0 refused" in result.output
    payment = Payment.get(Payment.method == "bank_transfer")
    assert payment.registered_by_id is None
    bank_import = BankImport.get()
    assert (bank_import.status, bank_import.imported_by_id) == ("imported", None)
    event = AuditEvent.get(AuditEvent.subject_type == "bank_import")
    assert (event.actor_id, event.subject_id) == (None, bank_import.id)
    assert bank_import.sha256 in event.detail


def test_the_same_file_again_is_already_imported(runner, sara, tmp_path):
    path = _write(tmp_path, camt054([Paid(sara.payment_reference, 6200, dt.date(2027, 3, 2))]))
    runner.invoke(args=["rent", "import", path])
    result = runner.invoke(args=["rent", "import", path])
    assert result.exit_code == 0, result.output
    assert "bg.txt: already imported on 2027-03-05 (file bg.txt): 1 matched" in result.output
    assert "Nothing was saved." in result.output
    assert Payment.select().count() == 1 and BankImport.select().count() == 1


def test_a_dry_run_saves_nothing(runner, sara, tmp_path):
    result = runner.invoke(args=["rent", "import", "--dry-run", _write(tmp_path, _file(sara))])
    assert result.exit_code == 0
    assert "Dry run" in result.output and "1 matched, 1 unmatched" in result.output
    assert (BankImport.select().count(), BankEntry.select().count(), Payment.select().count()) == (
        0,
        0,
        0,
    )
    assert AuditEvent.select().where(AuditEvent.subject_type == "bank_import").count() == 0


def test_a_refused_file_exits_1_with_the_reason_and_line(runner, sara, tmp_path):
    records = bgmax_records([Paid(sara.payment_reference, 6200, dt.date(2027, 3, 2))])[:-1]
    path = _write(tmp_path, ("\r\n".join(records) + "\r\n").encode("latin-1"))
    result = runner.invoke(args=["rent", "import", path])
    assert result.exit_code == 1
    assert "refused" in result.output and "Rad 4" in result.output
    assert "slutpost (70)" in result.output
    assert BankImport.select().count() == 0
