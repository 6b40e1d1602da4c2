"""Payment references by Bankgirot's OCR rules: a length digit and a Luhn check digit."""

import pytest
from helpers import add_resident

from intranet import ocr
from intranet.models import Commissioner, Tenancy


@pytest.mark.parametrize("tenancy_id", [1, 7, 42, 999_999, 1_000_000, 2**31 - 1])
def test_a_reference_keeps_the_rules_and_names_its_tenancy(tenancy_id):
    reference = ocr.reference_for(tenancy_id)
    assert reference.isdigit() and len(reference) >= 8
    assert int(reference[-2]) == len(reference) % 10
    assert ocr.is_valid(reference)
    assert ocr.tenancy_id_of(reference) == tenancy_id


def test_known_references():
    # Worked by hand: 000042, length 8 gives 0000428, and its Luhn digit is 3.
    assert ocr.reference_for(42) == "00004283"
    assert ocr.reference_for(123456) == "12345682"


@pytest.mark.parametrize(
    "reference",
    ["00004284", "00004293", "0000428", "00004383", "", "abc", "0000 4283", "٠٠٠٠٤٢٨٣", "1" * 26],
)
def test_a_mistyped_reference_is_refused(reference):
    assert not ocr.is_valid(reference)
    assert ocr.tenancy_id_of(reference) is None


def test_every_digit_typed_wrong_is_caught():
    reference = ocr.reference_for(4711)
    for position in range(len(reference)):
        for digit in "0123456789":
            typo = reference[:position] + digit + reference[position + 1 :]
            assert ocr.is_valid(typo) == (typo == reference)


def test_a_new_tenancy_gets_its_reference(app, make_user, make_landlord):
    commissioner = Commissioner.create(name="Socialtjänsten")
    first = add_resident(make_landlord(), commissioner, make_user(), "Sara")
    second = add_resident(make_landlord("B AB"), commissioner, make_user(), "Omar")
    assert Tenancy.get_by_id(first.id).payment_reference == ocr.reference_for(first.id)
    assert second.payment_reference == ocr.reference_for(second.id)
    assert first.payment_reference != second.payment_reference
