"""Bank files as the bank writes them: BgMax deductions (a payer's credit note, taken off
their payment in the same deposit), extra references, record types the reader does not
know, short records and files without line breaks; files for another account or marked as
a test refused; a file read twice; a preview discarded and a payment that is not rent set
aside, each with a reason; and the nightly command reading only regular files."""

import datetime as dt
import io
import os
from decimal import Decimal

import pytest
from bankfiles import Paid, bgmax, bgmax_records, camt054
from conftest import csrf_token, post_form
from helpers import open_rent_month
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from intranet.bank import BankFileError, parse_file
from intranet.models import (
    AuditEvent,
    BankEntry,
    BankImport,
    EntryState,
    ImportStatus,
    Payment,
)
from intranet.rent import bank_imports as imports

MARCH = dt.date(2027, 3, 1)
DAY = dt.date(2027, 3, 4)


@pytest.fixture
def residents(rent_world, app_context):
    staff, resident = rent_world
    sara, ali = resident("Sara"), resident("Ali", rent=5000)
    open_rent_month(MARCH)
    return staff, sara, ali


def _import(data, actor=None):
    """Read, check, preview and confirm a file, as the upload page and the command do."""
    planned = imports.plan(parse_file(data))
    preview = imports.save_preview(planned, "bg.txt", imports.sha256(data), actor)
    counted = planned.counts
    done = imports.confirm(preview.id, actor)
    return counted, done


def _entries(bank_import) -> list[BankEntry]:
    query = BankEntry.select().where(BankEntry.bank_import == bank_import.id)
    return list(query.order_by(BankEntry.line))


def _registered(tenancy) -> list[Decimal]:
    payments = Payment.select().where(
        (Payment.tenancy == tenancy.id) & Payment.reversed_at.is_null()
    )
    return sorted(Decimal(p.amount) for p in payments)


# ---- 1. a deduction is the payer's credit note, taken off their payment in the deposit ----


def test_a_whole_deduction_is_taken_off_the_payment_and_the_net_is_registered(residents):
    """10 150 kr with a 500 kr deduction (code 0): 9 650 kr was deposited, and 9 650 kr is
    registered; the payment's line says what was taken off. The preview counted what the
    import did."""
    staff, sara, _ali = residents
    data = bgmax(
        [
            Paid(sara.payment_reference, "10150", DAY, serial="1"),
            Paid(sara.payment_reference, 500, DAY, serial="2", returned=True, code="0"),
        ]
    )
    (payment,) = parse_file(data).transactions
    assert (payment.amount, payment.deducted) == (Decimal("9650.00"), Decimal("500.00"))
    assert payment.credit_notes == ((Decimal("500.00"), "0"),)
    counted, done = _import(data, staff)
    assert counted["matched"] == done.matched == 1
    assert counted["unmatched"] == done.unmatched == 0
    assert done.payment_total == Decimal("9650.00")
    assert _registered(sara) == [Decimal("9650.00")]
    (entry,) = _entries(done)
    assert (entry.state, entry.deducted, entry.credit_notes) == (
        EntryState.REGISTERED,
        Decimal("500.00"),
        "500.00:0",
    )


def test_a_partial_deduction_and_its_final_part_in_a_later_file(residents):
    """A credit note of 1 500 kr: 1 000 kr taken off a payment in one file (code 1, a
    remainder left) and the last 500 kr off a payment in a later file (code 2)."""
    staff, sara, _ali = residents
    first = bgmax(
        [
            Paid(sara.payment_reference, 6200, dt.date(2027, 3, 2), serial="11"),
            Paid(
                sara.payment_reference,
                1000,
                dt.date(2027, 3, 2),
                serial="12",
                returned=True,
                code="1",
            ),
        ]
    )
    later = bgmax(
        [
            Paid(sara.payment_reference, 6200, DAY, serial="21"),
            Paid(sara.payment_reference, 500, DAY, serial="22", returned=True, code="2"),
        ]
    )
    _import(first, staff)
    _counted, done = _import(later, staff)
    assert _registered(sara) == [Decimal("5200.00"), Decimal("5700.00")]
    (entry,) = _entries(done)
    assert entry.credit_notes == "500.00:2"


