"""The bank-file pages: upload, the preview with its suggestions, confirming, assigning
by hand, the history; and every bad upload refused with a message and nothing saved."""

import datetime as dt
import io

import pytest
from bankfiles import Paid, bgmax, camt054
from conftest import csrf_token, login, post_form
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from intranet.bank.files import MAX_FILE_BYTES
from intranet.models import AuditEvent, BankEntry, BankImport, EntryState, Payment


@pytest.fixture
def world(rent_world):
    staff, resident = rent_world
    return staff, resident("Sara"), resident("Ali", rent=5000)


def _upload(client, data, name="bg.txt"):
    """POST a file as the upload form does (encoded here in memory: the test client's own
    encoder leaves a temporary file open for a body this large)."""
    token = csrf_token(client, "/rent/imports")
    upload = FileStorage(io.BytesIO(data), filename=name)
    boundary, body = encode_multipart({"file": upload, "csrf_token": token})
    return client.post(
        "/rent/imports", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def _file(sara):
    return bgmax(
        [
            Paid(sara.payment_reference, 6200, dt.date(2027, 2, 27), payer="Sara Ek"),
            Paid("100000999", 5000, dt.date(2027, 3, 2), payer="Ali Ekk"),
        ]
    )


def test_an_upload_shows_a_preview_and_registers_nothing(rent_client, world):
    _staff, sara, _ali = world
    response = _upload(rent_client, _file(sara))
    assert response.status_code == 303
    page = rent_client.get(response.headers["Location"])
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Inget är registrerat än" in text
    assert "Sara Ek" in text and "Ali Ekk" in text
    # The unknown reference is suggested the resident of the same rent and a like name.
    assert "Kanske:" in text and "Ali Ek (5" in text
    assert BankImport.get().status == "preview"
    assert Payment.select().count() == 0
    assert AuditEvent.select().where(AuditEvent.detail.contains("bank import")).count() == 1


def test_confirming_registers_and_the_unmatched_one_is_assigned_later(rent_client, world):
    _staff, sara, ali = world
    location = _upload(rent_client, _file(sara)).headers["Location"]
    response = post_form(rent_client, f"{location}/confirm", {}, form_url=location)
    assert response.status_code == 303
    bank_import = BankImport.get()
    assert (bank_import.status, bank_import.matched, bank_import.unmatched) == ("imported", 1, 1)
    entry = BankEntry.get(BankEntry.state == EntryState.UNMATCHED)
    response = post_form(
        rent_client, f"{location}/entries/{entry.id}/assign", {"tenancy": ali.id}, form_url=location
    )
    assert response.status_code == 303
    assert BankEntry.get_by_id(entry.id).state == EntryState.REGISTERED
    assert Payment.select().count() == 2
    board = rent_client.get("/rent/?month=2027-03").get_data(as_text=True)
    assert board.count("Betald i tid") >= 1


def test_confirming_twice_says_so(rent_client, world):
    _staff, sara, _ali = world
    location = _upload(rent_client, _file(sara)).headers["Location"]
    post_form(rent_client, f"{location}/confirm", {}, form_url=location)
    response = post_form(rent_client, f"{location}/confirm", {}, form_url=location)
    assert response.status_code == 409
    assert "Filen är redan importerad." in response.get_data(as_text=True)
    assert Payment.select().count() == 1


@pytest.mark.parametrize("tenancy", ["0", "abc", "99999", ""])
def test_assigning_to_no_resident_is_refused(rent_client, world, tenancy):
    _staff, sara, _ali = world
    location = _upload(rent_client, _file(sara)).headers["Location"]
    entry = BankEntry.get(BankEntry.state == EntryState.UNMATCHED)
    response = post_form(
        rent_client,
        f"{location}/entries/{entry.id}/assign",
        {"tenancy": tenancy},
        form_url=location,
    )
    assert response.status_code == 422
    assert "Välj en boende." in response.get_data(as_text=True)
    assert BankEntry.get_by_id(entry.id).state == EntryState.UNMATCHED


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "Filen är tom."),
        (b"hej\r\n", "Det här är ingen bankfil (BgMax eller camt.054)."),
        (camt054([Paid("1", 1, dt.date(2027, 3, 1))])[:-40], "inte välformad XML"),
        (bgmax([Paid("1", 1, dt.date(2027, 3, 1))])[:-84], "Rad 4: Filen slutar utan sin slutpost"),
        (b"0" * (MAX_FILE_BYTES + 1), "större än 10 MB"),
    ],
)
def test_a_bad_file_is_refused_with_a_message_and_nothing_saved(rent_client, world, data, message):
    response = _upload(rent_client, data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert BankImport.select().count() == BankEntry.select().count() == 0


def test_a_form_without_a_file_is_refused(rent_client, world):
    response = post_form(rent_client, "/rent/imports", {}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Välj bankens fil." in response.get_data(as_text=True)
    assert BankImport.select().count() == 0


def test_a_request_past_the_limit_is_refused_with_a_message(app, rent_client, world):
    app.config["BANK_FILE_MAX_REQUEST_BYTES"] = 4096
    response = _upload(rent_client, b"0" * 8000)
    assert response.status_code == 413
    assert BankImport.select().count() == 0


def test_the_history_lists_the_files(rent_client, world):
    _staff, sara, _ali = world
    _upload(rent_client, _file(sara), name="bgmax-0305.txt")
    text = rent_client.get("/rent/imports").get_data(as_text=True)
    assert "bgmax-0305.txt" in text and "Förhandsvisning" in text
    assert BankImport.get().sha256[:12] in text


@pytest.mark.parametrize("role", ["caretaker", "landlord"])
def test_only_the_manager_and_staff_read_bank_files(client, make_user, role, world):
    login(client, make_user(role, email=f"{role}@x.org"))
    assert client.get("/rent/imports").status_code == 403


def test_an_unmatched_payment_is_assigned_by_the_residents_reference(rent_client, world):
    _staff, sara, ali = world
    location = _upload(rent_client, _file(sara)).headers["Location"]
    entry = BankEntry.get(BankEntry.state == EntryState.UNMATCHED)
    page = rent_client.get(location).get_data(as_text=True)
    assert "eller deras betalningsreferens (OCR)" in page
    refused = post_form(
        rent_client,
        f"{location}/entries/{entry.id}/assign",
        {"tenancy": "0", "reference": "00000000"},
        form_url=location,
    )
    assert refused.status_code == 422
    assert BankEntry.get_by_id(entry.id).state == EntryState.UNMATCHED
    response = post_form(
        rent_client,
        f"{location}/entries/{entry.id}/assign",
        {"tenancy": "0", "reference": ali.payment_reference},
        form_url=location,
    )
    assert response.status_code == 303
    assert BankEntry.get_by_id(entry.id).tenancy_id == ali.id


def test_the_page_lists_only_the_suggested_residents(rent_client, world):
    _staff, sara, ali = world
    location = _upload(rent_client, _file(sara)).headers["Location"]
    page = rent_client.get(location).get_data(as_text=True)
    # Everyone else is reached by their reference, not by a list as long as the city.
    assert page.count("<option") <= 1 + 3