def test_two_payments_and_a_deduction_of_one_payer_in_one_deposit(residents):
    """The deduction is taken off the payer's payment nearest before it, and what is left
    of it off the other: the registered sum is the deposit."""
    staff, sara, ali = residents
    data = bgmax(
        [
            Paid(sara.payment_reference, 6200, DAY, serial="31", payer_bankgiro="56781234"),
            Paid(ali.payment_reference, 5000, DAY, serial="32"),
            Paid(sara.payment_reference, 300, DAY, serial="33", payer_bankgiro="56781234"),
            Paid(
                sara.payment_reference,
                800,
                DAY,
                serial="34",
                returned=True,
                payer_bankgiro="56781234",
            ),
        ]
    )
    parsed = parse_file(data)
    assert [t.amount for t in parsed.transactions] == [Decimal("5700.00"), 5000, 0]
    assert parsed.transactions[2].kind == "skipped"
    _counted, done = _import(data, staff)
    assert _registered(sara) == [Decimal("5700.00")]
    assert _registered(ali) == [Decimal("5000.00")]
    assert (done.matched, done.skipped) == (2, 1)
    skipped = _entries(done)[2]
    assert skipped.state == EntryState.SKIPPED and "kreditnota" in skipped.reason


def test_a_deduction_with_no_payment_of_its_payer_in_the_deposit_refuses_the_file(residents):
    """The deduction's payer (by bankgiro number) has no payment in the deposit: the file
    contradicts itself, and is refused naming the line."""
    staff, sara, ali = residents
    data = bgmax(
        [
            Paid(sara.payment_reference, 6200, DAY, serial="41", payer_bankgiro="11112222"),
            Paid(
                ali.payment_reference,
                500,
                DAY,
                serial="42",
                returned=True,
                payer_bankgiro="3334444",
            ),
        ]
    )
    with pytest.raises(BankFileError) as refused:
        parse_file(data)
    assert refused.value.line == 4 and "500,00" in refused.value.message


def test_a_credit_note_of_its_own_reference_from_a_payer_without_bankgiro(residents):
    """A payer without a bankgiro number; the credit note has its own reference (the
    credit invoice's): it is taken off the payment it stands with."""
    staff, sara, ali = residents
    data = bgmax(
        [
            Paid(ali.payment_reference, 5000, DAY, serial="43"),
            Paid(sara.payment_reference, 6200, DAY, serial="44"),
            Paid("55500011", 700, DAY, serial="45", returned=True),
        ]
    )
    assert [t.amount for t in parse_file(data).transactions] == [5000, Decimal("5500.00")]


def test_a_bgmax_deduction_never_reverses_an_earlier_payment(residents):
    """A 500 kr payment imported earlier stays registered when a later deposit holds a
    500 kr deduction of the same payer: the deduction is taken off that deposit's payment."""
    staff, sara, _ali = residents
    _import(bgmax([Paid(sara.payment_reference, 500, dt.date(2027, 3, 2), serial="51")]), staff)
    _import(
        bgmax(
            [
                Paid(sara.payment_reference, 6200, DAY, serial="52"),
                Paid(sara.payment_reference, 500, DAY, serial="53", returned=True),
            ]
        ),
        staff,
    )
    assert _registered(sara) == [Decimal("500.00"), Decimal("5700.00")]


# ---- 2. an OCR reference given only in an extra reference record ------------------------


def test_an_ocr_reference_in_an_extra_reference_record_matches(residents):
    staff, sara, _ali = residents
    data = bgmax([Paid("", 10100, DAY, serial="61", extra_refs=(sara.payment_reference,))])
    counted, done = _import(data, staff)
    assert counted["matched"] == done.matched == 1
    assert _registered(sara) == [Decimal("10100.00")]
    assert _entries(done)[0].extra_references == sara.payment_reference


def test_the_payment_records_own_reference_goes_first(residents):
    staff, sara, ali = residents
    data = bgmax(
        [Paid(sara.payment_reference, 6200, DAY, serial="62", extra_refs=(ali.payment_reference,))]
    )
    _import(data, staff)
    assert _registered(sara) == [Decimal("6200.00")] and _registered(ali) == []


# ---- 3. and 5. record types not known, short records, no line breaks -----------------------


def _with_unknown_record(sara) -> bytes:
    records = bgmax_records([Paid(sara.payment_reference, 6200, DAY, serial="71")])
    records.insert(3, "30" + "X" * 78)  # a record type Bankgirot might add
    return ("\r\n".join(records) + "\r\n").encode("latin-1")


def test_a_record_type_not_known_is_read_past_and_listed(residents, runner, tmp_path):
    staff, sara, _ali = residents
    data = _with_unknown_record(sara)
    parsed = parse_file(data)
    assert len(parsed.transactions) == 1
    assert parsed.ignored == ["Rad 4: posttypen 30 känner läsaren inte till; den lästes förbi."]
    path = tmp_path / "bg.txt"
    path.write_bytes(data)
    result = runner.invoke(args=["rent", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "bg.txt: Rad 4: posttypen 30" in result.output
    assert "1 matched" in result.output
    assert BankImport.get().ignored.startswith("Rad 4: posttypen 30")


def test_short_records_and_a_file_without_line_breaks_are_read(residents):
    staff, sara, _ali = residents
    records = bgmax_records([Paid(sara.payment_reference, 6200, DAY, serial="72")])
    short = ("\r\n".join(r.rstrip() for r in records) + "\r\n").encode("latin-1")
    unbroken = "".join(records).encode("latin-1")
    for data in (short, unbroken):
        (payment,) = parse_file(data).transactions
        assert (payment.reference, payment.amount) == (sara.payment_reference, 6200)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("\r\n".join(bgmax_records([Paid("1", 1, DAY)])).replace(" ", "\t", 1), "styrtecken"),
        ("".join(bgmax_records([Paid("1", 1, DAY)]))[:-3], "inte hela poster om 80 tecken"),
        ("\r\n".join(r + " " for r in bgmax_records([Paid("1", 1, DAY)])), "80 tecken"),
    ],
)
def test_tabs_broken_records_and_long_records_stay_refused(app_context, data, message):
    with pytest.raises(BankFileError, match=message):
        parse_file(data.encode("latin-1"))


# ---- 9. a file for another account, or Bankgirot's test file --------------------------------


def test_a_bgmax_file_for_another_bankgiro_is_refused_naming_both(residents):
    _staff, sara, _ali = residents
    data = bgmax([Paid(sara.payment_reference, 6200, DAY)], bankgiro="12345678")
    with pytest.raises(BankFileError) as refused:
        imports.plan(parse_file(data))
    assert "12345678" in refused.value.message and "50501055" in refused.value.message
    assert refused.value.line == 2


def test_bankgirots_test_file_is_refused(residents):
    _staff, sara, _ali = residents
    data = bgmax([Paid(sara.payment_reference, 6200, DAY)], marker="T")
    with pytest.raises(BankFileError, match="testfil"):
        imports.plan(parse_file(data))


def _camt_for(account_xml: str, sara) -> bytes:
    data = camt054([Paid(sara.payment_reference, 6200, DAY)])
    start, end = data.index(b"<Acct>"), data.index(b"</Acct>") + len(b"</Acct>")
    return data[:start] + account_xml.encode() + data[end:]


def test_a_camt_for_the_units_iban_is_read_and_for_another_refused(residents):
    _staff, sara, _ali = residents
    own = _camt_for("<Acct><Id><IBAN>SE4550000000058398257466</IBAN></Id></Acct>", sara)
    assert imports.plan(parse_file(own)).counts["matched"] == 1
    other = _camt_for("<Acct><Id><IBAN>SE3550000000054910000003</IBAN></Id></Acct>", sara)
    with pytest.raises(BankFileError) as refused:
        imports.plan(parse_file(other))
    assert "SE3550000000054910000003" in refused.value.message
    assert "SE4550000000058398257466" in refused.value.message


def test_without_the_units_accounts_set_the_import_refuses_and_names_the_settings(residents, app):
    _staff, sara, _ali = residents
    app.config.update(BANKGIRO="", BANK_ACCOUNT="")
    with pytest.raises(BankFileError) as refused:
        imports.plan(parse_file(bgmax([Paid(sara.payment_reference, 6200, DAY)])))
    assert "INTRANET_BANKGIRO" in refused.value.message
    assert "INTRANET_BANK_ACCOUNT" in refused.value.message
    app.config.update(BANKGIRO="5050-1055")
    iban = _camt_for("<Acct><Id><IBAN>SE4550000000058398257466</IBAN></Id></Acct>", sara)
    with pytest.raises(BankFileError, match="INTRANET_BANK_ACCOUNT"):
        imports.plan(parse_file(iban))


def test_a_bank_account_that_is_not_one_stops_the_start(app):
    from conftest import TEST_CONFIG

    from intranet import create_app

    with pytest.raises(ValueError, match="INTRANET_BANK_ACCOUNT"):
        create_app({**TEST_CONFIG, "DATABASE_URL": "sqlite://", "BANK_ACCOUNT": "SE00 1234"})


# ---- 10. the nightly command reads only regular files, and at most the limit -------------


def test_the_command_refuses_a_device_and_a_pipe(residents, runner, tmp_path):
    result = runner.invoke(args=["rent", "import", "/dev/zero", "--dry-run"])
    assert result.exit_code == 1 and "not a regular file" in result.output
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    result = runner.invoke(args=["rent", "import", str(pipe)])
    assert result.exit_code == 1 and "not a regular file" in result.output
    assert BankImport.select().count() == 0


# ---- also seen: a file read twice, a preview discarded, a payment set aside ---------------


def _upload(client, data, name="bg.txt"):
    token = csrf_token(client, "/rent/imports")
    upload = FileStorage(io.BytesIO(data), filename=name)
    boundary, body = encode_multipart({"file": upload, "csrf_token": token})
    return client.post(
        "/rent/imports", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


@pytest.fixture
def uploader(rent_client, rent_world):
    staff, resident = rent_world
    sara = resident("Sara")
    open_rent_month(MARCH)
    data = bgmax(
        [
            Paid(sara.payment_reference, 6200, DAY, serial="81"),
            Paid("123", 300, DAY, serial="82", payer="Leverantör AB"),
        ]
    )
    return rent_client, staff, sara, data


def test_the_same_file_read_again_opens_its_preview_and_then_its_result(uploader):
    client, _staff, _sara, data = uploader
    first = _upload(client, data)
    again = _upload(client, data)
    assert again.status_code == 303 and again.headers["Location"] == first.headers["Location"]
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "redan inläst" in page
    assert BankImport.select().count() == 1
    preview = BankImport.get()
    post_form(client, f"/rent/imports/{preview.id}/confirm", {}, f"/rent/imports/{preview.id}")
    third = _upload(client, data, name="annan.txt")
    assert third.headers["Location"].endswith(f"/rent/imports/{preview.id}")
    page = client.get(third.headers["Location"]).get_data(as_text=True)
    assert "redan importerad den 2027-03-05 (fil bg.txt)" in page
    assert BankImport.select().count() == 1


def test_a_preview_is_discarded_with_a_reason_and_the_file_can_be_read_again(uploader):
    client, staff, _sara, data = uploader
    preview_url = _upload(client, data).headers["Location"]
    preview = BankImport.get()
    empty = post_form(client, f"{preview_url}/discard", {"reason": " "}, preview_url)
    assert empty.status_code == 422 and BankImport.get().status == ImportStatus.PREVIEW
    done = post_form(client, f"{preview_url}/discard", {"reason": "Fel dag"}, preview_url)
    assert done.status_code == 303
    preview = BankImport.get_by_id(preview.id)
    assert (preview.status, preview.discard_reason) == (ImportStatus.DISCARDED, "Fel dag")
    assert Payment.select().where(Payment.method == "bank_transfer").count() == 0
    event = AuditEvent.get(AuditEvent.action == "discarded")
    assert (event.actor_id, event.subject_id, event.detail) == (staff.id, preview.id, "Fel dag")
    again = post_form(client, f"{preview_url}/discard", {"reason": "igen"}, preview_url)
    assert again.status_code == 409
    entry = BankEntry.get(BankEntry.reference == "123")
    aside = post_form(
        client, f"{preview_url}/entries/{entry.id}/set-aside", {"reason": "gåva"}, preview_url
    )
    assert aside.status_code == 409 and "läs in den igen" in aside.get_data(as_text=True)
    assert BankEntry.get_by_id(entry.id).state == EntryState.UNMATCHED
    assert _upload(client, data).headers["Location"] != preview_url


def test_a_payment_that_is_not_rent_is_set_aside_with_a_reason(uploader):
    client, staff, _sara, data = uploader
    preview_url = _upload(client, data).headers["Location"]
    entry = BankEntry.get(BankEntry.reference == "123")
    url = f"{preview_url}/entries/{entry.id}/set-aside"
    assert post_form(client, url, {"reason": ""}, preview_url).status_code == 422
    done = post_form(client, url, {"reason": "Återbetalning från leverantör"}, preview_url)
    assert done.status_code == 303
    entry = BankEntry.get_by_id(entry.id)
    assert (entry.state, entry.note) == (EntryState.SET_ASIDE, "Återbetalning från leverantör")
    bank_import = BankImport.get()
    assert (bank_import.unmatched, bank_import.skipped, bank_import.matched) == (0, 1, 1)
    assert AuditEvent.get(AuditEvent.action == "set_aside").subject_id == entry.id
    post_form(client, f"{preview_url}/confirm", {}, preview_url)
    bank_import = BankImport.get()
    assert (bank_import.matched, bank_import.unmatched, bank_import.skipped) == (1, 0, 1)
    assert Payment.select().where(Payment.method == "bank_transfer").count() == 1


def test_a_picture_is_not_a_bank_file(app_context):
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)
    with pytest.raises(BankFileError, match="ingen bankfil"):
        parse_file(png)


def test_the_preview_counts_a_return_as_the_import_will(residents):
    """camt.054 returns: one of a payment imported earlier is matched and reverses it; one
    with no imported payment to reverse is unmatched, in the preview as after the import."""
    staff, sara, ali = residents
    _import(bgmax([Paid(sara.payment_reference, 6200, dt.date(2027, 3, 2), serial="91")]), staff)
    returns = camt054(
        [
            Paid(sara.payment_reference, 6200, DAY, serial="92", returned=True),
            Paid(ali.payment_reference, 5000, DAY, serial="93", returned=True),
        ],
        summary=False,
    )
    counted, done = _import(returns, staff)
    assert counted == {
        "matched": 1,
        "unmatched": 1,
        "already_imported": 0,
        "refused": 0,
        "skipped": 0,
    }
    assert (done.matched, done.unmatched) == (1, 1)
    assert _registered(sara) == []
    states = {e.reference: e.state for e in _entries(done)}
    assert states == {
        sara.payment_reference: EntryState.REVERSED,
        ali.payment_reference: EntryState.UNMATCHED,
    }


# ---- 6.–8. camt.054 as the ISO definition allows, through the import --------------------


def test_only_booked_credits_register_and_the_rest_is_listed_as_skipped(residents):
    """A booked credit registers; a pending entry (version 02's plain status and 08's
    Sts/Cd), a debit that is no reversal, and an entry without a booking date (its value
    date is used) are read as the ISO definition allows."""
    from camtfiles import Tx, camt, entry

    staff, sara, ali = residents
    for version in ("02", "08"):
        data = camt(
            entry("6200.00", Tx("6200.00", sara.payment_reference), booked=None),
            entry("5000.00", Tx("5000.00", ali.payment_reference), status="PDNG"),
            entry("300.00", Tx("300.00", "123"), indicator="DBIT"),
            version=version,
        )
        counted, done = _import(data, staff)
        assert counted["matched"] == done.matched == 1
        assert counted["skipped"] == done.skipped == 2
        states = [(e.state, e.paid_on) for e in _entries(done)]
        assert states == [
            (EntryState.REGISTERED, dt.date(2027, 3, 2)),
            (EntryState.SKIPPED, dt.date(2027, 3, 2)),
            (EntryState.SKIPPED, dt.date(2027, 3, 2)),
        ]
        reasons = [e.reason for e in _entries(done)[1:]]
        assert "PDNG" in reasons[0] and "Pengar ut från kontot" in reasons[1]
    assert _registered(ali) == []


def test_a_camt_entry_whose_transactions_do_not_add_up_refuses_the_file(residents):
    from camtfiles import Tx, camt, entry

    _staff, sara, _ali = residents
    data = camt(entry("105678.50", Tx("100.00", sara.payment_reference)))
    with pytest.raises(BankFileError) as refused:
        imports.plan(parse_file(data))
    assert "100,00" in refused.value.message and "105\xa0678,50" in refused.value.message
    assert BankImport.select().count() == 0


def test_the_preview_shows_the_credit_note_on_the_payments_line(uploader):
    client, _staff, sara, _data = uploader
    data = bgmax(
        [
            Paid(sara.payment_reference, "10150", DAY, serial="95"),
            Paid(sara.payment_reference, 500, DAY, serial="96", returned=True, code="1"),
        ]
    )
    page = client.get(_upload(client, data).headers["Location"]).get_data(as_text=True)
    assert "10\xa0150,00\xa0kr betalt, minus betalarens kreditnota:" in page
    assert "500,00\xa0kr (del av kreditnota, resten senare)" in page
